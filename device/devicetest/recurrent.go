package devicetest

import (
	"math"
	"math/rand/v2"

	"github.com/tensorgl/tensorgl/device"
)

// cellCases are the step sizes of the recurrent-cell tests: one unit, odd
// sizes, a row longer than a work group, and sizes drawn per subtest.
var cellCases = []struct {
	name          string
	batch, hidden int
}{
	{"one", 1, 1},
	{"odd", 3, 5},
	{"rows", 7, 33},
	{"wide", 2, 130},
	{"random", 0, 0},
}

// cellSizes returns the case's batch and hidden sizes, drawing the random
// case's in [1, 9] × [1, 80].
func cellSizes(r *rand.Rand, batch, hidden int) (int, int) {
	if batch == 0 {
		return 1 + r.IntN(9), 1 + r.IntN(80)
	}
	return batch, hidden
}

// Pre-activations are mostly moderate, sometimes saturating (±12, ±30).
var (
	preact   = device.Mostly(device.Between(-4, 4), device.OneOf(30, -30, 12, -12))
	cellGrad = device.Mostly(device.Between(-1, 1), device.Wide(2))
)

// slot is an operand of a step placed at a random offset in a buffer of
// sentinels, as a step's slice of a sequence buffer is.
type slot struct {
	buf    device.Buffer
	off, n int
}

// place uploads data at an offset in [0, 8) with sentinels before and after.
func place(t tb, d device.Device, r *rand.Rand, data []float32) slot {
	t.Helper()
	off := r.IntN(8)
	all := filled(off+len(data)+3, sentinel)
	copy(all[off:], data)
	return slot{upload(t, d, all), off, len(data)}
}

// output places n NaNs, which the kernel must overwrite.
func output(t tb, d device.Device, r *rand.Rand, n int) slot {
	t.Helper()
	return place(t, d, r, filled(n, float32(math.NaN())))
}

// expect checks the slot against want within bound, and that the
// sentinels around it are untouched.
func (s slot) expect(t tb, d device.Device, what string, want, bound []float64) {
	t.Helper()
	got := download(t, d, s.buf, s.off+s.n+3)
	expectClose(t, what, got[s.off:s.off+s.n], want, bound)
	expectEqual(t, what+": before the step", got[:s.off], filled(s.off, sentinel))
	expectEqual(t, what+": after the step", got[s.off+s.n:], filled(3, sentinel))
}

// Error bounds of the cells' parts: one rounding relative to scale, and
// the stated sigmoid and tanh tolerances.
func rnd(scale float64) float64 { return tol("accumulate").Bound(scale, 0) }

func sigmoid64(a float64) (v, err float64) {
	v = 1 / (1 + math.Exp(-a))
	return v, tol("sigmoid").Bound(v, math.Min(a, 0))
}

func tanh64(a float64) (v, err float64) {
	v = math.Tanh(a)
	return v, tol("tanh").Bound(v, a)
}

func f64(x float32) float64 { return float64(x) }

func testLSTMCell(t tb, d device.Device) {
	for _, c := range cellCases {
		subtest(t, c.name, func(t tb) {
			r := newRand(t)
			batch, hidden := cellSizes(r, c.batch, c.hidden)
			a, cp := draw(r, batch*4*hidden, preact), draw(r, batch*hidden, device.Mostly(device.Between(-2, 2), device.OneOf(30, -30)))
			n := batch * hidden
			wantG, boundG := make([]float64, 4*n), make([]float64, 4*n)
			wantC, boundC := make([]float64, n), make([]float64, n)
			wantH, boundH := make([]float64, n), make([]float64, n)
			for b := range batch {
				for j := range hidden {
					k, e := b*4*hidden+j, b*hidden+j
					i, ei := sigmoid64(f64(a[k]))
					f, ef := sigmoid64(f64(a[k+hidden]))
					g, eg := tanh64(f64(a[k+2*hidden]))
					o, eo := sigmoid64(f64(a[k+3*hidden]))
					for q, v := range [][2]float64{{i, ei}, {f, ef}, {g, eg}, {o, eo}} {
						wantG[k+q*hidden], boundG[k+q*hidden] = v[0], v[1]
					}
					p := f64(cp[e])
					cv := f*p + i*g
					ec := math.Abs(p)*ef + math.Abs(g)*ei + math.Abs(i)*eg + rnd(3*(math.Abs(f*p)+math.Abs(i*g)))
					tc, etc := tanh64(cv)
					etc += (1 - tc*tc) * ec
					wantC[e], boundC[e] = cv, ec
					wantH[e], boundH[e] = o*tc, math.Abs(tc)*eo+o*etc+rnd(math.Abs(o*tc))
				}
			}
			p := device.LSTMCellParams{Batch: batch, Hidden: hidden}
			h, cs, gates, prev := output(t, d, r, n), output(t, d, r, n), place(t, d, r, a), place(t, d, r, cp)
			p.OffH, p.OffC, p.OffGates, p.OffCPrev = h.off, cs.off, gates.off, prev.off
			d.LSTMCell(h.buf, cs.buf, gates.buf, prev.buf, p)
			gates.expect(t, d, describe(p)+": gates", wantG, boundG)
			cs.expect(t, d, describe(p)+": c", wantC, boundC)
			h.expect(t, d, describe(p)+": h", wantH, boundH)
		})
	}
}

// activated returns the LSTM's or GRU's saved gates for pre-activations
// drawn from preact: σ, except tanh for the blocks tanhBlocks lists.
func activated(r *rand.Rand, rows, blocks, hidden int, tanhBlocks ...int) []float32 {
	v := draw(r, rows*blocks*hidden, preact)
	for k := range v {
		x := f64(v[k])
		if b := k / hidden % blocks; b == tanhBlocks[0] || (len(tanhBlocks) > 1 && b == tanhBlocks[1]) {
			v[k] = float32(math.Tanh(x))
		} else {
			v[k] = float32(1 / (1 + math.Exp(-x)))
		}
	}
	return v
}

func testLSTMCellBackward(t tb, d device.Device) {
	for ci, c := range cellCases {
		subtest(t, c.name, func(t tb) {
			r := newRand(t)
			batch, hidden := cellSizes(r, c.batch, c.hidden)
			n := batch * hidden
			gv := activated(r, batch, 4, hidden, 2)
			cv := draw(r, n, device.Mostly(device.Between(-3, 3), device.OneOf(30, -30)))
			cp, dh, dc := draw(r, n, device.Between(-3, 3)), draw(r, n, cellGrad), draw(r, n, cellGrad)
			wantD, boundD := make([]float64, 4*n), make([]float64, 4*n)
			wantP, boundP := make([]float64, n), make([]float64, n)
			for b := range batch {
				for j := range hidden {
					k, e := b*4*hidden+j, b*hidden+j
					i, f, g, o := f64(gv[k]), f64(gv[k+hidden]), f64(gv[k+2*hidden]), f64(gv[k+3*hidden])
					tc, etc := tanh64(f64(cv[e]))
					d, p := f64(dh[e]), f64(cp[e])
					dct := f64(dc[e]) + d*o*(1-tc*tc)
					abs := math.Abs(f64(dc[e])) + math.Abs(d*o)*(1+tc*tc)
					edct := rnd(4*abs) + math.Abs(2*d*o*tc)*etc
					set := func(q int, kq, scale float64) {
						wantD[k+q*hidden] = dct * kq
						boundD[k+q*hidden] = math.Abs(kq)*edct + rnd(6*scale*abs)
					}
					set(0, g*i*(1-i), math.Abs(g*i*(1-i)))
					set(1, p*f*(1-f), math.Abs(p*f*(1-f)))
					set(2, i*(1-g*g), math.Abs(i)*(1+g*g))
					wantD[k+3*hidden] = d * tc * o * (1 - o)
					boundD[k+3*hidden] = math.Abs(d*o*(1-o))*etc + rnd(6*math.Abs(d*tc*o*(1-o)))
					wantP[e], boundP[e] = dct*f, f*edct+rnd(2*f*abs)
				}
			}
			p := device.LSTMCellParams{Batch: batch, Hidden: hidden}
			dgates, dhs, dcs := output(t, d, r, 4*n), place(t, d, r, dh), place(t, d, r, dc)
			gates, cs, prev := place(t, d, r, gv), place(t, d, r, cv), place(t, d, r, cp)
			dprev := dcs // in place, as a sequence's backward runs it
			if ci%2 == 0 {
				dprev = output(t, d, r, n)
			}
			p.OffDGates, p.OffDCPrev, p.OffDH, p.OffDC = dgates.off, dprev.off, dhs.off, dcs.off
			p.OffGates, p.OffC, p.OffCPrev = gates.off, cs.off, prev.off
			d.LSTMCellBackward(dgates.buf, dprev.buf, dhs.buf, dcs.buf, gates.buf, cs.buf, prev.buf, p)
			dgates.expect(t, d, describe(p)+": dgates", wantD, boundD)
			dprev.expect(t, d, describe(p)+": dcPrev", wantP, boundP)
		})
	}
}

func testGRUCell(t tb, d device.Device) {
	for _, c := range cellCases {
		subtest(t, c.name, func(t tb) {
			r := newRand(t)
			batch, hidden := cellSizes(r, c.batch, c.hidden)
			n := batch * hidden
			x, hh := draw(r, 3*n, preact), draw(r, 3*n, preact)
			hp := draw(r, n, device.Between(-1, 1))
			wantG, boundG := make([]float64, 4*n), make([]float64, 4*n)
			wantH, boundH := make([]float64, n), make([]float64, n)
			for b := range batch {
				for j := range hidden {
					k, g, e := b*3*hidden+j, b*4*hidden+j, b*hidden+j
					gate := func(q int) (float64, float64) {
						xa, ha := f64(x[k+q*hidden]), f64(hh[k+q*hidden])
						v, err := sigmoid64(xa + ha)
						return v, err + v*(1-v)*rnd(math.Abs(xa)+math.Abs(ha))
					}
					rv, er := gate(0)
					zv, ez := gate(1)
					hn, xn := f64(hh[k+2*hidden]), f64(x[k+2*hidden])
					sn := xn + rv*hn
					nv, en := tanh64(sn)
					en += (1 - nv*nv) * (math.Abs(hn)*er + rnd(2*(math.Abs(xn)+math.Abs(rv*hn))))
					p := f64(hp[e])
					wantG[g], boundG[g] = rv, er
					wantG[g+hidden], boundG[g+hidden] = zv, ez
					wantG[g+2*hidden], boundG[g+2*hidden] = nv, en
					wantG[g+3*hidden] = hn
					wantH[e] = nv + zv*(p-nv)
					boundH[e] = (1-zv)*en + math.Abs(p-nv)*ez + rnd(3*(math.Abs(nv)+zv*(math.Abs(p)+math.Abs(nv))))
				}
			}
			p := device.GRUCellParams{Batch: batch, Hidden: hidden}
			h, gates, xs, hhs, prev := output(t, d, r, n), output(t, d, r, 4*n), place(t, d, r, x), place(t, d, r, hh), place(t, d, r, hp)
			p.OffH, p.OffGates, p.OffX, p.OffHH, p.OffHPrev = h.off, gates.off, xs.off, hhs.off, prev.off
			d.GRUCell(h.buf, gates.buf, xs.buf, hhs.buf, prev.buf, p)
			gates.expect(t, d, describe(p)+": gates", wantG, boundG)
			h.expect(t, d, describe(p)+": h", wantH, boundH)
		})
	}
}

func testGRUCellBackward(t tb, d device.Device) {
	for ci, c := range cellCases {
		subtest(t, c.name, func(t tb) {
			r := newRand(t)
			batch, hidden := cellSizes(r, c.batch, c.hidden)
			n := batch * hidden
			gv := activated(r, batch, 4, hidden, 2, 3) // r, z, n and hh_n (any value: a tanh is one)
			hp, dh := draw(r, n, device.Between(-1, 1)), draw(r, n, cellGrad)
			wantX, boundX := make([]float64, 3*n), make([]float64, 3*n)
			wantHH, boundHH := make([]float64, 3*n), make([]float64, 3*n)
			wantP, boundP := make([]float64, n), make([]float64, n)
			for b := range batch {
				for j := range hidden {
					g, k, e := b*4*hidden+j, b*3*hidden+j, b*hidden+j
					gv[g+3*hidden] *= 3
					rv, zv, nv, hn := f64(gv[g]), f64(gv[g+hidden]), f64(gv[g+2*hidden]), f64(gv[g+3*hidden])
					dv, p := f64(dh[e]), f64(hp[e])
					an := dv * (1 - zv) * (1 - nv*nv)
					ean := rnd(6 * math.Abs(dv*(1-zv)) * (1 + nv*nv))
					ar := an * hn * rv * (1 - rv)
					ear := math.Abs(hn*rv*(1-rv))*ean + rnd(6*math.Abs(ar))
					az := dv * (p - nv) * zv * (1 - zv)
					eaz := rnd(6 * math.Abs(dv) * (math.Abs(p) + math.Abs(nv)) * zv * (1 - zv))
					for q, v := range [][2]float64{{ar, ear}, {az, eaz}, {an, ean}} {
						wantX[k+q*hidden], boundX[k+q*hidden] = v[0], v[1]
						wantHH[k+q*hidden], boundHH[k+q*hidden] = v[0], v[1]
					}
					wantHH[k+2*hidden], boundHH[k+2*hidden] = an*rv, rv*ean+rnd(2*math.Abs(an*rv))
					wantP[e], boundP[e] = dv*zv, rnd(math.Abs(dv*zv))
				}
			}
			p := device.GRUCellParams{Batch: batch, Hidden: hidden}
			dx, dhh, dhs := output(t, d, r, 3*n), output(t, d, r, 3*n), place(t, d, r, dh)
			gates, prev := place(t, d, r, gv), place(t, d, r, hp)
			dprev := dhs // in place, as a sequence's backward runs it
			if ci%2 == 0 {
				dprev = output(t, d, r, n)
			}
			p.OffDX, p.OffDHH, p.OffDHPrev, p.OffDH, p.OffGates, p.OffHPrev = dx.off, dhh.off, dprev.off, dhs.off, gates.off, prev.off
			d.GRUCellBackward(dx.buf, dhh.buf, dprev.buf, dhs.buf, gates.buf, prev.buf, p)
			dx.expect(t, d, describe(p)+": dx", wantX, boundX)
			dhh.expect(t, d, describe(p)+": dhh", wantHH, boundHH)
			dprev.expect(t, d, describe(p)+": dhPrev", wantP, boundP)
		})
	}
}
