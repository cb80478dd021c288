//go:build amd64 && !purego

package kernels

// normalPairsAVX512 and normalPairsAVX2 are normalPairsGo on whole groups
// of 8 or 4 pairs of words, in float64 lanes: the same operations in the
// same order, so the same bits.
//
//go:noescape
func normalPairsAVX512(out *float32, w *uint32, pairs int, a, b float32)

//go:noescape
func normalPairsAVX2(out *float32, w *uint32, pairs int, a, b float32)

// logUAVX512 and logUAVX2 are Unary's Log, float32(math.Log(float64(x))),
// on n elements (a multiple of 8 or 4): normalLog's operations in float64
// lanes, and math.Log's special cases (its amd64 assembly's: ±0 gives
// −Inf, a set sign bit its NaN, +Inf and +NaN themselves), so the same
// bits (TestLogVector).
//
//go:noescape
func logUAVX512(d, s *float32, n int, a, b float32)

//go:noescape
func logUAVX2(d, s *float32, n int, a, b float32)

// sinCosUAVX512 and sinCosUAVX2 are Unary's Sin (cos false) and Cos,
// float32(sinCos(float64(x), cos)), on n elements (a multiple of 16 or 4):
// sinCos's operations in float64 lanes, so math.Sin's and math.Cos's bits
// (TestSinCosVector). Each stops before the first 16 or 4 elements holding
// an argument sinCos leaves to math (|x| ≥ 2²⁹, ±Inf, NaN) and returns
// the elements done. Given d64 (not nil; tests), they write the float64
// results there instead of d.
//
//go:noescape
func sinCosUAVX512(d, s *float32, n int, cos bool, d64 *float64) int

//go:noescape
func sinCosUAVX2(d, s *float32, n int, cos bool, d64 *float64) int

// softplusUAVX512 is Unary's Softplus, softplusGo, on n elements (a
// multiple of 8): softplusGo's operations in float64 lanes, so its bits
// (TestSoftplusVector). It stops before the first eight elements holding
// an |x| above softplusMax or NaN and returns the elements done. Given d64
// (not nil; tests), it writes the float64 results there instead of d.
//
//go:noescape
func softplusUAVX512(d, s *float32, n int, d64 *float64) int

// softplusUAVX2 is softplusUAVX512 four elements at a time (n a multiple
// of 4; it stops before the first four holding an argument it leaves to
// math).
//
//go:noescape
func softplusUAVX2(d, s *float32, n int, d64 *float64) int

// erfUAVX512 is Unary's Erf, erfGo, on n elements (a multiple of 8):
// erf64's operations in float64 lanes, so its bits (TestErfVector). It
// stops before the first eight elements holding a NaN and returns the
// elements done. Given d64 (not nil; tests), it writes the float64
// results there instead of d.
//
//go:noescape
func erfUAVX512(d, s *float32, n int, d64 *float64) int

// erfUAVX2 is erfUAVX512 four elements at a time (n a multiple of 4; it
// stops before the first four holding a NaN).
//
//go:noescape
func erfUAVX2(d, s *float32, n int, d64 *float64) int

// powUAVX512 and powUAVX2 are Unary's PowScalar under a plan, powValue,
// on n elements (a multiple of 16 or 8): powValue's operations in float64
// lanes (mode 0: a = 1, 1: √x, 2: e^(yf·ln x); 3: x·x in float32), so
// powGo's bits (TestPowScalarVector). Each stops before the first 8 or 4
// elements holding an x the plan leaves to math.Pow (in mode 3 none, 16
// or 8 at a time) and returns the elements done. Given d64 (not nil;
// tests), they write the float64 results there instead of d.
//
//go:noescape
func powUAVX512(d, s *float32, n int, yi uint64, yf float64, mode int, neg bool, d64 *float64) int

//go:noescape
func powUAVX2(d, s *float32, n int, yi uint64, yf float64, mode int, neg bool, d64 *float64) int

// powBAVX512 is Binary's Pow, powGo(x, newPowPlan(y)) a pair, on n
// elements (a multiple of 8): each lane's powValue in float64 lanes, so
// math.Pow's float32 results (TestPowVector). It stops before the first
// eight pairs holding one a plan leaves to math.Pow and returns the
// elements done. Given d64 (not nil; tests), it writes the float64
// results there instead of d.
//
//go:noescape
func powBAVX512(d, x, y *float32, n int, d64 *float64) int

// powBAVX2 is powBAVX512 four pairs at a time (n a multiple of 4; it stops
// before the first four holding one a plan leaves to math.Pow).
//
//go:noescape
func powBAVX2(d, x, y *float32, n int, d64 *float64) int

// powBinaryVec sets d[i] to powGo(x[i], newPowPlan(y[i])) for the whole
// vectors of d (wholeVectors; the rest is the caller's), the 16 pairs
// after each place the vector code stops in Go, and returns how many it
// set.
func powBinaryVec(d, x, y []float32) int {
	n := wholeVectors(len(d))
	if n == 0 {
		return 0
	}
	d, x, y = d[:n], x[:n], y[:n]
	for i := 0; i < n; {
		if hasAVX512 {
			i += powBAVX512(&d[i], &x[i], &y[i], n-i, nil)
		} else {
			i += powBAVX2(&d[i], &x[i], &y[i], n-i, nil)
		}
		for end := min(i+16, n); i < end; i++ {
			pl := newPowPlan(y[i])
			d[i] = powGo(x[i], &pl)
		}
	}
	return n
}

// mode is the vector kernels' name for how pl starts a: 0 from 1, 1 from
// √x, 2 from e^(yf·ln x); 3 for x², which is float32's x·x (the float64
// square is exact, so its rounding is float32's of the exact square),
// which takes every x (the float64 lanes, for tests, take mode 0's x).
func (pl *powPlan) mode() int {
	switch {
	case pl.sqrt:
		return 1
	case pl.yf != 0:
		return 2
	case pl.yi == 2 && !pl.neg:
		return 3
	}
	return 0
}

// stoppingVec sets d to Unary's op of s (Sin, Cos, Softplus, Erf, or
// PowScalar under pl, whose vec holds) for all of d (a multiple of 16
// elements with AVX-512, of 8 with AVX2 alone; d and s the same length,
// the same slice or apart): by vector code, which stops before arguments
// it leaves to math, and the 16 elements after each such place in Go.
func stoppingVec(op UnaryOp, pl *powPlan, d, s []float32) {
	for i := 0; i < len(d); {
		switch {
		case op == Softplus && hasAVX512:
			i += softplusUAVX512(&d[i], &s[i], len(d)-i, nil)
		case op == Softplus:
			i += softplusUAVX2(&d[i], &s[i], len(d)-i, nil)
		case op == PowScalar && hasAVX512:
			i += powUAVX512(&d[i], &s[i], len(d)-i, pl.yi, pl.yf, pl.mode(), pl.neg, nil)
		case op == PowScalar:
			i += powUAVX2(&d[i], &s[i], len(d)-i, pl.yi, pl.yf, pl.mode(), pl.neg, nil)
		case op == Erf && hasAVX512:
			i += erfUAVX512(&d[i], &s[i], len(d)-i, nil)
		case op == Erf:
			i += erfUAVX2(&d[i], &s[i], len(d)-i, nil)
		case hasAVX512:
			i += sinCosUAVX512(&d[i], &s[i], len(d)-i, op == Cos, nil)
		default:
			i += sinCosUAVX2(&d[i], &s[i], len(d)-i, op == Cos, nil)
		}
		for end := min(i+16, len(d)); i < end; i++ {
			switch op {
			case Softplus:
				d[i] = softplusGo(s[i])
			case Erf:
				d[i] = erfGo(s[i])
			case PowScalar:
				d[i] = powGo(s[i], pl)
			default:
				d[i] = float32(sinCos(float64(s[i]), op == Cos))
			}
		}
	}
}

// normalPairs is normalPairsGo (len(out) even) by vector code where the
// CPU has it, the ragged end in Go.
func normalPairs(out []float32, w []uint32, a, b float32) {
	w = w[:len(out)]
	full := 0
	if hasAVX512 {
		if full = len(out) &^ 15; full > 0 {
			normalPairsAVX512(&out[0], &w[0], full/2, a, b)
		}
	}
	if hasAVX2 {
		if n := len(out) &^ 7; n > full {
			normalPairsAVX2(&out[full], &w[full], (n-full)/2, a, b)
			full = n
		}
	}
	normalPairsGo(out[full:], w[full:], a, b)
}

// logWidths lists the widths this CPU runs: AVX-512 and AVX2 where it has
// both (AVX2 by turning AVX-512 off for a while), for tests.
func logWidths() []vectorWidth {
	ws := []vectorWidth{{"native", func() func() { return func() {} }}}
	if hasAVX512 {
		ws = append(ws, vectorWidth{"avx2", func() func() {
			hasAVX512 = false
			return func() { hasAVX512 = true }
		}})
	}
	return ws
}
