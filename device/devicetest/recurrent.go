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
	lo     int // where the sentinels before it begin
}

// place uploads data at an offset in [0, 8) with sentinels before and after.
func place(t tb, d device.Device, r *rand.Rand, data []float32) slot {
	t.Helper()
	off := r.IntN(8)
	all := filled(off+len(data)+3, sentinel)
	copy(all[off:], data)
	return slot{buf: upload(t, d, all), off: off, n: len(data)}
}

// packed uploads several operands into one buffer, as a sequence buffer
// holds a step's state beside the step before's: each after 3–8
// sentinels, the last followed by 3. A nil operand is n NaNs, which the
// kernel must overwrite, for the matching entry of ns.
func packed(t tb, d device.Device, r *rand.Rand, data [][]float32, ns []int) []slot {
	t.Helper()
	var all []float32
	slots := make([]slot, len(data))
	for i, v := range data {
		if v == nil {
			v = filled(ns[i], float32(math.NaN()))
		}
		lo := len(all)
		all = append(all, filled(3+r.IntN(6), sentinel)...)
		slots[i] = slot{off: len(all), n: len(v), lo: lo}
		all = append(all, v...)
	}
	all = append(all, filled(3, sentinel)...)
	buf := upload(t, d, all)
	for i := range slots {
		slots[i].buf = buf
	}
	return slots
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
	expectEqual(t, what+": before the step", got[s.lo:s.off], filled(s.off-s.lo, sentinel))
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

// eachCell runs check as a subtest per case of cellCases, with the case's
// index and its sizes.
func eachCell(t tb, check func(t tb, r *rand.Rand, ci, batch, hidden int)) {
	for ci, c := range cellCases {
		subtest(t, c.name, func(t tb) {
			r := newRand(t)
			batch, hidden := cellSizes(r, c.batch, c.hidden)
			check(t, r, ci, batch, hidden)
		})
	}
}

// lstmWant is the reference of an LSTM step's outputs, with their bounds.
type lstmWant struct {
	gates, boundG, c, boundC, h, boundH []float64
}

// lstmForwardWant collects the reference of a step unit by unit: unit
// returns that of the unit whose gates start at k and whose state is at e.
func lstmForwardWant(batch, hidden int, unit func(k, e int) lstmUnit) lstmWant {
	n := batch * hidden
	w := lstmWant{make([]float64, 4*n), make([]float64, 4*n), make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)}
	eachUnit(batch, hidden, func(k, e int) {
		u := unit(k, e)
		for q := range 4 {
			w.gates[k+q*hidden], w.boundG[k+q*hidden] = u.gates[q], u.boundG[q]
		}
		w.c[e], w.boundC[e], w.h[e], w.boundH[e] = u.c, u.boundC, u.h, u.boundH
	})
	return w
}

// eachUnit calls f for every unit of a step of LSTM gates [batch, 4·hidden]
// with the index k of the unit's first gate and e of its state.
func eachUnit(batch, hidden int, f func(k, e int)) {
	for b := range batch {
		for j := range hidden {
			f(b*4*hidden+j, b*hidden+j)
		}
	}
}

// lstmGradWant is the reference of an LSTM step's gradients, with their
// bounds.
type lstmGradWant struct {
	dgates, boundD, dcPrev, boundP []float64
}

// lstmBackwardWant collects the reference of a step's gradients unit by
// unit, as lstmForwardWant does.
func lstmBackwardWant(batch, hidden int, unit func(k, e int) lstmUnitGrad) lstmGradWant {
	n := batch * hidden
	w := lstmGradWant{make([]float64, 4*n), make([]float64, 4*n), make([]float64, n), make([]float64, n)}
	eachUnit(batch, hidden, func(k, e int) {
		u := unit(k, e)
		for q := range 4 {
			w.dgates[k+q*hidden], w.boundD[k+q*hidden] = u.dgates[q], u.boundD[q]
		}
		w.dcPrev[e], w.boundP[e] = u.dcPrev, u.boundP
	})
	return w
}

// Saved state of the backward tests: the cell state, mostly moderate,
// sometimes saturating tanh; the state before, moderate.
var (
	savedC    = device.Mostly(device.Between(-3, 3), device.OneOf(30, -30))
	savedPrev = device.Between(-3, 3)
)

func testLSTMCell(t tb, d device.Device) {
	eachCell(t, func(t tb, r *rand.Rand, _, batch, hidden int) {
		n := batch * hidden
		a, cp := draw(r, 4*n, preact), draw(r, n, device.Mostly(device.Between(-2, 2), device.OneOf(30, -30)))
		want := lstmForwardWant(batch, hidden, func(k, e int) lstmUnit {
			var pre [4]float64
			for q := range pre {
				pre[q] = f64(a[k+q*hidden])
			}
			return lstmCellRef(pre, [4]float64{}, f64(cp[e]))
		})
		p := device.LSTMCellParams{Batch: batch, Hidden: hidden}
		h, cs, gates, prev := output(t, d, r, n), output(t, d, r, n), place(t, d, r, a), place(t, d, r, cp)
		p.OffH, p.OffC, p.OffGates, p.OffCPrev = h.off, cs.off, gates.off, prev.off
		d.LSTMCell(h.buf, cs.buf, gates.buf, prev.buf, p)
		want.expect(t, d, describe(p), gates, cs, h)
	})
}

// expect checks a step's gates, c and h slots against w.
func (w lstmWant) expect(t tb, d device.Device, what string, gates, c, h slot) {
	t.Helper()
	gates.expect(t, d, what+": gates", w.gates, w.boundG)
	c.expect(t, d, what+": c", w.c, w.boundC)
	h.expect(t, d, what+": h", w.h, w.boundH)
}

// expect checks a step's dgates and dcPrev slots against w.
func (w lstmGradWant) expect(t tb, d device.Device, what string, dgates, dcPrev slot) {
	t.Helper()
	dgates.expect(t, d, what+": dgates", w.dgates, w.boundD)
	dcPrev.expect(t, d, what+": dcPrev", w.dcPrev, w.boundP)
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
	eachCell(t, func(t tb, r *rand.Rand, ci, batch, hidden int) {
		n := batch * hidden
		gv, cv, cp := activated(r, batch, 4, hidden, 2), draw(r, n, savedC), draw(r, n, savedPrev)
		dh, dc := draw(r, n, cellGrad), draw(r, n, cellGrad)
		want := lstmBackwardWant(batch, hidden, func(k, e int) lstmUnitGrad {
			return lstmCellBackwardRef(savedGates(gv, k, hidden), f64(cv[e]), f64(cp[e]), f64(dh[e]), 0, f64(dc[e]), 0)
		})
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
		want.expect(t, d, describe(p), dgates, dprev)
	})
}

// lstmUnit is the reference of one LSTM unit's outputs with their bounds.
type lstmUnit struct {
	gates, boundG [4]float64
	c, boundC     float64
	h, boundH     float64
}

// lstmCellRef returns LSTMCell's outputs for one unit from its four
// pre-activations pre, each known to within preErr (0: exact inputs), and
// cPrev.
func lstmCellRef(pre, preErr [4]float64, cPrev float64) lstmUnit {
	var u lstmUnit
	for q := range 4 {
		if q == 2 {
			u.gates[q], u.boundG[q] = tanh64(pre[q])
		} else {
			u.gates[q], u.boundG[q] = sigmoid64(pre[q])
		}
		u.boundG[q] += maxSlope(q == 2, pre[q], preErr[q]) * preErr[q]
	}
	i, f, g, o := u.gates[0], u.gates[1], u.gates[2], u.gates[3]
	ei, ef, eg, eo := u.boundG[0], u.boundG[1], u.boundG[2], u.boundG[3]
	cv := f*cPrev + i*g
	ec := math.Abs(cPrev)*ef + math.Abs(g)*ei + math.Abs(i)*eg + rnd(3*(math.Abs(f*cPrev)+math.Abs(i*g)))
	tc, etc := tanh64(cv)
	etc += (1 - tc*tc) * ec
	u.c, u.boundC = cv, ec
	u.h, u.boundH = o*tc, math.Abs(tc)*eo+o*etc+rnd(math.Abs(o*tc))
	return u
}

// maxSlope returns the largest slope of tanh (else σ) within err of x: at
// the point of the interval nearest 0, where both are steepest. The
// slopes are written in e = e^(−|x|) (e^(−2|x|) for tanh), so that they
// keep their precision where the functions saturate: σ′ = e/(1+e)²,
// tanh′ = 4e/(1+e)².
func maxSlope(tanh bool, x, err float64) float64 {
	if err == 0 {
		return 0
	}
	x = math.Max(math.Abs(x)-err, 0)
	if tanh {
		e := math.Exp(-2 * x)
		return 4 * e / ((1 + e) * (1 + e))
	}
	e := math.Exp(-x)
	return e / ((1 + e) * (1 + e))
}

// savedGates returns the four saved gates of the unit at k of gv.
func savedGates(gv []float32, k, hidden int) [4]float64 {
	return [4]float64{f64(gv[k]), f64(gv[k+hidden]), f64(gv[k+2*hidden]), f64(gv[k+3*hidden])}
}

// lstmUnitGrad is the reference of one LSTM unit's gradients with their
// bounds.
type lstmUnitGrad struct {
	dgates, boundD [4]float64
	dcPrev, boundP float64
}

// lstmCellBackwardRef returns LSTMCellBackward's outputs for one unit from
// its saved gates i, f, g, o, c and cPrev, and the gradients dh and dc
// (known to within dhErr and dcErr).
func lstmCellBackwardRef(gates [4]float64, c, cPrev, dh, dhErr, dc, dcErr float64) lstmUnitGrad {
	var u lstmUnitGrad
	i, f, g, o := gates[0], gates[1], gates[2], gates[3]
	tc, etc := tanh64(c)
	dct := dc + dh*o*(1-tc*tc)
	abs := math.Abs(dc) + math.Abs(dh*o)*(1+tc*tc)
	edct := rnd(4*abs) + math.Abs(2*dh*o*tc)*etc + o*(1-tc*tc)*dhErr + dcErr
	set := func(q int, kq, scale float64) {
		u.dgates[q] = dct * kq
		u.boundD[q] = math.Abs(kq)*edct + rnd(6*scale*abs)
	}
	set(0, g*i*(1-i), math.Abs(g*i*(1-i)))
	set(1, cPrev*f*(1-f), math.Abs(cPrev*f*(1-f)))
	set(2, i*(1-g*g), math.Abs(i)*(1+g*g))
	u.dgates[3] = dh * tc * o * (1 - o)
	u.boundD[3] = math.Abs(dh*o*(1-o))*etc + rnd(6*math.Abs(dh*tc*o*(1-o))) + math.Abs(tc*o*(1-o))*dhErr
	u.dcPrev, u.boundP = dct*f, f*edct+rnd(2*f*abs)
	return u
}

// lstmWeight draws whh [4·H, H] scaled by 1/√H, as elmanWeight does.
func lstmWeight(r *rand.Rand, hidden int) []float32 {
	return scaledWeight(r, 4*hidden, hidden)
}

// The state an LSTM step starts from: h mostly moderate, sometimes ±1;
// c mostly moderate, sometimes saturating tanh.
var (
	lstmH = device.Mostly(device.Between(-1, 1), device.OneOf(1, -1))
	lstmC = device.Mostly(device.Between(-2, 2), device.OneOf(30, -30))
)

// lstmStepWant is the reference of LSTMStep from xw [batch, 4·hidden],
// whh, hp and cp.
func lstmStepWant(xw, whh, hp, cp []float32, batch, hidden int) lstmWant {
	return lstmForwardWant(batch, hidden, func(k, e int) lstmUnit {
		b, j := e/hidden, e%hidden
		var pre, preErr [4]float64
		for q := range 4 {
			sum, abs := f64(xw[k+q*hidden]), math.Abs(f64(xw[k+q*hidden]))
			for l := range hidden {
				prod := f64(hp[b*hidden+l]) * f64(whh[(q*hidden+j)*hidden+l])
				sum += prod
				abs += math.Abs(prod)
			}
			pre[q], preErr[q] = sum, tol("accumulate").Bound(float64(hidden+2)*abs, 0)
		}
		return lstmCellRef(pre, preErr, f64(cp[e]))
	})
}

func testLSTMStep(t tb, d device.Device) {
	eachCell(t, func(t tb, r *rand.Rand, ci, batch, hidden int) {
		n := batch * hidden
		xw, whh := draw(r, 4*n, preact), lstmWeight(r, hidden)
		hp, cp := draw(r, n, lstmH), draw(r, n, lstmC)
		want := lstmStepWant(xw, whh, hp, cp, batch, hidden)
		p := device.LSTMCellParams{Batch: batch, Hidden: hidden}
		gates, xs, w := output(t, d, r, 4*n), place(t, d, r, xw), upload(t, d, whh)
		// The state's four slices in one sequence buffer, as an LSTM layer
		// keeps them, or each in its own.
		var h, cs, prevH, prevC slot
		if ci%2 == 1 {
			s := packed(t, d, r, [][]float32{nil, hp, nil, cp}, []int{n, n, n, n})
			h, prevH, cs, prevC = s[0], s[1], s[2], s[3]
		} else {
			h, cs, prevH, prevC = output(t, d, r, n), output(t, d, r, n), place(t, d, r, hp), place(t, d, r, cp)
		}
		p.OffH, p.OffC, p.OffGates, p.OffCPrev, p.OffX, p.OffHPrev = h.off, cs.off, gates.off, prevC.off, xs.off, prevH.off
		d.LSTMStep(h.buf, cs.buf, gates.buf, xs.buf, prevH.buf, w, prevC.buf, p)
		want.expect(t, d, describe(p), gates, cs, h)
		prevH.expect(t, d, describe(p)+": hPrev", exact(hp), make([]float64, n))
		prevC.expect(t, d, describe(p)+": cPrev", exact(cp), make([]float64, n))
	})
}

func testLSTMStepBackward(t tb, d device.Device) {
	eachCell(t, func(t tb, r *rand.Rand, ci, batch, hidden int) {
		n := batch * hidden
		whh := lstmWeight(r, hidden)
		gv, cv, cp := activated(r, batch, 4, hidden, 2), draw(r, n, savedC), draw(r, n, savedPrev)
		g, dc, dnext := draw(r, n, cellGrad), draw(r, n, cellGrad), draw(r, 4*n, cellGrad)
		want := lstmBackwardWant(batch, hidden, func(k, e int) lstmUnitGrad {
			b, j := e/hidden, e%hidden
			sum, abs := f64(g[e]), math.Abs(f64(g[e]))
			for l := range 4 * hidden {
				prod := f64(dnext[b*4*hidden+l]) * f64(whh[l*hidden+j])
				sum += prod
				abs += math.Abs(prod)
			}
			return lstmCellBackwardRef(savedGates(gv, k, hidden), f64(cv[e]), f64(cp[e]), sum,
				tol("accumulate").Bound(float64(4*hidden+2)*abs, 0), f64(dc[e]), 0)
		})
		p := device.LSTMCellParams{Batch: batch, Hidden: hidden}
		// dnext and this step's dgates share a buffer, either way round.
		seq := packed(t, d, r, [][]float32{dnext, nil}, []int{4 * n, 4 * n})
		next, dgates := seq[0], seq[1]
		if ci%2 == 1 {
			seq = packed(t, d, r, [][]float32{nil, dnext}, []int{4 * n, 4 * n})
			dgates, next = seq[0], seq[1]
		}
		gs, dcs, w := place(t, d, r, g), place(t, d, r, dc), upload(t, d, whh)
		gates, cs, prev := place(t, d, r, gv), place(t, d, r, cv), place(t, d, r, cp)
		p.OffDGates, p.OffDNext, p.OffDH, p.OffDC = dgates.off, next.off, gs.off, dcs.off
		p.OffGates, p.OffC, p.OffCPrev = gates.off, cs.off, prev.off
		d.LSTMStepBackward(dgates.buf, dcs.buf, gs.buf, w, gates.buf, cs.buf, prev.buf, p)
		want.expect(t, d, describe(p), dgates, dcs)
		next.expect(t, d, describe(p)+": dnext", exact(dnext), make([]float64, 4*n))
	})
}

// exact returns v as float64s, to expect unchanged with bounds of 0.
func exact(v []float32) []float64 {
	w := make([]float64, len(v))
	for i, x := range v {
		w[i] = f64(x)
	}
	return w
}

// gruUnit is the reference of one GRU unit's outputs with their bounds:
// the saved gates r, z, n, hh_n and h.
type gruUnit struct {
	gates, boundG [4]float64
	h, boundH     float64
}

// gruCellRef returns GRUCell's outputs for one unit from x and hh, each
// block of hh known to within hhErr (0: exact inputs), and hPrev.
func gruCellRef(x, hh, hhErr [3]float64, hPrev float64) gruUnit {
	var u gruUnit
	gate := func(q int) (float64, float64) {
		s := x[q] + hh[q]
		v, err := sigmoid64(s)
		return v, err + v*(1-v)*rnd(math.Abs(x[q])+math.Abs(hh[q])) + maxSlope(false, s, hhErr[q])*hhErr[q]
	}
	rv, er := gate(0)
	zv, ez := gate(1)
	hn, xn := hh[2], x[2]
	sn := xn + rv*hn
	nv, en := tanh64(sn)
	en += (1 - nv*nv) * (math.Abs(hn)*er + rnd(2*(math.Abs(xn)+math.Abs(rv*hn))))
	en += maxSlope(true, sn, rv*hhErr[2]) * rv * hhErr[2]
	u.gates = [4]float64{rv, zv, nv, hn}
	u.boundG = [4]float64{er, ez, en, hhErr[2]}
	u.h = nv + zv*(hPrev-nv)
	u.boundH = (1-zv)*en + math.Abs(hPrev-nv)*ez + rnd(3*(math.Abs(nv)+zv*(math.Abs(hPrev)+math.Abs(nv))))
	return u
}

// gruUnitGrad is the reference of one GRU unit's gradients with their
// bounds: dx (r, z, n), dhh and dhPrev.
type gruUnitGrad struct {
	dx, boundX, dhh, boundHH [3]float64
	dhPrev, boundP           float64
}

// gruCellBackwardRef returns GRUCellBackward's outputs for one unit from
// its saved gates r, z, n, hh_n, hPrev and dh, known to within dhErr.
func gruCellBackwardRef(gates [4]float64, hPrev, dh, dhErr float64) gruUnitGrad {
	var u gruUnitGrad
	rv, zv, nv, hn := gates[0], gates[1], gates[2], gates[3]
	an := dh * (1 - zv) * (1 - nv*nv)
	ean := rnd(6*math.Abs(dh*(1-zv))*(1+nv*nv)) + math.Abs((1-zv)*(1-nv*nv))*dhErr
	ar := an * hn * rv * (1 - rv)
	ear := math.Abs(hn*rv*(1-rv))*ean + rnd(6*math.Abs(ar))
	az := dh * (hPrev - nv) * zv * (1 - zv)
	eaz := rnd(6*math.Abs(dh)*(math.Abs(hPrev)+math.Abs(nv))*zv*(1-zv)) + math.Abs((hPrev-nv)*zv*(1-zv))*dhErr
	u.dx, u.boundX = [3]float64{ar, az, an}, [3]float64{ear, eaz, ean}
	u.dhh, u.boundHH = [3]float64{ar, az, an * rv}, [3]float64{ear, eaz, rv*ean + rnd(2*math.Abs(an*rv))}
	u.dhPrev, u.boundP = dh*zv, rnd(math.Abs(dh*zv))+zv*dhErr
	return u
}

// gruWant is the reference of a GRU step's outputs, with their bounds.
type gruWant struct{ gates, boundG, h, boundH []float64 }

// gruForwardWant collects the reference of a step unit by unit: unit
// returns that of the unit at index j of row b.
func gruForwardWant(batch, hidden int, unit func(b, j int) gruUnit) gruWant {
	n := batch * hidden
	w := gruWant{make([]float64, 4*n), make([]float64, 4*n), make([]float64, n), make([]float64, n)}
	for b := range batch {
		for j := range hidden {
			u, g := unit(b, j), b*4*hidden+j
			for q := range 4 {
				w.gates[g+q*hidden], w.boundG[g+q*hidden] = u.gates[q], u.boundG[q]
			}
			w.h[b*hidden+j], w.boundH[b*hidden+j] = u.h, u.boundH
		}
	}
	return w
}

// gruGradWant is the reference of a GRU step's gradients, with bounds.
type gruGradWant struct{ dx, boundX, dhh, boundHH, dhPrev, boundP []float64 }

// gruBackwardWant collects the reference of a step's gradients unit by
// unit, as gruForwardWant does.
func gruBackwardWant(batch, hidden int, unit func(b, j int) gruUnitGrad) gruGradWant {
	n := batch * hidden
	w := gruGradWant{make([]float64, 3*n), make([]float64, 3*n), make([]float64, 3*n), make([]float64, 3*n), make([]float64, n), make([]float64, n)}
	for b := range batch {
		for j := range hidden {
			u, k := unit(b, j), b*3*hidden+j
			for q := range 3 {
				w.dx[k+q*hidden], w.boundX[k+q*hidden] = u.dx[q], u.boundX[q]
				w.dhh[k+q*hidden], w.boundHH[k+q*hidden] = u.dhh[q], u.boundHH[q]
			}
			w.dhPrev[b*hidden+j], w.boundP[b*hidden+j] = u.dhPrev, u.boundP
		}
	}
	return w
}

// expect checks a step's dx, dhh and dhPrev slots against w.
func (w gruGradWant) expect(t tb, d device.Device, what string, dx, dhh, dhPrev slot) {
	t.Helper()
	dx.expect(t, d, what+": dx", w.dx, w.boundX)
	dhh.expect(t, d, what+": dhh", w.dhh, w.boundHH)
	dhPrev.expect(t, d, what+": dhPrev", w.dhPrev, w.boundP)
}

// block3 returns the three gate values of unit j of row b of v [B, 3·H].
func block3(v []float32, b, j, hidden int) [3]float64 {
	k := b*3*hidden + j
	return [3]float64{f64(v[k]), f64(v[k+hidden]), f64(v[k+2*hidden])}
}

// gruSaved draws the saved gates r, z, n, hh_n of a GRU step: hh_n any
// value (three times a tanh's).
func gruSaved(r *rand.Rand, batch, hidden int) []float32 {
	gv := activated(r, batch, 4, hidden, 2, 3)
	for b := range batch {
		for j := range hidden {
			gv[b*4*hidden+3*hidden+j] *= 3
		}
	}
	return gv
}

func testGRUCell(t tb, d device.Device) {
	eachCell(t, func(t tb, r *rand.Rand, _, batch, hidden int) {
		n := batch * hidden
		x, hh := draw(r, 3*n, preact), draw(r, 3*n, preact)
		hp := draw(r, n, device.Between(-1, 1))
		want := gruForwardWant(batch, hidden, func(b, j int) gruUnit {
			return gruCellRef(block3(x, b, j, hidden), block3(hh, b, j, hidden), [3]float64{}, f64(hp[b*hidden+j]))
		})
		p := device.GRUCellParams{Batch: batch, Hidden: hidden}
		h, gates, xs, hhs, prev := output(t, d, r, n), output(t, d, r, 4*n), place(t, d, r, x), place(t, d, r, hh), place(t, d, r, hp)
		p.OffH, p.OffGates, p.OffX, p.OffHH, p.OffHPrev = h.off, gates.off, xs.off, hhs.off, prev.off
		d.GRUCell(h.buf, gates.buf, xs.buf, hhs.buf, prev.buf, p)
		gates.expect(t, d, describe(p)+": gates", want.gates, want.boundG)
		h.expect(t, d, describe(p)+": h", want.h, want.boundH)
	})
}

func testGRUCellBackward(t tb, d device.Device) {
	eachCell(t, func(t tb, r *rand.Rand, ci, batch, hidden int) {
		n := batch * hidden
		gv := gruSaved(r, batch, hidden)
		hp, dh := draw(r, n, device.Between(-1, 1)), draw(r, n, cellGrad)
		want := gruBackwardWant(batch, hidden, func(b, j int) gruUnitGrad {
			g := b*4*hidden + j
			e := b*hidden + j
			return gruCellBackwardRef(savedGates(gv, g, hidden), f64(hp[e]), f64(dh[e]), 0)
		})
		p := device.GRUCellParams{Batch: batch, Hidden: hidden}
		dx, dhh, dhs := output(t, d, r, 3*n), output(t, d, r, 3*n), place(t, d, r, dh)
		gates, prev := place(t, d, r, gv), place(t, d, r, hp)
		dprev := dhs // in place, as a sequence's backward runs it
		if ci%2 == 0 {
			dprev = output(t, d, r, n)
		}
		p.OffDX, p.OffDHH, p.OffDHPrev, p.OffDH, p.OffGates, p.OffHPrev = dx.off, dhh.off, dprev.off, dhs.off, gates.off, prev.off
		d.GRUCellBackward(dx.buf, dhh.buf, dprev.buf, dhs.buf, gates.buf, prev.buf, p)
		want.expect(t, d, describe(p), dx, dhh, dprev)
	})
}

// gruWeight draws whh [3·H, H] scaled by 1/√H, as elmanWeight does.
func gruWeight(r *rand.Rand, hidden int) []float32 { return scaledWeight(r, 3*hidden, hidden) }

// gruStepWant is the reference of GRUStep from xw [batch, 3·hidden], whh,
// bias (nil: none) and hp.
func gruStepWant(xw, whh, bias, hp []float32, batch, hidden int) gruWant {
	return gruForwardWant(batch, hidden, func(b, j int) gruUnit {
		var hh, hhErr [3]float64
		for q := range 3 {
			sum, abs := 0.0, 0.0
			if bias != nil {
				sum, abs = f64(bias[q*hidden+j]), math.Abs(f64(bias[q*hidden+j]))
			}
			for l := range hidden {
				prod := f64(hp[b*hidden+l]) * f64(whh[(q*hidden+j)*hidden+l])
				sum += prod
				abs += math.Abs(prod)
			}
			hh[q], hhErr[q] = sum, tol("accumulate").Bound(float64(hidden+2)*abs, 0)
		}
		return gruCellRef(block3(xw, b, j, hidden), hh, hhErr, f64(hp[b*hidden+j]))
	})
}

func testGRUStep(t tb, d device.Device) {
	eachCell(t, func(t tb, r *rand.Rand, ci, batch, hidden int) {
		n := batch * hidden
		xw, whh := draw(r, 3*n, preact), gruWeight(r, hidden)
		hp := draw(r, n, lstmH)
		var bias []float32
		if ci%2 == 0 {
			bias = draw(r, 3*hidden, device.Between(-1, 1))
		}
		want := gruStepWant(xw, whh, bias, hp, batch, hidden)
		p := device.GRUCellParams{Batch: batch, Hidden: hidden}
		gates, xs, w := output(t, d, r, 4*n), place(t, d, r, xw), upload(t, d, whh)
		var bb device.Buffer
		if bias != nil {
			bb = upload(t, d, bias)
		}
		// h and hPrev in one sequence buffer, as a GRU layer keeps them, or
		// each in its own.
		var h, prev slot
		if ci%3 == 1 {
			s := packed(t, d, r, [][]float32{hp, nil}, []int{n, n})
			prev, h = s[0], s[1]
		} else {
			h, prev = output(t, d, r, n), place(t, d, r, hp)
		}
		p.OffH, p.OffGates, p.OffX, p.OffHPrev = h.off, gates.off, xs.off, prev.off
		d.GRUStep(h.buf, gates.buf, xs.buf, prev.buf, w, bb, p)
		gates.expect(t, d, describe(p)+": gates", want.gates, want.boundG)
		h.expect(t, d, describe(p)+": h", want.h, want.boundH)
		prev.expect(t, d, describe(p)+": hPrev", exact(hp), make([]float64, n))
	})
}

func testGRUStepBackward(t tb, d device.Device) {
	eachCell(t, func(t tb, r *rand.Rand, ci, batch, hidden int) {
		n := batch * hidden
		whh := gruWeight(r, hidden)
		gv := gruSaved(r, batch, hidden)
		hp, g, dh := draw(r, n, device.Between(-1, 1)), draw(r, n, cellGrad), draw(r, n, cellGrad)
		dnext := draw(r, 3*n, cellGrad)
		want := gruBackwardWant(batch, hidden, func(b, j int) gruUnitGrad {
			e := b*hidden + j
			sum, abs := f64(dh[e])+f64(g[e]), math.Abs(f64(dh[e]))+math.Abs(f64(g[e]))
			for l := range 3 * hidden {
				prod := f64(dnext[b*3*hidden+l]) * f64(whh[l*hidden+j])
				sum += prod
				abs += math.Abs(prod)
			}
			return gruCellBackwardRef(savedGates(gv, b*4*hidden+j, hidden), f64(hp[e]), sum,
				tol("accumulate").Bound(float64(3*hidden+3)*abs, 0))
		})
		p := device.GRUCellParams{Batch: batch, Hidden: hidden}
		// dnext and this step's dhh share a buffer, either way round.
		seq := packed(t, d, r, [][]float32{dnext, nil}, []int{3 * n, 3 * n})
		next, dhh := seq[0], seq[1]
		if ci%2 == 1 {
			seq = packed(t, d, r, [][]float32{nil, dnext}, []int{3 * n, 3 * n})
			dhh, next = seq[0], seq[1]
		}
		dx, gs, dhs, w := output(t, d, r, 3*n), place(t, d, r, g), place(t, d, r, dh), upload(t, d, whh)
		gates, prev := place(t, d, r, gv), place(t, d, r, hp)
		p.OffDX, p.OffDHH, p.OffDNext, p.OffDH, p.OffG = dx.off, dhh.off, next.off, dhs.off, gs.off
		p.OffGates, p.OffHPrev = gates.off, prev.off
		d.GRUStepBackward(dx.buf, dhh.buf, dhs.buf, gs.buf, w, gates.buf, prev.buf, p)
		want.expect(t, d, describe(p), dx, dhh, dhs)
		next.expect(t, d, describe(p)+": dnext", exact(dnext), make([]float64, 3*n))
	})
}
