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
					compare := func(what string, got, want []float32) { t.Helper(); matchSteps(t, name, what, got, want) }
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

// lstmOut joins LSTM's outputs into one tensor: every h_t, then c_T.
func lstmOut(h, c *Tensor) *Tensor { return Cat(0, h.Reshape(-1), c.Reshape(-1)) }

// lstmSteps is LSTM written as separate ops, one step at a time.
func lstmSteps(xw, whh, h0, c0 *Tensor, reverse bool) (*Tensor, *Tensor) {
	steps, hidden := xw.Size(0), whh.Size(1)
	h, c := h0, c0
	if h == nil {
		h = ZerosLike(xw.Select(0, 0).Narrow(1, 0, hidden))
	}
	if c == nil {
		c = ZerosLike(xw.Select(0, 0).Narrow(1, 0, hidden))
	}
	hs := make([]*Tensor, steps)
	for n := range steps {
		t := stepAt(n, steps, reverse)
		g := xw.Select(0, t).Add(h.MatMul(whh.T()))
		i, f := g.Narrow(1, 0, hidden).Sigmoid(), g.Narrow(1, hidden, hidden).Sigmoid()
		cand, o := g.Narrow(1, 2*hidden, hidden).Tanh(), g.Narrow(1, 3*hidden, hidden).Sigmoid()
		c = f.Mul(c).Add(i.Mul(cand))
		h = o.Mul(c.Tanh())
		hs[t] = h
	}
	return Stack(0, hs...), c
}

// gruSteps is GRU written as separate ops, one step at a time.
func gruSteps(xw, whh, bhh, h0 *Tensor, reverse bool) *Tensor {
	steps, hidden := xw.Size(0), whh.Size(1)
	h := h0
	if h == nil {
		h = ZerosLike(xw.Select(0, 0).Narrow(1, 0, hidden))
	}
	hs := make([]*Tensor, steps)
	for n := range steps {
		t := stepAt(n, steps, reverse)
		x, hh := xw.Select(0, t), h.MatMul(whh.T())
		if bhh != nil {
			hh = hh.Add(bhh)
		}
		block := func(v *Tensor, k int) *Tensor { return v.Narrow(1, k*hidden, hidden) }
		r := block(x, 0).Add(block(hh, 0)).Sigmoid()
		z := block(x, 1).Add(block(hh, 1)).Sigmoid()
		nv := block(x, 2).Add(r.Mul(block(hh, 2))).Tanh()
		h = nv.Add(z.Mul(h.Sub(nv)))
		hs[t] = h
	}
	return Stack(0, hs...)
}

// TestGatedMatchSteps checks LSTM's and GRU's outputs and every gradient
// against the same recurrences run as separate ops, in both directions,
// with and without initial states (and the GRU's bias), for one step and
// several, with pre-activations large enough to saturate some gates.
func TestGatedMatchSteps(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 2))
	const batch, hidden = 3, 5
	for _, cell := range []string{"lstm", "gru"} {
		gates := map[string]int{"lstm": 4, "gru": 3}[cell]
		for _, reverse := range []bool{false, true} {
			for _, withState := range []bool{false, true} {
				for _, steps := range []int{1, 6} {
					name := fmt.Sprintf("%s/reverse=%v/state=%v/steps=%d", cell, reverse, withState, steps)
					xs := []*Tensor{input(rng, -4, 4, steps, batch, gates*hidden), input(rng, -0.6, 0.6, gates*hidden, hidden)}
					if withState {
						xs = append(xs, input(rng, -1, 1, batch, hidden), input(rng, -1, 1, batch, hidden))
						if cell == "gru" {
							xs[3] = input(rng, -1, 1, gates*hidden)
						}
					}
					run := func(fused bool) (out []float32, grads [][]float32) {
						ps := make([]*Tensor, len(xs))
						for i, x := range xs {
							ps[i] = x.Detach().Clone().SetRequiresGrad(true)
						}
						var s0, s1 *Tensor
						if withState {
							s0, s1 = ps[2], ps[3]
						}
						Tidy(func(s *Scope) {
							var y *Tensor
							switch {
							case cell == "lstm" && fused:
								y = lstmOut(LSTM(ps[0], ps[1], s0, s1, reverse))
							case cell == "lstm":
								y = lstmOut(lstmSteps(ps[0], ps[1], s0, s1, reverse))
							case fused:
								y = GRU(ps[0], ps[1], s1, s0, reverse)
							default:
								y = gruSteps(ps[0], ps[1], s1, s0, reverse)
							}
							out = y.Data()
							w := FromSlice(harmonic(y.NumEl()), y.Shape()...)
							y.Mul(w).Sum().Backward()
						})
						for _, p := range ps {
							grads = append(grads, p.Grad().Data())
						}
						return out, grads
					}
					fy, fg := run(true)
					sy, sg := run(false)
					compare := func(what string, got, want []float32) { t.Helper(); matchSteps(t, name, what, got, want) }
					compare("output", fy, sy)
					for i := range xs {
						compare(fmt.Sprintf("gradient %d", i), fg[i], sg[i])
					}
				}
			}
		}
	}
}

// matchSteps fails t unless the fused op's values got are within 2e-5
// (relative, plus as much absolute) of the step-by-step ops' want.
func matchSteps(t *testing.T, name, what string, got, want []float32) {
	t.Helper()
	for i := range want {
		if d := math.Abs(float64(got[i] - want[i])); d > 2e-5*(1+math.Abs(float64(want[i]))) {
			t.Fatalf("%s: %s[%d] = %v fused, %v step by step", name, what, i, got[i], want[i])
		}
	}
}

// TestZeroStates checks that a recurrence from a nil initial state runs no
// kernel for the state once a state of its size has been made (it reads
// zeroStates' buffer, shared by every layer and call of that size), gives
// the bits of the same recurrence from explicit zeros, forward and
// backward, and leaves the shared buffer zero; and that sizes past
// maxZeroStates still read zeros, filled for the call.
func TestZeroStates(t *testing.T) {
	dev := DefaultDevice()
	rng := rand.New(rand.NewPCG(9, 4))
	const steps, batch, hidden = 4, 3, 5
	cells := []struct {
		name  string
		gates int
		run   func(xw, whh, s0 *Tensor) *Tensor
	}{
		{"rnn", 1, func(xw, whh, s0 *Tensor) *Tensor { return Recurrence(xw, whh, s0, ActTanh, false) }},
		{"lstm", 4, func(xw, whh, s0 *Tensor) *Tensor { return lstmOut(LSTM(xw, whh, s0, s0, true)) }},
		{"gru", 3, func(xw, whh, s0 *Tensor) *Tensor { return GRU(xw, whh, nil, s0, false) }},
	}
	for _, c := range cells {
		xs := []*Tensor{input(rng, -2, 2, steps, batch, c.gates*hidden), input(rng, -0.6, 0.6, c.gates*hidden, hidden)}
		// run returns the output, the gradients of xw and whh, and the
		// kernels the forward pass dispatched.
		run := func(zeros bool) (out []float32, grads [][]float32, kernels int64) {
			ps := make([]*Tensor, len(xs))
			for i, x := range xs {
				ps[i] = x.Detach().Clone().SetRequiresGrad(true)
			}
			Tidy(func(s *Scope) {
				var s0 *Tensor
				if zeros {
					s0 = s.Own(Zeros(batch, hidden))
				}
				var y *Tensor
				kernels = kernelsIn(t, func() { y = c.run(ps[0], ps[1], s0) })
				out = y.Data()
				y.Mul(FromSlice(harmonic(y.NumEl()), y.Shape()...)).Sum().Backward()
			})
			for _, p := range ps {
				grads = append(grads, p.Grad().Data())
			}
			return out, grads, kernels
		}
		run(false) // makes the state of this size
		gotY, gotG, nilKernels := run(false)
		wantY, wantG, zerosKernels := run(true)
		if nilKernels != zerosKernels {
			t.Errorf("%s: %d kernels forward from a nil state, %d from a zero tensor", c.name, nilKernels, zerosKernels)
		}
		same := func(what string, got, want []float32) {
			t.Helper()
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("%s: %s[%d] = %v from a nil state, %v from zeros", c.name, what, i, got[i], want[i])
				}
			}
		}
		same("output", gotY, wantY)
		same("dxw", gotG[0], wantG[0])
		same("dwhh", gotG[1], wantG[1])
	}
	for _, v := range zeroState(nil, dev, []int{batch, hidden}).Data() {
		if v != 0 {
			t.Fatalf("the shared zero state of [%d %d] holds %v after the recurrences", batch, hidden, v)
		}
	}

	// Sizes past the bound: zeros all the same, no more kept.
	for n := 1; n <= maxZeroStates+2; n++ {
		for _, v := range zeroState(nil, dev, []int{101, n}).Data() { // sizes no other test uses
			if v != 0 {
				t.Fatalf("zeros of [101 %d] hold %v", n, v)
			}
		}
	}
	zeroStates.Lock()
	kept := zeroStates.sizes[dev]
	zeroStates.Unlock()
	if kept != maxZeroStates {
		t.Errorf("%d sizes kept, want %d", kept, maxZeroStates)
	}
}
