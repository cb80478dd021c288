//go:build amd64 && !purego

package kernels

// normalMapAVX512 and normalMapAVX2 are normalGo on whole groups of 8 or 4
// pairs of words, in float64 lanes: the same operations in the same
// order, so the same bits.
//
//go:noescape
func normalMapAVX512(out *float32, x0, x1 *uint32, n int, a, b float32)

//go:noescape
func normalMapAVX2(out *float32, x0, x1 *uint32, n int, a, b float32)

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

// normalMap sets out[j] to the Normal draw of x0[j], x1[j] (normalGo) by
// vector code where the CPU has it, the ragged end in Go.
func normalMap(out []float32, x0, x1 []uint32, a, b float32) {
	x0, x1 = x0[:len(out)], x1[:len(out)]
	full := 0
	switch {
	case hasAVX512:
		if full = len(out) &^ 7; full > 0 {
			normalMapAVX512(&out[0], &x0[0], &x1[0], full, a, b)
		}
	case hasAVX2:
		if full = len(out) &^ 3; full > 0 {
			normalMapAVX2(&out[0], &x0[0], &x1[0], full, a, b)
		}
	}
	normalMapGo(out[full:], x0[full:], x1[full:], a, b)
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
