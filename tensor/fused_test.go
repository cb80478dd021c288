package tensor

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/tensorgl/tensorgl/device"
)

// TestFusedMatchesOps checks Linear and Conv2d with an activation against
// the same computation as separate ops (product, bias add, activation):
// outputs and every gradient agree within a few rounding errors on every
// device, and bit for bit on the CPU, whose epilogue performs the separate
// ops' arithmetic.
func TestFusedMatchesOps(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 9))
	acts := []Activation{{}, ActRelu, ActLeakyRelu(0.1), ActSigmoid, ActTanh, ActLeakyRelu(-0.5)}
	type layer struct {
		name          string
		fused, sepOps func(x, w, b *Tensor, act Activation) *Tensor
		x, w, b       []int
		// regroups: the weight and bias gradients sum the same terms in another
		// order (a 3-D input is one product fused, one per batch as ops).
		regroups bool
	}
	layers := []layer{
		{"Linear", Linear, func(x, w, b *Tensor, act Activation) *Tensor { return act.Apply(x.MatMul(w.T()).Add(b)) }, []int{2, 7, 37}, []int{19, 37}, []int{19}, true},
		{"Linear/big", Linear, func(x, w, b *Tensor, act Activation) *Tensor { return act.Apply(x.MatMul(w.T()).Add(b)) }, []int{64, 300}, []int{70, 300}, []int{70}, false},
		{"Conv2d", func(x, w, b *Tensor, act Activation) *Tensor {
			return Conv2d(x, w, b, ConvOpts{Padding: [2]int{2, 2}, Act: act})
		},
			func(x, w, b *Tensor, act Activation) *Tensor {
				return act.Apply(Conv2d(x, w, nil, ConvOpts{Padding: [2]int{2, 2}}).Add(b.Reshape(1, -1, 1, 1)))
			}, []int{3, 2, 9, 8}, []int{5, 2, 5, 5}, []int{5}, false},
	}
	exact := DefaultDevice().Info().Name == "cpu"
	for _, l := range layers {
		for ai, act := range acts {
			r := rng
			if ai == len(acts)-1 { // inputs of its own, so that the cases before keep theirs
				r = rand.New(rand.NewPCG(uint64(len(l.name)), 17))
			}
			xs := []*Tensor{input(r, 0, 2, l.x...), input(r, 0, 1, l.w...), input(r, 0, 1, l.b...)}
			run := func(f func(x, w, b *Tensor, act Activation) *Tensor) (out []float32, grads [][]float32) {
				ps := make([]*Tensor, len(xs))
				for i, x := range xs {
					ps[i] = x.Detach().Clone().SetRequiresGrad(true)
				}
				Tidy(func(s *Scope) {
					y := f(ps[0], ps[1], ps[2], act)
					out = y.Data()
					y.Square().Sum().Backward()
				})
				for _, p := range ps {
					grads = append(grads, p.Grad().Data())
				}
				return out, grads
			}
			fy, fg := run(l.fused)
			sy, sg := run(l.sepOps)
			name := l.name + "/" + act.String()
			compare := func(what string, got, want []float32) {
				for i := range got {
					g, w := got[i], want[i]
					if exact && !(l.regroups && what != "dx") && math.Float32bits(g) != math.Float32bits(w) {
						t.Fatalf("%s: %s[%d] = %v fused, %v as separate ops", name, what, i, g, w)
					}
					if d := math.Abs(float64(g - w)); d > 1e-5*(1+math.Abs(float64(w))) {
						t.Fatalf("%s: %s[%d] = %v fused, %v as separate ops", name, what, i, g, w)
					}
				}
			}
			compare("output", fy, sy)
			for i, what := range []string{"dx", "dw", "db"} {
				compare(what, fg[i], sg[i])
			}
		}
	}
}

// TestReluMaxPoolGradient: max pooling of a convolution's fused ReLU output
// masks its gradient by the pooled values and the convolution then skips
// its own mask (pool2d, convOp). Every gradient must keep the bits of the
// path that masks in the convolution (the same pooling of the output
// times 1, which hides that it came from a ReLU), on every device: 2×2
// windows, overlapping 3×3 windows with padding, odd sizes, the output
// also read by another op (the gradients are added before the mask), and
// an upstream gradient with zeros.
func TestReluMaxPoolGradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	cases := []struct {
		name  string
		x, w  []int
		pool  PoolOpts
		extra bool
	}{
		{"2x2", []int{3, 2, 10, 9}, []int{4, 2, 3, 3}, PoolOpts{Kernel: [2]int{2, 2}}, false},
		{"3x3-s2-p1", []int{2, 3, 9, 11}, []int{5, 3, 3, 3}, PoolOpts{Kernel: [2]int{3, 3}, Stride: [2]int{2, 2}, Padding: [2]int{1, 1}}, false},
		{"2x2-used-twice", []int{2, 2, 8, 8}, []int{3, 2, 3, 3}, PoolOpts{Kernel: [2]int{2, 2}}, true},
	}
	for _, c := range cases {
		xs := []*Tensor{input(rng, 0, 2, c.x...), input(rng, 0, 1, c.w...), input(rng, 0, 1, c.w[0])}
		run := func(hide bool) (grads [][]float32) {
			ps := make([]*Tensor, len(xs))
			for i, x := range xs {
				ps[i] = x.Detach().Clone().SetRequiresGrad(true)
			}
			Tidy(func(s *Scope) {
				y := Conv2d(ps[0], ps[1], ps[2], ConvOpts{Act: ActRelu})
				if !hide && !reluOut(y) {
					t.Fatalf("%s: the convolution's output is not marked as a ReLU's", c.name)
				}
				in := y
				if hide {
					in = y.MulScalar(1)
				}
				p := MaxPool2d(in, c.pool)
				r := input(rand.New(rand.NewPCG(3, 3)), 0, 1, p.Shape()...)
				// Zeros in the upstream gradient: −0 and +0 alike.
				r = r.Mul(r.Abs().Sub(Scalar(0.3)).Relu().Sign())
				loss := p.Mul(r).Sum()
				if c.extra {
					loss = loss.Add(y.Mul(y).Sum())
				}
				if !hide {
					g := p.node.backward(r)[0]
					if g.actApplied != y {
						t.Fatalf("%s: the pooling's gradient is not marked as masked", c.name)
					}
				}
				loss.Backward()
			})
			for _, p := range ps {
				grads = append(grads, p.Grad().Data())
			}
			return grads
		}
		got, want := run(false), run(true)
		for i, what := range []string{"dx", "dw", "db"} {
			for j := range got[i] {
				if math.Float32bits(got[i][j]) != math.Float32bits(want[i][j]) {
					t.Fatalf("%s: %s[%d] = %g, want %g (masked in the convolution)", c.name, what, j, got[i][j], want[i][j])
				}
			}
		}
	}
}

// TestReluMaskInReader: the reader of a ReLU's output (a Linear's or a
// convolution's, or a max pooling or Reshape of one) masks the gradient it
// computes for it in its own product's epilogue (readerAct), and the
// ReLU's producer skips its masking kernel; so does the only reader of
// another activation's output (LeakyReLU, Tanh, Sigmoid) with its
// derivative. Every gradient must keep the bits of the separate
// derivative, with the readers' switched off and with the activation's
// output hidden behind ·1, on every device: a chain of Linear layers,
// Linear on 3-D input, a convolution reading a pooled one, a Linear
// reading a pooled one through Reshape, a ReLU output read by a second op
// (its gradient summed before or after the masked one), chains of Linear
// and of convolutions with the other activations, and a Tanh output read
// twice (no reader applies its derivative); and a Linear reading a
// dropout's output alone, which applies the dropout's mask too, before
// the derivative of the activation the dropout read (dropoutOf), and a
// batched product reading one (an attention's weights), which applies
// the mask. The
// backward pass runs one kernel fewer for each reader that applies a
// derivative or a mask.
func TestReluMaskInReader(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 17))
	linear := func(ps []*Tensor, i int, x *Tensor, act Activation) *Tensor {
		return Linear(x, ps[i], ps[i+1], act)
	}
	cases := []struct {
		name   string
		shapes [][]int // x, then the parameters
		sites  int64   // readers that mask
		net    func(ps []*Tensor, hide func(*Tensor) *Tensor) *Tensor
	}{
		{"mlp", [][]int{{6, 9}, {7, 9}, {7}, {5, 7}, {5}, {3, 5}, {3}}, 2, func(ps []*Tensor, hide func(*Tensor) *Tensor) *Tensor {
			h := hide(linear(ps, 1, ps[0], ActRelu))
			h = hide(linear(ps, 3, h, ActRelu))
			return linear(ps, 5, h, Activation{})
		}},
		{"3-d", [][]int{{2, 3, 5}, {6, 5}, {6}, {4, 6}, {4}}, 1, func(ps []*Tensor, hide func(*Tensor) *Tensor) *Tensor {
			return linear(ps, 3, hide(linear(ps, 1, ps[0], ActRelu)), Activation{})
		}},
		{"conv-pool-conv", [][]int{{2, 2, 9, 10}, {3, 2, 3, 3}, {3}, {4, 3, 2, 2}, {4}}, 1, func(ps []*Tensor, hide func(*Tensor) *Tensor) *Tensor {
			p := hide(MaxPool2d(Conv2d(ps[0], ps[1], ps[2], ConvOpts{Act: ActRelu}), PoolOpts{Kernel: [2]int{2, 2}}))
			return Conv2d(p, ps[3], ps[4], ConvOpts{})
		}},
		{"conv-pool-linear", [][]int{{2, 2, 8, 8}, {3, 2, 3, 3}, {3}, {5, 27}, {5}}, 1, func(ps []*Tensor, hide func(*Tensor) *Tensor) *Tensor {
			p := MaxPool2d(Conv2d(ps[0], ps[1], ps[2], ConvOpts{Act: ActRelu}), PoolOpts{Kernel: [2]int{2, 2}})
			return linear(ps, 3, hide(p.Reshape(2, -1)), Activation{})
		}},
		{"read-twice", [][]int{{4, 6}, {5, 6}, {5}, {3, 5}, {3}}, 1, func(ps []*Tensor, hide func(*Tensor) *Tensor) *Tensor {
			h := linear(ps, 1, ps[0], ActRelu)
			hh := hide(h)
			a := h.Mul(h).Sum().Reshape(1, 1) // reaches h after the Linear's gradient
			return linear(ps, 3, hh, Activation{}).Add(a)
		}},
		{"read-twice-first", [][]int{{4, 6}, {5, 6}, {5}, {3, 5}, {3}}, 1, func(ps []*Tensor, hide func(*Tensor) *Tensor) *Tensor {
			h := linear(ps, 1, ps[0], ActRelu)
			y := linear(ps, 3, hide(h), Activation{})
			return y.Add(h.Mul(h).Sum().Reshape(1, 1)) // reaches h before it
		}},
		{"mlp-tanh-leaky-sigmoid", [][]int{{6, 9}, {7, 9}, {7}, {5, 7}, {5}, {4, 5}, {4}, {3, 4}, {3}}, 3, func(ps []*Tensor, hide func(*Tensor) *Tensor) *Tensor {
			h := hide(linear(ps, 1, ps[0], ActTanh))
			h = hide(linear(ps, 3, h, ActLeakyRelu(0.2)))
			h = hide(linear(ps, 5, h, ActSigmoid))
			return linear(ps, 7, h, Activation{})
		}},
		{"conv-tanh-conv-leaky-conv", [][]int{{2, 2, 9, 8}, {3, 2, 3, 3}, {3}, {4, 3, 2, 2}, {4}, {2, 4, 3, 3}, {2}}, 2, func(ps []*Tensor, hide func(*Tensor) *Tensor) *Tensor {
			h := hide(Conv2d(ps[0], ps[1], ps[2], ConvOpts{Act: ActTanh}))
			h = hide(Conv2d(h, ps[3], ps[4], ConvOpts{Act: ActLeakyRelu(0.1)}))
			return Conv2d(h, ps[5], ps[6], ConvOpts{})
		}},
		{"tanh-read-twice", [][]int{{4, 6}, {5, 6}, {5}, {3, 5}, {3}}, 0, func(ps []*Tensor, hide func(*Tensor) *Tensor) *Tensor {
			h := linear(ps, 1, ps[0], ActTanh)
			hh := hide(h)
			a := h.Mul(h).Sum().Reshape(1, 1) // reaches h after the Linear's gradient
			return linear(ps, 3, hh, Activation{}).Add(a)
		}},
		// The other reader feeds the Linear's bias: the Linear's gradient
		// reaches h first, and the other one is added after it.
		{"tanh-read-twice-linear-first", [][]int{{4, 6}, {5, 6}, {5}, {3, 5}, {3}}, 0, func(ps []*Tensor, hide func(*Tensor) *Tensor) *Tensor {
			h := linear(ps, 1, ps[0], ActTanh)
			return Linear(hide(h), ps[3], ps[4].Add(h.Sum()), Activation{})
		}},
		{"tanh-read-twice-first", [][]int{{4, 6}, {5, 6}, {5}, {3, 5}, {3}}, 0, func(ps []*Tensor, hide func(*Tensor) *Tensor) *Tensor {
			h := linear(ps, 1, ps[0], ActTanh)
			y := linear(ps, 3, hide(h), Activation{})
			return y.Add(h.Mul(h).Sum().Reshape(1, 1)) // reaches h before it
		}},
		// A dropout's output read by a Linear alone: its product applies
		// the mask and then the derivative of the activation the dropout
		// read (a discriminator's layers), two kernels fewer.
		{"dropout-leaky-sigmoid", [][]int{{6, 9}, {7, 9}, {7}, {5, 7}, {5}, {3, 5}, {3}}, 4, func(ps []*Tensor, hide func(*Tensor) *Tensor) *Tensor {
			g := NewGenerator(3)
			h := hide(Dropout(g, linear(ps, 1, ps[0], ActLeakyRelu(0.2)), 0.3))
			h = hide(Dropout(g, linear(ps, 3, h, ActSigmoid), 0.5))
			return linear(ps, 5, h, Activation{})
		}},
		// A Transformer's feed-forward block: the ReLU's mark passes
		// through the Reshape of Linear's 3-D output.
		{"dropout-relu-3-d", [][]int{{2, 3, 5}, {6, 5}, {6}, {4, 6}, {4}}, 2, func(ps []*Tensor, hide func(*Tensor) *Tensor) *Tensor {
			return linear(ps, 3, hide(Dropout(NewGenerator(4), linear(ps, 1, ps[0], ActRelu), 0.25)), Activation{})
		}},
		{"dropout-no-activation", [][]int{{4, 6}, {5, 6}, {5}, {3, 5}, {3}}, 1, func(ps []*Tensor, hide func(*Tensor) *Tensor) *Tensor {
			return linear(ps, 3, hide(Dropout(NewGenerator(5), linear(ps, 1, ps[0], Activation{}), 0.3)), Activation{})
		}},
		// The Tanh output read by the dropout and another op: the mask
		// alone is applied.
		{"dropout-tanh-read-twice", [][]int{{4, 6}, {5, 6}, {5}, {3, 5}, {3}}, 1, func(ps []*Tensor, hide func(*Tensor) *Tensor) *Tensor {
			h := linear(ps, 1, ps[0], ActTanh)
			y := linear(ps, 3, hide(Dropout(NewGenerator(6), h, 0.3)), Activation{})
			return y.Add(h.Mul(h).Sum().Reshape(1, 1))
		}},
		// An attention's weights through a dropout, times its values
		// (batched, and broadcast over the weights' batch): the product
		// of the weights' gradient applies the mask; not where the
		// weights broadcast.
		{"dropout-matmul", [][]int{{2, 3, 4, 5}, {2, 3, 5, 6}}, 1, func(ps []*Tensor, hide func(*Tensor) *Tensor) *Tensor {
			return hide(Dropout(NewGenerator(9), ps[0].Softmax(-1), 0.2)).MatMul(ps[1])
		}},
		{"dropout-matmul-values-broadcast", [][]int{{2, 3, 4, 5}, {5, 6}}, 1, func(ps []*Tensor, hide func(*Tensor) *Tensor) *Tensor {
			return hide(Dropout(NewGenerator(10), ps[0].Tanh(), 0.4)).MatMul(ps[1])
		}},
		{"dropout-matmul-weights-broadcast", [][]int{{4, 5}, {2, 3, 5, 6}}, 0, func(ps []*Tensor, hide func(*Tensor) *Tensor) *Tensor {
			return hide(Dropout(NewGenerator(11), ps[0].Exp(), 0.3)).MatMul(ps[1])
		}},
		// The dropout's output read twice: nothing applied, whichever
		// gradient reaches it first.
		{"dropout-read-twice", [][]int{{4, 6}, {5, 6}, {5}, {3, 5}, {3}}, 0, func(ps []*Tensor, hide func(*Tensor) *Tensor) *Tensor {
			z := Dropout(NewGenerator(7), linear(ps, 1, ps[0], ActRelu), 0.3)
			return linear(ps, 3, hide(z), Activation{}).Add(z.Mul(z).Sum().Reshape(1, 1))
		}},
		{"dropout-read-twice-linear-first", [][]int{{4, 6}, {5, 6}, {5}, {3, 5}, {3}}, 0, func(ps []*Tensor, hide func(*Tensor) *Tensor) *Tensor {
			z := Dropout(NewGenerator(8), linear(ps, 1, ps[0], ActRelu), 0.3)
			return Linear(hide(z), ps[3], ps[4].Add(z.Sum()), Activation{})
		}},
	}
	defer func() { maskInReaders = true }()
	for _, c := range cases {
		xs := make([]*Tensor, len(c.shapes))
		for i, s := range c.shapes {
			xs[i] = input(rng, 0, 1, s...)
		}
		run := func(mask, hide bool) (grads [][]float32, kernels int64) {
			maskInReaders = mask
			ps := make([]*Tensor, len(xs))
			for i, x := range xs {
				ps[i] = x.Detach().Clone().SetRequiresGrad(true)
			}
			h := func(t *Tensor) *Tensor { return t }
			if hide {
				h = func(t *Tensor) *Tensor { return t.MulScalar(1) }
			}
			Tidy(func(s *Scope) {
				out := c.net(ps, h)
				r := input(rand.New(rand.NewPCG(5, 5)), 0, 1, out.Shape()...)
				r = r.Mul(r.Abs().Sub(Scalar(0.3)).Relu().Sign()) // zeros: −0 and +0
				loss := out.Mul(r).Sum()
				kernels = backwardKernels(t, loss)
			})
			for _, p := range ps {
				grads = append(grads, p.Grad().Data())
			}
			return grads, kernels
		}
		run(true, false) // the first Backward of a shape makes its seed
		got, fused := run(true, false)
		off, separate := run(false, false)
		hidden, _ := run(true, true)
		for _, want := range []struct {
			name  string
			grads [][]float32
		}{{"the readers' masking off", off}, {"the ReLU hidden", hidden}} {
			for i := range got {
				for j := range got[i] {
					if math.Float32bits(got[i][j]) != math.Float32bits(want.grads[i][j]) {
						t.Fatalf("%s: gradient %d [%d] = %g, %g with %s", c.name, i, j, got[i][j], want.grads[i][j], want.name)
					}
				}
			}
		}
		if fused != separate-c.sites {
			t.Errorf("%s: %d kernels backward, %d with the readers' masking off: want %d fewer", c.name, fused, separate, c.sites)
		}
	}
}

// TestBiasGradInProduct checks Linear's bias gradient summed by its
// weight gradient's product (Epilogue.BiasGrad): every loss reads each
// layer's output times a known r, so the bias gradient is Σ_rows r (masked
// by ReLU where the layer has it), checked against float64 sums on every
// device and to the bit against the separate sum on the CPU (which sums
// both ways by the same Reduce). The weight and input gradients keep their
// bits, and the backward pass runs one kernel fewer per layer that sums
// its bias in the product (not where the weight is frozen), and one more
// where a bias shared by two layers has its second gradient added to the
// first by the second product (Epilogue.BiasGradResidual) instead of an
// Add.
func TestBiasGradInProduct(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 37))
	type layer struct {
		x, w   []int
		act    Activation
		shared bool // the bias of the layer before
		frozen bool // the weight takes no gradient
	}
	cases := []struct {
		name   string
		layers []layer
		sites  int64
	}{
		{"2-d", []layer{{x: []int{6, 9}, w: []int{7, 9}}}, 1},
		{"3-d-relu", []layer{{x: []int{2, 3, 5}, w: []int{4, 5}, act: ActRelu}}, 1},
		// Few outputs, many rows: GL splits the product's K.
		{"long", []layer{{x: []int{2000, 5}, w: []int{9, 5}, act: ActTanh}}, 1},
		{"shared-bias", []layer{{x: []int{4, 6}, w: []int{5, 6}}, {x: []int{3, 6}, w: []int{5, 6}, shared: true}}, 3},
		{"frozen-weight", []layer{{x: []int{4, 6}, w: []int{5, 6}, frozen: true}}, 0},
	}
	exact := DefaultDevice().Info().Name == "cpu"
	defer func() { biasGradInProduct = true }()
	for _, c := range cases {
		var xs, ws, bs, rs []*Tensor
		for _, l := range c.layers {
			xs = append(xs, input(rng, 0, 1, l.x...))
			ws = append(ws, input(rng, 0, 1, l.w...))
			if !l.shared {
				bs = append(bs, input(rng, 0, 1, l.w[0]))
			}
			rs = append(rs, input(rng, 0.5, 2, append(l.x[:len(l.x)-1:len(l.x)-1], l.w[0])...))
		}
		run := func(inProduct bool) (grads [][]float32, outs [][]float32, kernels int64) {
			biasGradInProduct = inProduct
			var ps []*Tensor
			param := func(v *Tensor, grad bool) *Tensor {
				p := v.Detach().Clone().SetRequiresGrad(grad)
				ps = append(ps, p)
				return p
			}
			var bias *Tensor
			Tidy(func(s *Scope) {
				var loss *Tensor
				nb := 0
				for i, l := range c.layers {
					x, w := param(xs[i], true), param(ws[i], !l.frozen)
					if !l.shared {
						bias = param(bs[nb], true)
						nb++
					}
					y := Linear(x, w, bias, l.act)
					outs = append(outs, y.Data())
					term := y.Mul(rs[i]).Sum()
					if loss == nil {
						loss = term
					} else {
						loss = loss.Add(term)
					}
				}
				kernels = backwardKernels(t, loss)
			})
			for _, p := range ps {
				if g := p.Grad(); g != nil {
					grads = append(grads, g.Data())
				} else {
					grads = append(grads, nil)
				}
			}
			return grads, outs, kernels
		}
		run(true) // the first Backward of a shape makes its seed
		got, outs, fused := run(true)
		want, _, separate := run(false)
		// The bias gradients' float64 sums, from r and (ReLU) the outputs.
		sum, abs, terms := map[int][]float64{}, map[int][]float64{}, map[int]int{}
		bi, pi := -1, 0 // the bias's index among the parameters
		for i, l := range c.layers {
			if !l.shared {
				bi = pi + 2
				pi += 3
			} else {
				pi += 2
			}
			out := l.w[0]
			if sum[bi] == nil {
				sum[bi], abs[bi] = make([]float64, out), make([]float64, out)
			}
			r := rs[i].Data()
			terms[bi] += len(r) / out
			for j, rv := range r {
				v := float64(rv)
				if l.act == ActRelu && !(outs[i][j] > 0) {
					continue
				}
				if l.act == ActTanh { // the derivative from the output, as the kernel takes it
					y := float64(outs[i][j])
					v *= 1 - y*y
				}
				sum[bi][j%out] += v
				abs[bi][j%out] += math.Abs(v)
			}
		}
		for i := range got {
			if _, isBias := sum[i]; isBias {
				for j, g := range got[i] {
					// The terms' own roundings (tanh's derivative, a
					// product and a difference) count as 4 terms more.
					bound := device.ToleranceOf("accumulate").Bound(float64(terms[i]+4)*abs[i][j], 0)
					if d := math.Abs(float64(g) - sum[i][j]); !(d <= bound) {
						t.Errorf("%s: bias gradient %d [%d] = %v, want %v ± %.3g", c.name, i, j, g, sum[i][j], bound)
					}
				}
				if !exact {
					continue
				}
			}
			for j := range got[i] {
				if math.Float32bits(got[i][j]) != math.Float32bits(want[i][j]) {
					t.Fatalf("%s: gradient %d [%d] = %v, %v with the bias summed apart", c.name, i, j, got[i][j], want[i][j])
				}
			}
		}
		if fused != separate-c.sites {
			t.Errorf("%s: %d kernels backward, %d with the bias summed apart: want %d fewer", c.name, fused, separate, c.sites)
		}
	}
}

// backwardKernels runs loss.Backward and returns the kernels it dispatched,
// counted by the device as it runs them (after everything queued before).
func backwardKernels(t *testing.T, loss *Tensor) int64 {
	t.Helper()
	dev := loss.Device()
	if err := dev.Sync(); err != nil {
		t.Fatal(err)
	}
	before := dev.Stats()
	loss.Backward()
	if err := dev.Sync(); err != nil {
		t.Fatal(err)
	}
	return dev.Stats().Sub(before).Dispatches
}

// TestLinearBiasSum checks LinearBiasSum against Linear with the biases'
// Add before it: the output and every gradient to the bit on every device,
// one kernel fewer forward, and one fewer backward where both biases take
// their first gradient (the product writes their sums twice, where the Add's
// second leaf took a copy); over 2-D and 3-D inputs, activations, a product
// whose K GL splits, biases that are a strided view and a slice at an
// offset, a frozen weight (the bias gradient by its own sum), a bias that
// takes no gradient, and a second Backward onto gradients each bias holds
// (each one's own added to the new).
func TestLinearBiasSum(t *testing.T) {
	rng := rand.New(rand.NewPCG(41, 43))
	cases := []struct {
		name           string
		x, w           []int
		act            Activation
		strided, slice bool // b1 a strided view; b2 a slice at an offset
		frozen         bool // the weight takes no gradient
		fixedB2        bool // b2 takes no gradient
	}{
		{name: "2-d", x: []int{6, 9}, w: []int{7, 9}},
		{name: "3-d-relu", x: []int{2, 3, 5}, w: []int{4, 5}, act: ActRelu},
		{name: "long-tanh", x: []int{2000, 5}, w: []int{9, 5}, act: ActTanh},
		{name: "views", x: []int{5, 8}, w: []int{6, 8}, act: ActSigmoid, strided: true, slice: true},
		{name: "frozen-weight", x: []int{4, 6}, w: []int{5, 6}, frozen: true},
		{name: "fixed-b2", x: []int{4, 6}, w: []int{5, 6}, fixedB2: true},
	}
	for _, c := range cases {
		out := c.w[0]
		x, w := input(rng, 0, 1, c.x...), input(rng, 0, 1, c.w...)
		b1, b2 := input(rng, 0, 1, out*(1+int(b2i(c.strided)))), input(rng, 0, 1, out+3*int(b2i(c.slice)))
		r := input(rng, 0.5, 2, append(c.x[:len(c.x)-1:len(c.x)-1], out)...)
		// Added to the biases' gradients between the Backwards, so that
		// each holds its own.
		g1, g2 := input(rng, 0, 1, b1.Shape()...), input(rng, 0, 1, b2.Shape()...)
		// run returns the outputs and gradients of both Backwards, and the
		// first one's kernels forward and backward.
		run := func(fused bool) (outs, grads [][]float32, forward, backward int64) {
			ps := []*Tensor{x.Detach().Clone().SetRequiresGrad(true), w.Detach().Clone().SetRequiresGrad(!c.frozen),
				b1.Detach().Clone().SetRequiresGrad(true), b2.Detach().Clone().SetRequiresGrad(!c.fixedB2)}
			for pass := range 2 {
				if pass == 1 {
					ps[2].SetGrad(ps[2].Grad().Add(g1))
					if !c.fixedB2 {
						ps[3].SetGrad(ps[3].Grad().Add(g2))
					}
				}
				Tidy(func(s *Scope) {
					// The leaves themselves where they are not views: the
					// gradients they hold then reach the rule, which adds
					// each bias's own (priorGrads).
					v1, v2 := ps[2], ps[3]
					if c.strided {
						v1 = ps[2].Reshape(out, 2).Select(1, 1)
					}
					if c.slice {
						v2 = ps[3].Narrow(0, 3, out)
					}
					var y *Tensor
					fk := kernelsIn(t, func() {
						if fused {
							y = LinearBiasSum(ps[0], ps[1], v1, v2, c.act)
						} else {
							y = Linear(ps[0], ps[1], v1.Add(v2), c.act)
						}
					})
					outs = append(outs, y.Data())
					loss := y.Mul(r).Sum()
					bk := kernelsIn(t, func() { loss.Backward() })
					if pass == 0 {
						forward, backward = fk, bk
					}
				})
				for _, p := range ps {
					if g := p.Grad(); g != nil {
						grads = append(grads, g.Data())
					} else {
						grads = append(grads, nil)
					}
				}
			}
			return outs, grads, forward, backward
		}
		run(true) // the first Backward of a shape makes its seed
		fy, fg, ff, fb := run(true)
		sy, sg, sf, sb := run(false)
		same := func(what string, got, want []float32) {
			t.Helper()
			if len(got) != len(want) {
				t.Fatalf("%s: %s has %d values, %d with the Add", c.name, what, len(got), len(want))
			}
			for i := range got {
				if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
					t.Fatalf("%s: %s[%d] = %v, %v with the Add", c.name, what, i, got[i], want[i])
				}
			}
		}
		for i := range fy {
			same(fmt.Sprintf("output %d", i), fy[i], sy[i])
		}
		for i := range fg {
			same(fmt.Sprintf("Backward %d's %s", i/4, []string{"dx", "dw", "db1", "db2"}[i%4]), fg[i], sg[i])
		}
		// A strided bias is copied for the epilogue, which the Add reads as
		// it lies; the product writes the sums twice where the weight and
		// both biases take gradients, which saves the copy where both
		// biases are leaves (a view's gradient is made by its own rule).
		if want := sf - 1 + b2i(c.strided); ff != want {
			t.Errorf("%s: %d kernels forward, %d with the Add: want %d", c.name, ff, sf, want)
		}
		if want := sb - b2i(!c.frozen && !c.fixedB2 && !c.strided && !c.slice); fb != want {
			t.Errorf("%s: %d kernels backward, %d with the Add: want %d", c.name, fb, sb, want)
		}
	}
	mustPanic(t, "want two biases", func() { LinearBiasSum(Ones(1, 1), Ones(1, 1), Ones(1), nil, Activation{}) })
}

// b2i is 1 for true, 0 for false.
func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}
