package optim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
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

// TestClipGradValue clamps random gradients, values at and just beyond
// ±clip, infinities, signed zeros and NaNs, and compares each element with
// the float64 reference min(max(g, −clip), clip) (a NaN stays NaN, as with
// PyTorch's clamp_), bit for bit on the CPU: PyTorch 1.13's
// clip_grad_value_ gives the same signed zeros (−5 → −0 and 5 → +0 with
// clip 0), infinities and NaNs. The gradients are clamped in place with
// two kernels each, nothing is read back, a gradient that is a view is
// replaced by its clamped copy, a parameter listed twice and one without a
// gradient are handled.
func TestClipGradValue(t *testing.T) {
	dev := tensor.DefaultDevice()
	rng := rand.New(rand.NewPCG(7, 8))
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	// The sign of a zero is checked on the CPU only: GLSL's min and max
	// may return either zero (Mesa's llvmpipe clamps −5 to +0 with clip 0).
	strict := dev.Info().Name == "cpu"
	for _, clip := range []float32{0.5, 1, 0, inf} {
		special := []float32{clip, -clip, math.Nextafter32(clip, inf), math.Nextafter32(-clip, -inf),
			math.Nextafter32(clip, 0), math.Nextafter32(-clip, 0), nan, inf, -inf, 0, float32(math.Copysign(0, -1)), 3, -3}
		a := make([]float32, 37) // odd, beyond one vector
		for i := range a {
			if i < len(special) {
				a[i] = special[i]
			} else {
				a[i] = float32(2 * rng.NormFloat64())
			}
		}
		b := []float32{-7, 0.25, nan, 1e30, -1e-30, 2}
		pa := tensor.Zeros(len(a)).SetRequiresGrad(true)
		pb := tensor.Zeros(2, 3).SetRequiresGrad(true)
		pc := tensor.Zeros(4).SetRequiresGrad(true) // no gradient
		ga := tensor.FromSlice(a, len(a))
		pa.SetGrad(ga)
		gb := tensor.FromSlice(b, 3, 2)
		pb.SetGrad(gb.T()) // a view
		if err := dev.Sync(); err != nil {
			t.Fatal(err)
		}
		before := dev.Stats()
		ClipGradValue([]*tensor.Tensor{pa, pb, pc, pa}, clip)
		if err := dev.Sync(); err != nil {
			t.Fatal(err)
		}
		st := dev.Stats().Sub(before)
		// a: the clamp and the copy back; b: the clamp of the view.
		if st.Dispatches != 3 || st.Downloads != 0 {
			t.Errorf("clip %v: %d kernels and %d reads, want 3 and none", clip, st.Dispatches, st.Downloads)
		}
		if pa.Grad() != ga {
			t.Errorf("clip %v: a's gradient was replaced, want it clamped in place", clip)
		}
		if pc.Grad() != nil {
			t.Errorf("clip %v: a parameter without a gradient gained one", clip)
		}
		bt := make([]float32, len(b)) // b transposed
		for i := range 3 {
			for j := range 2 {
				bt[j*3+i] = b[i*2+j]
			}
		}
		for _, c := range []struct {
			name string
			in   []float32
			got  []float32
		}{{"a", a, ga.Data()}, {"b", bt, pb.Grad().Data()}} {
			for i, x := range c.in {
				want := float32(math.Min(math.Max(float64(x), -float64(clip)), float64(clip)))
				same := c.got[i] == want // ±0 alike
				if strict {
					same = math.Float32bits(c.got[i]) == math.Float32bits(want)
				}
				if !same && !(want != want && c.got[i] != c.got[i]) {
					t.Errorf("clip %v: %s[%d] = %v clamped to %v, want %v", clip, c.name, i, x, c.got[i], want)
				}
			}
		}
		if clip == 0.5 && (ga.Data()[0] != 0.5 || ga.Data()[1] != -0.5) {
			t.Errorf("±clip changed to %v, %v", ga.Data()[0], ga.Data()[1])
		}
	}
	p := tensor.Zeros(1).SetRequiresGrad(true)
	for _, clip := range []float32{-1, float32(math.NaN())} {
		if msg := panicOf(func() { ClipGradValue([]*tensor.Tensor{p}, clip) }); !strings.Contains(msg, "ClipGradValue: clip") || !strings.Contains(msg, "want ≥ 0") {
			t.Errorf("clip %v: panic %q, want one naming the clip and ≥ 0", clip, msg)
		}
	}
}

// panicOf returns the message fn panics with ("" if it returns).
func panicOf(fn func()) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg = fmt.Sprint(r)
		}
	}()
	fn()
	return ""
}
