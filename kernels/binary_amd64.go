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

//go:noescape
func addAVX2(d, x, y *float32, n int)

//go:noescape
func subAVX2(d, x, y *float32, n int)

//go:noescape
func mulAVX2(d, x, y *float32, n int)

//go:noescape
func divAVX2(d, x, y *float32, n int)

// binaryVec returns the vector kernel of op (Add, Sub, Mul or Div) with the
// lanes it handles whole (AVX2: the caller does the rest; AVX-512: all),
// or nil where there is none.
func binaryVec(op BinaryOp) (kernel func(d, x, y *float32, n int), lanes int) {
	var k512, k256 func(d, x, y *float32, n int)
	switch op {
	case Add:
		k512, k256 = addAVX512, addAVX2
	case Sub:
		k512, k256 = subAVX512, subAVX2
	case Mul:
		k512, k256 = mulAVX512, mulAVX2
	case Div:
		k512, k256 = divAVX512, divAVX2
	default:
		return nil, 0
	}
	switch {
	case hasAVX512:
		return k512, 1
	case hasAVX2:
		return k256, 8
	}
	return nil, 0
}
