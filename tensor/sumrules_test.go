package tensor

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestGradientSumInRules checks the gradients of tensors read twice, once
// by an op whose rule adds its gradient to the one received already
// (Conv2d, ConvTranspose2d, Linear: the kernel's epilogue adds it) and once
// by another op, reached in either order: on every device they must have
// the bits of the gradients summed by an Add (sumInRules off; the epilogue
// adds as the Add kernel does), with one kernel fewer per sum a rule made
// (where its op's gradient came second).
func TestGradientSumInRules(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	type params struct{ x, w, b *Tensor }
	cases := []struct {
		name string
		// x, w and b's shapes; f reads x (and for Linear w) twice.
		x, w, b []int
		f       func(p params) (first, second *Tensor)
		sums    int // sums a rule makes, where its op's gradient comes second
	}{
		{"Conv2d/shortcut", []int{2, 3, 7, 6}, []int{3, 3, 3, 3}, []int{3},
			func(p params) (*Tensor, *Tensor) {
				return Conv2d(p.x, p.w, p.b, ConvOpts{Padding: [2]int{1, 1}, Act: ActRelu}), p.x.Tanh()
			}, 1},
		// Wide enough for F(2×2, 3×3) on the CPU.
		{"Conv2d/winograd", []int{2, 64, 5, 6}, []int{64, 64, 3, 3}, nil,
			func(p params) (*Tensor, *Tensor) {
				return Conv2d(p.x, p.w, nil, ConvOpts{Padding: [2]int{1, 1}}), p.x.Mul(p.x)
			}, 1},
		// Strided: the input gradient scattered back (col2im on the CPU).
		{"Conv2d/strided", []int{3, 4, 9, 8}, []int{6, 4, 3, 3}, []int{6},
			func(p params) (*Tensor, *Tensor) {
				return Conv2d(p.x, p.w, p.b, ConvOpts{Stride: [2]int{2, 2}, Padding: [2]int{1, 1}}), p.x.Sigmoid()
			}, 1},
		{"ConvTranspose2d", []int{2, 4, 5, 5}, []int{4, 3, 4, 4}, []int{3},
			func(p params) (*Tensor, *Tensor) {
				y := ConvTranspose2d(p.x, p.w, p.b, ConvTransposeOpts{ConvOpts: ConvOpts{Stride: [2]int{2, 2}, Padding: [2]int{1, 1}, Act: ActLeakyRelu(0.2)}})
				return y, p.x.Exp()
			}, 1},
		// The weight and bias read by two products (a discriminator on
		// real and generated samples: the bias's second gradient added by
		// the second weight gradient's row sums) and the input by a
		// product and another op.
		{"Linear", []int{5, 17}, []int{9, 17}, []int{9},
			func(p params) (*Tensor, *Tensor) {
				y1 := Linear(p.x, p.w, p.b, ActRelu)
				y2 := Linear(p.x.Tanh(), p.w, p.b, Activation{})
				return y1, y2.Add(p.x.SumKeep(1))
			}, 3},
		// Rows of a 3-D input (a Transformer's residual stream) read by a
		// product and a normalisation; of a transposed view (rows the
		// product reads from a copy); and of an input whose other
		// gradient is a transposed view, which the rule copies to rows
		// first (a kernel, as the Add was).
		{"Linear/3-D", []int{3, 4, 16}, []int{8, 16}, []int{8},
			func(p params) (*Tensor, *Tensor) {
				return Linear(p.x, p.w, p.b, ActTanh), LayerNorm(p.x, []int{16}, nil, nil, 1e-5)
			}, 1},
		{"Linear/3-D-transposed", []int{4, 3, 16}, []int{8, 16}, nil,
			func(p params) (*Tensor, *Tensor) {
				xt := p.x.Transpose(0, 1)
				return Linear(xt, p.w, nil, Activation{}), xt.Exp()
			}, 1},
		{"Linear/3-D-strided-prior", []int{4, 3, 16}, []int{8, 16}, nil,
			func(p params) (*Tensor, *Tensor) {
				return Linear(p.x, p.w, nil, Activation{}), p.x.Transpose(0, 1).Exp()
			}, 0},
	}
	defer func(was bool) { sumInRules = was }(sumInRules)
	for _, c := range cases {
		vals := []*Tensor{input(rng, -1, 1, c.x...), input(rng, -0.5, 0.5, c.w...)}
		if c.b != nil {
			vals = append(vals, input(rng, -0.5, 0.5, c.b...))
		}
		for _, order := range []string{"op-first", "op-second"} {
			run := func(fused bool) (grads [][]float32, dispatches int64) {
				sumInRules = fused
				ps := leaves(vals)
				p := params{ps[0], ps[1], nil}
				if len(ps) > 2 {
					p.b = ps[2]
				}
				Tidy(func(s *Scope) {
					first, second := c.f(p)
					a, b := first.Square().Sum(), second.Sum()
					if order == "op-second" {
						a, b = b, a
					}
					dispatches = backwardKernels(t, a.Add(b))
				})
				return gradData(ps), dispatches
			}
			run(false) // the first Backward on a device makes its seed's constant: a kernel more
			want, nu := run(false)
			got, nf := run(true)
			name := c.name + "/" + order
			sameBits(t, name, "with the sums by Adds", got, want)
			if saved := nu - nf; saved < 0 || saved > int64(c.sums) {
				t.Errorf("%s: %d kernels with the sums in the rules, %d with Adds", name, nf, nu)
			} else if saved > 0 {
				t.Logf("%s: %d kernels with the sums in the rules, %d with Adds", name, nf, nu)
			}
		}
	}
}

// TestAccumulateInRules checks a second Backward into leaves that hold a
// gradient already: where an op whose rule adds to a gradient (Linear,
// Conv2d) is a leaf's only reader, the rule adds the accumulated gradient
// in its kernel and the sum becomes the leaf's gradient. On every device
// the gradients must have the bits of the Add after the rule
// (accumulateInRules off), with one kernel fewer per sum a kernel made, and
// a post-accumulate hook sees the new gradient.
func TestAccumulateInRules(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 24))
	cases := []struct {
		name   string
		shapes [][]int // the leaves' shapes
		f      func(p []*Tensor) *Tensor
		sums   int // accumulations a kernel of a rule makes
	}{
		// The input's gradient and the weight's are the products'
		// residuals, the bias's the weight gradient's row sums'.
		{"Linear", [][]int{{5, 17}, {9, 17}, {9}},
			func(p []*Tensor) *Tensor { return Linear(p[0], p[1], p[2], ActRelu) }, 3},
		{"Linear/3-D", [][]int{{3, 4, 16}, {8, 16}, {8}},
			func(p []*Tensor) *Tensor { return Linear(p[0], p[1], p[2], ActTanh) }, 3},
		// A bias gradient set to a strided view: added after the row sums.
		{"Linear/strided-bias-grad", [][]int{{5, 17}, {9, 17}, {9}},
			func(p []*Tensor) *Tensor {
				if g := p[2].Grad(); g != nil && g.IsContiguous() {
					v := g.Narrow(0, 2, 1).Expand(9) // its third value, 9 times
					if v.IsContiguous() {
						t.Fatal("the bias gradient's view is contiguous")
					}
					p[2].SetGrad(v)
				}
				return Linear(p[0], p[1], p[2], Activation{})
			}, 2},
		// A weight read by two products (a discriminator on real and
		// generated samples) is read twice: its gradient is the two
		// products' sum, then added by an Add; each input's is folded.
		{"Linear/shared-weight", [][]int{{5, 17}, {6, 17}, {9, 17}},
			func(p []*Tensor) *Tensor {
				return Linear(p[0], p[2], nil, ActRelu).Sum().Add(Linear(p[1], p[2], nil, Activation{}).Sum())
			}, 2},
		// A leaf read by a product and by another op: no fold.
		{"Linear/read-twice", [][]int{{5, 17}, {9, 17}},
			func(p []*Tensor) *Tensor { return Linear(p[0], p[1], nil, Activation{}).Sum().Add(p[0].Exp().Sum()) }, 1},
		// A convolution adds its input's gradient in the epilogue; its
		// weight's and bias's by an Add.
		{"Conv2d", [][]int{{2, 3, 7, 6}, {4, 3, 3, 3}, {4}},
			func(p []*Tensor) *Tensor {
				return Conv2d(p[0], p[1], p[2], ConvOpts{Padding: [2]int{1, 1}, Act: ActRelu})
			}, 1},
	}
	defer func(was bool) { accumulateInRules = was }(accumulateInRules)
	for _, c := range cases {
		vals := inputs(rng, c.shapes)
		run := func(fold bool) (grads [][]float32, hooked [][]float32, dispatches int64) {
			accumulateInRules = fold
			ps := leaves(vals)
			hooked = make([][]float32, len(ps))
			for i, p := range ps {
				p.RegisterPostAccumulateGradHook(func(p *Tensor) { hooked[i] = p.Grad().Data() })
			}
			Tidy(func(s *Scope) { c.f(ps).Square().Sum().Backward() })
			Tidy(func(s *Scope) { dispatches = backwardKernels(t, c.f(ps).Square().Sum()) })
			grads = gradData(ps)
			for _, q := range ps {
				q.ZeroGrad()
			}
			return grads, hooked, dispatches
		}
		run(false) // the first Backward on a device makes its seed's constant: a kernel more
		want, _, nu := run(false)
		got, hooked, nf := run(true)
		sameBits(t, c.name, "with the accumulation by an Add", got, want)
		sameBits(t, c.name+" (the hooks against the gradients)", "seen by the hook", got, hooked)
		if saved := nu - nf; saved != int64(c.sums) {
			t.Errorf("%s: %d kernels accumulating in the rules, %d with Adds: want %d fewer", c.name, nf, nu, c.sums)
		}
	}
}

// TestSplitGradInPlace checks slices of a weight and a bias made by Split
// (an attention's projections, slices of its input projection), each read
// by a Linear alone: the products write the slices' gradients into their
// parts of the whole gradient (gradDest), and the Split's rule copies only
// the others in. On every device the gradients must have the bits of the
// copies (gradsInPlace off), with a kernel fewer for each slice written in
// place (not for a slice read twice, nor for slices along a dimension
// after another of more than one, not contiguous) and for each slice that
// takes no gradient (its part filled with zeros, where zeros were made and
// copied in).
func TestSplitGradInPlace(t *testing.T) {
	rng := rand.New(rand.NewPCG(25, 26))
	cases := []struct {
		name   string
		shapes [][]int // x, then the leaves split
		f      func(p []*Tensor) *Tensor
		saved  int
	}{
		{"weights-and-biases", [][]int{{5, 6}, {12, 6}, {12}},
			func(p []*Tensor) *Tensor {
				ws, bs := p[1].Split(0, 4, 3, 5), p[2].Split(0, 4, 3, 5)
				y := Linear(p[0], ws[0], bs[0], ActRelu).Sum()
				y = y.Add(Linear(p[0].Tanh(), ws[1], bs[1], Activation{}).Sum())
				return y.Add(Linear(p[0], ws[2], bs[2], ActTanh).Square().Sum())
			}, 6},
		// The second slice read twice, the third not at all.
		{"read-twice-unused", [][]int{{5, 6}, {12, 6}},
			func(p []*Tensor) *Tensor {
				ws := p[1].Split(0, 4, 3, 5)
				y := Linear(p[0], ws[0], nil, Activation{}).Sum()
				return y.Add(Linear(p[0], ws[1], nil, Activation{}).Sum()).Add(ws[1].Square().Sum())
			}, 2},
		{"unbind", [][]int{{5, 6}, {3, 4, 6}},
			func(p []*Tensor) *Tensor {
				ws := p[1].Unbind(0)
				return Linear(p[0], ws[0], nil, Activation{}).Sum().Add(Linear(p[0], ws[2], nil, ActRelu).Sum())
			}, 3},
		// Slices of columns: not contiguous in the whole gradient.
		{"columns", [][]int{{5, 3}, {4, 6}},
			func(p []*Tensor) *Tensor {
				ws := p[1].Split(1, 3, 3)
				return Linear(p[0], ws[0], nil, Activation{}).Sum().Add(Linear(p[0], ws[1], nil, Activation{}).Sum())
			}, 0},
	}
	defer func(was bool) { gradsInPlace = was }(gradsInPlace)
	for _, c := range cases {
		vals := inputs(rng, c.shapes)
		run := func(inPlace bool) (grads [][]float32, dispatches int64) {
			gradsInPlace = inPlace
			ps := leaves(vals)
			Tidy(func(s *Scope) { dispatches = backwardKernels(t, c.f(ps)) })
			return gradData(ps), dispatches
		}
		run(false) // the first Backward on a device makes its seed's constant: a kernel more
		want, nc := run(false)
		got, ni := run(true)
		sameBits(t, c.name, "with the slices' gradients copied", got, want)
		if saved := nc - ni; saved != int64(c.saved) {
			t.Errorf("%s: %d kernels writing in place, %d copying: want %d fewer", c.name, ni, nc, c.saved)
		}
	}
}

// inputs draws a tensor of each of shapes in [−1, 1) (see input).
func inputs(rng *rand.Rand, shapes [][]int) []*Tensor {
	var vals []*Tensor
	for _, s := range shapes {
		vals = append(vals, input(rng, -1, 1, s...))
	}
	return vals
}

// leaves returns a copy of each of vals as a leaf that requires gradients.
func leaves(vals []*Tensor) []*Tensor {
	ps := make([]*Tensor, len(vals))
	for i, v := range vals {
		ps[i] = v.Detach().Clone().SetRequiresGrad(true)
	}
	return ps
}

// gradData returns each leaf's gradient's contents.
func gradData(ps []*Tensor) [][]float32 {
	var grads [][]float32
	for _, q := range ps {
		grads = append(grads, q.Grad().Data())
	}
	return grads
}

// sameBits fails t where got and want differ in a bit; name and how say
// which case and how each was made.
func sameBits(t *testing.T, name, how string, got, want [][]float32) {
	t.Helper()
	for i := range got {
		for j, g := range got[i] {
			if w := want[i][j]; math.Float32bits(g) != math.Float32bits(w) {
				t.Fatalf("%s: gradient %d [%d] = %v, %v %s", name, i, j, g, w, how)
			}
		}
	}
}
