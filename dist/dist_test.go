package dist_test

import (
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tensorgl/tensorgl/dist"
	"github.com/tensorgl/tensorgl/dist/disttest"
)

// TestWorldOfOne: without MPI (or run alone) Init gives one process whose
// collectives leave the data as it is.
func TestWorldOfOne(t *testing.T) {
	disttest.Parent(t)
	c, err := dist.Init()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Finalize()
	if c.Rank() != 0 || c.Size() != 1 || c.LocalRank() != 0 || c.LocalSize() != 1 {
		t.Fatalf("world of one: rank %d of %d, local %d of %d", c.Rank(), c.Size(), c.LocalRank(), c.LocalSize())
	}
	x := []float32{1, 2, 3}
	y := []float64{4, 5}
	if err := c.AllreduceFloat32(x); err != nil || x[2] != 3 {
		t.Errorf("Allreduce in a world of one: %v, %v", x, err)
	}
	if q, err := c.IallreduceFloat32(x); err != nil {
		t.Error(err)
	} else if done, err := q.Test(); !done || err != nil || q.Wait() != nil || x[2] != 3 {
		t.Errorf("Iallreduce in a world of one: %v, done %v, %v", x, done, err)
	}
	if err := c.BcastFloat64(y, 0); err != nil || y[1] != 5 {
		t.Errorf("Bcast in a world of one: %v, %v", y, err)
	}
	if err := c.BcastFloat64(y, 1); err == nil {
		t.Errorf("Bcast from root 1 of 1: no error")
	}
	if err := c.Barrier(); err != nil {
		t.Error(err)
	}
}

// TestCollectives runs this test binary, built with MPI, as 3 processes
// (TestRank below).
func TestCollectives(t *testing.T) {
	disttest.Parent(t)
	bin := disttest.Build(t, ".", true)
	out := disttest.Run(t, 60*time.Second, 3, nil, bin, "-test.run", "^TestRank$", "-test.v")
	if n := strings.Count(out, "--- PASS: TestRank"); n != 3 {
		t.Errorf("%d ranks passed, want 3:\n%s", n, out)
	}
	t.Logf("\n%s", out)
}

// TestMPICH runs TestRank as 3 processes built against MPICH and started
// by its mpiexec, where MPICH is installed beside the default Open MPI.
func TestMPICH(t *testing.T) {
	disttest.Parent(t)
	bin := disttest.BuildMPICH(t, ".", true)
	out := disttest.RunMPICH(t, 60*time.Second, 3, bin, "-test.run", "^TestRank$", "-test.v")
	if n := strings.Count(out, "--- PASS: TestRank"); n != 3 || !strings.Contains(out, "MPICH Version: ") {
		t.Errorf("%d ranks passed under MPICH, want 3:\n%s", n, out)
	}
	t.Logf("\n%s", out)
}

// TestRank is one process of TestCollectives: it checks every collective
// against values computed from the ranks.
func TestRank(t *testing.T) {
	c := disttest.Join(t)
	n, r := c.Size(), c.Rank()
	if want := os.Getenv(disttest.ChildEnv); fmt.Sprint(n) != want {
		t.Fatalf("Size %d, want %s", n, want)
	}
	if c.LocalRank() != r || c.LocalSize() != n { // one machine
		t.Errorf("rank %d of %d has local rank %d of %d", r, n, c.LocalRank(), c.LocalSize())
	}
	t.Logf("%s, %s", c, c.Library())

	// Odd lengths, and one large enough to be split by MPI's algorithms.
	for _, size := range []int{1, 7, 100003} {
		x := make([]float32, size)
		y := make([]float64, size)
		for i := range x {
			x[i] = float32(r+1) * float32(i%17)
			y[i] = float64(r+1) * 1e-3 * float64(i%29)
		}
		if err := c.AllreduceFloat32(x); err != nil {
			t.Fatal(err)
		}
		if err := c.AllreduceFloat64(y); err != nil {
			t.Fatal(err)
		}
		tri := float64(n * (n + 1) / 2)
		for i := range x {
			if x[i] != float32(tri)*float32(i%17) {
				t.Fatalf("Allreduce float32 of %d: [%d] = %v, want %v", size, i, x[i], float32(tri)*float32(i%17))
			}
			if want := tri * 1e-3 * float64(i%29); y[i] < want*(1-1e-15) || y[i] > want*(1+1e-15) {
				t.Fatalf("Allreduce float64 of %d: [%d] = %v, want %v", size, i, y[i], want)
			}
		}
	}
	// Two nonblocking allreduces in flight at once, finished in either
	// order, and one of nothing.
	a, b := make([]float32, 100003), make([]float32, 5)
	for i := range a {
		a[i] = float32(r) + float32(i%5)
	}
	for i := range b {
		b[i] = float32(r * i)
	}
	qa, err := c.IallreduceFloat32(a)
	if err != nil {
		t.Fatal(err)
	}
	qb, err := c.IallreduceFloat32(b)
	if err != nil {
		t.Fatal(err)
	}
	qe, err := c.IallreduceFloat32(nil)
	if err != nil {
		t.Fatal(err)
	}
	for {
		done, err := qb.Test()
		if err != nil {
			t.Fatal(err)
		}
		if done {
			break
		}
	}
	if err := qa.Wait(); err != nil {
		t.Fatal(err)
	}
	if err := qe.Wait(); err != nil {
		t.Fatal(err)
	}
	if done, err := qa.Test(); !done || err != nil {
		t.Errorf("Test after Wait: %v, %v; want true, nil", done, err)
	}
	ranks := float32(n * (n - 1) / 2)
	for i := range a {
		if want := ranks + float32(n*(i%5)); a[i] != want {
			t.Fatalf("Iallreduce of %d: [%d] = %v, want %v", len(a), i, a[i], want)
		}
	}
	for i := range b {
		if want := ranks * float32(i); b[i] != want {
			t.Fatalf("Iallreduce of %d: [%d] = %v, want %v", len(b), i, b[i], want)
		}
	}

	for root := range n {
		x := []float32{float32(r), float32(r) * 2}
		y := []float64{float64(r) / 3}
		if err := c.BcastFloat32(x, root); err != nil {
			t.Fatal(err)
		}
		if err := c.BcastFloat64(y, root); err != nil {
			t.Fatal(err)
		}
		if x[0] != float32(root) || x[1] != float32(root)*2 || y[0] != float64(root)/3 {
			t.Errorf("Bcast from %d: got %v %v", root, x, y)
		}
	}
	if err := c.Barrier(); err != nil {
		t.Fatal(err)
	}
}

// TestFaults: a process that dies, or stalls, ends the job with a message
// within a bounded time instead of a hang.
func TestFaults(t *testing.T) {
	disttest.Parent(t)
	bin := disttest.Build(t, ".", true)
	for _, tc := range []struct {
		name string
		sig  syscall.Signal
		want string // in the survivors' output
	}{
		{"killed", syscall.SIGKILL, "stopped by the launcher (SIGTERM)"},
		{"stalled", syscall.SIGSTOP, "Allreduce has not completed within 3s"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			j := disttest.Start(t, 60*time.Second, 2, []string{dist.TimeoutEnv + "=3s"}, bin, "-test.run", "^TestLoop$", "-test.v")
			j.WaitFor(t, "rank 1 looping", 30*time.Second)
			out := j.Fault(t, 1, tc.sig, 20*time.Second)
			if !strings.Contains(out, "rank 0 of 2: "+tc.want) {
				t.Errorf("rank 0 did not say %q:\n%s", tc.want, out)
			}
			t.Logf("\n%s", out)
		})
	}
}

// TestFailToStart: a process that exits before joining the job (a bad
// flag, a missing file on one host) ends the job with an error naming it
// within a bounded time, while the others wait to join or in their first
// collective.
func TestFailToStart(t *testing.T) {
	disttest.Parent(t)
	bin := disttest.Build(t, ".", true)
	start := time.Now()
	j := disttest.Start(t, 60*time.Second, 2, []string{dist.TimeoutEnv + "=5s"}, bin, "-test.run", "^TestStartFail$", "-test.v")
	err := j.Wait()
	took := time.Since(start)
	out := j.Output.String()
	if err == nil {
		t.Fatalf("the job exited 0 though rank 1 failed to start:\n%s", out)
	}
	if !strings.Contains(out, "rank 1 cannot start") {
		t.Errorf("the output does not show rank 1's own error:\n%s", out)
	}
	if took > 30*time.Second {
		t.Errorf("the job took %s to end after rank 1 failed to start, want < 30s", took)
	}
	t.Logf("the job ended %s after rank 1 failed to start (%v):\n%s", took.Round(time.Millisecond), err, out)
}

// TestStartFail is one process of TestFailToStart: rank 1 exits before
// dist.Init, rank 0 joins and allreduces.
func TestStartFail(t *testing.T) {
	disttest.Child(t)
	if os.Getenv("OMPI_COMM_WORLD_RANK") == "1" || os.Getenv("PMI_RANK") == "1" {
		fmt.Fprintln(os.Stderr, "rank 1 cannot start: simulated missing input")
		os.Exit(3)
	}
	c := disttest.Join(t)
	if err := c.AllreduceFloat32(make([]float32, 10)); err != nil {
		t.Fatal(err)
	}
}

// TestLoop is one process of TestFaults: it allreduces until stopped.
func TestLoop(t *testing.T) {
	c := disttest.Join(t)
	x := make([]float32, 1000)
	for i := 0; ; i++ {
		if err := c.AllreduceFloat32(x); err != nil {
			t.Fatal(err)
		}
		if i == 10 {
			fmt.Fprintf(os.Stderr, "rank %d looping\n", c.Rank())
		}
		time.Sleep(time.Millisecond)
	}
}
