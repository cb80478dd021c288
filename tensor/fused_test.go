package tensor

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestFusedMatchesOps checks Linear and Conv2d with an activation against
// the same computation as separate ops (product, bias add, activation):
// outputs and every gradient agree within a few rounding errors on every
// device, and bit for bit on the CPU, whose epilogue performs the separate
// ops' arithmetic.
func TestFusedMatchesOps(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 9))
	acts := []Activation{{}, ActRelu, ActLeakyRelu(0.1), ActSigmoid, ActTanh}
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
		for _, act := range acts {
			xs := []*Tensor{input(rng, 0, 2, l.x...), input(rng, 0, 1, l.w...), input(rng, 0, 1, l.b...)}
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
				if !hide && (y.node == nil || !y.node.reluOut) {
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
					if g.reluMasked != y {
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
// computes for it in its own product's epilogue (maskableRelu), and the
// ReLU's producer skips its masking kernel. Every gradient must keep the
// bits of the separate mask, with the readers' masking switched off and
// with the ReLU hidden behind ·1, on every device: a chain of Linear
// layers, Linear on 3-D input, a convolution reading a pooled one, a
// Linear reading a pooled one through Reshape, and a ReLU output read by a
// second op (its gradient summed before or after the masked one). The
// backward pass runs one kernel fewer for each reader that masks.
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
				dev := loss.Device()
				if err := dev.Sync(); err != nil {
					t.Fatal(err)
				}
				before := dev.Stats()
				loss.Backward()
				if err := dev.Sync(); err != nil {
					t.Fatal(err)
				}
				kernels = dev.Stats().Sub(before).Dispatches
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
