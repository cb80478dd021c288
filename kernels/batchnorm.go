package kernels

import "math"

// Batch normalisation of x [n, c, inner] over each channel's m = n·inner
// values (device.BatchNormStats, BatchNorm and their backwards). Channels
// run in parallel; each channel's sums run in float64 in one fixed order
// (its n rows of inner contiguous values), so results do not depend on
// GOMAXPROCS.

// BatchNormShape is the layout of a batch normalisation: x [N, C, Inner].
type BatchNormShape struct{ N, C, Inner int }

// channelGrain is the fewest channels×values worth another goroutine.
func (s BatchNormShape) channelGrain() int { return max(1, elemGrain/(s.N*s.Inner)) }

// rows calls fn with each of channel ch's n rows of x (inner values).
func (s BatchNormShape) rows(x []float32, ch int, fn func(row []float32)) {
	for n := range s.N {
		fn(x[(n*s.C+ch)*s.Inner:][:s.Inner])
	}
}

// BatchNormStats writes each channel's mean and invstd = 1/√(var + eps)
// (biased variance) and, when runMean is not nil, updates runMean and
// runVar with momentum, runVar from the unbiased variance. The moments come
// from one pass of float64 sums of d = x − x₀ and d², x₀ the channel's
// first value (bnMoments): mean = x₀ + Σd/m, var = Σd²/m − (Σd/m)², where
// the shift keeps a large mean from cancelling (the error is about 2⁻⁵³
// times 1 + (x₀ − mean)²/var of the variance; two passes, the sum and
// then the squared deviations, read the activations twice).
func BatchNormStats(mean, invstd, runMean, runVar, x []float32, s BatchNormShape, eps, momentum float32) {
	m := float64(s.N * s.Inner)
	ParallelFor(s.C, s.channelGrain(), func(lo, hi int) {
		for ch := lo; ch < hi; ch++ {
			at := ch * s.Inner
			k := float64(x[at])
			s1, s2 := bnMoments(x[at:], s.N, s.Inner, s.C*s.Inner, k)
			d := s1 / m
			mu := k + d
			v := max(0, s2/m-d*d)
			mean[ch] = float32(mu)
			invstd[ch] = float32(1 / math.Sqrt(v+float64(eps)))
			if runMean != nil {
				k := float64(momentum)
				runMean[ch] = float32((1-k)*float64(runMean[ch]) + k*mu)
				runVar[ch] = float32((1-k)*float64(runVar[ch]) + k*v*m/(m-1))
			}
		}
	})
}

// bnMomentsGo returns Σ d and Σ d², d = x − k in float64, over rows rows of
// n values of x, stride apart: value i of a row goes into lane i mod 16,
// the lanes added as bnLanes does (the vector code's order).
func bnMomentsGo(x []float32, rows, n, stride int, k float64) (s1, s2 float64) {
	var a, b [16]float64
	for r := range rows {
		bnMomentsRow(&a, &b, x[r*stride:], 0, n, k)
	}
	return bnLanes(&a), bnLanes(&b)
}

// bnMomentsRow adds values [i0, n) of row into the lanes a and b as
// bnMomentsGo does.
func bnMomentsRow(a, b *[16]float64, row []float32, i0, n int, k float64) {
	for i, v := range row[i0:n] {
		d := float64(v) - k
		a[(i0+i)%16] += d
		b[(i0+i)%16] += float64(d * d) // rounded before the sum, as the vector code
	}
}

// bnScale returns channel ch's 1/σ: invstd[ch], or 1/√(invstd[ch] + eps)
// when eval (invstd then holds the running variance).
func bnScale(invstd []float32, ch int, eps float32, eval bool) float32 {
	if eval {
		return float32(1 / math.Sqrt(float64(invstd[ch])+float64(eps)))
	}
	return invstd[ch]
}

// BatchNorm writes y = (x − mean)·(invstd·w) + b per channel, plus res
// where it is not nil, then max(that, 0) when relu; eval as in bnScale.
func BatchNorm(y, x, mean, invstd, w, b, res []float32, s BatchNormShape, eps float32, eval, relu bool) {
	ParallelFor(s.N*s.C, max(1, streamGrain/s.Inner), func(lo, hi int) {
		for r := lo; r < hi; r++ {
			ch := r % s.C
			k, mu, bias := bnScale(invstd, ch, eps, eval)*w[ch], mean[ch], b[ch]
			xr, yr := x[r*s.Inner:][:s.Inner], y[r*s.Inner:][:s.Inner]
			var rr []float32
			if res != nil {
				rr = res[r*s.Inner:][:s.Inner]
			}
			bnNorm(yr, xr, rr, mu, k, bias)
			if relu {
				biasRelu(yr, yr, 0) // max(v+0, 0) = max(v, 0), −0 and NaN included
			}
		}
	})
}

// BatchNormBackwardReduce writes db = Σ dy and dw = Σ dy·(x − mean)·invstd
// per channel; eval as in bnScale. With y and dz (not nil), dy is the
// gradient of a ReLU's output y: dz = dy where y > 0, else 0, is written
// and summed instead, in the same pass.
func BatchNormBackwardReduce(dw, db, dy, x, mean, invstd, y, dz []float32, s BatchNormShape, eps float32, eval bool) {
	ParallelFor(s.C, s.channelGrain(), func(lo, hi int) {
		for ch := lo; ch < hi; ch++ {
			at := ch * s.Inner
			var zr, yr []float32
			if dz != nil {
				zr, yr = dz[at:], y[at:]
			}
			sdy, sdyx := bnReduce(zr, dy[at:], yr, x[at:], s.N, s.Inner, s.C*s.Inner, float64(mean[ch]))
			db[ch] = float32(sdy)
			dw[ch] = float32(sdyx * float64(bnScale(invstd, ch, eps, eval)))
		}
	})
}

// bnReduceGo returns Σ g and Σ g·(x − mu) in float64 over rows rows of n
// values, stride apart, where g is dy, or, with y not nil, dz = dy where
// y > 0, else 0, which it writes. Element i of each row adds into lane
// i mod 16 of each sum, and the lanes are added as bnLanes does: the
// order of bnReduce's vector code, and its bits.
func bnReduceGo(dz, dy, y, x []float32, rows, n, stride int, mu float64) (sdy, sdyx float64) {
	var a, b [16]float64
	for r := range rows {
		bnReduceRow(&a, &b, dz, dy, y, x, r*stride, 0, n, mu)
	}
	return bnLanes(&a), bnLanes(&b)
}

// bnReduceRow adds values [i0, n) of the row at at into the lanes a and b
// as bnReduceGo does (value i into lane i mod 16), writing dz where y is
// not nil.
func bnReduceRow(a, b *[16]float64, dz, dy, y, x []float32, at, i0, n int, mu float64) {
	xr, gr := x[at:][:n], dy[at:][:n]
	var zr, yr []float32
	if y != nil {
		zr, yr = dz[at:][:n], y[at:][:n]
	}
	for i := i0; i < n; i++ {
		g := gr[i]
		if yr != nil {
			g = sel(yr[i] > 0, g, 0)
			zr[i] = g
		}
		a[i%16] += float64(g)
		b[i%16] += float64(float64(g) * (float64(xr[i]) - mu)) // rounded before the sum, as the vector code
	}
}

// bnLanes adds 16 lanes pairwise, lane i with lane i+8, then i+4, i+2 and
// i+1.
func bnLanes(a *[16]float64) float64 {
	for w := 8; w >= 1; w /= 2 {
		for i := range w {
			a[i] += a[i+w]
		}
	}
	return a[0]
}

// BatchNormBackward writes dx = w·invstd·(dy − db/m − x̂·dw/m), or
// w·invstd·dy when eval.
func BatchNormBackward(dx, dy, x, mean, invstd, w, dw, db []float32, s BatchNormShape, eps float32, eval bool) {
	m := float32(s.N * s.Inner)
	ParallelFor(s.N*s.C, max(1, streamGrain/s.Inner), func(lo, hi int) {
		for r := lo; r < hi; r++ {
			ch := r % s.C
			is := bnScale(invstd, ch, eps, eval)
			k := w[ch] * is
			xr, gr, dr := x[r*s.Inner:][:s.Inner], dy[r*s.Inner:][:s.Inner], dx[r*s.Inner:][:s.Inner]
			if eval {
				for i, g := range gr {
					dr[i] = k * g
				}
				continue
			}
			a, c, mu := db[ch]/m, dw[ch]/m*is, mean[ch]
			bnBack(dr, gr, xr, k, a, c, mu)
		}
	})
}

// bnNormGo sets y = (x−mu)·k + bias, plus r where r is not nil: the
// portable loop of bnNorm.
func bnNormGo(y, x, r []float32, mu, k, bias float32) {
	x = x[:len(y)]
	if r != nil {
		r = r[:len(y)]
		for i, v := range x {
			y[i] = (v-mu)*k + bias + r[i]
		}
		return
	}
	for i, v := range x {
		y[i] = (v-mu)*k + bias
	}
}

// bnBackGo sets dx = k·(dy − a − (x−mu)·c): the portable loop of bnBack.
func bnBackGo(dx, dy, x []float32, k, a, c, mu float32) {
	dy, x = dy[:len(dx)], x[:len(dx)]
	for i, g := range dy {
		dx[i] = k * (g - a - (x[i]-mu)*c)
	}
}
