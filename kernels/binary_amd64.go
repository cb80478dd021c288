//go:build amd64 && !purego

package kernels

// The vector kernels compute x op y element by element as binarySpan's
// loops do, the same IEEE operation on each element, so the bits are the
// same (tested in binary_test.go): AVX-512 handles a ragged end with a
// masked step, AVX2 leaves it to the Go loop.

//go:noescape
func addAVX512(d, x, y *float32, n int)

//go:noescape
func subAVX512(d, x, y *float32, n int)

//go:noescape
func mulAVX512(d, x, y *float32, n int)

//go:noescape
func divAVX512(d, x, y *float32, n int)

// tanhGradAVX512 and sigmoidGradAVX512 (AVX2: whole vectors) are
// TanhGrad, x·(1 − y·y), and SigmoidGrad, (x·y)·(1 − y), each operation
// rounded as binarySpan's loops round it (no fused multiply-add).
//
//go:noescape
func tanhGradAVX512(d, x, y *float32, n int)

//go:noescape
func sigmoidGradAVX512(d, x, y *float32, n int)

//go:noescape
func tanhGradAVX2(d, x, y *float32, n int)

//go:noescape
func sigmoidGradAVX2(d, x, y *float32, n int)

//go:noescape
func addAVX2(d, x, y *float32, n int)

//go:noescape
func subAVX2(d, x, y *float32, n int)

//go:noescape
func mulAVX2(d, x, y *float32, n int)

//go:noescape
func divAVX2(d, x, y *float32, n int)

// addTanhGradAVX512 and addTanhGradAVX2 (whole vectors of 8) set
// d = (x + r)·(1 − y·y): Add, then TanhGrad, each operation rounded as
// binarySpan rounds it, in one pass.
//
//go:noescape
func addTanhGradAVX512(d, x, r, y *float32, n int)

//go:noescape
func addTanhGradAVX2(d, x, r, y *float32, n int)

// addTanhGradVec sets d = (x + r)·(1 − y·y), the bits of binarySpan's Add
// then its TanhGrad, on the longest prefix of d it handles whole (AVX-512:
// all of it; AVX2: whole vectors of 8) and returns that prefix's length:
// 0 where there is no kernel.
func addTanhGradVec(d, x, r, y []float32) int {
	n := maskedVectors(len(d))
	if n == 0 {
		return 0
	}
	_, _, _ = x[n-1], r[n-1], y[n-1]
	if hasAVX512 {
		addTanhGradAVX512(&d[0], &x[0], &r[0], &y[0], n)
	} else {
		addTanhGradAVX2(&d[0], &x[0], &r[0], &y[0], n)
	}
	return n
}

// binaryVec runs op's vector kernel (Add, Sub, Mul, Div, TanhGrad or
// SigmoidGrad here; the comparisons, Maximum and Minimum through
// binaryCmpVec) on the longest prefix of d it handles whole (AVX-512: all
// of it; AVX2: whole vectors of 8) and returns that prefix's length: 0
// where there is no kernel. It calls the kernels directly, not through a function value, so that operands on
// the caller's stack stay there (through a function value they escaped:
// two 2 KiB heap allocations every Binary call).
func binaryVec(op BinaryOp, d, x, y []float32) int {
	n := maskedVectors(len(d))
	if n == 0 {
		return 0
	}
	if op == Pow {
		return powBinaryVec(d, x, y)
	}
	pd, px, py := &d[0], &x[0], &y[0]
	switch {
	case op == Add && hasAVX512:
		addAVX512(pd, px, py, n)
	case op == Add:
		addAVX2(pd, px, py, n)
	case op == Sub && hasAVX512:
		subAVX512(pd, px, py, n)
	case op == Sub:
		subAVX2(pd, px, py, n)
	case op == Mul && hasAVX512:
		mulAVX512(pd, px, py, n)
	case op == Mul:
		mulAVX2(pd, px, py, n)
	case op == Div && hasAVX512:
		divAVX512(pd, px, py, n)
	case op == Div:
		divAVX2(pd, px, py, n)
	case op == TanhGrad && hasAVX512:
		tanhGradAVX512(pd, px, py, n)
	case op == TanhGrad:
		tanhGradAVX2(pd, px, py, n)
	case op == SigmoidGrad && hasAVX512:
		sigmoidGradAVX512(pd, px, py, n)
	case op == SigmoidGrad:
		sigmoidGradAVX2(pd, px, py, n)
	default:
		return binaryCmpVec(op, d, x, y)
	}
	return n
}

// whereAVX512 and whereAVX2 (whole vectors of 8) set d[i] = a[i] where
// c[i]'s bits under m are not all zero, else b[i]: Where's selection, with
// m = 0x7fffffff for a float32 condition (c ≠ 0: NaN yes, −0 no) and
// m = 0xffffffff for an int32 one. Values are moved, not computed.
//
//go:noescape
func whereAVX512(d *float32, c *uint32, a, b *float32, n int, m uint32)

//go:noescape
func whereAVX2(d *float32, c *uint32, a, b *float32, n int, m uint32)

// whereVec runs Where's selection on the longest prefix of d it handles
// whole (AVX-512: all of it; AVX2: whole vectors of 8) and returns its
// length: 0 where there is no kernel. c holds the condition's bits.
func whereVec(d []float32, c []uint32, a, b []float32, m uint32) int {
	n := maskedVectors(len(d))
	if n == 0 {
		return 0
	}
	_, _, _ = c[n-1], a[n-1], b[n-1]
	if hasAVX512 {
		whereAVX512(&d[0], &c[0], &a[0], &b[0], n, m)
	} else {
		whereAVX2(&d[0], &c[0], &a[0], &b[0], n, m)
	}
	return n
}
