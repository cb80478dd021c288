package devicetest

import (
	"math"
	"math/rand/v2"

	"github.com/tensorgl/tensorgl/device"
)

// elmanCases are the recurrences of the Elman tests: one unit and one
// step, odd sizes, more rows than a work group takes, a row wider than a
// work group, a long sequence, each activation and direction, and sizes
// drawn per subtest (Steps 0).
var elmanCases = []struct {
	name string
	p    device.ElmanParams
}{
	{"one", device.ElmanParams{Steps: 1, Batch: 1, Hidden: 1, Act: device.ActTanh}},
	{"odd", device.ElmanParams{Steps: 3, Batch: 3, Hidden: 5, Act: device.ActRelu}},
	{"rows-reverse", device.ElmanParams{Steps: 4, Batch: 7, Hidden: 33, Act: device.ActSigmoid, Reverse: true}},
	{"wide-identity", device.ElmanParams{Steps: 2, Batch: 2, Hidden: 130}},
	{"long-leaky", device.ElmanParams{Steps: 20, Batch: 2, Hidden: 8, Act: device.ActLeakyRelu, Slope: -0.5}},
	{"random", device.ElmanParams{}},
}

// elmanParams returns the case's parameters, drawing the random case's:
// Steps in [1, 6], Batch in [1, 9], Hidden in [1, 70], any activation and
// direction.
func elmanParams(r *rand.Rand, p device.ElmanParams) device.ElmanParams {
	if p.Steps != 0 {
		return p
	}
	acts := append([]device.Activation{device.NoActivation}, device.Activations()...)
	p = device.ElmanParams{Steps: 1 + r.IntN(6), Batch: 1 + r.IntN(9), Hidden: 1 + r.IntN(70), Act: acts[r.IntN(len(acts))], Reverse: r.IntN(2) == 0}
	if p.Act == device.ActLeakyRelu {
		p.Slope = 0.2
	}
	return p
}

// elmanWeight draws whh [H, H] scaled by 1/√H, so that the state neither
// dies out nor explodes over the steps, with a few wide values.
func elmanWeight(r *rand.Rand, hidden int) []float32 { return scaledWeight(r, hidden, hidden) }

// scaledWeight draws a [rows, hidden] weight scaled by 1/√hidden, with a
// few wide values.
func scaledWeight(r *rand.Rand, rows, hidden int) []float32 {
	w := draw(r, rows*hidden, device.Mostly(device.Between(-1, 1), device.Wide(2)))
	for i := range w {
		w[i] /= float32(math.Sqrt(float64(hidden)))
	}
	return w
}

// elmanStepRef returns the reference of one step's outputs at time t, with
// their bounds: for row b and unit j, Σ_k prev[b·H+k]·w(j, k) (w(j, k) the
// weight as the step reads it) finished by the epilogue e on the operands
// h at position t·B·H + b·H + j. prev is the state the device produced
// for the step before, so each step's error is bounded on its own.
func elmanStepRef(p device.ElmanParams, t int, prev []float32, w func(j, k int) float32, e epilogueCase, h epilogueData, want, bound []float64) {
	bh := p.Batch * p.Hidden
	for b := range p.Batch {
		for j := range p.Hidden {
			sum, abs := 0.0, 0.0
			if prev != nil {
				for k := range p.Hidden {
					prod := float64(prev[b*p.Hidden+k]) * float64(w(j, k))
					sum += prod
					abs += math.Abs(prod)
				}
			}
			rel := t*bh + b*p.Hidden + j
			want[rel], bound[rel] = e.apply(sum, tol("accumulate").Bound(float64(p.Hidden+2)*abs, 0), h, rel, j)
		}
	}
}

// eachElman runs check as a subtest per case of elmanCases, with the
// case's parameters and its rows' size B·H.
func eachElman(t tb, check func(t tb, r *rand.Rand, p device.ElmanParams, bh int)) {
	for _, c := range elmanCases {
		subtest(t, c.name, func(t tb) {
			r := newRand(t)
			p := elmanParams(r, c.p)
			check(t, r, p, p.Batch*p.Hidden)
		})
	}
}

func testElman(t tb, d device.Device) {
	eachElman(t, func(t tb, r *rand.Rand, p device.ElmanParams, bh int) {
		xw := draw(r, p.Steps*bh, device.Mostly(device.Between(-1, 1), device.Wide(2)))
		whh, h0 := elmanWeight(r, p.Hidden), draw(r, bh, device.Between(-1, 1))
		y := upload(t, d, filled(p.Steps*bh+3, float32(math.NaN())))
		d.Elman(y, upload(t, d, xw), upload(t, d, whh), upload(t, d, h0), p)
		got := download(t, d, y, p.Steps*bh+3)
		want, bound := make([]float64, p.Steps*bh), make([]float64, p.Steps*bh)
		e := epilogueCase{residual: true, act: p.Act, slope: p.Slope}
		prev := h0
		for n := range p.Steps {
			tt := p.Step(n)
			elmanStepRef(p, tt, prev, func(j, k int) float32 { return whh[j*p.Hidden+k] }, e, epilogueData{residual: xw}, want, bound)
			prev = got[tt*bh : (tt+1)*bh]
		}
		expectClose(t, describe(p)+": y", got[:p.Steps*bh], want, bound)
		expectEqual(t, describe(p)+": past y", got[p.Steps*bh:], filled(3, float32(math.NaN())))
	})
}

func testElmanBackward(t tb, d device.Device) {
	eachElman(t, func(t tb, r *rand.Rand, p device.ElmanParams, bh int) {
		g := draw(r, p.Steps*bh, device.Mostly(device.Between(-1, 1), device.Wide(2)))
		whh := elmanWeight(r, p.Hidden)
		// Saved outputs as the activation makes them (see epilogueCase.make).
		dom := device.Mostly(device.Between(-1, 1), device.OneOf(0))
		if p.Act == device.ActSigmoid {
			dom = device.Between(0, 1)
		}
		y := draw(r, p.Steps*bh, dom)
		dz := upload(t, d, filled(p.Steps*bh+3, float32(math.NaN())))
		d.ElmanBackward(dz, upload(t, d, g), upload(t, d, whh), upload(t, d, y), p)
		got := download(t, d, dz, p.Steps*bh+3)
		want, bound := make([]float64, p.Steps*bh), make([]float64, p.Steps*bh)
		e := epilogueCase{residual: true, act: p.Act, slope: p.Slope, grad: p.Act != device.NoActivation}
		h := epilogueData{residual: g}
		if e.grad {
			h.actOut = y
		}
		var later []float32 // the device's dz of the step after, in the forward's order
		for n := p.Steps - 1; n >= 0; n-- {
			tt := p.Step(n)
			elmanStepRef(p, tt, later, func(j, k int) float32 { return whh[k*p.Hidden+j] }, e, h, want, bound)
			later = got[tt*bh : (tt+1)*bh]
		}
		expectClose(t, describe(p)+": dz", got[:p.Steps*bh], want, bound)
		expectEqual(t, describe(p)+": past dz", got[p.Steps*bh:], filled(3, float32(math.NaN())))
	})
}
