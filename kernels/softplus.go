package kernels

import "math"

// Softplus, ln(1+eˣ) = max(x, 0) + ln(1 + e^−|x|) in float64 rounded once
// to float32, written out so that vector code can repeat it operation for
// operation: exp64 is the algorithm of math.Exp's amd64 assembly on
// a CPU with FMA (every CPU the vector code runs on), softplusLog1p
// math.Log1p's (FreeBSD's s_log1p.c), each on the arguments softplus gives
// them. On amd64 with FMA they return math.Exp's and math.Log1p's bits
// (TestSoftplusParts), so Softplus keeps the bits it had as
// float32(max(x, 0) + math.Log1p(math.Exp(−|x|))), and they are the same on
// every platform.

// softplusMax bounds the |x| softplusGo computes by its parts: e^−|x|
// stays a normal float64 and the assembly's scaling by 2ᵏ a plain product.
// Beyond it (and for NaN) the result is x or 0 after rounding to float32,
// from math's functions.
const softplusMax = 708

// Constants of math.Exp's amd64 assembly (Shibata's method, from SLEEF):
// log₂e, ln 2 in two parts and the Taylor coefficients 1/8! … 1/2!, 1.
const (
	exp64Log2e = 1.4426950408889634073599246810018920
	exp64Ln2U  = 0.69314718055966295651160180568695068359375
	exp64Ln2L  = 0.28235290563031577122588448175013436025525412068e-12
)

var exp64Taylor = [8]float64{
	2.4801587301587301587e-5, 1.9841269841269841270e-4, 1.3888888888888888889e-3, 8.3333333333333333333e-3,
	4.1666666666666666667e-2, 1.6666666666666666667e-1, 0.5, 1.0,
}

// Constants of math.Log1p: √2−1, and the mantissa of √2.
const (
	log1pSqrt2M1   = 4.142135623730950488017e-01
	log1pSqrt2Mant = 0x0006a09e667f3bcd
)

// exp64 is math.Exp(x) for |x| ≤ 708 as its amd64 assembly computes it
// with FMA (Softplus's, Erf's and PowScalar's exponentials): k = round(x·log₂e), r = (x − k·ln2)/16 by two fused
// steps, e^r − 1 by a fused Taylor series, squared back four times
// ((1+t)² − 1 = t·(t+2)), plus 1, times 2ᵏ.
func exp64(x float64) float64 {
	k := math.RoundToEven(x * exp64Log2e)
	r := math.FMA(-k, exp64Ln2U, x)
	r = math.FMA(-k, exp64Ln2L, r)
	r *= 0.0625
	p := exp64Taylor[0]
	for _, c := range exp64Taylor[1:] {
		p = math.FMA(p, r, c)
	}
	r *= p
	for range 3 {
		r *= r + 2
	}
	r = math.FMA(r+2, r, 1)
	return r * math.Float64frombits(uint64(int64(k)+1023)<<52)
}

// softplusLog1p is math.Log1p(x) for 0 < x ≤ 1: x itself below 2⁻⁵⁴,
// x − x²/2 below 2⁻²⁹, else ln(1+f) + k·ln 2 with 1+x = (1+f)·2ᵏ (f = x
// and k = 0 below √2−1), the rounding of 1+x corrected by c, and
// FreeBSD's polynomial in s = f/(2+f). Each product that meets a sum is
// converted to float64 so that no compiler fuses the two.
func softplusLog1p(x float64) float64 {
	if x < 0x1p-29 {
		if x < 0x1p-54 {
			return x
		}
		return x - float64(x*x*0.5)
	}
	var f, c, k float64
	if x < log1pSqrt2M1 {
		f = x
	} else {
		u := 1.0 + x
		iu := math.Float64bits(u)
		if u >= 2 {
			k = 1
			c = 1.0 - (u - x)
		} else {
			c = x - (u - 1.0)
		}
		c /= u
		iu &= 1<<52 - 1
		if iu < log1pSqrt2Mant {
			u = math.Float64frombits(iu | 0x3ff0000000000000)
		} else {
			k++
			u = math.Float64frombits(iu | 0x3fe0000000000000)
		}
		f = u - 1.0
	}
	hfsq := float64(0.5 * f * f)
	s := f / (2.0 + f)
	z := float64(s * s)
	R := float64(z * logL7)
	for _, l := range [...]float64{logL6, logL5, logL4, logL3, logL2, logL1} {
		R = float64(z * (l + R))
	}
	t := float64(s * (hfsq + R))
	if k == 0 {
		return f - (hfsq - t)
	}
	return float64(k*logLn2Hi) - ((hfsq - (t + (float64(k*logLn2Lo) + c))) - f)
}

// softplusGo is Unary's Softplus of x.
func softplusGo(x float32) float32 {
	v := float64(x)
	a := math.Abs(v)
	if !(a <= softplusMax) {
		return float32(max(v, 0) + math.Log1p(math.Exp(-a)))
	}
	return float32(max(v, 0) + softplusLog1p(exp64(-a)))
}
