package kernels

import "math"

// Layer normalisation of x [rows, n] over each row's n values
// (device.LayerNorm and LayerNormBackward). Rows run in parallel; each
// row's sums run in float64 in one fixed order, and the weight and bias
// gradients sum fixed blocks of rows (lnBlockRows) and then the blocks in
// order, so results do not depend on GOMAXPROCS. The vector loops are the
// batch norm's (bnMoments, bnNorm, bnReduce, bnBack) and the binary
// kernels'.

// lnBlockRows is how many rows one partial sum of LayerNormBackward's
// weight and bias gradients takes, in order; the blocks' sums are then
// added in order.
const lnBlockRows = 32

// LayerNorm writes each row's mean and rstd = 1/√(var + eps) (biased
// variance, from one pass of float64 sums of x − x₀ and (x − x₀)², x₀ the
// row's first value, as BatchNormStats) and y = (x − mean)·rstd·w + b,
// with w and b [n] (nil: 1 and 0).
func LayerNorm(y, mean, rstd, x, w, b []float32, rows, n int, eps float32) {
	if rows <= 0 || n <= 0 {
		return
	}
	m := float64(n)
	ParallelFor(rows, max(1, elemGrain/n), func(lo, hi int) {
		for r := lo; r < hi; r++ {
			xr, yr := x[r*n:][:n], y[r*n:][:n]
			k := float64(xr[0])
			s1, s2 := bnMoments(xr, 1, n, n, k)
			d := s1 / m
			mu, rs := float32(k+d), float32(1/math.Sqrt(max(0, s2/m-d*d)+float64(eps)))
			mean[r], rstd[r] = mu, rs
			bnNorm(yr, xr, nil, mu, rs, 0)
			if w != nil {
				binarySpan(Mul, 0, yr, yr, w[:n])
			}
			if b != nil {
				binarySpan(Add, 0, yr, yr, b[:n])
			}
		}
	})
}

// LayerNormBackward writes dx = rstd·(g − mean(g) − x̂·mean(g·x̂)) per row,
// g = dy·w (dy when w is nil) and x̂ = (x − mean)·rstd, the row's sums in
// float64 (bnReduce); and, where dw and db are not nil, dw = Σ dy·x̂ and
// db = Σ dy over the rows, by blocks of lnBlockRows rows, in the same pass
// over each block's rows as dx.
func LayerNormBackward(dx, dw, db, dy, x, mean, rstd, w []float32, rows, n int) {
	if rows <= 0 || n <= 0 {
		return
	}
	m := float64(n)
	blocks := ceilDiv(rows, lnBlockRows)
	grads := dw != nil || db != nil
	var part []float32 // block blk's Σ dy·x̂ and Σ dy at 2·blk·n and (2·blk+1)·n
	if grads {
		pp := getScratch(2 * blocks * n)
		defer putScratch(pp)
		part = *pp
	}
	ParallelItems(blocks, func() (func(int), func()) {
		sp := getScratch(2 * n)
		g, t := (*sp)[:n], (*sp)[n:]
		return func(blk int) {
			r0 := blk * lnBlockRows
			for r := r0; r < min(rows, r0+lnBlockRows); r++ {
				xr, dyr, dxr := x[r*n:][:n], dy[r*n:][:n], dx[r*n:][:n]
				gr := dyr
				if w != nil {
					binarySpan(Mul, 0, g, dyr, w[:n])
					gr = g
				}
				mu, rs := mean[r], rstd[r]
				sg, sgx := bnReduce(nil, gr, nil, xr, 1, n, n, float64(mu))
				a := float32(sg / m)
				c := float32(float64(rs) * float64(rs) * sgx / m)
				bnBack(dxr, gr, xr, rs, a, c, mu)
				if !grads {
					continue
				}
				pw, pb := part[2*blk*n:][:n], part[(2*blk+1)*n:][:n]
				bnNorm(t, xr, nil, mu, rs, 0)
				binarySpan(Mul, 0, t, t, dyr)
				if r == r0 {
					copy(pw, t)
					copy(pb, dyr)
					continue
				}
				binarySpan(Add, 0, pw, pw, t)
				binarySpan(Add, 0, pb, pb, dyr)
			}
		}, func() { putScratch(sp) }
	})
	for i, out := range [][]float32{dw, db} {
		if out == nil {
			continue
		}
		out = out[:n]
		copy(out, part[i*n:][:n])
		for blk := 1; blk < blocks; blk++ {
			binarySpan(Add, 0, out, out, part[(2*blk+i)*n:][:n])
		}
	}
}
