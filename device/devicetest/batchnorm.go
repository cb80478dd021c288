package devicetest

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/tensorgl/tensorgl/device"
)

// bnCases are the layouts of the batch-norm tests: x [N, C, Inner]. Each
// channel's values are centred at a random point of ±center with a spread
// drawn in [0.1, 3]; a center of 1e3 makes E[x²] − E[x]² cancel to
// nothing, as a one-pass variance would. Inner 1 is BatchNorm1d on [N, C];
// "wide" has more values per channel than a work group has invocations.
var bnCases = []struct {
	name        string
	n, c, inner int
	center      float64
}{
	{"two", 2, 1, 1, 1},
	{"1d", 7, 5, 1, 3},
	{"odd", 3, 5, 7, 3},
	{"wide", 3, 2, 301, 2},
	{"large-mean", 5, 3, 41, 1e3},
	{"random", 0, 0, 0, 10},
}

// bnParams returns the case's parameters, drawing the random case's sizes
// in [1, 6] × [1, 9] × [1, 40] with at least two values per channel.
func bnParams(r *rand.Rand, n, c, inner int) device.BatchNormParams {
	if n == 0 {
		n, c, inner = 1+r.IntN(6), 1+r.IntN(9), 1+r.IntN(40)
		if n*inner < 2 {
			n = 2
		}
	}
	return device.BatchNormParams{N: n, C: c, Inner: inner, Eps: 1e-5, Momentum: 0.1}
}

// bnInput draws x [N, C, Inner], channel by channel about its own centre.
func bnInput(r *rand.Rand, p device.BatchNormParams, center float64) []float32 {
	x := make([]float32, p.N*p.C*p.Inner)
	for ch := range p.C {
		mu, s := center*(2*r.Float64()-1), 0.1+2.9*r.Float64()
		if ch == 1 && center == 1e3 {
			mu = 1e3 // exactly at the centre, with the smallest spread
			s = 0.1
		}
		forChannel(p, ch, func(i int) { x[i] = float32(mu + s*r.NormFloat64()) })
	}
	return x
}

// forChannel calls fn with the offset of each of channel ch's values, in order.
func forChannel(p device.BatchNormParams, ch int, fn func(i int)) {
	for n := range p.N {
		for i := range p.Inner {
			fn((n*p.C+ch)*p.Inner + i)
		}
	}
}

// newSlot uploads data followed by sentinels, for an operand the kernels
// address from offset 0.
func newSlot(t tb, d device.Device, data []float32) slot {
	t.Helper()
	return slot{buf: upload(t, d, append(append([]float32(nil), data...), filled(3, sentinel)...)), n: len(data)}
}

// invStd64 returns the normalising factor and its error bound from the
// invstd operand: the operand itself, or with Eval 1/√(v + eps) within
// GLSL's inversesqrt and the add's rounding.
func invStd64(p device.BatchNormParams, v float32) (is, err float64) {
	if !p.Eval {
		return f64(v), 0
	}
	is = 1 / math.Sqrt(f64(v)+float64(p.Eps))
	return is, tol("rsqrt").Bound(is, 0) + tol("round").Bound(is, 0)
}

func testBatchNormStats(t tb, d device.Device) {
	for ci, c := range bnCases {
		subtest(t, c.name, func(t tb) {
			r := newRand(t)
			p := bnParams(r, c.n, c.c, c.inner)
			p.Track = ci%2 == 0
			x := bnInput(r, p, c.center)
			rm0, rv0 := uniform(r, p.C, -2, 2), uniform(r, p.C, 0.5, 2)
			m := float64(p.N * p.Inner)
			wantM, boundM := make([]float64, p.C), make([]float64, p.C)
			wantI, boundI := make([]float64, p.C), make([]float64, p.C)
			wantRM, boundRM := make([]float64, p.C), make([]float64, p.C)
			wantRV, boundRV := make([]float64, p.C), make([]float64, p.C)
			k := float64(p.Momentum)
			for ch := range p.C {
				var sum, abs float64
				forChannel(p, ch, func(i int) { sum, abs = sum+f64(x[i]), abs+math.Abs(f64(x[i])) })
				mu := sum / m
				var sq float64
				forChannel(p, ch, func(i int) { sq += (f64(x[i]) - mu) * (f64(x[i]) - mu) })
				_, em, v, ev, is, eis := statsBounds(sum, abs, sq, m, p.Eps)
				wantM[ch], boundM[ch], wantI[ch], boundI[ch] = mu, em, is, eis
				a, b := (1-k)*f64(rm0[ch]), k*mu
				wantRM[ch], boundRM[ch] = a+b, k*em+tol("round").Bound(4*(math.Abs(a)+math.Abs(b)), 0)
				u := v * m / (m - 1)
				a, b = (1-k)*f64(rv0[ch]), k*u
				wantRV[ch], boundRV[ch] = a+b, k*ev*m/(m-1)+tol("div").Bound(6*(math.Abs(a)+math.Abs(b)), 0)
			}
			xs := newSlot(t, d, x)
			mean, invstd := newSlot(t, d, filled(p.C, float32(math.NaN()))), newSlot(t, d, filled(p.C, float32(math.NaN())))
			rm, rv := newSlot(t, d, rm0), newSlot(t, d, rv0)
			what := describe(p)
			d.BatchNormStats(mean.buf, invstd.buf, rm.buf, rv.buf, xs.buf, p)
			mean.expect(t, d, what+": mean", wantM, boundM)
			invstd.expect(t, d, what+": invstd", wantI, boundI)
			if !p.Track {
				rm.expect(t, d, what+": running mean (not tracked)", asFloat64(rm0), make([]float64, p.C))
				rv.expect(t, d, what+": running var (not tracked)", asFloat64(rv0), make([]float64, p.C))
				return
			}
			rm.expect(t, d, what+": running mean", wantRM, boundRM)
			rv.expect(t, d, what+": running var", wantRV, boundRV)
		})
	}
}

// statsBounds returns, from the float64 sum, sum of magnitudes and squared
// deviations from the mean of m values, their mean, variance (biased) and
// 1/√(var + eps), each with the error bound of a kernel that forms them in
// float32 (BatchNormStats', LayerNorm's): the mean is a sum of m values,
// then a division; the squared deviations from a mean off by δ sum to mδ²
// more, each is within 1.5 ULP, then summed and divided.
func statsBounds(sum, abs, sq, m float64, eps float32) (mu, em, v, ev, is, eis float64) {
	mu, v = sum/m, sq/m
	em = rnd(m*abs)/m + tol("div").Bound(mu, 0)
	sq2 := sq + m*em*em
	ev = em*em + (rnd(m*sq2)+tol("round").Bound(2*sq2, 0))/m + tol("div").Bound(v, 0)
	ve := v + float64(eps)
	is = 1 / math.Sqrt(ve)
	eis = is*(ev+tol("round").Bound(ve, 0))/(2*ve) + tol("rsqrt").Bound(is, 0)
	return mu, em, v, ev, is, eis
}

// asFloat64 widens v.
func asFloat64(v []float32) []float64 {
	w := make([]float64, len(v))
	for i, x := range v {
		w[i] = f64(x)
	}
	return w
}

// bnOperands draws a forward or backward case's per-channel operands: the
// mean of x's channel (rounded to float32, as BatchNormStats leaves it),
// the invstd operand (the variance itself with Eval), the weight (of both
// signs, sometimes 0) and the bias.
func bnOperands(r *rand.Rand, p device.BatchNormParams, x []float32) (mean, invstd, w, b []float32) {
	mean, invstd = make([]float32, p.C), make([]float32, p.C)
	m := float64(p.N * p.Inner)
	for ch := range p.C {
		var sum, sq float64
		forChannel(p, ch, func(i int) { sum += f64(x[i]) })
		forChannel(p, ch, func(i int) { sq += (f64(x[i]) - sum/m) * (f64(x[i]) - sum/m) })
		mean[ch] = float32(sum / m)
		v := sq/m + 0.01 // as a running variance would differ from the batch's
		invstd[ch] = float32(1 / math.Sqrt(v+float64(p.Eps)))
		if p.Eval {
			invstd[ch] = float32(v)
		}
	}
	w = draw(r, p.C, device.Mostly(device.Between(-2, 2), device.OneOf(0, 1)))
	return mean, invstd, w, uniform(r, p.C, -1, 1)
}

// bnModes runs fn for training (batch statistics) and evaluation
// (running statistics) on every case, and with and without the fused ReLU
// when relu (the subtests named .../relu).
func bnModes(t tb, relu bool, fn func(t tb, r *rand.Rand, p device.BatchNormParams, center float64)) {
	relus := []bool{false}
	if relu {
		relus = append(relus, true)
	}
	for _, c := range bnCases {
		for _, eval := range []bool{false, true} {
			for _, rl := range relus {
				name := fmt.Sprintf("%s/eval=%v", c.name, eval)
				if rl {
					name += "/relu"
				}
				subtest(t, name, func(t tb) {
					r := newRand(t)
					p := bnParams(r, c.n, c.c, c.inner)
					p.Eval, p.Relu = eval, rl
					fn(t, r, p, c.center)
				})
			}
		}
	}
}

func testBatchNorm(t tb, d device.Device) {
	bnModes(t, true, func(t tb, r *rand.Rand, p device.BatchNormParams, center float64) {
		x := bnInput(r, p, center)
		mean, invstd, w, b := bnOperands(r, p, x)
		// Without and with a residual added before the ReLU, as a
		// residual block adds its shortcut.
		for _, residual := range []bool{false, true} {
			var res []float32
			if residual {
				res = uniform(r, len(x), -3, 3)
			}
			want, bound := make([]float64, len(x)), make([]float64, len(x))
			for ch := range p.C {
				is, eis := invStd64(p, invstd[ch])
				forChannel(p, ch, func(i int) {
					dx := f64(x[i]) - f64(mean[ch])
					want[i] = dx*is*f64(w[ch]) + f64(b[ch])
					s := math.Abs(dx * is * f64(w[ch]))
					bound[i] = math.Abs(dx*f64(w[ch]))*eis + tol("round").Bound(3*s+math.Abs(want[i]), 0)
					if residual {
						want[i] += f64(res[i])
						bound[i] += tol("round").Bound(math.Abs(want[i]), 0)
					}
					if p.Relu {
						// Within its bound of 0, either side of the
						// kink is right.
						want[i] = max(want[i], 0)
					}
				})
			}
			y := newSlot(t, d, filled(len(x), float32(math.NaN())))
			var rb device.Buffer
			if residual {
				rb = newSlot(t, d, res).buf
			}
			d.BatchNorm(y.buf, newSlot(t, d, x).buf, newSlot(t, d, mean).buf, newSlot(t, d, invstd).buf,
				newSlot(t, d, w).buf, newSlot(t, d, b).buf, rb, p)
			y.expect(t, d, fmt.Sprintf("%s, residual %v: y", describe(p), residual), want, bound)
		}
	})
}

func testBatchNormBackwardReduce(t tb, d device.Device) {
	bnModes(t, true, func(t tb, r *rand.Rand, p device.BatchNormParams, center float64) {
		x := bnInput(r, p, center)
		mean, invstd, _, _ := bnOperands(r, p, x)
		dy := draw(r, len(x), cellGrad)
		m := float64(p.N * p.Inner)
		// With the ReLU, dy is masked by the forward's output y: drawn
		// here with zeros and both signs; the kernel writes the masked
		// gradient dz and sums it.
		var y, dz []float32
		wantZ := make([]float64, len(x))
		if p.Relu {
			y = draw(r, len(x), device.Mostly(device.Between(-2, 2), device.OneOf(0)))
			dz = make([]float32, len(x))
			for i := range dy {
				if y[i] > 0 {
					dz[i], wantZ[i] = dy[i], f64(dy[i])
				}
			}
			dy, dz = dz, dy // the references sum the masked gradient; the kernel gets the unmasked one
		}
		wantW, boundW := make([]float64, p.C), make([]float64, p.C)
		wantB, boundB := make([]float64, p.C), make([]float64, p.C)
		for ch := range p.C {
			is, eis := invStd64(p, invstd[ch])
			var sg, ag, sgx, agx float64
			forChannel(p, ch, func(i int) {
				g, t := f64(dy[i]), f64(dy[i])*(f64(x[i])-f64(mean[ch]))
				sg, ag, sgx, agx = sg+g, ag+math.Abs(g), sgx+t, agx+math.Abs(t)
			})
			wantB[ch], boundB[ch] = sg, rnd(m*ag)
			wantW[ch] = sgx * is
			boundW[ch] = is*(rnd(m*agx)+tol("round").Bound(2*agx, 0)) + math.Abs(sgx)*eis + tol("round").Bound(wantW[ch], 0)
		}
		dw, db := newSlot(t, d, filled(p.C, float32(math.NaN()))), newSlot(t, d, filled(p.C, float32(math.NaN())))
		in := dy
		var ys, zs device.Buffer
		var zslot slot
		if p.Relu {
			in = dz // the unmasked gradient
			zslot = newSlot(t, d, filled(len(x), float32(math.NaN())))
			ys, zs = newSlot(t, d, y).buf, zslot.buf
		}
		d.BatchNormBackwardReduce(dw.buf, db.buf, newSlot(t, d, in).buf, newSlot(t, d, x).buf,
			newSlot(t, d, mean).buf, newSlot(t, d, invstd).buf, ys, zs, p)
		dw.expect(t, d, describe(p)+": dw", wantW, boundW)
		db.expect(t, d, describe(p)+": db", wantB, boundB)
		if p.Relu {
			zslot.expect(t, d, describe(p)+": dz", wantZ, make([]float64, len(x)))
		}
	})
}

func testBatchNormBackward(t tb, d device.Device) {
	bnModes(t, false, func(t tb, r *rand.Rand, p device.BatchNormParams, center float64) {
		x := bnInput(r, p, center)
		mean, invstd, w, _ := bnOperands(r, p, x)
		dy := draw(r, len(x), cellGrad)
		m := float64(p.N * p.Inner)
		// dw and db as BatchNormBackwardReduce would write them, give or
		// take: the kernel must combine whatever it is given.
		dw, db := uniform(r, p.C, -3, 3), uniform(r, p.C, -3, 3)
		want, bound := make([]float64, len(x)), make([]float64, len(x))
		for ch := range p.C {
			is, eis := invStd64(p, invstd[ch])
			k := f64(w[ch]) * is
			forChannel(p, ch, func(i int) {
				if p.Eval {
					want[i] = k * f64(dy[i])
					bound[i] = math.Abs(f64(w[ch])*f64(dy[i]))*eis + tol("round").Bound(2*want[i], 0)
					return
				}
				a, c := f64(db[ch])/m, (f64(x[i])-f64(mean[ch]))*f64(dw[ch])/m*is
				want[i] = k * (f64(dy[i]) - a - c)
				bound[i] = tol("div").Bound(4*math.Abs(k)*(math.Abs(f64(dy[i]))+math.Abs(a)+math.Abs(c)), 0)
			})
		}
		dx := newSlot(t, d, filled(len(x), float32(math.NaN())))
		d.BatchNormBackward(dx.buf, newSlot(t, d, dy).buf, newSlot(t, d, x).buf, newSlot(t, d, mean).buf,
			newSlot(t, d, invstd).buf, newSlot(t, d, w).buf, newSlot(t, d, dw).buf, newSlot(t, d, db).buf, p)
		dx.expect(t, d, describe(p)+": dx", want, bound)
	})
}
