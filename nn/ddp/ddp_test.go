package ddp_test

import (
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tensorgl/tensorgl/device"
	"github.com/tensorgl/tensorgl/dist/disttest"
	"github.com/tensorgl/tensorgl/nn"
	"github.com/tensorgl/tensorgl/nn/ddp"
	"github.com/tensorgl/tensorgl/tensor"
)

// TestDDP runs TestRank, TestRankBackward and TestRankLayout as 3
// processes, with buckets small enough that the model's parameters take
// several.
func TestDDP(t *testing.T) {
	disttest.Parent(t)
	bin := disttest.Build(t, ".", true)
	for _, name := range []string{"TestRank", "TestRankBackward", "TestRankLayout"} { // MPI joins once per process
		out := disttest.Run(t, time.Minute, 3, nil, bin, "-test.run", "^"+name+"$", "-test.v")
		if n := strings.Count(out, "--- PASS: "+name+" "); n != 3 {
			t.Errorf("%d ranks passed %s, want 3:\n%s", n, name, out)
		}
	}
}

// sharingDevice records what device.ShareMachine told it.
type sharingDevice struct {
	device.Device
	processes int
}

func (s *sharingDevice) ShareMachine(processes int) { s.processes = processes }

// model is a linear layer and a batch norm, initialised from seed.
func model(seed uint64) nn.Module {
	return nn.NewSequential(nn.NewLinear(5, 4, tensor.NewGenerator(seed)), nn.NewBatchNorm1d(4))
}

// TestRank is one process of TestDDP. Each rank initialises the model from
// its own seed; New must give every rank rank 0's. Rank r then has the
// gradient r+1 everywhere from r samples (rank 0 none, and no gradient),
// so the average is Σ r(r+1) / Σ r. Finally CheckInSync must pass, then
// fail on the one rank whose parameters were changed.
func TestRank(t *testing.T) {
	comm := disttest.Join(t)
	r, n := comm.Rank(), comm.Size()
	// The model's device learns how many processes share the machine.
	dev := &sharingDevice{Device: tensor.DefaultDevice()}
	tensor.SetDefaultDevice(dev)
	t.Cleanup(func() { tensor.SetDefaultDevice(dev.Device) })
	m := model(uint64(10 + r))
	for _, e := range m.State() {
		if e.Count != nil {
			*e.Count = int64(100 + r)
		}
	}
	d, err := ddp.New(m, comm, ddp.Config{BucketSize: 7})
	if err != nil {
		t.Fatal(err)
	}
	if dev.processes != comm.LocalSize() {
		t.Errorf("New told the device %d processes share the machine, want %d", dev.processes, comm.LocalSize())
	}
	want := model(10)
	ws := want.State()
	for i, e := range m.State() {
		if e.Count != nil {
			if *e.Count != 100 {
				t.Errorf("%s after New: %d, want rank 0's 100", e.Name, *e.Count)
			}
			continue
		}
		if !slices.Equal(e.Tensor.Data(), ws[i].Tensor.Data()) {
			t.Errorf("%s after New differs from rank 0's", e.Name)
		}
	}
	if s := d.Stats(); s.Buckets < 3 || s.Values != 5*4+4+4+4 {
		t.Errorf("stats %+v: want 32 values in ≥ 3 buckets of ≤ 7", s)
	}

	for _, p := range nn.Parameters(m) {
		if r > 0 {
			p.SetGrad(tensor.FullLike(p, float32(r+1)))
		}
	}
	if err := d.AverageGradients(r); err != nil {
		t.Fatal(err)
	}
	num, den := 0, 0
	for k := range n {
		num, den = num+k*(k+1), den+k
	}
	avg := float32(num) / float32(den)
	for _, e := range nn.NamedParameters(m) {
		g := e.Tensor.Grad()
		if g == nil {
			t.Fatalf("%s has no gradient after AverageGradients", e.Name)
		}
		for i, v := range g.Data() {
			if diff := v - avg; diff > 1e-6*avg || diff < -1e-6*avg {
				t.Fatalf("%s grad[%d] = %v, want %v", e.Name, i, v, avg)
			}
		}
	}

	if err := d.CheckInSync(); err != nil {
		t.Fatalf("equal replicas: %v", err)
	}
	if r == n-1 {
		p := nn.Parameters(m)[1]
		v := p.Data()
		v[0] = math.Nextafter32(v[0], 2) // one bit
		p.SetData(v)
	}
	err = d.CheckInSync()
	if r == n-1 && (err == nil || !strings.Contains(err.Error(), "parameters differ from rank 0's")) {
		t.Errorf("rank %d changed a parameter; CheckInSync said %v", r, err)
	}
	if r != n-1 && err != nil {
		t.Errorf("rank %d: %v", r, err)
	}
}

// TestRankBackward is one process of TestDDP: DDP.Backward, which starts
// each bucket's allreduce from Backward's hooks, gives gradients
// bit-identical to Backward followed by AverageGradients, and starts some
// buckets before Backward ends, also over gradients accumulated by an
// earlier Backward. Rank r has r samples (rank 0 none, and no loss).
func TestRankBackward(t *testing.T) {
	comm := disttest.Join(t)
	r := comm.Rank()
	mk := func() nn.Module {
		g := tensor.NewGenerator(3)
		return nn.NewSequential(nn.NewLinear(5, 6, g), nn.NewReLU(), nn.NewLinear(6, 3, g))
	}
	a, b := mk(), mk()
	da, err := ddp.New(a, comm, ddp.Config{BucketSize: 8})
	if err != nil {
		t.Fatal(err)
	}
	db, err := ddp.New(b, comm, ddp.Config{BucketSize: 8})
	if err != nil {
		t.Fatal(err)
	}
	x := make([]float32, r*5)
	for i := range x {
		x[i] = float32((i*7+r*3)%11) - 5
	}
	loss := func(m nn.Module) *tensor.Tensor {
		if r == 0 {
			return nil
		}
		return m.Forward(tensor.FromSlice(x).Reshape(r, 5)).Square().Mean()
	}
	for step := range 3 {
		if step == 2 { // a micro-batch accumulated first, as with no_sync
			for _, m := range []nn.Module{a, b} {
				if l := loss(m); l != nil {
					l.Backward()
				}
			}
		}
		if l := loss(a); l != nil {
			l.Backward()
		}
		if err := da.AverageGradients(r); err != nil {
			t.Fatal(err)
		}
		if err := db.Backward(loss(b), r); err != nil {
			t.Fatal(err)
		}
		pa, pb := nn.NamedParameters(a), nn.NamedParameters(b)
		for i := range pa {
			if ga, gb := pa[i].Tensor.Grad().Data(), pb[i].Tensor.Grad().Data(); !slices.Equal(ga, gb) {
				t.Fatalf("step %d: %s's gradient %v after DDP.Backward, %v after Backward and AverageGradients", step, pa[i].Name, gb, ga)
			}
		}
		for _, p := range append(nn.Parameters(a), nn.Parameters(b)...) {
			p.ZeroGrad()
		}
	}
	sa, sb := da.Stats(), db.Stats()
	if sa.Early != 0 || sb.Steps != 3 || sb.Buckets < 3 {
		t.Errorf("stats %+v and %+v: want no early bucket without DDP.Backward, 3 steps of ≥ 3 buckets with it", sa, sb)
	}
	if r > 0 && sb.Early < 3 {
		t.Errorf("rank %d: %d buckets started while Backward ran, want ≥ 3 (1 a step)", r, sb.Early)
	}
	if err := db.Backward(nil, 3); err == nil || !strings.Contains(err.Error(), "without a loss for 3 samples") {
		t.Errorf("Backward(nil, 3): %v", err)
	}
}

// TestRankLayout is one process of TestDDP: where one process's model
// has other shapes (the same 20 values as [5 4] against [4 5]), or
// another bucket size, New fails on every process, the odd one naming its
// own layout and rank 0's, the others how many differ.
func TestRankLayout(t *testing.T) {
	comm := disttest.Join(t)
	r, n := comm.Rank(), comm.Size()
	for _, c := range []struct {
		name       string
		odd        int
		in, bucket int
		want       string
	}{
		{"shapes", n - 1, 4, 7, "differs from rank 0's: 1 entries of 20 values and bucket size 7, rank 0 1 of 20 and 7 (where the counts agree, names or shapes differ)"},
		{"bucket size", 1, 5, 9, "differs from rank 0's: 1 entries of 20 values and bucket size 9, rank 0 1 of 20 and 7"},
	} {
		in, out, bucket := 5, 4, 7
		if r == c.odd {
			in, out, bucket = c.in, 20/c.in, c.bucket
		}
		_, err := ddp.New(nn.NewLinearNoBias(in, out, tensor.NewGenerator(1)), comm, ddp.Config{BucketSize: bucket})
		want := "1 of 3 processes hold a model or bucket size that differs from rank 0's"
		if r == c.odd {
			want = c.want
		}
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: rank %d: New said %v, want an error containing %q", c.name, r, err, want)
		}
	}
}
