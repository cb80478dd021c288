//go:build amd64 && !purego

package kernels

// The AVX-512 kernels compute the Go loops' operations in their order, so
// their bits (tested in bn_test.go), a ragged end in a masked step; with
// AVX2 only, the element-wise passes run whole vectors of 8 in AVX2 code
// and a ragged end in the Go loop.

//go:noescape
func bnNormAVX512(y, x *float32, n int, mu, k, bias float32)

//go:noescape
func bnNormResAVX512(y, x, r *float32, n int, mu, k, bias float32)

//go:noescape
func bnBackAVX512(dx, dy, x *float32, n int, k, a, c, mu float32)

// bnNormRowsAVX2 and bnBackRowsAVX2 are the AVX-512 passes (with a ReLU
// for the normalisation) on 8 lanes, over rows rows of n floats, each row
// with its own parameters, n a positive multiple of 8.
//
//go:noescape
func bnNormRowsAVX2(y, x, r *float32, rows, n int, mu, k, bias *float32, relu bool)

//go:noescape
func bnBackRowsAVX2(dx, dy, x *float32, rows, n int, k, a, c, mu *float32)

//go:noescape
func bnReduceAVX512(acc *[32]float64, dz, dy, y, x *float32, rows, n, stride int, mu float64)

//go:noescape
func bnReduceAVX2(acc *[32]float64, dz, dy, y, x *float32, rows, n, stride int, mu float64)

//go:noescape
func bnMomentsAVX512(acc *[32]float64, x *float32, rows, n, stride int, k float64)

//go:noescape
func bnMomentsAVX2(acc *[32]float64, x *float32, rows, n, stride int, k float64)

//go:noescape
func bnReduceChansAVX2(accs *[32]float64, dz, dy, y, x *float32, chans, n int, mus *float64)

// bnChans reports whether the sums over rows of n values go a run of an
// image's channels a call (bnReduceChans): with AVX2 but not AVX-512, and
// rows of whole blocks of 16.
func bnChans(n int) bool { return hasAVX2 && !hasAVX512 && n >= 16 && n%16 == 0 }

// bnReduceChans adds, for each channel c of a run of len(accs) consecutive
// channels of one image, rows of n values one after the other from dy[0:]
// (dz, y and x alike), bnReduceAcc's sums of its row to accs[c] with mu =
// mus[c]: the same operations, so the same bits, as a row at a time.
func bnReduceChans(accs [][32]float64, dz, dy, y, x []float32, n int, mus []float64) {
	last := len(accs)*n - 1
	_, _, _ = dy[last], x[last], mus[len(accs)-1]
	if y == nil {
		bnReduceChansAVX2(&accs[0], nil, &dy[0], nil, &x[0], len(accs), n, &mus[0])
		return
	}
	_, _ = dz[last], y[last]
	bnReduceChansAVX2(&accs[0], &dz[0], &dy[0], &y[0], &x[0], len(accs), n, &mus[0])
}

// bnMomentsAcc is bnMomentsAccGo: whole rows in AVX-512 code, or with
// AVX2 only each row's whole blocks of 16 in AVX2 code and a ragged end in
// the Go loop, row by row so that each lane adds in order.
func bnMomentsAcc(acc *[32]float64, x []float32, rows, n, stride int, k float64) {
	if rows <= 0 || n <= 0 || !hasAVX512 && (!hasAVX2 || n < 16) {
		bnMomentsAccGo(acc, x, rows, n, stride, k)
		return
	}
	_ = x[(rows-1)*stride+n-1] // as in convAsmArch: the bounds, checked once
	if hasAVX512 {
		bnMomentsAVX512(acc, &x[0], rows, n, stride, k)
		return
	}
	full := n &^ 15
	if full == n {
		bnMomentsAVX2(acc, &x[0], rows, full, stride, k)
		return
	}
	a, b := (*[16]float64)(acc[:16]), (*[16]float64)(acc[16:])
	for r := range rows {
		bnMomentsAVX2(acc, &x[r*stride], 1, full, stride, k)
		bnMomentsRow(a, b, x[r*stride:], full, n, k)
	}
}

// bnReduceAcc is bnReduceAccGo, its rows as bnMomentsAcc's.
func bnReduceAcc(acc *[32]float64, dz, dy, y, x []float32, rows, n, stride int, mu float64) {
	if rows <= 0 || n <= 0 || !hasAVX512 && (!hasAVX2 || n < 16) {
		bnReduceAccGo(acc, dz, dy, y, x, rows, n, stride, mu)
		return
	}
	last := (rows-1)*stride + n // as in convAsmArch: the bounds, checked once
	_, _ = dy[last-1], x[last-1]
	if y != nil {
		_, _ = dz[last-1], y[last-1]
	}
	run := func(at, rows, n int) {
		switch {
		case hasAVX512 && y == nil:
			bnReduceAVX512(acc, nil, &dy[at], nil, &x[at], rows, n, stride, mu)
		case hasAVX512:
			bnReduceAVX512(acc, &dz[at], &dy[at], &y[at], &x[at], rows, n, stride, mu)
		case y == nil:
			bnReduceAVX2(acc, nil, &dy[at], nil, &x[at], rows, n, stride, mu)
		default:
			bnReduceAVX2(acc, &dz[at], &dy[at], &y[at], &x[at], rows, n, stride, mu)
		}
	}
	full := n &^ 15
	if hasAVX512 || full == n {
		run(0, rows, n)
		return
	}
	a, b := (*[16]float64)(acc[:16]), (*[16]float64)(acc[16:])
	for r := range rows {
		run(r*stride, 1, full)
		bnReduceRow(a, b, dz, dy, y, x, r*stride, full, n, mu)
	}
}

// bnNorm sets y = (x−mu)·k + bias (+ r where r is not nil).
func bnNorm(y, x, r []float32, mu, k, bias float32) {
	x = x[:len(y)]
	if r != nil {
		r = r[:len(y)]
	}
	switch {
	case len(y) == 0:
	case hasAVX512 && r != nil:
		bnNormResAVX512(&y[0], &x[0], &r[0], len(y), mu, k, bias)
	case hasAVX512:
		bnNormAVX512(&y[0], &x[0], len(y), mu, k, bias)
	case hasAVX2 && len(y) >= 8:
		// Whole vectors of 8 in AVX2 code, the ragged end in the Go loop:
		// the same operations on each element.
		full := len(y) &^ 7
		var rest []float32
		var rp *float32
		if r != nil {
			rp, rest = &r[0], r[full:]
		}
		bnNormRowsAVX2(&y[0], &x[0], rp, 1, full, &mu, &k, &bias, false)
		bnNormGo(y[full:], x[full:], rest, mu, k, bias)
	default:
		bnNormGo(y, x, r, mu, k, bias)
	}
}

// bnBack sets dx = k·((dy − a) − (x−mu)·c).
func bnBack(dx, dy, x []float32, k, a, c, mu float32) {
	dy, x = dy[:len(dx)], x[:len(dx)]
	switch {
	case len(dx) == 0:
	case hasAVX512:
		bnBackAVX512(&dx[0], &dy[0], &x[0], len(dx), k, a, c, mu)
	case hasAVX2 && len(dx) >= 8:
		full := len(dx) &^ 7 // as in bnNorm
		bnBackRowsAVX2(&dx[0], &dy[0], &x[0], 1, full, &k, &a, &c, &mu)
		bnBackGo(dx[full:], dy[full:], x[full:], k, a, c, mu)
	default:
		bnBackGo(dx, dy, x, k, a, c, mu)
	}
}

// bnRowsAVX2 reports whether rows of n values run as one call of the AVX2
// rows kernels: AVX2 without AVX-512 (whose per-row kernels take a ragged
// end in a masked step) and whole vectors.
func bnRowsAVX2(n int) bool { return hasAVX2 && !hasAVX512 && n > 0 && n%8 == 0 }

// bnNormRows is bnNormRowsGo; with AVX2 alone, on whole vectors, in one
// call of bnNormRowsAVX2.
func bnNormRows(y, x, r []float32, rows, n int, mu, k, bias []float32, relu bool) {
	if rows == 0 || !bnRowsAVX2(n) {
		bnNormRowsGo(y, x, r, rows, n, mu, k, bias, relu)
		return
	}
	_, _, _, _ = y[rows*n-1], x[rows*n-1], mu[rows-1], k[rows-1]
	_ = bias[rows-1]
	var rp *float32
	if r != nil {
		_ = r[rows*n-1]
		rp = &r[0]
	}
	bnNormRowsAVX2(&y[0], &x[0], rp, rows, n, &mu[0], &k[0], &bias[0], relu)
}

// bnBackRows is bnBackRowsGo; with AVX2 alone, on whole vectors, in one
// call of bnBackRowsAVX2.
func bnBackRows(dx, dy, x []float32, rows, n int, k, a, c, mu []float32) {
	if rows == 0 || !bnRowsAVX2(n) {
		bnBackRowsGo(dx, dy, x, rows, n, k, a, c, mu)
		return
	}
	_, _, _ = dx[rows*n-1], dy[rows*n-1], x[rows*n-1]
	_, _, _, _ = k[rows-1], a[rows-1], c[rows-1], mu[rows-1]
	bnBackRowsAVX2(&dx[0], &dy[0], &x[0], rows, n, &k[0], &a[0], &c[0], &mu[0])
}
