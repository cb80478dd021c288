// Package disttest runs programs and tests as jobs of several processes
// under Open MPI's mpirun, for the tests of package dist and of the code
// built on it.
//
// The test process itself is built without MPI; Build compiles a package's
// test binary or a program with -tags mpi, and Run starts it with mpirun on
// this machine over the loopback network. Without mpirun or the system MPI
// these tests skip, unless TENSORGL_REQUIRE_MPI=1 (set by CI) makes that a
// failure.
package disttest

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tensorgl/tensorgl/dist"
)

// RequireEnv names the environment variable that turns a missing MPI into
// a test failure instead of a skip.
const RequireEnv = "TENSORGL_REQUIRE_MPI"

// ChildEnv is set to the number of processes in the environment of every
// process Run starts, so that a test binary knows it runs as a rank.
const ChildEnv = "TENSORGL_DISTTEST_RANKS"

// need skips or fails t when MPI cannot be used here.
func need(t *testing.T) {
	t.Helper()
	if out, err := exec.Command("go", "env", "CGO_ENABLED").Output(); err != nil || strings.TrimSpace(string(out)) != "1" {
		t.Skip("cgo is off: the MPI binding needs it (this is the pure-Go pass)")
	}
	why := ""
	if _, err := exec.LookPath("mpirun"); err != nil {
		why = "mpirun not on PATH (apt-get install openmpi-bin libopenmpi-dev)"
	} else if err := exec.Command("pkg-config", "--exists", "mpi").Run(); err != nil {
		why = "pkg-config finds no mpi (apt-get install libopenmpi-dev)"
	}
	if why == "" {
		return
	}
	if os.Getenv(RequireEnv) == "1" {
		t.Fatalf("%s, and %s=1", why, RequireEnv)
	}
	t.Skipf("%s; %s=1 makes this a failure", why, RequireEnv)
}

// Build compiles, with -tags mpi, the test binary of the package in dir
// (test true) or the program in dir, and returns its path.
func Build(t *testing.T, dir string, test bool) string {
	t.Helper()
	need(t)
	if testing.Short() {
		t.Skip("building an MPI binary and running it under mpirun: not in -short")
	}
	out := filepath.Join(t.TempDir(), filepath.Base(dir)+".mpi")
	args := []string{"build", "-tags", "mpi", "-o", out, dir}
	if test {
		args = []string{"test", "-c", "-tags", "mpi", "-o", out, dir}
	}
	cmd := exec.Command("go", args...)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go %v: %v\n%s", args, err, b)
	}
	return out
}

// BuildMPICH is Build against MPICH instead of the system's default MPI
// (Debian's alternatives make Open MPI the default where both are
// installed), for RunMPICH. It skips t where MPICH is not installed
// (apt-get install mpich libmpich-dev).
func BuildMPICH(t *testing.T, dir string, test bool) string {
	t.Helper()
	need(t)
	if testing.Short() {
		t.Skip("building an MPI binary and running it under mpiexec: not in -short")
	}
	pcdir, err := exec.Command("pkg-config", "--variable=pcfiledir", "mpich").Output()
	if _, lerr := exec.LookPath("mpiexec.mpich"); err != nil || lerr != nil {
		t.Skip("MPICH is not installed (apt-get install mpich libmpich-dev)")
	}
	// The binding asks pkg-config for "mpi": a directory searched first
	// where that is MPICH's file.
	pc := t.TempDir()
	b, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(pcdir)), "mpich.pc"))
	if err == nil {
		err = os.WriteFile(filepath.Join(pc, "mpi.pc"), b, 0o644)
	}
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), filepath.Base(dir)+".mpich")
	args := []string{"build", "-tags", "mpi", "-o", out, dir}
	if test {
		args = []string{"test", "-c", "-tags", "mpi", "-o", out, dir}
	}
	cmd := exec.Command("go", args...)
	// The build cache does not tell pkg-config's answers apart: a flag of
	// MPICH's own keeps its build from being taken for Open MPI's.
	cmd.Env = append(os.Environ(), "PKG_CONFIG_PATH="+pc, "CGO_CFLAGS=-O2 -g -DTENSORGL_MPICH")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go %v against MPICH: %v\n%s", args, err, b)
	}
	return out
}

// RunMPICH runs np processes of prog, built by BuildMPICH, under MPICH's
// mpiexec (Hydra) to their end, and fails t if the job fails.
func RunMPICH(t *testing.T, limit time.Duration, np int, prog string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, "mpiexec.mpich", append([]string{"-n", strconv.Itoa(np), "-env", ChildEnv, strconv.Itoa(np), prog}, args...)...)
	b, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("mpiexec.mpich -n %d %s %v: %v\n%s", np, filepath.Base(prog), args, err, b)
	}
	return string(b)
}

// A Job is a running mpirun.
type Job struct {
	Cmd    *exec.Cmd
	Output output // stdout and stderr of every process, interleaved
	cancel context.CancelFunc
}

// output is a buffer that the test may read while mpirun writes to it.
type output struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (o *output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.Write(p)
}

func (o *output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.String()
}

// WaitFor waits until the output contains s, or fails t after limit.
func (j *Job) WaitFor(t *testing.T, s string, limit time.Duration) {
	t.Helper()
	for end := time.Now().Add(limit); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		if strings.Contains(j.Output.String(), s) {
			return
		}
	}
	t.Fatalf("no %q in the job's output after %s:\n%s", s, limit, j.Output.String())
}

// Start launches np processes of prog with args under mpirun, with env
// added to their environment. The job is killed if it outlives limit.
func Start(t *testing.T, limit time.Duration, np int, env []string, prog string, args ...string) *Job {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	mpiArgs := []string{"-np", strconv.Itoa(np), "--oversubscribe", "--bind-to", "none",
		// Loopback TCP only: no shared-memory segments or network probing.
		"--mca", "btl", "self,tcp", "--mca", "btl_tcp_if_include", "lo", "--mca", "oob_tcp_if_include", "lo",
		// A waiting process yields its core instead of spinning: tests share a busy machine.
		"--mca", "mpi_yield_when_idle", "1",
		"-x", ChildEnv + "=" + strconv.Itoa(np)}
	for _, e := range env {
		mpiArgs = append(mpiArgs, "-x", e)
	}
	j := &Job{cancel: cancel}
	j.Cmd = exec.CommandContext(ctx, "mpirun", append(append(mpiArgs, prog), args...)...)
	j.Cmd.Env = append(os.Environ(), "OMPI_ALLOW_RUN_AS_ROOT=1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1")
	j.Cmd.Stdout, j.Cmd.Stderr = &j.Output, &j.Output
	if err := j.Cmd.Start(); err != nil {
		cancel()
		t.Fatalf("mpirun: %v", err)
	}
	return j
}

// Wait waits for the job and returns mpirun's error (nil for status 0).
func (j *Job) Wait() error {
	defer j.cancel()
	return j.Cmd.Wait()
}

// Run runs a job of np processes to its end and fails t if it fails.
func Run(t *testing.T, limit time.Duration, np int, env []string, prog string, args ...string) string {
	t.Helper()
	j := Start(t, limit, np, env, prog, args...)
	if err := j.Wait(); err != nil {
		t.Fatalf("mpirun -np %d %s %v: %v\n%s", np, filepath.Base(prog), args, err, j.Output.String())
	}
	return j.Output.String()
}

// Signal sends sig to the process of rank rank (a child of mpirun on this
// machine, found by its OMPI_COMM_WORLD_RANK), waiting up to a few seconds
// for it to appear.
func (j *Job) Signal(t *testing.T, rank int, sig os.Signal) {
	t.Helper()
	want := []byte("OMPI_COMM_WORLD_RANK=" + strconv.Itoa(rank) + "\x00")
	for range 100 {
		dirs, _ := os.ReadDir("/proc")
		for _, d := range dirs {
			pid, err := strconv.Atoi(d.Name())
			if err != nil || !childOf(pid, j.Cmd.Process.Pid) {
				continue
			}
			env, err := os.ReadFile(filepath.Join("/proc", d.Name(), "environ"))
			if err != nil || !bytes.Contains(env, want) {
				continue
			}
			p, err := os.FindProcess(pid)
			if err == nil {
				err = p.Signal(sig)
			}
			if err != nil {
				t.Fatalf("signalling rank %d (pid %d): %v", rank, pid, err)
			}
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("no process of rank %d under mpirun (pid %d)\n%s", rank, j.Cmd.Process.Pid, j.Output.String())
}

// childOf reports whether process pid's parent is ppid.
func childOf(pid, ppid int) bool {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return false
	}
	// pid (comm) state ppid …; comm may hold spaces, so start after the last ')'.
	rest := b[bytes.LastIndexByte(b, ')')+1:]
	f := bytes.Fields(rest)
	return len(f) > 1 && string(f[1]) == strconv.Itoa(ppid)
}

// Parent skips t inside a process that Run started: the test launches the
// job. Child skips t outside one: the test is a process of a job.
func Parent(t *testing.T) {
	t.Helper()
	if os.Getenv(ChildEnv) != "" {
		t.Skip("runs in the parent test process")
	}
}

// Child: see Parent.
func Child(t *testing.T) {
	t.Helper()
	if os.Getenv(ChildEnv) == "" {
		t.Skip("runs as a process of a job that another test starts")
	}
}

// Fault sends sig to rank and checks that the job then ends, with a
// non-zero status, within limit. It returns the job's output.
func (j *Job) Fault(t *testing.T, rank int, sig os.Signal, limit time.Duration) string {
	t.Helper()
	start := time.Now()
	j.Signal(t, rank, sig)
	err := j.Wait()
	took := time.Since(start)
	out := j.Output.String()
	if err == nil {
		t.Fatalf("the job exited 0 after rank %d got %v:\n%s", rank, sig, out)
	}
	if took > limit {
		t.Errorf("the job took %s to end after rank %d got %v, want < %s", took, rank, sig, limit)
	}
	t.Logf("the job ended %s after rank %d got %v (%v)", took.Round(time.Millisecond), rank, sig, err)
	return out
}

// Join is Child followed by dist.Init: it returns the job's world, which
// is finalised when t ends.
func Join(t *testing.T) *dist.Comm {
	t.Helper()
	Child(t)
	c, err := dist.Init()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Finalize() })
	return c
}
