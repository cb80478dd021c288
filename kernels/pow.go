package kernels

import "math"

// PowScalar, xᵖ for one p, in float64 rounded once to float32, written out
// so that vector code can repeat it operation for operation. math.Pow
// splits |p| into an integer yi and a fraction yf in (−½, ½], forms
// e^(yf·ln x) (√x for p = ±½) and multiplies in x's squarings by the bits
// of yi, on mantissas with the powers of two kept apart, and inverts for
// p < 0. powValue multiplies the values themselves: every rounding is the
// same while they stay normal float64s, and where they do not the float32
// result is 0 or ±Inf either way (TestPowScalarVector checks
// float32(math.Pow) for every sampled x and a set of p).

// powPlan is how PowScalar computes xᵖ: by math.Pow for every x (vec
// false: p = 0 or 1, |p| ≥ 2²⁰, NaN), else by powValue for finite nonzero
// x (positive x where the power has a fraction).
type powPlan struct {
	y        float64 // p
	yi       uint64  // |p|'s integer part (one more where its fraction exceeds ½)
	yf       float64 // |p| − yi
	vec      bool
	sqrt     bool // |p| = ½: √x
	neg      bool // p < 0: the reciprocal
	positive bool // the plan takes positive x only
}

func newPowPlan(p float32) powPlan {
	y := float64(p)
	pl := powPlan{y: y}
	a := math.Abs(y)
	if y == 0 || y == 1 || !(a < 1<<20) {
		return pl
	}
	pl.vec, pl.neg = true, y < 0
	if a == 0.5 {
		pl.sqrt, pl.positive = true, true
		return pl
	}
	yi, yf := math.Modf(a)
	if yf > 0.5 {
		yf--
		yi++
	}
	pl.yi, pl.yf, pl.positive = uint64(yi), yf, yf != 0
	return pl
}

// takes reports whether powValue computes xᵖ for v under pl.
func (pl *powPlan) takes(v float64) bool {
	return pl.vec && v != 0 && math.Abs(v) < math.Inf(1) && !(pl.positive && v < 0)
}

// powValue is math.Pow(v, pl.y) for a v pl takes, in values: a = √v, or
// e^(yf·ln v) by math.Log's and math.Exp's algorithms (normalLog, exp64),
// or 1; times v^(2ᵏ) for each bit k of yi; inverted for p < 0.
func powValue(v float64, pl *powPlan) float64 {
	a := 1.0
	switch {
	case pl.sqrt:
		a = math.Sqrt(v)
	case pl.yf != 0:
		a = exp64(pl.yf * normalLog(v))
	}
	s := v
	for i := pl.yi; i != 0; i >>= 1 {
		if i&1 == 1 {
			a *= s
		}
		s *= s
	}
	if pl.neg {
		a = 1 / a
	}
	return a
}

// powGo is Unary's PowScalar of x under pl.
func powGo(x float32, pl *powPlan) float32 {
	v := float64(x)
	if !pl.takes(v) {
		return float32(math.Pow(v, pl.y))
	}
	return float32(powValue(v, pl))
}
