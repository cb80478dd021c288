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
