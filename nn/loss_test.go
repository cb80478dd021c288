package nn

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/tensorgl/tensorgl/tensor"
)

func TestMSELoss(t *testing.T) {
	g := tensor.NewGenerator(20)
	p, ps := randData(g, 3, 4)
	y, ys := randData(g, 3, 4)
	sq := make([]float64, len(ps))
	sum := 0.0
	for i := range ps {
		sq[i] = (ps[i] - ys[i]) * (ps[i] - ys[i])
		sum += sq[i]
	}
	assertClose(t, "none", MSELoss(p, y, ReduceNone), sq, 1e-6)
	assertClose(t, "sum", MSELoss(p, y, ReduceSum), []float64{sum}, 1e-6)
	p.SetRequiresGrad(true)
	MSELoss(p, y, ReduceMean).Backward()
	grad := make([]float64, len(ps))
	for i := range ps {
		grad[i] = 2 * (ps[i] - ys[i]) / float64(len(ps))
	}
	assertClose(t, "mean gradient", p.Grad(), grad, 1e-6)
}

// ceRef returns PyTorch's cross-entropy of logits x [b,c] and its gradient
// in float64, with class weights w (nil for none), label smoothing eps and
// the reduction. It uses the closed form: d(−logp[i,k])/dx[i,j] = p[i,j] − δjk.
func ceRef(x []float64, b, c int, target []int32, w []float64, eps float64, r Reduction) (loss []float64, grad []float64) {
	if w == nil {
		w = make([]float64, c)
		for i := range w {
			w[i] = 1
		}
	}
	sumW := 0.0
	for _, cl := range w {
		sumW += cl
	}
	per := make([]float64, b)
	grad = make([]float64, b*c)
	norm := 0.0 // the divisor of the mean
	for i := range b {
		row := x[i*c : i*c+c]
		m := math.Inf(-1)
		for _, v := range row {
			m = max(m, v)
		}
		z := 0.0
		for _, v := range row {
			z += math.Exp(v - m)
		}
		lse := m + math.Log(z)
		k := int(target[i])
		per[i] = (1 - eps) * w[k] * (lse - row[k])
		for j := range c {
			per[i] += eps / float64(c) * w[j] * (lse - row[j])
			p := math.Exp(row[j] - lse)
			delta := 0.0
			if j == k {
				delta = 1
			}
			grad[i*c+j] = (1-eps)*w[k]*(p-delta) + eps/float64(c)*(p*sumW-w[j])
		}
		norm += w[k]
	}
	scale := 1.0
	switch r {
	case ReduceNone:
		return per, nil
	case ReduceMean:
		scale = 1 / norm
	}
	total := 0.0
	for i := range per {
		total += per[i]
	}
	for i := range grad {
		grad[i] *= scale
	}
	return []float64{total * scale}, grad
}

func TestCrossEntropyLoss(t *testing.T) {
	const b, c = 5, 4
	target := []int32{0, 3, 1, 3, 2}
	for _, tc := range []struct {
		name   string
		weight []float32
		eps    float32
		r      Reduction
	}{
		{"plain-mean", nil, 0, ReduceMean},
		{"plain-sum", nil, 0, ReduceSum},
		{"plain-none", nil, 0, ReduceNone},
		{"smooth-mean", nil, 0.1, ReduceMean},
		{"weight-mean", []float32{0.5, 2, 1, 3}, 0, ReduceMean},
		{"weight-smooth-mean", []float32{0.5, 2, 1, 3}, 0.2, ReduceMean},
		{"weight-smooth-sum", []float32{0.5, 2, 1, 3}, 0.2, ReduceSum},
		{"weight-smooth-none", []float32{0.5, 2, 1, 3}, 0.3, ReduceNone},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := tensor.NewGenerator(21)
			x, xs := randData(g, b, c)
			x = x.MulScalar(3).Detach() // spread the logits
			for i := range xs {
				xs[i] = float64(float32(xs[i] * 3))
			}
			x.SetRequiresGrad(true)
			o := CrossEntropyOpts{LabelSmoothing: tc.eps, Reduction: tc.r}
			var w []float64
			if tc.weight != nil {
				o.Weight = tensor.FromSlice(tc.weight)
				for _, v := range tc.weight {
					w = append(w, float64(v))
				}
			}
			loss := CrossEntropyLoss(x, tensor.FromInts(target), o)
			want, grad := ceRef(xs, b, c, target, w, float64(tc.eps), tc.r)
			assertClose(t, "loss", loss, want, 1e-5)
			if grad == nil {
				return
			}
			loss.Backward()
			assertClose(t, "gradient", x.Grad(), grad, 1e-5)
		})
	}
}

func TestCrossEntropyExtremeLogits(t *testing.T) {
	// Logits far apart must not overflow: the loss of a confident right
	// answer is ~0 and of a confident wrong one is the logit gap.
	x := tensor.FromSlice([]float32{1000, -1000, -1000, 1000}, 2, 2)
	assertClose(t, "loss", CrossEntropyLoss(x, tensor.FromInts([]int32{0, 0}), CrossEntropyOpts{Reduction: ReduceNone}), []float64{0, 2000}, 1e-6)
}

func TestNLLLoss(t *testing.T) {
	logp := tensor.FromSlice([]float32{-0.1, -2, -3, -0.5, -1.5, -4}, 2, 3)
	target := tensor.FromInts([]int32{2, 0})
	w := tensor.FromSlice([]float32{2, 1, 0.5})
	// 0.5·3 + 2·0.5 = 2.5; the weighted mean divides by 0.5 + 2.
	assertClose(t, "sum", NLLLoss(logp, target, NLLOpts{Weight: w, Reduction: ReduceSum}), []float64{2.5}, 1e-6)
	assertClose(t, "mean", NLLLoss(logp, target, NLLOpts{Weight: w}), []float64{1}, 1e-6)
	assertClose(t, "unweighted", NLLLoss(logp, target, NLLOpts{}), []float64{1.75}, 1e-6)
}

func TestBCELoss(t *testing.T) {
	ps := []float32{0.2, 0.9, 0, 1, 0, 1, 0.5, 1e-30}
	ys := []float32{1, 0, 0, 1, 1, 0, 0.3, 1}
	p := tensor.FromSlice(ps).SetRequiresGrad(true)
	y := tensor.FromSlice(ys)
	clog := func(v float64) float64 { return max(math.Log(v), -100) }
	want := make([]float64, len(ps))
	for i := range ps {
		pi, yi := float64(ps[i]), float64(ys[i])
		want[i] = -(yi*clog(pi) + (1-yi)*clog(1-pi))
	}
	assertClose(t, "none", BCELoss(p, y, ReduceNone), want, 1e-6)
	loss := BCELoss(p, y, ReduceSum)
	loss.Backward()
	// PyTorch's gradient, (p − y)/max(p(1 − p), 1e-12): ±1e12 where p
	// is 0 or 1 and y is not (1e-30 rounds to the clamp as well), 0 where
	// they agree.
	grad := host(p.Grad())
	for i, pi := range ps {
		p64, y64 := float64(pi), float64(ys[i])
		g := (p64 - y64) / max(p64*(1-p64), 1e-12)
		if !(math.Abs(grad[i]-g) <= 1e-5*(1+math.Abs(g))) {
			t.Errorf("gradient %d (p=%g y=%g) = %g, want %g", i, pi, ys[i], grad[i], g)
		}
	}
}

func TestBCEWithLogitsLoss(t *testing.T) {
	xs := []float32{-100, -3, -0.5, 0, 0.5, 3, 100, 100}
	ys := []float32{0, 1, 0.2, 1, 0, 1, 1, 0}
	x := tensor.FromSlice(xs).SetRequiresGrad(true)
	y := tensor.FromSlice(ys)
	want := make([]float64, len(xs))
	grad := make([]float64, len(xs))
	sum := 0.0
	for i := range xs {
		xi, yi := float64(xs[i]), float64(ys[i])
		want[i] = max(xi, 0) - xi*yi + math.Log1p(math.Exp(-math.Abs(xi)))
		sum += want[i]
		grad[i] = (1/(1+math.Exp(-xi)) - yi) / float64(len(xs))
	}
	assertClose(t, "none", BCEWithLogitsLoss(x, y, ReduceNone), want, 1e-6)
	assertClose(t, "sum", BCEWithLogitsLoss(x, y, ReduceSum), []float64{sum}, 1e-6)
	mean := BCEWithLogitsLoss(x, y, ReduceMean)
	assertClose(t, "mean", mean, []float64{sum / float64(len(xs))}, 1e-6)
	mean.Backward()
	assertClose(t, "gradient", x.Grad(), grad, 1e-6)

	// A confident, right logit's loss is small, not zero: softplus(x) − x·y
	// in float32 cancels it to 0 (softplus(20) rounds to 20). The bound is
	// GLSL exp's 3+2|x| ULP at |x| = 25 (6.3·10⁻⁶) and the product's.
	small := BCEWithLogitsLoss(tensor.FromSlice([]float32{20, -25}), tensor.FromSlice([]float32{1, 0}), ReduceNone).Data()
	for i, x := range []float64{20, -25} {
		want := math.Log1p(math.Exp(-math.Abs(x)))
		if got := float64(small[i]); !(math.Abs(got-want) <= 1e-5*want) {
			t.Errorf("loss at logit %g = %g, want %g", x, got, want)
		}
	}
}

func TestLossShapeMismatch(t *testing.T) {
	defer func() {
		if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "differ in shape") {
			t.Errorf("panic %v, want a shape mismatch", r)
		}
	}()
	MSELoss(tensor.Zeros(4, 1), tensor.Zeros(4), ReduceMean)
}
