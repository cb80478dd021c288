package ddp_test

import (
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tensorgl/tensorgl/dist/disttest"
	"github.com/tensorgl/tensorgl/nn"
	"github.com/tensorgl/tensorgl/nn/ddp"
	"github.com/tensorgl/tensorgl/tensor"
)

// TestDDP runs TestRank as 3 processes, with buckets small enough that the
// model's parameters take several.
func TestDDP(t *testing.T) {
	disttest.Parent(t)
	bin := disttest.Build(t, ".", true)
	out := disttest.Run(t, time.Minute, 3, nil, bin, "-test.run", "^TestRank$", "-test.v")
	if n := strings.Count(out, "--- PASS: TestRank"); n != 3 {
		t.Errorf("%d ranks passed, want 3:\n%s", n, out)
	}
}

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
