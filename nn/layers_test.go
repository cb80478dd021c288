package nn

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/tensorgl/tensorgl/tensor"
)

func TestLinear(t *testing.T) {
	g := tensor.NewGenerator(1)
	l := NewLinear(5, 3, g)
	x, xs := randData(g, 4, 5)
	w, b := host(l.Weight), host(l.Bias)
	want := make([]float64, 4*3)
	for i := range 4 {
		for o := range 3 {
			s := b[o]
			for k := range 5 {
				s += xs[i*5+k] * w[o*5+k]
			}
			want[i*3+o] = s
		}
	}
	assertClose(t, "Linear", l.Forward(x), want, 1e-5)
	if got := NewLinearNoBias(5, 3, g).State(); len(got) != 1 || got[0].Name != "weight" {
		t.Errorf("NewLinearNoBias state = %v", got)
	}
}

// conv2dRef is a direct float64 convolution (cross-correlation) of x
// [n,c,h,w] with w [k,c/groups,r,s].
func conv2dRef(x []float64, n, c, h, wd int, wt []float64, k, r, s int, bias []float64, stride, pad, dil, groups int) ([]float64, int, int) {
	oh := (h+2*pad-dil*(r-1)-1)/stride + 1
	ow := (wd+2*pad-dil*(s-1)-1)/stride + 1
	cg, kg := c/groups, k/groups
	out := make([]float64, n*k*oh*ow)
	for b := range n {
		for ko := range k {
			grp := ko / kg
			for i := range oh {
				for j := range ow {
					sum := 0.0
					if bias != nil {
						sum = bias[ko]
					}
					for ci := range cg {
						for u := range r {
							for v := range s {
								y, xx := i*stride-pad+u*dil, j*stride-pad+v*dil
								if y < 0 || y >= h || xx < 0 || xx >= wd {
									continue
								}
								sum += x[((b*c+grp*cg+ci)*h+y)*wd+xx] * wt[((ko*cg+ci)*r+u)*s+v]
							}
						}
					}
					out[((b*k+ko)*oh+i)*ow+j] = sum
				}
			}
		}
	}
	return out, oh, ow
}

func TestConv2d(t *testing.T) {
	cases := []struct {
		name       string
		c, k, size int
		opts       Conv2dOpts
	}{
		{"plain", 3, 4, 3, Conv2dOpts{}},
		{"stride-pad", 2, 3, 3, Conv2dOpts{Stride: 2, Padding: 1}},
		{"groups-dilation", 4, 6, 3, Conv2dOpts{Groups: 2, Dilation: 2, Padding: 2}},
		{"depthwise-nobias", 3, 3, 2, Conv2dOpts{Groups: 3, NoBias: true}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := tensor.NewGenerator(2)
			conv := NewConv2d(tc.c, tc.k, tc.size, tc.opts, g)
			if want := []int{tc.k, tc.c / max(tc.opts.Groups, 1), tc.size, tc.size}; !slices.Equal(conv.Weight.Shape(), want) {
				t.Fatalf("weight shape %v, want %v", conv.Weight.Shape(), want)
			}
			if (conv.Bias == nil) != tc.opts.NoBias {
				t.Fatalf("bias %v with NoBias %v", conv.Bias, tc.opts.NoBias)
			}
			x, xs := randData(g, 2, tc.c, 7, 6)
			var bias []float64
			if conv.Bias != nil {
				bias = host(conv.Bias)
			}
			want, oh, ow := conv2dRef(xs, 2, tc.c, 7, 6, host(conv.Weight), tc.k, tc.size, tc.size, bias,
				max(tc.opts.Stride, 1), tc.opts.Padding, max(tc.opts.Dilation, 1), max(tc.opts.Groups, 1))
			y := conv.Forward(x)
			if !slices.Equal(y.Shape(), []int{2, tc.k, oh, ow}) {
				t.Fatalf("output shape %v, want %v", y.Shape(), []int{2, tc.k, oh, ow})
			}
			assertClose(t, "Conv2d", y, want, 1e-5)
		})
	}
}

// poolRef pools x [n,c,h,w] over k×k windows with the given stride and
// padding; avg counts padding in the window size (PyTorch's default).
func poolRef(x []float64, n, c, h, w, k, stride, pad int, avg bool) []float64 {
	oh, ow := (h+2*pad-k)/stride+1, (w+2*pad-k)/stride+1
	var out []float64
	for p := range n * c {
		for i := range oh {
			for j := range ow {
				acc := math.Inf(-1)
				if avg {
					acc = 0
				}
				for u := range k {
					for v := range k {
						y, xx := i*stride-pad+u, j*stride-pad+v
						if y < 0 || y >= h || xx < 0 || xx >= w {
							continue
						}
						e := x[(p*h+y)*w+xx]
						if avg {
							acc += e
						} else {
							acc = max(acc, e)
						}
					}
				}
				if avg {
					acc /= float64(k * k)
				}
				out = append(out, acc)
			}
		}
	}
	return out
}

func TestPools(t *testing.T) {
	g := tensor.NewGenerator(3)
	x, xs := randData(g, 2, 3, 7, 6)
	assertClose(t, "MaxPool2d(2)", NewMaxPool2d(2, 0, 0).Forward(x), poolRef(xs, 2, 3, 7, 6, 2, 2, 0, false), 0)
	assertClose(t, "MaxPool2d(3,2,1)", NewMaxPool2d(3, 2, 1).Forward(x), poolRef(xs, 2, 3, 7, 6, 3, 2, 1, false), 0)
	assertClose(t, "AvgPool2d(2)", NewAvgPool2d(2, 0, 0).Forward(x), poolRef(xs, 2, 3, 7, 6, 2, 2, 0, true), 1e-6)
	assertClose(t, "AvgPool2d(3,2,1)", NewAvgPool2d(3, 2, 1).Forward(x), poolRef(xs, 2, 3, 7, 6, 3, 2, 1, true), 1e-6)
}

// adaptiveRef averages each PyTorch adaptive window of x [p,h,w].
func adaptiveRef(x []float64, p, h, w, oh, ow int) []float64 {
	var out []float64
	for q := range p {
		for i := range oh {
			h0, h1 := i*h/oh, ((i+1)*h+oh-1)/oh
			for j := range ow {
				w0, w1 := j*w/ow, ((j+1)*w+ow-1)/ow
				s := 0.0
				for y := h0; y < h1; y++ {
					for xx := w0; xx < w1; xx++ {
						s += x[(q*h+y)*w+xx]
					}
				}
				out = append(out, s/float64((h1-h0)*(w1-w0)))
			}
		}
	}
	return out
}

func TestAdaptiveAvgPool2d(t *testing.T) {
	g := tensor.NewGenerator(4)
	for _, tc := range [][4]int{{5, 7, 3, 4}, {4, 6, 2, 3}, {6, 5, 3, 2}, {5, 5, 1, 1}, {3, 3, 3, 3}, {2, 3, 4, 5}} {
		h, w, oh, ow := tc[0], tc[1], tc[2], tc[3]
		x, xs := randData(g, 2, 3, h, w)
		y := NewAdaptiveAvgPool2d(oh, ow).Forward(x)
		if !slices.Equal(y.Shape(), []int{2, 3, oh, ow}) {
			t.Fatalf("%dx%d→%dx%d: shape %v", h, w, oh, ow, y.Shape())
		}
		assertClose(t, "AdaptiveAvgPool2d", y, adaptiveRef(xs, 6, h, w, oh, ow), 1e-6)
	}
}

func TestActivations(t *testing.T) {
	g := tensor.NewGenerator(5)
	x, xs := randData(g, 3, 4)
	ref := func(f func(float64) float64) []float64 {
		out := make([]float64, len(xs))
		for i, v := range xs {
			out[i] = f(v)
		}
		return out
	}
	for _, tc := range []struct {
		m Module
		f func(float64) float64
	}{
		{NewReLU(), func(v float64) float64 { return max(v, 0) }},
		{NewLeakyReLU(0.2), func(v float64) float64 { return map[bool]float64{true: v, false: float64(float32(0.2)) * v}[v > 0] }},
		{NewSigmoid(), func(v float64) float64 { return 1 / (1 + math.Exp(-v)) }},
		{NewTanh(), math.Tanh},
	} {
		assertClose(t, "activation", tc.m.Forward(x), ref(tc.f), 1e-6)
	}
	var want []float64
	for r := range 3 {
		s := 0.0
		for c := range 4 {
			s += math.Exp(xs[r*4+c])
		}
		for c := range 4 {
			want = append(want, math.Exp(xs[r*4+c])/s)
		}
	}
	assertClose(t, "Softmax", NewSoftmax(-1).Forward(x), want, 1e-6)
	if got := NewFlatten().Forward(tensor.Zeros(2, 3, 4, 5)).Shape(); !slices.Equal(got, []int{2, 60}) {
		t.Errorf("Flatten: shape %v, want [2 60]", got)
	}
}

func TestDropout(t *testing.T) {
	g := tensor.NewGenerator(6)
	const n, p = 20000, 0.3
	x := tensor.Uniform(g, 1, 2, n)
	xs := host(x)
	d := NewDropout(p, g)
	y := host(d.Forward(x))
	dropped := 0
	for i := range y {
		switch {
		case y[i] == 0:
			dropped++
		case !(math.Abs(y[i]-xs[i]/(1-p)) <= 1e-6*y[i]):
			t.Fatalf("kept element %d = %g, want %g/(1-p) = %g", i, y[i], xs[i], xs[i]/(1-p))
		}
	}
	// Binomial(n, p): 5 standard deviations is about 324.
	if sd := math.Sqrt(n * p * (1 - p)); !(math.Abs(float64(dropped)-n*p) <= 5*sd) {
		t.Errorf("dropped %d of %d, want about %d", dropped, n, int(n*p))
	}
	y2 := host(d.Forward(x))
	if slices.Equal(y, y2) {
		t.Error("two training passes drew the same mask")
	}
	d.Train(false)
	assertClose(t, "Dropout eval", d.Forward(x), xs, 0)
	d.Train(true)
	assertClose(t, "Dropout p=1", NewDropout(1, g).Forward(x), make([]float64, n), 0)
	assertClose(t, "Dropout p=0", NewDropout(0, g).Forward(x), xs, 0)
}

// batchNormRef normalises x [n,c,l] per channel with the batch statistics
// and returns the output, the batch mean and the unbiased variance.
func batchNormRef(x []float64, n, c, l int, w, b []float64) (y, mean, uvar []float64) {
	y = make([]float64, len(x))
	m := float64(n * l)
	for ch := range c {
		s := 0.0
		for i := range n {
			for j := range l {
				s += x[(i*c+ch)*l+j]
			}
		}
		mu := s / m
		ss := 0.0
		for i := range n {
			for j := range l {
				ss += (x[(i*c+ch)*l+j] - mu) * (x[(i*c+ch)*l+j] - mu)
			}
		}
		for i := range n {
			for j := range l {
				k := (i*c+ch)*l + j
				y[k] = (x[k]-mu)/math.Sqrt(ss/m+1e-5)*w[ch] + b[ch]
			}
		}
		mean, uvar = append(mean, mu), append(uvar, ss/(m-1))
	}
	return y, mean, uvar
}

func TestBatchNorm(t *testing.T) {
	for _, tc := range []struct {
		name  string
		bn    *BatchNorm
		shape []int
	}{
		{"1d-NC", NewBatchNorm1d(3), []int{5, 3}},
		{"1d-NCL", NewBatchNorm1d(3), []int{4, 3, 2}},
		{"2d", NewBatchNorm2d(3), []int{2, 3, 3, 2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := tensor.NewGenerator(7)
			n, c, l := tc.shape[0], tc.shape[1], 1
			for _, d := range tc.shape[2:] {
				l *= d
			}
			bn := tc.bn
			// Non-trivial affine parameters, as after some training.
			bn.Weight.CopyFrom(tensor.Uniform(g, 0.5, 1.5, c))
			bn.Bias.CopyFrom(tensor.Uniform(g, -1, 1, c))
			w, b := host(bn.Weight), host(bn.Bias)
			rm, rv := make([]float64, c), []float64{1, 1, 1}
			for step := range 3 {
				x, xs := randData(g, tc.shape...)
				x = x.AddScalar(float32(step)) // move the mean so the running stats change
				for i := range xs {
					xs[i] = float64(float32(xs[i] + float64(step)))
				}
				y, mean, uvar := batchNormRef(xs, n, c, l, w, b)
				assertClose(t, "train output", bn.Forward(x), y, 1e-5)
				for ch := range c {
					rm[ch] = 0.9*rm[ch] + 0.1*mean[ch]
					rv[ch] = 0.9*rv[ch] + 0.1*uvar[ch]
				}
				assertClose(t, "running_mean", bn.RunningMean, rm, 1e-5)
				assertClose(t, "running_var", bn.RunningVar, rv, 1e-5)
			}
			if bn.NumBatchesTracked != 3 {
				t.Errorf("num_batches_tracked = %d, want 3", bn.NumBatchesTracked)
			}
			Eval(bn)
			x, xs := randData(g, tc.shape...)
			want := make([]float64, len(xs))
			for i := range xs {
				ch := i / l % c
				want[i] = (xs[i]-rm[ch])/math.Sqrt(rv[ch]+1e-5)*w[ch] + b[ch]
			}
			assertClose(t, "eval output", bn.Forward(x), want, 1e-5)
			if bn.NumBatchesTracked != 3 {
				t.Errorf("evaluation changed num_batches_tracked to %d", bn.NumBatchesTracked)
			}
			assertClose(t, "running_mean after eval", bn.RunningMean, rm, 1e-5)
		})
	}
}

func TestBatchNormGradient(t *testing.T) {
	// Σ of a training-mode BatchNorm output with weight 1 and bias 0 is
	// constant (each channel sums to zero), so the gradient of the input is
	// zero, and the weight gradient is Σ x̂ = 0 while the bias gradient
	// counts the values per channel.
	g := tensor.NewGenerator(8)
	bn := NewBatchNorm2d(2)
	x := tensor.Uniform(g, -1, 1, 3, 2, 2, 2).SetRequiresGrad(true)
	bn.Forward(x).Sum().Backward()
	assertClose(t, "input gradient", x.Grad(), make([]float64, 24), 1e-5)
	assertClose(t, "weight gradient", bn.Weight.Grad(), []float64{0, 0}, 1e-5)
	assertClose(t, "bias gradient", bn.Bias.Grad(), []float64{12, 12}, 0)
}

func TestEmbedding(t *testing.T) {
	g := tensor.NewGenerator(9)
	e := NewEmbedding(5, 3, g)
	w := host(e.Weight)
	idx := tensor.FromInts([]int32{4, 0, 4, 2, 1, 1}, 2, 3)
	y := e.Forward(idx)
	if !slices.Equal(y.Shape(), []int{2, 3, 3}) {
		t.Fatalf("shape %v, want [2 3 3]", y.Shape())
	}
	var want []float64
	for _, i := range []int{4, 0, 4, 2, 1, 1} {
		want = append(want, w[i*3:i*3+3]...)
	}
	assertClose(t, "Embedding", y, want, 0)
	y.Sum().Backward()
	assertClose(t, "Embedding gradient", e.Weight.Grad(), []float64{1, 1, 1, 2, 2, 2, 1, 1, 1, 0, 0, 0, 2, 2, 2}, 0)
}

func TestTrainPropagates(t *testing.T) {
	g := tensor.NewGenerator(10)
	d := NewDropout(0.5, g)
	bn := NewBatchNorm1d(4)
	m := NewSequential(NewLinear(4, 4, g), NewSequential(bn, d))
	Eval(m)
	if d.training || bn.training {
		t.Fatal("Eval did not reach nested children")
	}
	m.Train(true)
	if !d.training || !bn.training {
		t.Fatal("Train(true) did not reach nested children")
	}
}

func TestParamsSurviveTidy(t *testing.T) {
	var l *Linear
	tensor.Tidy(func(*tensor.Scope) { l = NewLinear(3, 2, tensor.NewGenerator(11)) })
	x := tensor.Ones(1, 3)
	if got := l.Forward(x).Shape(); !slices.Equal(got, []int{1, 2}) {
		t.Fatalf("shape %v", got)
	}
	if !l.Weight.RequiresGrad() || !l.Bias.RequiresGrad() {
		t.Error("parameters do not require gradients")
	}
}

func TestDefaultInit(t *testing.T) {
	g := tensor.NewGenerator(12)
	bounded := func(what string, x *tensor.Tensor, bound float64) {
		t.Helper()
		m := 0.0
		for _, v := range host(x) {
			m = max(m, math.Abs(v))
		}
		// Enough samples that the largest comes within 2% of the bound.
		if !(m <= bound) || m < 0.98*bound {
			t.Errorf("%s: largest |value| %g, want just under %g", what, m, bound)
		}
	}
	l := NewLinear(100, 400, g)
	bounded("Linear weight", l.Weight, 0.1)
	bounded("Linear bias", l.Bias, 0.1)
	c := NewConv2d(8, 512, 3, Conv2dOpts{Groups: 2}, g)
	bounded("Conv2d weight", c.Weight, 1/math.Sqrt(4*9))
	bounded("Conv2d bias", c.Bias, 1/math.Sqrt(4*9))
	e := NewEmbedding(100, 100, g)
	mean, sq := 0.0, 0.0
	for _, v := range host(e.Weight) {
		mean += v / 1e4
		sq += v * v / 1e4
	}
	if std := math.Sqrt(sq - mean*mean); !(math.Abs(mean) <= 0.04) || !(math.Abs(std-1) <= 0.03) {
		t.Errorf("Embedding weight mean %g std %g, want N(0, 1)", mean, std)
	}
	bn := NewBatchNorm2d(3)
	for _, tc := range []struct {
		x    *tensor.Tensor
		want float64
	}{{bn.Weight, 1}, {bn.Bias, 0}, {bn.RunningMean, 0}, {bn.RunningVar, 1}} {
		assertClose(t, "BatchNorm init", tc.x, []float64{tc.want, tc.want, tc.want}, 0)
	}
	// The same seed builds the same model.
	a, b := NewLinear(3, 4, tensor.NewGenerator(5)), NewLinear(3, 4, tensor.NewGenerator(5))
	assertClose(t, "reproducible", a.Weight, host(b.Weight), 0)
}

func TestAdaptiveAvgPool2dGradient(t *testing.T) {
	// d Σy / dx counts, for each input, 1/window size over the windows that
	// cover it; 5→3 windows overlap ([0,2) [1,4) [3,5)).
	x := tensor.Zeros(1, 1, 5, 4).SetRequiresGrad(true)
	NewAdaptiveAvgPool2d(3, 2).Forward(x).Sum().Backward()
	rows := []float64{1.0 / 2, 1.0/2 + 1.0/3, 1.0 / 3, 1.0/3 + 1.0/2, 1.0 / 2}
	var want []float64
	for _, r := range rows {
		for range 4 {
			want = append(want, r/2) // each column window has width 2
		}
	}
	assertClose(t, "gradient", x.Grad(), want, 1e-6)
}

// TestSequentialFusesBatchNorm: in a Sequential, a BatchNorm followed by a
// ReLU runs as one op each way (two kernels fewer a step) and gives what
// the layers give one by one (outputs, running statistics, gradients); any
// other activation after it runs as its own op.
func TestSequentialFusesBatchNorm(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	x0, g := uniformFloats(rng, 3*2*4*5, -2, 2), uniformFloats(rng, 3*2*4*5, -1, 1)
	for _, tc := range []struct {
		name  string
		act   func() Module
		fewer int64
	}{{"relu", func() Module { return NewReLU() }, 2}, {"tanh", func() Module { return NewTanh() }, 0}} {
		t.Run(tc.name, func(t *testing.T) {
			run := func(fused bool) (out [][]float32, dispatches int64) {
				bn, act := NewBatchNorm2d(2), tc.act()
				bn.Weight = newParam(tensor.FromSlice([]float32{1.5, -0.5}))
				bn.Bias = newParam(tensor.FromSlice([]float32{0.25, 0.1}))
				x := tensor.FromSlice(x0, 3, 2, 4, 5).SetRequiresGrad(true)
				dispatches = countDispatches(t, func() {
					tensor.Tidy(func(s *tensor.Scope) {
						var y *tensor.Tensor
						if fused {
							y = NewSequential(bn, act).Forward(x)
						} else {
							y = act.Forward(bn.Forward(x))
						}
						y.Backward(tensor.BackwardOpts{Grad: s.FromSlice(g, 3, 2, 4, 5)})
						out = append(out, y.Data())
					})
				})
				return append(out, x.Grad().Data(), bn.Weight.Grad().Data(), bn.Bias.Grad().Data(),
					bn.RunningMean.Data(), bn.RunningVar.Data()), dispatches
			}
			got, nGot := run(true)
			want, nWant := run(false)
			assertSameData(t, []string{"y", "dx", "dweight", "dbias", "running mean", "running var"}, got, want)
			if nWant-nGot != tc.fewer {
				t.Errorf("%d kernels fused, %d one by one: want %d fewer", nGot, nWant, tc.fewer)
			}
		})
	}
}

// TestBatchNormForwardAddReLU: a residual block's last batch norm, shortcut
// and ReLU in one op give what BatchNorm, Add and ReLU give one by one,
// the shortcut's gradient included, with three kernels fewer a step.
func TestBatchNormForwardAddReLU(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 2))
	n := 2 * 3 * 4 * 4
	x0, r0, g := uniformFloats(rng, n, -2, 2), uniformFloats(rng, n, -2, 2), uniformFloats(rng, n, -2, 2)
	run := func(fused bool) (out [][]float32, dispatches int64) {
		bn := NewBatchNorm2d(3)
		bn.Weight = newParam(tensor.FromSlice([]float32{1.5, -0.5, 0.8}))
		x := tensor.FromSlice(x0, 2, 3, 4, 4).SetRequiresGrad(true)
		r := tensor.FromSlice(r0, 2, 3, 4, 4).SetRequiresGrad(true)
		dispatches = countDispatches(t, func() {
			tensor.Tidy(func(s *tensor.Scope) {
				var y *tensor.Tensor
				if fused {
					y = bn.ForwardAddReLU(x, r)
				} else {
					y = NewReLU().Forward(bn.Forward(x).Add(r))
				}
				y.Backward(tensor.BackwardOpts{Grad: s.FromSlice(g, 2, 3, 4, 4)})
				out = append(out, y.Data())
			})
		})
		return append(out, x.Grad().Data(), r.Grad().Data(), bn.Weight.Grad().Data(), bn.Bias.Grad().Data(),
			bn.RunningMean.Data(), bn.RunningVar.Data()), dispatches
	}
	got, nGot := run(true)
	want, nWant := run(false)
	assertSameData(t, []string{"y", "dx", "dresidual", "dweight", "dbias", "running mean", "running var"}, got, want)
	if nWant-nGot != 3 {
		t.Errorf("%d kernels fused, %d one by one: want 3 fewer", nGot, nWant)
	}
}
