package devicetest

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/tensorgl/tensorgl/device"
)

// lnCases are the layouts of the layer-norm tests: x [Rows, Cols]. Each
// row's values are centred at a random point of ±center with a spread
// drawn in [0.1, 3]; a center of 1e3 makes E[x²] − E[x]² cancel to
// nothing, as a one-pass variance would. "wide" has more values per row
// than a row has invocations; "one" normalises single values (the
// variance is 0, y is b); "many-rows" and "many-wide" fill more than one
// GL work group of short rows (64 rows of 5, 4 of 96), the last part full.
var lnCases = []struct {
	name       string
	rows, cols int
	center     float64
}{
	{"row", 1, 8, 1},
	{"odd", 7, 13, 3},
	{"one", 4, 1, 2},
	{"wide", 3, 301, 2},
	{"large-mean", 5, 41, 1e3},
	{"many-rows", 70, 5, 1},
	{"many-wide", 19, 96, 2},
	{"random", 0, 0, 10},
}

// lnModes runs fn on every case with the affine operands present or not
// (the subtests named …/affine=…): w and b both, or neither.
func lnModes(t tb, fn func(t tb, r *rand.Rand, p device.LayerNormParams, center float64, affine bool)) {
	for _, c := range lnCases {
		for _, affine := range []bool{true, false} {
			subtest(t, fmt.Sprintf("%s/affine=%v", c.name, affine), func(t tb) {
				r := newRand(t)
				p := device.LayerNormParams{Rows: c.rows, Cols: c.cols, Eps: 1e-5}
				if p.Rows == 0 {
					p.Rows, p.Cols = 1+r.IntN(9), 1+r.IntN(60)
				}
				fn(t, r, p, c.center, affine)
			})
		}
	}
}

// lnInput draws x [Rows, Cols], row by row about its own centre.
func lnInput(r *rand.Rand, p device.LayerNormParams, center float64) []float32 {
	x := make([]float32, p.Rows*p.Cols)
	for row := range p.Rows {
		mu, s := center*(2*r.Float64()-1), 0.1+2.9*r.Float64()
		if row == 1 && center == 1e3 {
			mu, s = 1e3, 0.1 // exactly at the centre, with the smallest spread
		}
		for j := range p.Cols {
			x[row*p.Cols+j] = float32(mu + s*r.NormFloat64())
		}
	}
	return x
}

// lnAffine draws the weight (of both signs, sometimes 0 or 1) and bias,
// or nil for both when not affine.
func lnAffine(r *rand.Rand, p device.LayerNormParams, affine bool) (w, b []float32) {
	if !affine {
		return nil, nil
	}
	return draw(r, p.Cols, device.Mostly(device.Between(-2, 2), device.OneOf(0, 1))), uniform(r, p.Cols, -1, 1)
}

// optSlot uploads v, or returns nil for a nil v (an absent operand).
func optSlot(t tb, d device.Device, v []float32) device.Buffer {
	if v == nil {
		return nil
	}
	return newSlot(t, d, v).buf
}

// at1 returns v[j], or one where v is nil (an absent weight).
func at1(v []float32, j int) float64 {
	if v == nil {
		return 1
	}
	return f64(v[j])
}

func testLayerNorm(t tb, d device.Device) {
	lnModes(t, func(t tb, r *rand.Rand, p device.LayerNormParams, center float64, affine bool) {
		x := lnInput(r, p, center)
		w, b := lnAffine(r, p, affine)
		n := float64(p.Cols)
		wantM, boundM := make([]float64, p.Rows), make([]float64, p.Rows)
		wantR, boundR := make([]float64, p.Rows), make([]float64, p.Rows)
		for row := range p.Rows {
			xr := x[row*p.Cols:][:p.Cols]
			var sum, abs float64
			for _, v := range xr {
				sum, abs = sum+f64(v), abs+math.Abs(f64(v))
			}
			mu := sum / n
			var sq float64
			for _, v := range xr {
				sq += (f64(v) - mu) * (f64(v) - mu)
			}
			wantM[row], boundM[row], _, _, wantR[row], boundR[row] = statsBounds(sum, abs, sq, n, p.Eps)
		}
		y := newSlot(t, d, filled(len(x), float32(math.NaN())))
		mean, rstd := newSlot(t, d, filled(p.Rows, float32(math.NaN()))), newSlot(t, d, filled(p.Rows, float32(math.NaN())))
		d.LayerNorm(y.buf, mean.buf, rstd.buf, newSlot(t, d, x).buf, optSlot(t, d, w), optSlot(t, d, b), p)
		what := describe(p)
		mean.expect(t, d, what+": mean", wantM, boundM)
		rstd.expect(t, d, what+": rstd", wantR, boundR)
		// y from the statistics the kernel wrote (checked above): its
		// subtraction, two products and the bias's add each round once.
		gotM, gotR := download(t, d, mean.buf, p.Rows), download(t, d, rstd.buf, p.Rows)
		want, bound := make([]float64, len(x)), make([]float64, len(x))
		for i, v := range x {
			row, j := i/p.Cols, i%p.Cols
			dx := f64(v) - f64(gotM[row])
			s := math.Abs(dx * f64(gotR[row]) * at1(w, j))
			want[i] = dx * f64(gotR[row]) * at1(w, j)
			if b != nil {
				want[i] += f64(b[j])
			}
			bound[i] = tol("round").Bound(3*s+math.Abs(want[i]), 0)
		}
		y.expect(t, d, what+": y", want, bound)
	})
}

// lnStats returns each row's mean (rounded to float32, as LayerNorm
// leaves it) and rstd = 1/√(var + eps).
func lnStats(p device.LayerNormParams, x []float32) (mean, rstd []float32) {
	mean, rstd = make([]float32, p.Rows), make([]float32, p.Rows)
	n := float64(p.Cols)
	for row := range p.Rows {
		xr := x[row*p.Cols:][:p.Cols]
		var sum, sq float64
		for _, v := range xr {
			sum += f64(v)
		}
		for _, v := range xr {
			sq += (f64(v) - sum/n) * (f64(v) - sum/n)
		}
		mean[row] = float32(sum / n)
		rstd[row] = float32(1 / math.Sqrt(sq/n+float64(p.Eps)))
	}
	return mean, rstd
}

func testLayerNormBackward(t tb, d device.Device) {
	lnModes(t, func(t tb, r *rand.Rand, p device.LayerNormParams, center float64, affine bool) {
		x := lnInput(r, p, center)
		w, _ := lnAffine(r, p, affine)
		mean, rstd := lnStats(p, x)
		dy := draw(r, len(x), cellGrad)
		n := float64(p.Cols)
		want, bound := make([]float64, len(x)), make([]float64, len(x))
		for row := range p.Rows {
			mu, rs := f64(mean[row]), f64(rstd[row])
			var sg, ag, sgx, agx float64
			for j := range p.Cols {
				i := row*p.Cols + j
				g := f64(dy[i]) * at1(w, j)
				sg, ag = sg+g, ag+math.Abs(g)
				sgx, agx = sgx+g*(f64(x[i])-mu), agx+math.Abs(g*(f64(x[i])-mu))
			}
			// The sums' errors (g rounded once, x − mean once, their
			// product once, then summed), then each row's
			// rs·((g − a) − (x − mean)·c) with its few roundings.
			a, c := sg/n, rs*rs*sgx/n
			ea := (rnd(n*ag)+tol("round").Bound(ag, 0))/n + tol("div").Bound(a, 0)
			ec := rs*rs*(rnd(n*agx)+tol("round").Bound(3*agx, 0))/n + tol("div").Bound(4*c, 0)
			for j := range p.Cols {
				i := row*p.Cols + j
				g, dxm := f64(dy[i])*at1(w, j), f64(x[i])-mu
				want[i] = rs * (g - a - dxm*c)
				bound[i] = rs*(ea+math.Abs(dxm)*ec) + tol("round").Bound(5*rs*(math.Abs(g)+math.Abs(a)+math.Abs(dxm*c)), 0)
			}
		}
		// The weight and bias gradients, summed over the rows.
		wantW, boundW := make([]float64, p.Cols), make([]float64, p.Cols)
		wantB, boundB := make([]float64, p.Cols), make([]float64, p.Cols)
		m := float64(p.Rows)
		for j := range p.Cols {
			var st, at, sb, ab float64
			for row := range p.Rows {
				i := row*p.Cols + j
				tv := f64(dy[i]) * (f64(x[i]) - f64(mean[row])) * f64(rstd[row])
				st, at = st+tv, at+math.Abs(tv)
				sb, ab = sb+f64(dy[i]), ab+math.Abs(f64(dy[i]))
			}
			wantW[j], boundW[j] = st, rnd(m*at)+tol("round").Bound(4*at, 0)
			wantB[j], boundB[j] = sb, rnd(m*ab)
		}
		// With both gradients, one, or none.
		for _, grads := range []string{"both", "dw", "none"} {
			dx := newSlot(t, d, filled(len(x), float32(math.NaN())))
			var dw, db slot
			var dwb, dbb device.Buffer
			if grads != "none" {
				dw = newSlot(t, d, filled(p.Cols, float32(math.NaN())))
				dwb = dw.buf
			}
			if grads == "both" {
				db = newSlot(t, d, filled(p.Cols, float32(math.NaN())))
				dbb = db.buf
			}
			d.LayerNormBackward(dx.buf, dwb, dbb, newSlot(t, d, dy).buf, newSlot(t, d, x).buf,
				newSlot(t, d, mean).buf, newSlot(t, d, rstd).buf, optSlot(t, d, w), p)
			what := fmt.Sprintf("%s, gradients %s", describe(p), grads)
			dx.expect(t, d, what+": dx", want, bound)
			if dwb != nil {
				dw.expect(t, d, what+": dw", wantW, boundW)
			}
			if dbb != nil {
				db.expect(t, d, what+": db", wantB, boundB)
			}
		}
	})
}
