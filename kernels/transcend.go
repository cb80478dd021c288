package kernels

import "math"

// Float32 exp and tanh for the Unary kernel run 8 or 16 lanes at a time
// in the assembly on amd64 (transcend_amd64.s). Each is one fixed sequence
// of float32 operations, which its Go twin in transcend_test.go repeats
// element by element to test it. The exponential follows Cephes' expf:
// n = round(x·log₂e), r = x − n·ln 2 in two parts, a degree-6 polynomial
// in r, and the scaling by 2ⁿ as two exact powers of two so that subnormal
// results round once. tanh is Cephes' tanhf: x + x·z·P(z), z = x², below
// |x| = 0.625, and 1 − 2/(e^2|x| + 1) with the sign of x above. Both stay
// within 1 ULP of the float64 results (TestTranscendAccuracy); the device
// contract allows 3 ULP and more.

// expSpan and tanhSpan are the portable kernels, where no vector code
// runs: float64 arithmetic rounded once, more accurate than the float32
// sequence and, element by element, faster than its Go twin.
func expSpan(d, s []float32) {
	s = s[:len(d)]
	for i, x := range s {
		d[i] = float32(math.Exp(float64(x)))
	}
}

// sigmoidSpan is, with e = e^−|x|, 1/(1+e) for x ≥ 0 and e/(1+e) below,
// so that nothing overflows and tiny results keep their precision; the sign
// picks one with a mask, not a branch. In float64: float32 arithmetic, even
// from a correctly rounded e, misses 1 ULP. The vector kernels compute the
// same formula in float64 lanes, e from a polynomial (transcend_asm_gen.go).
func sigmoidSpan(d, s []float32) {
	s = s[:len(d)]
	for i, x := range s {
		e := math.Exp(-math.Abs(float64(x)))
		r := 1 / (1 + e)
		d[i] = sel(x < 0, float32(e*r), float32(r))
	}
}

// tanhSpan is (1−e)/(1+e) with e = e^−2|x| and the sign of x. Below
// |x| = 2⁻¹² the cancellation in 1−e would cost digits, and tanh x rounds
// to x in float32 anyway.
func tanhSpan(d, s []float32) {
	s = s[:len(d)]
	for i, x := range s {
		e := math.Exp(-2 * math.Abs(float64(x)))
		t := float32((1 - e) / (1 + e))
		d[i] = sel(math.Abs(float64(x)) < 1.0/(1<<12), x, sel(x < 0, -t, t))
	}
}
