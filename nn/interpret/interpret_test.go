package interpret

import (
	"math"
	"strings"
	"testing"

	"github.com/tensorgl/tensorgl/nn"
	"github.com/tensorgl/tensorgl/tensor"
)

func linearModel() (*nn.Linear, []float32) {
	w := []float32{
		1, -2, 3, 0.5,
		-1, 4, 0, 2,
		0.25, 1, -3, 1,
	}
	l := nn.NewLinear(4, 3, tensor.NewGenerator(1))
	l.Weight = tensor.FromSlice(w, 3, 4).SetRequiresGrad(true)
	l.Bias = tensor.FromSlice([]float32{0.5, -1, 2}, 3).SetRequiresGrad(true)
	return l, w
}

// TestLinearExact: for score = w_c·x + b_c the saliency is |w_c| and the
// integrated gradients from a zero baseline are exactly x ⊙ w_c, whatever
// the number of steps.
func TestLinearExact(t *testing.T) {
	l, w := linearModel()
	x := tensor.FromSlice([]float32{1, 2, 3, 4, -1, 0.5, 2, -2}, 2, 4)
	class := []int{2, 1}
	sal, err := Saliency(l, x, class)
	if err != nil {
		t.Fatal(err)
	}
	ig, err := IntegratedGradients(l, x, tensor.ZerosLike(x), class, 3)
	if err != nil {
		t.Fatal(err)
	}
	xs, s, a := x.Data(), sal.Data(), ig.Data()
	for i, c := range class {
		for j := range 4 {
			wc := float64(w[c*4+j])
			if got := float64(s[i*4+j]); got != math.Abs(wc) {
				t.Errorf("saliency[%d,%d] = %g, want |w[%d,%d]| = %g", i, j, got, c, j, math.Abs(wc))
			}
			want := float64(xs[i*4+j]) * wc
			if got := float64(a[i*4+j]); !(math.Abs(got-want) <= 1e-6*(1+math.Abs(want))) {
				t.Errorf("integrated gradients[%d,%d] = %g, want x·w = %g", i, j, got, want)
			}
		}
	}
	sc, err := Scores(l, x, class)
	if err != nil {
		t.Fatal(err)
	}
	if want := float32(1*0.25+2*1+3*-3+4*1) + 2; sc[0] != want {
		t.Errorf("score of sample 0 = %g, want %g", sc[0], want)
	}
}

func convModel() nn.Module {
	g := tensor.NewGenerator(7)
	m := nn.NewSequential(
		nn.NewConv2d(1, 3, 3, nn.Conv2dOpts{Stride: 1, Padding: 1, Dilation: 1, Groups: 1}, g),
		nn.NewTanh(),
		nn.NewFlatten(),
		nn.NewLinear(3*5*5, 4, g),
	)
	m.Train(false)
	return m
}

// TestCompleteness: on a nonlinear model the attributions of each sample
// add up to score(x) − score(baseline), and the midpoint rule's error
// shrinks with the number of steps.
func TestCompleteness(t *testing.T) {
	m := convModel()
	g := tensor.NewGenerator(3)
	x := tensor.Uniform(g, -2, 2, 2, 1, 5, 5)
	base := tensor.ZerosLike(x)
	class := []int{1, 3}
	s1, _ := Scores(m, x, class)
	s0, _ := Scores(m, base, class)
	gap := func(steps int) []float64 {
		ig, err := IntegratedGradients(m, x, base, class, steps)
		if err != nil {
			t.Fatal(err)
		}
		a := ig.Data()
		out := make([]float64, len(class))
		for i := range class {
			var sum float64
			for _, v := range a[i*25 : (i+1)*25] {
				sum += float64(v)
			}
			out[i] = math.Abs(sum - float64(s1[i]-s0[i]))
		}
		return out
	}
	coarse, fine := gap(2), gap(64)
	for i := range class {
		delta := math.Abs(float64(s1[i] - s0[i]))
		if fine[i] > 1e-3*(1+delta) {
			t.Errorf("sample %d: attributions sum off score(x) − score(x₀) = %.5f by %.2g with 64 steps", i, s1[i]-s0[i], fine[i])
		}
		if !(fine[i] < coarse[i]/4 || fine[i] < 1e-5) {
			t.Errorf("sample %d: completeness gap %.3g with 2 steps, %.3g with 64: want it to shrink", i, coarse[i], fine[i])
		}
	}
}

// TestSaliencyFiniteDifferences: saliency is |∂score/∂x| on a nonlinear
// model, checked by central differences; the model's parameters get no
// gradients and still require them afterwards; nothing stays allocated.
func TestSaliencyFiniteDifferences(t *testing.T) {
	m := convModel()
	g := tensor.NewGenerator(5)
	xd := tensor.Uniform(g, -1, 1, 1, 1, 5, 5).Data()
	class := []int{2}
	dev := tensor.DefaultDevice()
	// The first Backward on a device allocates its constant seed for good:
	// run one before measuring.
	warm := tensor.Ones(1).SetRequiresGrad(true)
	warm.Sum().Backward()
	warm.ZeroGrad()
	warm.Release()
	before := dev.Stats().BytesInUse
	x := tensor.FromSlice(xd, 1, 1, 5, 5)
	sal, err := Saliency(m, x, class)
	if err != nil {
		t.Fatal(err)
	}
	s := sal.Data()
	sal.Release()
	x.Release()
	score := func(v []float32) float64 {
		x := tensor.FromSlice(v, 1, 1, 5, 5)
		defer x.Release()
		sc, err := Scores(m, x, class)
		if err != nil {
			t.Fatal(err)
		}
		return float64(sc[0])
	}
	const h = 1e-2
	for _, j := range []int{0, 6, 12, 18, 24} {
		p, q := append([]float32(nil), xd...), append([]float32(nil), xd...)
		p[j] += h
		q[j] -= h
		fd := math.Abs(score(p)-score(q)) / (2 * h)
		if !(math.Abs(fd-float64(s[j])) <= 2e-3+1e-2*fd) {
			t.Errorf("saliency[%d] = %g, central difference %g", j, s[j], fd)
		}
	}
	for _, e := range m.State() {
		if e.Tensor != nil && (!e.Tensor.RequiresGrad() || e.Tensor.Grad() != nil) {
			t.Errorf("%s: requires grad %v, gradient %v after Saliency; want true and none", e.Name, e.Tensor.RequiresGrad(), e.Tensor.Grad() != nil)
		}
	}
	// The attribution passes must release everything they allocate.
	if after := dev.Stats().BytesInUse; after > before {
		t.Errorf("device bytes in use grew from %d to %d", before, after)
	}
}

func TestErrors(t *testing.T) {
	l, _ := linearModel()
	x := tensor.Zeros(2, 4)
	for _, c := range []struct {
		name string
		err  func() error
		want string
	}{
		{"class count", func() error { _, err := Saliency(l, x, []int{1}); return err }, "1 classes for a batch of 2"},
		{"class range", func() error { _, err := Saliency(l, x, []int{0, 3}); return err }, "class[1] = 3 outside the model's 3 outputs"},
		{"baseline", func() error { _, err := IntegratedGradients(l, x, tensor.Zeros(2, 3), []int{0, 1}, 4); return err }, "baseline shape [2 3], want the input's [2 4]"},
		{"steps", func() error { _, err := IntegratedGradients(l, x, x, []int{0, 1}, 0); return err }, "steps 0"},
		{"nil model", func() error { _, err := Scores(nil, x, []int{0, 1}); return err }, "nil model"},
	} {
		if err := c.err(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
	if !l.Weight.RequiresGrad() || l.Weight.Grad() != nil {
		t.Error("a failed call changed the parameters' gradient state")
	}
}

// TestGradCAMIsCAM: with a head that averages each feature map and applies
// a linear layer W, ∂score/∂Aₖ is W[c,k]/(h·w) everywhere, so Grad-CAM is
// ReLU(Σₖ W[c,k]·Aₖ)/(h·w), the class activation map of Zhou et al. (2016)
// scaled by 1/(h·w).
func TestGradCAMIsCAM(t *testing.T) {
	g := tensor.NewGenerator(4)
	const n, k, h, w, classes = 2, 3, 4, 5, 4
	features := nn.NewConv2d(2, k, 3, nn.Conv2dOpts{Padding: 1}, g)
	lin := nn.NewLinear(k, classes, g)
	head := nn.NewSequential(nn.NewAdaptiveAvgPool2d(1, 1), nn.NewFlatten(), lin)
	x := tensor.Uniform(g, -1, 1, n, 2, h, w)
	class := []int{3, 1}
	cam, err := GradCAM(features, head, x, class)
	if err != nil {
		t.Fatal(err)
	}
	if got := cam.Shape(); len(got) != 3 || got[0] != n || got[1] != h || got[2] != w {
		t.Fatalf("Grad-CAM shape %v, want [%d %d %d]", got, n, h, w)
	}
	var a []float32
	tensor.NoGrad(func(s *tensor.Scope) { a = features.Forward(s.Use(x)).Data() })
	wt, got := lin.Weight.Data(), cam.Data()
	for i, c := range class {
		for p := range h * w {
			want := 0.0
			for j := range k {
				want += float64(wt[c*k+j]) * float64(a[(i*k+j)*h*w+p])
			}
			want = math.Max(want, 0) / (h * w)
			if g := float64(got[i*h*w+p]); !(math.Abs(g-want) <= 1e-6*(1+math.Abs(want))) {
				t.Fatalf("Grad-CAM[%d, %d] = %g, want %g", i, p, g, want)
			}
		}
	}
	if features.Weight.Grad() != nil || lin.Weight.Grad() != nil || !lin.Weight.RequiresGrad() {
		t.Errorf("Grad-CAM left parameter gradients, or did not restore requires-grad")
	}
	if _, err := GradCAM(nn.NewSequential(features, nn.NewFlatten()), head, x, class); err == nil || !strings.Contains(err.Error(), "feature maps") {
		t.Errorf("features without maps: err %v, want one naming the feature maps", err)
	}
}
