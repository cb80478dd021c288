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

//go:noescape
func bnReduceAVX2(acc *[32]float64, dz, dy, y, x *float32, rows, n, stride int, mu float64)

// bnReduce is bnReduceGo.
func bnReduce(dz, dy, y, x []float32, rows, n, stride int, mu float64) (sdy, sdyx float64) {
	if !hasAVX512 && hasAVX2 && rows > 0 && n >= 16 {
		return bnReduce2(dz, dy, y, x, rows, n, stride, mu)
	}
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

// bnReduce2 is bnReduceGo with AVX2 code for each row's whole vectors of
// 16: all rows in one call where n is a multiple of 16, else a call a row
// and its ragged end in Go, into the same lanes in the same order.
func bnReduce2(dz, dy, y, x []float32, rows, n, stride int, mu float64) (sdy, sdyx float64) {
	var acc [32]float64
	full := n &^ 15
	last := (rows-1)*stride + n
	_, _ = dy[last-1], x[last-1]
	if y != nil {
		_, _ = dz[last-1], y[last-1]
	}
	run := func(at, rows int) {
		if y == nil {
			bnReduceAVX2(&acc, nil, &dy[at], nil, &x[at], rows, full, stride, mu)
			return
		}
		bnReduceAVX2(&acc, &dz[at], &dy[at], &y[at], &x[at], rows, full, stride, mu)
	}
	if full == n {
		run(0, rows)
	} else {
		a, b := (*[16]float64)(acc[:16]), (*[16]float64)(acc[16:])
		for r := range rows {
			run(r*stride, 1)
			bnReduceRow(a, b, dz, dy, y, x, r*stride, full, n, mu)
		}
	}
	return bnLanes((*[16]float64)(acc[:16])), bnLanes((*[16]float64)(acc[16:]))
}
