package optim

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/tensorgl/tensorgl/tensor"
)

func TestClipGradNorm(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, tc := range []struct {
		name    string
		maxNorm float32
		scale   float64 // of the random gradients
	}{
		{"clipped", 1, 3},
		{"below the limit", 100, 1},
		{"tiny limit", 1e-3, 1},
	} {
		ps := []*tensor.Tensor{
			tensor.Zeros(4, 5).SetRequiresGrad(true),
			tensor.Zeros(3).SetRequiresGrad(true), // no gradient: skipped
			tensor.Zeros(7).SetRequiresGrad(true),
		}
		var gs [][]float32
		var sq float64
		for i, p := range ps {
			if i == 1 {
				gs = append(gs, nil)
				continue
			}
			g := make([]float32, p.NumEl())
			for j := range g {
				g[j] = float32(tc.scale * rng.NormFloat64())
				sq += float64(g[j]) * float64(g[j])
			}
			gs = append(gs, g)
			p.SetGrad(tensor.FromSlice(g, p.Shape()...))
		}
		norm := math.Sqrt(sq)
		coef := min(1, float64(tc.maxNorm)/(norm+1e-6))

		got := ClipGradNorm(ps, tc.maxNorm)
		if !(math.Abs(float64(got)-norm) <= 1e-5*norm) {
			t.Errorf("%s: norm %v, want %v", tc.name, got, norm)
		}
		var after float64
		for i, p := range ps {
			if gs[i] == nil {
				if p.Grad() != nil {
					t.Errorf("%s: parameter %d gained a gradient", tc.name, i)
				}
				continue
			}
			for j, v := range p.Grad().Data() {
				want := coef * float64(gs[i][j])
				if !(math.Abs(float64(v)-want) <= 1e-6*max(1, math.Abs(want))) {
					t.Fatalf("%s: grad %d[%d] = %v, want %v", tc.name, i, j, v, want)
				}
				after += float64(v) * float64(v)
			}
		}
		if lim := float64(tc.maxNorm); math.Sqrt(after) > lim*(1+1e-5) && norm > lim {
			t.Errorf("%s: norm after clipping %v, limit %v", tc.name, math.Sqrt(after), lim)
		}
	}
}

func TestClipGradNormNoGradients(t *testing.T) {
	if got := ClipGradNorm([]*tensor.Tensor{tensor.Zeros(2).SetRequiresGrad(true)}, 1); got != 0 {
		t.Errorf("norm without gradients = %v, want 0", got)
	}
}

// TestClipGradNormInPlace: the gradients are scaled in place by two kernels
// whatever their number; a gradient set to a view (not a whole contiguous
// tensor) is replaced by its clipped copy, a parameter listed twice counts
// once, and a NaN norm is returned and leaves the gradients alone.
func TestClipGradNormInPlace(t *testing.T) {
	dev := tensor.DefaultDevice()
	a := tensor.Zeros(2, 3).SetRequiresGrad(true)
	b := tensor.Zeros(3, 2).SetRequiresGrad(true)
	c := tensor.Zeros(5).SetRequiresGrad(true)
	ga := tensor.FromSlice([]float32{3, 0, 0, 0, 0, 0}, 2, 3)
	a.SetGrad(ga)
	b.SetGrad(tensor.FromSlice([]float32{0, 4, 0, 0, 0, 0}, 2, 3).T()) // a view
	c.SetGrad(tensor.FromSlice([]float32{0, 0, 0, 0, 12}, 5))
	if err := dev.Sync(); err != nil {
		t.Fatal(err)
	}
	before := dev.Stats().Dispatches
	got := ClipGradNorm([]*tensor.Tensor{a, b, c, a}, 6.5) // ‖(3, 4, 12)‖ = 13
	if err := dev.Sync(); err != nil {
		t.Fatal(err)
	}
	// The view's copy is one kernel more; GL adds the norm's partial sums
	// in a second dispatch.
	want := int64(3)
	if dev.Info().Name == "gl" {
		want = 4
	}
	if n := dev.Stats().Dispatches - before; n != want {
		t.Errorf("%d kernels, want %d (the view's copy, the norm's square, the scaling)", n, want)
	}
	if !(math.Abs(float64(got)-13) <= 1e-5) {
		t.Errorf("norm %v, want 13", got)
	}
	coef := 6.5 / (13 + 1e-6)
	for _, c := range []struct {
		name string
		p    *tensor.Tensor
		i    int
		v    float64
	}{{"a", a, 0, 3}, {"b", b, 2, 4}, {"c", c, 4, 12}} {
		d := c.p.Grad().Data()
		if w := c.v * coef; !(math.Abs(float64(d[c.i])-w) <= 1e-6*w) {
			t.Errorf("%s's gradient [%d] = %v, want %v", c.name, c.i, d[c.i], w)
		}
	}
	if a.Grad() != ga {
		t.Errorf("a's gradient was replaced; want it scaled in place")
	}
	if s := ga.Data()[0]; !(math.Abs(float64(s)-3*coef) <= 1e-6) {
		t.Errorf("a's gradient tensor holds %v, want %v", s, 3*coef)
	}

	c.SetGrad(tensor.FromSlice([]float32{0, float32(math.NaN()), 0, 0, 1}, 5))
	got = ClipGradNorm([]*tensor.Tensor{a, b, c}, 0.1)
	if !math.IsNaN(float64(got)) {
		t.Errorf("norm with a NaN gradient = %v, want NaN", got)
	}
	if d := a.Grad().Data()[0]; !(math.Abs(float64(d)-3*coef) <= 1e-6) {
		t.Errorf("a NaN norm changed a's gradient to %v", d)
	}
}

// TestClipGradNormTensor: the norm as a device tensor in the caller's
// scope, the gradients clipped as ClipGradNorm clips them, and nothing read
// back until the caller reads it.
func TestClipGradNormTensor(t *testing.T) {
	a := tensor.Zeros(3).SetRequiresGrad(true)
	b := tensor.Zeros(2).SetRequiresGrad(true)
	a.SetGrad(tensor.FromSlice([]float32{3, 0, 4}, 3))
	b.SetGrad(tensor.FromSlice([]float32{0, 12}, 2))
	var norm float32
	tensor.Tidy(func(s *tensor.Scope) {
		n := ClipGradNormTensor(s, []*tensor.Tensor{a, b}, 6.5)
		if len(n.Shape()) != 0 {
			t.Errorf("norm shape %v, want a scalar", n.Shape())
		}
		norm = n.Item()
	})
	if !(math.Abs(float64(norm)-13) <= 1e-5) {
		t.Errorf("norm %v, want 13", norm)
	}
	if d, w := b.Grad().Data()[1], 12*6.5/(13+1e-6); !(math.Abs(float64(d)-w) <= 1e-5) {
		t.Errorf("b's gradient [1] = %v, want %v", d, w)
	}
	tensor.Tidy(func(s *tensor.Scope) {
		if n := ClipGradNormTensor(s, []*tensor.Tensor{tensor.Zeros(2).SetRequiresGrad(true)}, 1).Item(); n != 0 {
			t.Errorf("norm without gradients = %v, want 0", n)
		}
	})
}
