package tensor

import (
	"math"
	"math/rand/v2"
	"testing"
)

// Gradient checks compare Backward with central finite differences of the
// scalar L = Σ f(x)·w for fixed random weights w. Everything runs in
// float32, so the difference quotient carries rounding error of about
// ε_f32·|L|/h; with h = 1e-2 and inputs of order 1 that is ~1e-4, and the
// truncation error O(h²·f”') is of the same order. Hence the tolerance:
const (
	fdStep = 1e-2
	fdAtol = 3e-3
	fdRtol = 2e-2
)

// input draws a tensor of the given shape with values in ±[lo, hi] (never
// within lo of zero, so kinks at 0 are not crossed by the FD step).
func input(rng *rand.Rand, lo, hi float32, shape ...int) *Tensor {
	n := 1
	for _, d := range shape {
		n *= d
	}
	data := make([]float32, n)
	for i := range data {
		v := lo + (hi-lo)*rng.Float32()
		if rng.IntN(2) == 0 {
			v = -v
		}
		data[i] = v
	}
	return FromSlice(data, shape...)
}

func positive(rng *rand.Rand, lo, hi float32, shape ...int) *Tensor {
	return input(rng, lo, hi, shape...).Abs()
}

// gradCheck checks the gradient of f with respect to every input.
func gradCheck(t *testing.T, name string, f func(xs ...*Tensor) *Tensor, xs ...*Tensor) {
	t.Helper()
	rng := rand.New(rand.NewPCG(7, 11))
	for _, x := range xs {
		x.SetRequiresGrad(true)
	}
	y := f(xs...)
	wdata := make([]float32, y.NumEl())
	for i := range wdata {
		wdata[i] = rng.Float32()*2 - 1
	}
	w := FromSlice(wdata, y.Shape()...)
	loss := y.Mul(w).Sum()
	loss.Backward()
	objective := func() float64 {
		var s float64
		// Detached views of the inputs share their data but record nothing.
		ds := make([]*Tensor, len(xs))
		for i, x := range xs {
			ds[i] = x.Detach()
		}
		Tidy(func(sc *Scope) {
			out := f(ds...)
			if out.RequiresGrad() {
				t.Fatalf("%s: detached inputs recorded a graph", name)
			}
			for i, v := range out.Data() {
				s += float64(v) * float64(wdata[i])
			}
		})
		return s
	}
	for k, x := range xs {
		if x.Grad() == nil {
			t.Fatalf("%s: input %d got no gradient", name, k)
		}
		analytic := x.Grad().Data()
		data := x.Data()
		for i := range data {
			orig := data[i]
			data[i] = orig + fdStep
			x.SetData(data)
			up := objective()
			data[i] = orig - fdStep
			x.SetData(data)
			down := objective()
			data[i] = orig
			x.SetData(data)
			numeric := (up - down) / (2 * fdStep)
			if diff := math.Abs(numeric - float64(analytic[i])); !(diff <= fdAtol+fdRtol*math.Abs(numeric)) {
				t.Errorf("%s: d/dx%d[%d]: backward %.6g, finite difference %.6g", name, k, i, analytic[i], numeric)
				return
			}
		}
	}
}

func TestGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	in := func(shape ...int) *Tensor { return input(rng, 0.2, 1.5, shape...) }
	pos := func(shape ...int) *Tensor { return positive(rng, 0.5, 2, shape...) }
	// Pairs whose elements differ by far more than the FD step.
	apart := func(shape ...int) (*Tensor, *Tensor) {
		a := in(shape...)
		return a, a.Detach().Add(input(rng, 0.1, 0.5, shape...)).Detach()
	}
	ma, mb := apart(3, 4)
	na, nb := apart(2, 3)
	idx := FromInts([]int32{2, 0, 1, 2, 1, 1}, 2, 3)
	own := func(seed uint64, shape ...int) *Tensor {
		return input(rand.New(rand.NewPCG(seed, seed+1)), 0.2, 1.5, shape...)
	}
	// zeroFirst is ones but a zero first element: a factor that makes an
	// input 0 there whatever the finite differences add.
	zeroFirst := func(shape ...int) *Tensor {
		v := make([]float32, numElements("zeroFirst", shape))
		for i := 1; i < len(v); i++ {
			v[i] = 1
		}
		return FromSlice(v, shape...)
	}
	cases := []struct {
		name string
		f    func(xs ...*Tensor) *Tensor
		xs   []*Tensor
	}{
		{"Add/broadcast", func(x ...*Tensor) *Tensor { return x[0].Add(x[1]) }, []*Tensor{in(2, 3, 4), in(3, 1)}},
		{"Sub/broadcast", func(x ...*Tensor) *Tensor { return x[0].Sub(x[1]) }, []*Tensor{in(4), in(3, 1)}},
		{"Mul/broadcast", func(x ...*Tensor) *Tensor { return x[0].Mul(x[1]) }, []*Tensor{in(2, 1, 5), in(3, 5)}},
		{"Div", func(x ...*Tensor) *Tensor { return x[0].Div(x[1]) }, []*Tensor{in(3, 4), pos(4)}},
		{"Pow", func(x ...*Tensor) *Tensor { return x[0].Pow(x[1]) }, []*Tensor{pos(3, 2), in(3, 2)}},
		{"Maximum", func(x ...*Tensor) *Tensor { return x[0].Maximum(x[1]) }, []*Tensor{ma, mb}},
		{"Minimum", func(x ...*Tensor) *Tensor { return x[0].Minimum(x[1]) }, []*Tensor{na, nb}},
		{"Affine", func(x ...*Tensor) *Tensor { return x[0].Affine(-2.5, 1) }, []*Tensor{in(5)}},
		{"Exp", func(x ...*Tensor) *Tensor { return x[0].Exp() }, []*Tensor{in(2, 3)}},
		{"Log", func(x ...*Tensor) *Tensor { return x[0].Log() }, []*Tensor{pos(2, 3)}},
		{"Sqrt", func(x ...*Tensor) *Tensor { return x[0].Sqrt() }, []*Tensor{pos(7)}},
		{"Rsqrt", func(x ...*Tensor) *Tensor { return x[0].Rsqrt() }, []*Tensor{pos(7)}},
		{"Abs", func(x ...*Tensor) *Tensor { return x[0].Abs() }, []*Tensor{in(7)}},
		{"Relu", func(x ...*Tensor) *Tensor { return x[0].Relu() }, []*Tensor{in(3, 3)}},
		{"LeakyRelu", func(x ...*Tensor) *Tensor { return x[0].LeakyRelu(0.2) }, []*Tensor{in(3, 3)}},
		{"Sigmoid", func(x ...*Tensor) *Tensor { return x[0].Sigmoid() }, []*Tensor{in(6)}},
		{"Tanh", func(x ...*Tensor) *Tensor { return x[0].Tanh() }, []*Tensor{in(6)}},
		{"Softplus", func(x ...*Tensor) *Tensor { return x[0].Softplus() }, []*Tensor{in(6)}},
		{"Erf", func(x ...*Tensor) *Tensor { return x[0].Erf() }, []*Tensor{in(6)}},
		{"Gelu", func(x ...*Tensor) *Tensor { return x[0].Gelu() }, []*Tensor{in(3, 5)}},
		{"GeluTanh", func(x ...*Tensor) *Tensor { return x[0].GeluTanh() }, []*Tensor{in(3, 5)}},
		{"Sin", func(x ...*Tensor) *Tensor { return x[0].Sin() }, []*Tensor{in(6)}},
		{"Cos", func(x ...*Tensor) *Tensor { return x[0].Cos() }, []*Tensor{in(6)}},
		{"Square", func(x ...*Tensor) *Tensor { return x[0].Square() }, []*Tensor{in(6)}},
		{"Recip", func(x ...*Tensor) *Tensor { return x[0].Recip() }, []*Tensor{pos(6)}},
		{"PowScalar", func(x ...*Tensor) *Tensor { return x[0].PowScalar(2.5) }, []*Tensor{pos(6)}},
		{"Clamp", func(x ...*Tensor) *Tensor { return x[0].Clamp(-0.7, 0.9) }, []*Tensor{FromSlice([]float32{-1.2, -0.5, 0.1, 0.6, 1.3, 2})}},
		{"Where", func(x ...*Tensor) *Tensor { return Where(FromSlice([]float32{1, 0, 1}), x[0], x[1]) }, []*Tensor{in(2, 3), in(3)}},
		{"Sum/all", func(x ...*Tensor) *Tensor { return x[0].Sum() }, []*Tensor{in(2, 3, 4)}},
		{"Sum/dims", func(x ...*Tensor) *Tensor { return x[0].Sum(0, 2) }, []*Tensor{in(2, 3, 4)}},
		{"SumKeep", func(x ...*Tensor) *Tensor { return x[0].SumKeep(1) }, []*Tensor{in(2, 3, 4)}},
		{"Mean", func(x ...*Tensor) *Tensor { return x[0].Mean(-1) }, []*Tensor{in(3, 5)}},
		{"Max/dim", func(x ...*Tensor) *Tensor { return x[0].Max(1) }, []*Tensor{FromSlice([]float32{1, 5, 2, 9, -3, 4, 0.5, 7, 3}, 3, 3)}},
		{"Max/all", func(x ...*Tensor) *Tensor { return x[0].Max() }, []*Tensor{FromSlice([]float32{1, 5, 2, 9, -3, 4}, 2, 3)}},
		{"Min/dim", func(x ...*Tensor) *Tensor { return x[0].Min(0) }, []*Tensor{FromSlice([]float32{1, 5, 2, 9, -3, 4}, 2, 3)}},
		{"Max/dims-0-2", func(x ...*Tensor) *Tensor { return x[0].Max(0, 2) }, []*Tensor{FromSlice(distinct(rand.New(rand.NewPCG(7, 8)), 24), 3, 2, 4)}},
		{"Min/dims-2-1-keep", func(x ...*Tensor) *Tensor { return x[0].Transpose(0, 2).MinKeep(2, 1) }, []*Tensor{FromSlice(distinct(rand.New(rand.NewPCG(9, 10)), 30), 2, 3, 5)}},
		{"MatMul", func(x ...*Tensor) *Tensor { return x[0].MatMul(x[1]) }, []*Tensor{in(3, 4), in(4, 5)}},
		{"MatMul/batched-broadcast", func(x ...*Tensor) *Tensor { return x[0].MatMul(x[1]) }, []*Tensor{in(2, 3, 4), in(4, 2)}},
		{"MatMul/transposed", func(x ...*Tensor) *Tensor { return x[0].MatMul(x[1].T()) }, []*Tensor{in(3, 4), in(5, 4)}},
		{"MatMul/vector", func(x ...*Tensor) *Tensor { return x[0].MatMul(x[1]) }, []*Tensor{in(4), in(4, 3)}},
		{"MatMulScaled", func(x ...*Tensor) *Tensor { return x[0].MatMulScaled(x[1].Transpose(1, 2), -0.35) }, []*Tensor{in(2, 3, 4), in(2, 5, 4)}},
		{"MatMulScaled/broadcast-vector", func(x ...*Tensor) *Tensor { return x[0].MatMulScaled(x[1], 1.7) }, []*Tensor{in(2, 3, 4), in(4)}},
		{"Conv2d", func(x ...*Tensor) *Tensor { return Conv2d(x[0], x[1], x[2], ConvOpts{Padding: [2]int{1, 0}}) }, []*Tensor{in(2, 3, 5, 4), in(4, 3, 3, 2), in(4)}},
		{"Conv2d/stride-dilation-groups", func(x ...*Tensor) *Tensor {
			return Conv2d(x[0], x[1], nil, ConvOpts{Stride: [2]int{2, 1}, Dilation: [2]int{1, 2}, Padding: [2]int{1, 1}, Groups: 2})
		}, []*Tensor{in(1, 4, 6, 5), in(2, 2, 3, 2)}},
		{"Conv2d/bias-relu", func(x ...*Tensor) *Tensor {
			return Conv2d(x[0], x[1], x[2], ConvOpts{Padding: [2]int{1, 1}, Act: ActRelu})
		}, []*Tensor{in(2, 3, 4, 4), in(4, 3, 3, 3), in(4)}},
		{"Conv2d/groups-tanh", func(x ...*Tensor) *Tensor {
			return Conv2d(x[0], x[1], x[2], ConvOpts{Stride: [2]int{2, 1}, Groups: 2, Act: ActTanh})
		}, []*Tensor{in(1, 4, 5, 4), in(2, 2, 2, 2), in(2)}},
		{"Linear/relu", func(x ...*Tensor) *Tensor { return Linear(x[0], x[1], x[2], ActRelu) }, []*Tensor{in(2, 3, 4), in(5, 4), in(5)}},
		{"Linear/leakyrelu", func(x ...*Tensor) *Tensor { return Linear(x[0], x[1], x[2], ActLeakyRelu(0.2)) }, []*Tensor{in(3, 4), in(5, 4), in(5)}},
		{"Linear/leakyrelu-negative-slope", func(x ...*Tensor) *Tensor { return Linear(x[0], x[1], x[2], ActLeakyRelu(-0.5)) }, []*Tensor{in(3, 4), in(5, 4), in(5)}},
		{"Conv2d/leakyrelu-negative-slope", func(x ...*Tensor) *Tensor {
			return Conv2d(x[0], x[1], x[2], ConvOpts{Padding: [2]int{1, 1}, Act: ActLeakyRelu(-0.5)})
		}, []*Tensor{in(2, 3, 4, 4), in(4, 3, 3, 3), in(4)}},
		{"Linear/sigmoid", func(x ...*Tensor) *Tensor { return Linear(x[0], x[1], x[2], ActSigmoid) }, []*Tensor{in(3, 4), in(2, 4), in(2)}},
		{"Linear/tanh-nobias", func(x ...*Tensor) *Tensor { return Linear(x[0], x[1], nil, ActTanh) }, []*Tensor{in(3, 4), in(2, 4)}},
		{"Linear/transposed-input", func(x ...*Tensor) *Tensor { return Linear(x[0].T(), x[1], x[2], Activation{}) }, []*Tensor{in(4, 3), in(2, 4), in(2)}},
		{"Recurrence/tanh", func(x ...*Tensor) *Tensor { return Recurrence(x[0], x[1], x[2], ActTanh, false) }, []*Tensor{in(4, 2, 3), input(rng, 0.1, 0.4, 3, 3), in(2, 3)}},
		{"Recurrence/reverse-sigmoid-zero-h0", func(x ...*Tensor) *Tensor { return Recurrence(x[0], x[1], nil, ActSigmoid, true) }, []*Tensor{in(3, 2, 4), input(rng, 0.1, 0.4, 4, 4)}},
		{"LSTM", func(x ...*Tensor) *Tensor { return lstmOut(LSTM(x[0], x[1], x[2], x[3], false)) }, []*Tensor{in(4, 2, 12), input(rng, -0.5, 0.5, 12, 3), in(2, 3), in(2, 3)}},
		{"LSTM/reverse-zero-state", func(x ...*Tensor) *Tensor { return lstmOut(LSTM(x[0], x[1], nil, nil, true)) }, []*Tensor{in(3, 2, 8), input(rng, -0.5, 0.5, 8, 2)}},
		{"GRU", func(x ...*Tensor) *Tensor { return GRU(x[0], x[1], x[2], x[3], false) }, []*Tensor{in(4, 2, 9), input(rng, -0.5, 0.5, 9, 3), in(9), in(2, 3)}},
		{"GRU/reverse-nobias-zero-h0", func(x ...*Tensor) *Tensor { return GRU(x[0], x[1], nil, nil, true) }, []*Tensor{in(3, 2, 6), input(rng, -0.5, 0.5, 6, 2)}},
		{"ConvTranspose2d", func(x ...*Tensor) *Tensor {
			return ConvTranspose2d(x[0], x[1], x[2], ConvTransposeOpts{ConvOpts: ConvOpts{Stride: [2]int{2, 1}, Padding: [2]int{1, 0}}, OutputPadding: [2]int{1, 0}})
		}, []*Tensor{in(2, 3, 3, 4), in(3, 2, 3, 2), in(2)}},
		{"ConvTranspose2d/dilation-groups", func(x ...*Tensor) *Tensor {
			return ConvTranspose2d(x[0], x[1], nil, ConvTransposeOpts{ConvOpts: ConvOpts{Stride: [2]int{1, 2}, Dilation: [2]int{2, 1}, Padding: [2]int{1, 1}, Groups: 2}})
		}, []*Tensor{in(1, 4, 3, 3), in(4, 1, 2, 3)}},
		{"ConvTranspose2d/output-padding-past-stride", func(x ...*Tensor) *Tensor {
			return ConvTranspose2d(x[0], x[1], nil, ConvTransposeOpts{ConvOpts: ConvOpts{Dilation: [2]int{3, 2}, Padding: [2]int{1, 1}}, OutputPadding: [2]int{2, 1}})
		}, []*Tensor{in(1, 2, 3, 2), in(2, 3, 2, 2)}},
		{"MaxPool2d", func(x ...*Tensor) *Tensor { return MaxPool2d(x[0], PoolOpts{Kernel: [2]int{2, 2}}) }, []*Tensor{FromSlice(distinct(rng, 2*1*4*5), 2, 1, 4, 5)}},
		{"MaxPool2d/dilated", func(x ...*Tensor) *Tensor {
			return MaxPool2d(x[0], PoolOpts{Kernel: [2]int{2, 3}, Stride: [2]int{1, 2}, Padding: [2]int{1, 1}, Dilation: [2]int{2, 2}})
		}, []*Tensor{FromSlice(distinct(rng, 1*2*5*7), 1, 2, 5, 7)}},
		{"MaxPool2d/overlap-pad", func(x ...*Tensor) *Tensor {
			return MaxPool2d(x[0], PoolOpts{Kernel: [2]int{3, 3}, Stride: [2]int{2, 2}, Padding: [2]int{1, 1}})
		}, []*Tensor{FromSlice(distinct(rng, 1*2*5*5), 1, 2, 5, 5)}},
		{"AvgPool2d", func(x ...*Tensor) *Tensor {
			return AvgPool2d(x[0], PoolOpts{Kernel: [2]int{2, 3}, Stride: [2]int{1, 2}})
		}, []*Tensor{in(2, 2, 4, 5)}},
		{"AvgPool2d/pad-exclude", func(x ...*Tensor) *Tensor {
			return AvgPool2d(x[0], PoolOpts{Kernel: [2]int{3, 3}, Stride: [2]int{2, 2}, Padding: [2]int{1, 1}, ExcludePad: true})
		}, []*Tensor{in(1, 1, 5, 4)}},
		{"Softmax", func(x ...*Tensor) *Tensor { return x[0].Softmax(-1) }, []*Tensor{in(3, 5)}},
		{"Softmax/dim0", func(x ...*Tensor) *Tensor { return x[0].Softmax(0) }, []*Tensor{in(3, 5)}},
		{"LogSoftmax", func(x ...*Tensor) *Tensor { return x[0].LogSoftmax(1) }, []*Tensor{in(4, 3)}},
		{"CausalSoftmax", func(x ...*Tensor) *Tensor { return x[0].CausalSoftmax() }, []*Tensor{in(2, 4, 5)}},
		{"Gather", func(x ...*Tensor) *Tensor { return x[0].Gather(1, idx) }, []*Tensor{in(2, 4)}},
		{"CrossEntropy", func(x ...*Tensor) *Tensor {
			return CrossEntropy(x[0].T(), FromInts([]int32{2, 0, 1, 2}), CrossEntropyOpts{})
		}, []*Tensor{in(3, 4)}},
		{"CrossEntropy/weighted-smooth-mean", func(x ...*Tensor) *Tensor {
			o := CrossEntropyOpts{Weight: FromSlice([]float32{0.5, 2, 1, 3}), LabelSmoothing: 0.2, Mean: true}
			return CrossEntropy(x[0], FromInts([]int32{3, 0, 3, 1, 2}), o)
		}, []*Tensor{in(5, 4)}},
		{"CrossEntropy/summed", func(x ...*Tensor) *Tensor {
			// Sum's gradient reaches the kernel as a stride-0 view.
			return CrossEntropy(x[0], FromInts([]int32{1, 0, 0}), CrossEntropyOpts{LabelSmoothing: 1, Mean: true}).Sum()
		}, []*Tensor{in(3, 2)}},
		{"BCEWithLogits", func(x ...*Tensor) *Tensor { return BCEWithLogits(x[0], x[1], 1) }, []*Tensor{input(rng, -3, 3, 3, 4), input(rng, 0, 1, 3, 4)}},
		{"BCEWithLogits/mean-summed-broadcast-target", func(x ...*Tensor) *Tensor {
			// A transposed input, a target broadcast along rows, and Sum's
			// stride-0 gradient.
			return BCEWithLogits(x[0].T(), x[1], 1.0/12).Sum()
		}, []*Tensor{input(rng, -3, 3, 4, 3), input(rng, 0, 1, 3, 1)}},
		{"Sum/axes-0-2-3", func(x ...*Tensor) *Tensor { return x[0].Sum(0, 2, 3) }, []*Tensor{in(2, 3, 4, 2)}},
		{"Mean/axes-0-2", func(x ...*Tensor) *Tensor { return x[0].MeanKeep(0, 2).Square() }, []*Tensor{in(3, 2, 5)}},
		{"IndexSelect", func(x ...*Tensor) *Tensor { return x[0].IndexSelect(0, FromInts([]int32{3, 0, 3, 1})) }, []*Tensor{in(4, 3)}},
		{"ScatterAdd", func(x ...*Tensor) *Tensor { return x[0].ScatterAdd(1, idx, x[1]) }, []*Tensor{in(2, 4), in(2, 3)}},
		{"Reshape", func(x ...*Tensor) *Tensor { return x[0].Transpose(0, 1).Reshape(-1, 2).Exp() }, []*Tensor{in(2, 3)}},
		{"Permute", func(x ...*Tensor) *Tensor { return x[0].Permute(2, 0, 1).Mul(x[0].Permute(2, 0, 1)) }, []*Tensor{in(2, 3, 4)}},
		{"Narrow", func(x ...*Tensor) *Tensor { return x[0].Narrow(1, 1, 2).Square() }, []*Tensor{in(3, 4)}},
		{"Narrow/batch-first-last-step", func(x ...*Tensor) *Tensor {
			// A time-major sequence seen batch-first, its last step.
			return x[0].Transpose(0, 1).Select(1, -1).Exp()
		}, []*Tensor{in(3, 2, 4)}},
		{"Narrow/permuted-middle-twice", func(x ...*Tensor) *Tensor {
			p := x[0].Permute(2, 0, 1)
			return p.Narrow(2, 1, 3).Square().Add(p.Narrow(2, 2, 2).Exp().Narrow(2, 0, 1))
		}, []*Tensor{in(2, 5, 3)}},
		{"Select", func(x ...*Tensor) *Tensor { return x[0].Select(0, -1).Exp() }, []*Tensor{in(3, 4)}},
		{"Unbind", func(x ...*Tensor) *Tensor {
			// Slice 1 is unused, slice 2 used twice, on a non-contiguous input.
			p := x[0].T().Unbind(1)
			return Stack(0, p[2].Exp(), p[0].Mul(p[2]), p[3])
		}, []*Tensor{in(4, 3)}},
		{"Split", func(x ...*Tensor) *Tensor {
			// Sizes 1, 3 and 2 along a transposed input's columns; the
			// first part unused, the last used twice.
			p := x[0].T().Split(1, 1, 3, 2)
			return Cat(1, p[2].Exp(), p[1].Square(), p[2].Mul(p[2]))
		}, []*Tensor{in(6, 3)}},
		{"Chunk", func(x ...*Tensor) *Tensor {
			p := x[0].Chunk(3, 0) // 3, 3, 1 rows
			return Cat(0, p[0].Mul(p[1]), p[2].Exp())
		}, []*Tensor{in(7, 2)}},
		{"Squeeze-Unsqueeze", func(x ...*Tensor) *Tensor { return x[0].Squeeze().Unsqueeze(0).Square() }, []*Tensor{in(3, 1, 2)}},
		{"Expand", func(x ...*Tensor) *Tensor { return x[0].Expand(2, 3, 4).Square() }, []*Tensor{in(3, 1)}},
		{"Flatten", func(x ...*Tensor) *Tensor { return x[0].Flatten(1, 2).Square() }, []*Tensor{in(2, 3, 2)}},
		{"Cat", func(x ...*Tensor) *Tensor { return Cat(1, x[0], x[1]).Square() }, []*Tensor{in(2, 3), in(2, 1)}},
		{"Stack", func(x ...*Tensor) *Tensor { return Stack(2, x[0], x[1]).Square() }, []*Tensor{in(2, 3), in(2, 3)}},
		{"Clone", func(x ...*Tensor) *Tensor { return x[0].T().Clone().Square() }, []*Tensor{in(2, 3)}},
		{"OneHot-Mul", func(x ...*Tensor) *Tensor { return x[0].Mul(OneHot(FromInts([]int32{1, 0}), 3)) }, []*Tensor{in(2, 3)}},
		// Inputs of their own from here on, so that the cases above keep theirs.
		{"MatMul/dot", func(x ...*Tensor) *Tensor { return x[0].MatMul(x[1]) }, []*Tensor{own(11, 5), own(12, 5)}},
		{"MatMulScaled/dot-views", func(x ...*Tensor) *Tensor { return x[0].Select(1, 1).MatMulScaled(x[1].Select(0, 2), 0.5) }, []*Tensor{own(13, 3, 2), own(14, 3, 3)}},
		{"Pow/zero-base-and-exponent", func(x ...*Tensor) *Tensor { return x[0].Mul(zeroFirst(3, 2)).Pow(x[1].Mul(zeroFirst(3, 2))) }, []*Tensor{positive(rand.New(rand.NewPCG(15, 16)), 0.5, 2, 3, 2), own(16, 3, 2)}},
		{"Pow/zero-base", func(x ...*Tensor) *Tensor { return x[0].Mul(zeroFirst(5)).Pow(x[1].Abs().AddScalar(1)) }, []*Tensor{positive(rand.New(rand.NewPCG(21, 22)), 0.5, 2, 5), own(22, 5)}},
		{"PowScalar/zero", func(x ...*Tensor) *Tensor { return x[0].Mul(zeroFirst(4)).PowScalar(0) }, []*Tensor{own(17, 4)}},
		{"Clamp/lo-above-hi", func(x ...*Tensor) *Tensor { return x[0].Clamp(1, 0.5) }, []*Tensor{own(18, 5)}},
		{"BatchNorm/no-affine", func(x ...*Tensor) *Tensor {
			return BatchNorm(x[0], nil, nil, nil, nil, BatchNormOpts{Training: true, Eps: 1e-5}).Square()
		}, []*Tensor{own(19, 3, 2, 2)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { gradCheck(t, c.name, c.f, c.xs...) })
	}
}

// distinct returns n values at least 0.1 apart in shuffled order, so max
// pooling has a unique winner that a finite-difference step cannot change.
func distinct(rng *rand.Rand, n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(i)*0.1 - float32(n)*0.05
	}
	rng.Shuffle(n, func(i, j int) { v[i], v[j] = v[j], v[i] })
	return v
}
