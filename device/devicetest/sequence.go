package devicetest

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/tensorgl/tensorgl/device"
)

// sequenceCases are the recurrences of the whole-sequence LSTM and GRU
// tests: one step of one unit, odd sizes, a row longer than a work group
// run in reverse, and sizes drawn per subtest.
var sequenceCases = []struct {
	name string
	p    device.RecurrenceParams
}{
	{"one", device.RecurrenceParams{Steps: 1, Batch: 1, Hidden: 1}},
	{"odd", device.RecurrenceParams{Steps: 3, Batch: 3, Hidden: 5}},
	{"reverse", device.RecurrenceParams{Steps: 4, Batch: 2, Hidden: 33, Reverse: true}},
	{"random", device.RecurrenceParams{}},
}

// eachSequence runs check as a subtest per case of sequenceCases, drawing
// the random case's sizes in [1, 5] steps × [1, 6] rows × [1, 40] units.
func eachSequence(t tb, check func(t tb, r *rand.Rand, p device.RecurrenceParams, bh int)) {
	for _, c := range sequenceCases {
		subtest(t, c.name, func(t tb) {
			r := newRand(t)
			p := c.p
			if p.Steps == 0 {
				p = device.RecurrenceParams{Steps: 1 + r.IntN(5), Batch: 1 + r.IntN(6), Hidden: 1 + r.IntN(40), Reverse: r.IntN(2) == 1}
			}
			check(t, r, p, p.Batch*p.Hidden)
		})
	}
}

// nanOutput uploads n NaNs and 3 more past the end, which the kernel must
// overwrite and leave alone.
func nanOutput(t tb, d device.Device, n int) device.Buffer {
	return upload(t, d, filled(n+3, float32(math.NaN())))
}

// downloadOutput downloads nanOutput's n values and checks the 3 after.
func downloadOutput(t tb, d device.Device, what string, b device.Buffer, n int) []float32 {
	t.Helper()
	got := download(t, d, b, n+3)
	expectEqual(t, what+": past the end", got[n:], filled(3, float32(math.NaN())))
	return got[:n]
}

// stepWhat names step tt of a recurrence in a failure.
func stepWhat(p device.RecurrenceParams, tt int, what string) string {
	return fmt.Sprintf("%s: step %d: %s", describe(p), tt, what)
}

// testLSTM checks each step against LSTMStep's reference, from the state
// the device computed at the step before.
func testLSTM(t tb, d device.Device) {
	eachSequence(t, func(t tb, r *rand.Rand, p device.RecurrenceParams, bh int) {
		T, b4 := p.Steps, 4*bh
		xw, whh := draw(r, T*b4, preact), lstmWeight(r, p.Hidden)
		h0, c0 := draw(r, bh, lstmH), draw(r, bh, lstmC)
		y, gates := nanOutput(t, d, 2*T*bh), nanOutput(t, d, T*b4)
		d.LSTM(y, gates, upload(t, d, xw), upload(t, d, whh), upload(t, d, h0), upload(t, d, c0), p)
		gy := downloadOutput(t, d, describe(p)+": y", y, 2*T*bh)
		gg := downloadOutput(t, d, describe(p)+": gates", gates, T*b4)
		hp, cp := h0, c0
		for n := range T {
			tt := p.Step(n)
			w := lstmStepWant(xw[tt*b4:][:b4], whh, hp, cp, p.Batch, p.Hidden)
			h, c := gy[tt*bh:][:bh], gy[(T+tt)*bh:][:bh]
			expectClose(t, stepWhat(p, tt, "gates"), gg[tt*b4:][:b4], w.gates, w.boundG)
			expectClose(t, stepWhat(p, tt, "h"), h, w.h, w.boundH)
			expectClose(t, stepWhat(p, tt, "c"), c, w.c, w.boundC)
			hp, cp = h, c
		}
	})
}

// testLSTMBackward checks each step's dgates against LSTMStepBackward's
// reference, dnext the device's dgates of the step after; the gradient of
// c passes from step to step inside the kernel, so its reference is
// carried along in float64 with its bound.
func testLSTMBackward(t tb, d device.Device) {
	eachSequence(t, func(t tb, r *rand.Rand, p device.RecurrenceParams, bh int) {
		T, b4, H := p.Steps, 4*bh, p.Hidden
		whh := lstmWeight(r, H)
		gv := activated(r, T*p.Batch, 4, H, 2)
		yv := append(draw(r, T*bh, device.Between(-1, 1)), draw(r, T*bh, savedC)...)
		c0, g := draw(r, bh, savedPrev), draw(r, 2*T*bh, cellGrad)
		dgates, dc := nanOutput(t, d, T*b4), nanOutput(t, d, bh)
		d.LSTMBackward(dgates, dc, upload(t, d, g), upload(t, d, whh), upload(t, d, gv), upload(t, d, yv), upload(t, d, c0), p)
		gd := downloadOutput(t, d, describe(p)+": dgates", dgates, T*b4)
		gdc := downloadOutput(t, d, describe(p)+": dc", dc, bh)
		dcRef, dcErr := make([]float64, bh), make([]float64, bh)
		for n := T - 1; n >= 0; n-- {
			tt := p.Step(n)
			cPrev := c0
			if n > 0 {
				cPrev = yv[(T+p.Step(n-1))*bh:][:bh]
			}
			var dnext []float32
			if n == T-1 {
				for e := range bh {
					dcRef[e], dcErr[e] = f64(g[(T+tt)*bh+e]), 0
				}
			} else {
				dnext = gd[p.Step(n+1)*b4:][:b4]
			}
			w := lstmBackwardWant(p.Batch, H, func(k, e int) lstmUnitGrad {
				b, j := e/H, e%H
				sum, abs := f64(g[tt*bh+e]), math.Abs(f64(g[tt*bh+e]))
				for l := range len(dnext) / p.Batch {
					prod := f64(dnext[b*4*H+l]) * f64(whh[l*H+j])
					sum += prod
					abs += math.Abs(prod)
				}
				return lstmCellBackwardRef(savedGates(gv[tt*b4:], k, H), f64(yv[(T+tt)*bh+e]), f64(cPrev[e]), sum,
					tol("accumulate").Bound(float64(4*H+2)*abs, 0), dcRef[e], dcErr[e])
			})
			expectClose(t, stepWhat(p, tt, "dgates"), gd[tt*b4:][:b4], w.dgates, w.boundD)
			copy(dcRef, w.dcPrev)
			copy(dcErr, w.boundP)
		}
		expectClose(t, describe(p)+": dc", gdc, dcRef, dcErr)
	})
}

// testGRU checks each step against GRUStep's reference, from the state
// the device computed at the step before, with a bias in odd cases.
func testGRU(t tb, d device.Device) {
	ci := 0 // the case's number: a bias in every other one
	eachSequence(t, func(t tb, r *rand.Rand, p device.RecurrenceParams, bh int) {
		T, b3 := p.Steps, 3*bh
		xw, whh, h0 := draw(r, T*b3, preact), gruWeight(r, p.Hidden), draw(r, bh, lstmH)
		var bias []float32
		var bb device.Buffer
		if ci++; ci%2 == 0 {
			bias = draw(r, 3*p.Hidden, device.Between(-1, 1))
			bb = upload(t, d, bias)
		}
		y, gates := nanOutput(t, d, T*bh), nanOutput(t, d, 4*T*bh)
		d.GRU(y, gates, upload(t, d, xw), upload(t, d, whh), bb, upload(t, d, h0), p)
		gy := downloadOutput(t, d, describe(p)+": y", y, T*bh)
		gg := downloadOutput(t, d, describe(p)+": gates", gates, 4*T*bh)
		hp := h0
		for n := range T {
			tt := p.Step(n)
			w := gruStepWant(xw[tt*b3:][:b3], whh, bias, hp, p.Batch, p.Hidden)
			h := gy[tt*bh:][:bh]
			expectClose(t, stepWhat(p, tt, "gates"), gg[tt*4*bh:][:4*bh], w.gates, w.boundG)
			expectClose(t, stepWhat(p, tt, "h"), h, w.h, w.boundH)
			hp = h
		}
	})
}

// testGRUBackward checks each step's dx and dhh against GRUStepBackward's
// reference, dnext the device's dhh of the step after; dh·z passes from
// step to step inside the kernel, so its reference is carried along in
// float64 with its bound.
func testGRUBackward(t tb, d device.Device) {
	eachSequence(t, func(t tb, r *rand.Rand, p device.RecurrenceParams, bh int) {
		T, b3, H := p.Steps, 3*bh, p.Hidden
		whh := gruWeight(r, H)
		gv := gruSaved(r, T*p.Batch, H)
		yv, h0, g := draw(r, T*bh, device.Between(-1, 1)), draw(r, bh, device.Between(-1, 1)), draw(r, T*bh, cellGrad)
		dx, dhh, dh := nanOutput(t, d, T*b3), nanOutput(t, d, T*b3), nanOutput(t, d, bh)
		d.GRUBackward(dx, dhh, dh, upload(t, d, g), upload(t, d, whh), upload(t, d, gv), upload(t, d, yv), upload(t, d, h0), p)
		gx := downloadOutput(t, d, describe(p)+": dx", dx, T*b3)
		ghh := downloadOutput(t, d, describe(p)+": dhh", dhh, T*b3)
		gdh := downloadOutput(t, d, describe(p)+": dh", dh, bh)
		dhRef, dhErr := make([]float64, bh), make([]float64, bh)
		for n := T - 1; n >= 0; n-- {
			tt := p.Step(n)
			prev := h0
			if n > 0 {
				prev = yv[p.Step(n-1)*bh:][:bh]
			}
			var dnext []float32
			if n < T-1 {
				dnext = ghh[p.Step(n+1)*b3:][:b3]
			}
			w := gruBackwardWant(p.Batch, H, func(b, j int) gruUnitGrad {
				e := b*H + j
				sum, abs := dhRef[e]+f64(g[tt*bh+e]), math.Abs(dhRef[e])+math.Abs(f64(g[tt*bh+e]))
				for l := range len(dnext) / p.Batch {
					prod := f64(dnext[b*3*H+l]) * f64(whh[l*H+j])
					sum += prod
					abs += math.Abs(prod)
				}
				return gruCellBackwardRef(savedGates(gv[tt*4*bh:], b*4*H+j, H), f64(prev[e]), sum,
					tol("accumulate").Bound(float64(3*H+3)*abs, 0)+dhErr[e])
			})
			expectClose(t, stepWhat(p, tt, "dx"), gx[tt*b3:][:b3], w.dx, w.boundX)
			expectClose(t, stepWhat(p, tt, "dhh"), ghh[tt*b3:][:b3], w.dhh, w.boundHH)
			copy(dhRef, w.dhPrev)
			copy(dhErr, w.boundP)
		}
		expectClose(t, describe(p)+": dh", gdh, dhRef, dhErr)
	})
}
