//go:build amd64 && !purego

package kernels

// The vector kernels of these ops (in transcend_amd64.s, by transcend_asm_gen.go)
// compute what unarySpan's and
// binarySpan's loops compute, the same IEEE operations on each element (1/√x
// in float64 lanes, max and min with Go's rules for NaN and ±0), so the bits
// are the same (TestElementwiseVector). They take whole vectors; the loops
// finish a ragged end.

//go:noescape
func affineUAVX2(d, s *float32, n int, a, b float32)

//go:noescape
func squareUAVX2(d, s *float32, n int, a, b float32)

//go:noescape
func absUAVX2(d, s *float32, n int, a, b float32)

//go:noescape
func recipUAVX2(d, s *float32, n int, a, b float32)

//go:noescape
func sqrtUAVX2(d, s *float32, n int, a, b float32)

//go:noescape
func rsqrtUAVX2(d, s *float32, n int, a, b float32)

//go:noescape
func signUAVX2(d, s *float32, n int, a, b float32)

//go:noescape
func clampUAVX2(d, s *float32, n int, a, b float32)

//go:noescape
func gtScalarUAVX2(d, s *float32, n int, a, b float32)

//go:noescape
func ltScalarUAVX2(d, s *float32, n int, a, b float32)

//go:noescape
func eqScalarUAVX2(d, s *float32, n int, a, b float32)

//go:noescape
func eqBAVX2(d, x, y *float32, n int)

//go:noescape
func neBAVX2(d, x, y *float32, n int)

//go:noescape
func ltBAVX2(d, x, y *float32, n int)

//go:noescape
func leBAVX2(d, x, y *float32, n int)

//go:noescape
func gtBAVX2(d, x, y *float32, n int)

//go:noescape
func geBAVX2(d, x, y *float32, n int)

//go:noescape
func maximumBAVX2(d, x, y *float32, n int)

//go:noescape
func minimumBAVX2(d, x, y *float32, n int)

//go:noescape
func affineUAVX512(d, s *float32, n int, a, b float32)

//go:noescape
func squareUAVX512(d, s *float32, n int, a, b float32)

//go:noescape
func absUAVX512(d, s *float32, n int, a, b float32)

//go:noescape
func recipUAVX512(d, s *float32, n int, a, b float32)

//go:noescape
func sqrtUAVX512(d, s *float32, n int, a, b float32)

//go:noescape
func rsqrtUAVX512(d, s *float32, n int, a, b float32)

//go:noescape
func signUAVX512(d, s *float32, n int, a, b float32)

//go:noescape
func clampUAVX512(d, s *float32, n int, a, b float32)

//go:noescape
func gtScalarUAVX512(d, s *float32, n int, a, b float32)

//go:noescape
func ltScalarUAVX512(d, s *float32, n int, a, b float32)

//go:noescape
func eqScalarUAVX512(d, s *float32, n int, a, b float32)

//go:noescape
func eqBAVX512(d, x, y *float32, n int)

//go:noescape
func neBAVX512(d, x, y *float32, n int)

//go:noescape
func ltBAVX512(d, x, y *float32, n int)

//go:noescape
func leBAVX512(d, x, y *float32, n int)

//go:noescape
func gtBAVX512(d, x, y *float32, n int)

//go:noescape
func geBAVX512(d, x, y *float32, n int)

//go:noescape
func maximumBAVX512(d, x, y *float32, n int)

//go:noescape
func minimumBAVX512(d, x, y *float32, n int)

// unaryVec runs op's vector kernel on the longest prefix of d of whole
// vectors and returns its length: 0 where op has none here (or, for Clamp,
// where a bound is NaN, which VMAXPS and VMINPS would not pass on). It calls
// the kernels directly, not through function values, so that operands on
// the caller's stack stay there.
func unaryVec(op UnaryOp, a, b float32, d, s []float32) int {
	n := wholeVectors(len(d))
	if n == 0 || op == Clamp && (a != a || b != b) {
		return 0
	}
	wide := hasAVX512
	pd, ps := &d[0], &s[0]
	switch op {
	case Affine:
		if wide {
			affineUAVX512(pd, ps, n, a, b)
		} else {
			affineUAVX2(pd, ps, n, a, b)
		}
	case Square:
		if wide {
			squareUAVX512(pd, ps, n, a, b)
		} else {
			squareUAVX2(pd, ps, n, a, b)
		}
	case Abs:
		if wide {
			absUAVX512(pd, ps, n, a, b)
		} else {
			absUAVX2(pd, ps, n, a, b)
		}
	case Recip:
		if wide {
			recipUAVX512(pd, ps, n, a, b)
		} else {
			recipUAVX2(pd, ps, n, a, b)
		}
	case Sqrt:
		if wide {
			sqrtUAVX512(pd, ps, n, a, b)
		} else {
			sqrtUAVX2(pd, ps, n, a, b)
		}
	case Rsqrt:
		if wide {
			rsqrtUAVX512(pd, ps, n, a, b)
		} else {
			rsqrtUAVX2(pd, ps, n, a, b)
		}
	case Sign:
		if wide {
			signUAVX512(pd, ps, n, a, b)
		} else {
			signUAVX2(pd, ps, n, a, b)
		}
	case Clamp:
		if wide {
			clampUAVX512(pd, ps, n, a, b)
		} else {
			clampUAVX2(pd, ps, n, a, b)
		}
	case GtScalar:
		if wide {
			gtScalarUAVX512(pd, ps, n, a, b)
		} else {
			gtScalarUAVX2(pd, ps, n, a, b)
		}
	case LtScalar:
		if wide {
			ltScalarUAVX512(pd, ps, n, a, b)
		} else {
			ltScalarUAVX2(pd, ps, n, a, b)
		}
	case EqScalar:
		if wide {
			eqScalarUAVX512(pd, ps, n, a, b)
		} else {
			eqScalarUAVX2(pd, ps, n, a, b)
		}
	case Log:
		if wide {
			logUAVX512(pd, ps, n, a, b)
		} else {
			logUAVX2(pd, ps, n, a, b)
		}
	case Sin, Cos, Softplus, Erf:
		stoppingVec(op, nil, d[:n], s[:n])
	case PowScalar:
		pl := newPowPlan(a)
		if !pl.vec {
			return 0
		}
		stoppingVec(op, &pl, d[:n], s[:n])
	default:
		return 0
	}
	return n
}

// wholeVectors is the longest prefix of n values the vector kernels take
// whole: 0 where the CPU has no AVX2.
func wholeVectors(n int) int {
	switch {
	case hasAVX512:
		return n &^ 15
	case hasAVX2:
		return n &^ 7
	}
	return 0
}

// maskedVectors is the longest prefix of n values the kernels with a
// masked AVX-512 step take: all of them with AVX-512, whole vectors of 8
// with AVX2, 0 where the CPU has neither.
func maskedVectors(n int) int {
	switch {
	case hasAVX512:
		return n
	case hasAVX2:
		return n &^ 7
	}
	return 0
}

// binaryCmpVec is unaryVec for the comparisons, Maximum and Minimum (binaryVec
// hands them on).
func binaryCmpVec(op BinaryOp, d, x, y []float32) int {
	n := wholeVectors(len(d))
	if n == 0 {
		return 0
	}
	wide := hasAVX512
	pd, px, py := &d[0], &x[0], &y[0]
	switch op {
	case Eq:
		if wide {
			eqBAVX512(pd, px, py, n)
		} else {
			eqBAVX2(pd, px, py, n)
		}
	case Ne:
		if wide {
			neBAVX512(pd, px, py, n)
		} else {
			neBAVX2(pd, px, py, n)
		}
	case Lt:
		if wide {
			ltBAVX512(pd, px, py, n)
		} else {
			ltBAVX2(pd, px, py, n)
		}
	case Le:
		if wide {
			leBAVX512(pd, px, py, n)
		} else {
			leBAVX2(pd, px, py, n)
		}
	case Gt:
		if wide {
			gtBAVX512(pd, px, py, n)
		} else {
			gtBAVX2(pd, px, py, n)
		}
	case Ge:
		if wide {
			geBAVX512(pd, px, py, n)
		} else {
			geBAVX2(pd, px, py, n)
		}
	case Maximum:
		if wide {
			maximumBAVX512(pd, px, py, n)
		} else {
			maximumBAVX2(pd, px, py, n)
		}
	case Minimum:
		if wide {
			minimumBAVX512(pd, px, py, n)
		} else {
			minimumBAVX2(pd, px, py, n)
		}
	default:
		return 0
	}
	return n
}
