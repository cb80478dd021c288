//go:build amd64 && !purego

package kernels

// The AVX-512 kernels compute the Go loops' operations in their order, so
// their bits (tested in bn_test.go), a ragged end in a masked step; without
// AVX-512 the Go loops run.

//go:noescape
func bnNormAVX512(y, x *float32, n int, mu, k, bias float32)

//go:noescape
func bnNormResAVX512(y, x, r *float32, n int, mu, k, bias float32)

//go:noescape
func bnBackAVX512(dx, dy, x *float32, n int, k, a, c, mu float32)

//go:noescape
func bnReduceAVX512(dz, dy, y, x *float32, rows, n, stride int, mu float64) (sdy, sdyx float64)

// bnReduce is bnReduceGo.
func bnReduce(dz, dy, y, x []float32, rows, n, stride int, mu float64) (sdy, sdyx float64) {
	if !hasAVX512 || rows <= 0 || n <= 0 {
		return bnReduceGo(dz, dy, y, x, rows, n, stride, mu)
	}
	last := (rows-1)*stride + n // as in convAsmArch: the bounds, checked once
	_ = dy[last-1]
	_ = x[last-1]
	if y == nil {
		return bnReduceAVX512(nil, &dy[0], nil, &x[0], rows, n, stride, mu)
	}
	_, _ = dz[last-1], y[last-1]
	return bnReduceAVX512(&dz[0], &dy[0], &y[0], &x[0], rows, n, stride, mu)
}

// bnNorm sets y = (x−mu)·k + bias (+ r where r is not nil).
func bnNorm(y, x, r []float32, mu, k, bias float32) {
	if !hasAVX512 || len(y) == 0 {
		bnNormGo(y, x, r, mu, k, bias)
		return
	}
	x = x[:len(y)]
	if r != nil {
		r = r[:len(y)]
		bnNormResAVX512(&y[0], &x[0], &r[0], len(y), mu, k, bias)
		return
	}
	bnNormAVX512(&y[0], &x[0], len(y), mu, k, bias)
}

// bnBack sets dx = k·((dy − a) − (x−mu)·c).
func bnBack(dx, dy, x []float32, k, a, c, mu float32) {
	if !hasAVX512 || len(dx) == 0 {
		bnBackGo(dx, dy, x, k, a, c, mu)
		return
	}
	dy, x = dy[:len(dx)], x[:len(dx)]
	bnBackAVX512(&dx[0], &dy[0], &x[0], len(dx), k, a, c, mu)
}
