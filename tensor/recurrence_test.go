package tensor

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// stepwise is Recurrence written as separate ops, one step at a time.
func stepwise(xw, whh, h0 *Tensor, act Activation, reverse bool) *Tensor {
	steps := xw.Size(0)
	h := h0
	if h == nil {
		h = ZerosLike(xw.Select(0, 0))
	}
	hs := make([]*Tensor, steps)
	for n := range steps {
		t := n
		if reverse {
			t = steps - 1 - n
		}
		h = act.Apply(xw.Select(0, t).Add(h.MatMul(whh.T())))
		hs[t] = h
	}
	return Stack(0, hs...)
}

// TestRecurrenceMatchesSteps checks Recurrence's output and every gradient
// against the same recurrence run as separate ops, in both directions,
// with and without an initial state, for each activation, and for one step.
func TestRecurrenceMatchesSteps(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 1))
	for _, act := range []Activation{ActTanh, ActRelu, {}, ActSigmoid} {
		for _, reverse := range []bool{false, true} {
			for _, withH0 := range []bool{false, true} {
				for _, steps := range []int{1, 5} {
					name := fmt.Sprintf("%v/reverse=%v/h0=%v/steps=%d", act, reverse, withH0, steps)
					xs := []*Tensor{input(rng, 0, 1, steps, 3, 7), input(rng, 0, 0.5, 7, 7)}
					if withH0 {
						xs = append(xs, input(rng, 0, 1, 3, 7))
					}
					run := func(f func(xw, whh, h0 *Tensor, act Activation, reverse bool) *Tensor) (out []float32, grads [][]float32) {
						ps := make([]*Tensor, len(xs))
						for i, x := range xs {
							ps[i] = x.Detach().Clone().SetRequiresGrad(true)
						}
						var h0 *Tensor
						if withH0 {
							h0 = ps[2]
						}
						Tidy(func(s *Scope) {
							y := f(ps[0], ps[1], h0, act, reverse)
							out = y.Data()
							w := FromSlice(harmonic(y.NumEl()), y.Shape()...)
							y.Mul(w).Sum().Backward()
						})
						for _, p := range ps {
							grads = append(grads, p.Grad().Data())
						}
						return out, grads
					}
					fy, fg := run(Recurrence)
					sy, sg := run(stepwise)
					compare := func(what string, got, want []float32) {
						t.Helper()
						for i := range want {
							if d := math.Abs(float64(got[i] - want[i])); d > 2e-5*(1+math.Abs(float64(want[i]))) {
								t.Fatalf("%s: %s[%d] = %v fused, %v step by step", name, what, i, got[i], want[i])
							}
						}
					}
					compare("output", fy, sy)
					for i, what := range []string{"dxw", "dwhh", "dh0"}[:len(xs)] {
						compare(what, fg[i], sg[i])
					}
				}
			}
		}
	}
}

// harmonic returns weights 1/(i mod 7 + 1), so that outputs get differing gradients.
func harmonic(n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = 1 / float32(i%7+1)
	}
	return s
}
