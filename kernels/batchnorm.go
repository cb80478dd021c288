package kernels

import (
	"math"
	"runtime"
	"sync"
)

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
	s.channelSums(func(acc *[32]float64, ch, at, rows int) {
		bnMomentsAcc(acc, x[at:], rows, s.Inner, s.C*s.Inner, float64(x[ch*s.Inner]))
	}, nil, nil, func(ch int, acc *[32]float64) {
		k := float64(x[ch*s.Inner])
		s1, s2 := bnSums(acc)
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
	})
}

// bnRowOrderMin is the shortest row (inner values) on which a
// normalisation's sums walk x in memory order, every channel of a worker's
// range a row at a time, rather than a channel at a time (its n rows, each
// C·inner floats from the last). Either way each channel's lanes add its
// values in the same order, so the bits are the same. A channel at a time,
// each row of a ResNet's 32×32 planes (4 KiB) falls on a page of its own,
// 256 KiB from the last: at batch 128 (Zen 5, 2 threads) the moments took
// 1 958 µs against 672 in memory order, the backward sums through a ReLU
// 3.6 ms against 2.6; on 16×16 planes 1.27× and 1.47× faster in memory
// order. Rows of 64 and 16 values ran 0.6–1.0× in memory order, a call
// each costing more than their run of memory saves. A variable, so that
// tests can run both ways.
var bnRowOrderMin = 256

// channelSums runs the float64 sums of every channel, their lanes in acc:
// add(acc, ch, at, rows) adds rows rows of channel ch (inner values, C·inner
// apart) from x[at:] to its lanes, and once all its n rows are in,
// finish(ch, acc) reads them. Channels run in parallel, in ranges that
// walk x in memory order where rows are long (bnRowOrderMin), one range a
// thread: the longer the runs of memory a range reads, the faster (on
// ResNet's 64-channel layer at batch 128, Zen 5, 2 threads, the moments
// took 714 µs in two ranges, 873 in four, 1 174 in ParallelFor's eight and
// 1 725 a channel at a time; the backward sums 2.8, 2.8, 2.9 and 3.5 ms;
// bench/results/bn-memory-order-2026-12-03-zen5.txt.gz). Shorter rows walk
// x in memory order too where runs is not nil and bnRuns: runs(accs, mus,
// at) adds one row of each channel of a thread's range, one image's rows
// one after the other from x[at:], with mus[c] = mu(ch) for channel ch of
// the range (bnReduceChans).
func (s BatchNormShape) channelSums(add func(acc *[32]float64, ch, at, rows int), runs func(accs [][32]float64, mus []float64, at int), mu func(ch int) float64, finish func(ch int, acc *[32]float64)) {
	grain := s.channelGrain()
	inRuns := s.Inner < bnRowOrderMin && runs != nil && bnRuns && bnChans(s.Inner)
	if s.Inner >= bnRowOrderMin || inRuns {
		grain = max(grain, ceilDiv(s.C, runtime.GOMAXPROCS(0)))
	}
	ParallelFor(s.C, grain, func(lo, hi int) {
		p := getLanes(hi - lo)
		defer lanesPool.Put(p)
		accs := *p
		switch {
		case inRuns:
			mp := getMus(hi - lo)
			defer musPool.Put(mp)
			mus := *mp
			for ch := lo; ch < hi; ch++ {
				mus[ch-lo] = mu(ch)
			}
			for r := range s.N {
				runs(accs, mus, (r*s.C+lo)*s.Inner)
			}
		case s.Inner < bnRowOrderMin:
			for ch := lo; ch < hi; ch++ {
				add(&accs[ch-lo], ch, ch*s.Inner, s.N)
			}
		default:
			for r := range s.N {
				for ch := lo; ch < hi; ch++ {
					add(&accs[ch-lo], ch, (r*s.C+ch)*s.Inner, 1)
				}
			}
		}
		for ch := lo; ch < hi; ch++ {
			finish(ch, &accs[ch-lo])
		}
	})
}

// bnRuns lets channelSums take rows shorter than bnRowOrderMin in memory
// order, an image's run of channels a call, where the CPU has the kernel
// (bnChans): a call a row had cost more than the run of memory saved
// (above), but a channel at a time each row of 16 or 64 values lies 32 or
// 64 KiB from the channel's last at a ResNet's widest layers, every one a
// miss. On a Zen 2 (2 threads, AVX2) the backward sums through a ReLU (dy,
// y and x read, dz written) ran 4.34× as fast on a ResNet's 512-channel
// 4×4 planes at batch 128 and 2.32× on its 256-channel 8×8 ones, 1.38×
// and 1.31× at batch 8; inside the steps they took 55.0 → 39.2 ms at
// batch 128 and 3.32 → 2.98 ms at 8. The moments, which read x alone, ran
// 0.86–0.88× so on rows of 16 and stay a channel at a time
// (bench/results/bn-runs-2026-12-06-zen2.txt.gz). A variable, so that
// tests can compare both ways.
var bnRuns = true

// musPool recycles channelSums' shifts for runs of channels.
var musPool sync.Pool

// getMus returns n float64s from musPool.
func getMus(n int) *[]float64 {
	p, _ := musPool.Get().(*[]float64)
	if p == nil || cap(*p) < n {
		s := make([]float64, n)
		return &s
	}
	*p = (*p)[:n]
	return p
}

// lanesPool recycles channelSums' lanes.
var lanesPool sync.Pool

// getLanes returns n zeroed sets of lanes from lanesPool.
func getLanes(n int) *[][32]float64 {
	p, _ := lanesPool.Get().(*[][32]float64)
	if p == nil || cap(*p) < n {
		s := make([][32]float64, n)
		return &s
	}
	*p = (*p)[:n]
	clear(*p)
	return p
}

// bnSums adds the lanes of acc's two sums as bnLanes does.
func bnSums(acc *[32]float64) (float64, float64) {
	return bnLanes((*[16]float64)(acc[:16])), bnLanes((*[16]float64)(acc[16:]))
}

// bnMoments returns bnMomentsAcc's two sums from zero.
func bnMoments(x []float32, rows, n, stride int, k float64) (s1, s2 float64) {
	var acc [32]float64
	bnMomentsAcc(&acc, x, rows, n, stride, k)
	return bnSums(&acc)
}

// bnMomentsGo returns Σ d and Σ d², d = x − k in float64, over rows rows of
// n values of x, stride apart: value i of a row goes into lane i mod 16,
// the lanes added as bnLanes does (the vector code's order).
func bnMomentsGo(x []float32, rows, n, stride int, k float64) (s1, s2 float64) {
	var acc [32]float64
	bnMomentsAccGo(&acc, x, rows, n, stride, k)
	return bnSums(&acc)
}

// bnMomentsAccGo adds bnMomentsGo's sums to the lanes acc holds, Σ d in
// acc[:16] and Σ d² in acc[16:], without adding the lanes.
func bnMomentsAccGo(acc *[32]float64, x []float32, rows, n, stride int, k float64) {
	a, b := (*[16]float64)(acc[:16]), (*[16]float64)(acc[16:])
	for r := range rows {
		bnMomentsRow(a, b, x[r*stride:], 0, n, k)
	}
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
// Each worker's rows go in runs of consecutive channels of one image
// (bnNormRows): a ResNet's planes of 16 values at batch 8 took 27 ns a row
// in two calls each (bnNorm, biasRelu).
func BatchNorm(y, x, mean, invstd, w, b, res []float32, s BatchNormShape, eps float32, eval, relu bool) {
	kp := getScratch(s.C)
	defer putScratch(kp)
	k := (*kp)[:s.C]
	for ch := range k {
		k[ch] = bnScale(invstd, ch, eps, eval) * w[ch]
	}
	bnChannelRuns(s, func(r, ch, rows int) {
		at := r * s.Inner
		var rr []float32
		if res != nil {
			rr = res[at:]
		}
		bnNormRows(y[at:], x[at:], rr, rows, s.Inner, mean[ch:], k[ch:], b[ch:], relu)
	})
}

// bnChannelRuns shares the N·C rows of s out among threads and calls
// run(r, ch, rows) with each run of a thread's rows that are consecutive
// channels of one image: rows r… of x, channels ch….
func bnChannelRuns(s BatchNormShape, run func(r, ch, rows int)) {
	ParallelFor(s.N*s.C, max(1, streamGrainNow()/s.Inner), func(lo, hi int) {
		for r := lo; r < hi; {
			ch := r % s.C
			rows := min(hi-r, s.C-ch)
			run(r, ch, rows)
			r += rows
		}
	})
}

// bnNormRowsGo sets, for each of rows rows of n values (consecutive in y,
// x and r), y = (x − mu[i])·k[i] + bias[i] (+ r where r is not nil), then
// max(that, 0) where relu, a row at a time by bnNorm and biasRelu.
func bnNormRowsGo(y, x, r []float32, rows, n int, mu, k, bias []float32, relu bool) {
	for i := range rows {
		yr, xr := y[i*n:][:n], x[i*n:][:n]
		var rr []float32
		if r != nil {
			rr = r[i*n:][:n]
		}
		bnNorm(yr, xr, rr, mu[i], k[i], bias[i])
		if relu {
			biasRelu(yr, yr, 0) // max(v+0, 0) = max(v, 0), −0 and NaN included
		}
	}
}

// BatchNormBackwardReduce writes db = Σ dy and dw = Σ dy·(x − mean)·invstd
// per channel; eval as in bnScale. With y and dz (not nil), dy is the
// gradient of a ReLU's output y: dz = dy where y > 0, else 0, is written
// and summed instead, in the same pass.
func BatchNormBackwardReduce(dw, db, dy, x, mean, invstd, y, dz []float32, s BatchNormShape, eps float32, eval bool) {
	s.channelSums(func(acc *[32]float64, ch, at, rows int) {
		var zr, yr []float32
		if dz != nil {
			zr, yr = dz[at:], y[at:]
		}
		bnReduceAcc(acc, zr, dy[at:], yr, x[at:], rows, s.Inner, s.C*s.Inner, float64(mean[ch]))
	}, func(accs [][32]float64, mus []float64, at int) {
		var zr, yr []float32
		if dz != nil {
			zr, yr = dz[at:], y[at:]
		}
		bnReduceChans(accs, zr, dy[at:], yr, x[at:], s.Inner, mus)
	}, func(ch int) float64 {
		return float64(mean[ch])
	}, func(ch int, acc *[32]float64) {
		sdy, sdyx := bnSums(acc)
		db[ch] = float32(sdy)
		dw[ch] = float32(sdyx * float64(bnScale(invstd, ch, eps, eval)))
	})
}

// bnReduce returns bnReduceAcc's two sums from zero.
func bnReduce(dz, dy, y, x []float32, rows, n, stride int, mu float64) (sdy, sdyx float64) {
	var acc [32]float64
	bnReduceAcc(&acc, dz, dy, y, x, rows, n, stride, mu)
	return bnSums(&acc)
}

// bnReduceGo returns Σ g and Σ g·(x − mu) in float64 over rows rows of n
// values, stride apart, where g is dy, or, with y not nil, dz = dy where
// y > 0, else 0, which it writes. Element i of each row adds into lane
// i mod 16 of each sum, and the lanes are added as bnLanes does: the
// order of bnReduce's vector code, and its bits.
func bnReduceGo(dz, dy, y, x []float32, rows, n, stride int, mu float64) (sdy, sdyx float64) {
	var acc [32]float64
	bnReduceAccGo(&acc, dz, dy, y, x, rows, n, stride, mu)
	return bnSums(&acc)
}

// bnReduceAccGo adds bnReduceGo's sums to the lanes acc holds, Σ g in
// acc[:16] and Σ g·(x − mu) in acc[16:], without adding the lanes.
func bnReduceAccGo(acc *[32]float64, dz, dy, y, x []float32, rows, n, stride int, mu float64) {
	a, b := (*[16]float64)(acc[:16]), (*[16]float64)(acc[16:])
	for r := range rows {
		bnReduceRow(a, b, dz, dy, y, x, r*stride, 0, n, mu)
	}
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
// w·invstd·dy when eval; in runs of channels as BatchNorm.
func BatchNormBackward(dx, dy, x, mean, invstd, w, dw, db []float32, s BatchNormShape, eps float32, eval bool) {
	m := float32(s.N * s.Inner)
	pp := getScratch(3 * s.C)
	defer putScratch(pp)
	k, a, c := (*pp)[:s.C], (*pp)[s.C:2*s.C], (*pp)[2*s.C:3*s.C]
	for ch := range k {
		is := bnScale(invstd, ch, eps, eval)
		k[ch] = w[ch] * is
		if !eval {
			a[ch], c[ch] = db[ch]/m, dw[ch]/m*is
		}
	}
	bnChannelRuns(s, func(r, ch, rows int) {
		at := r * s.Inner
		if eval {
			for i := range rows {
				kc := k[ch+i]
				for j, g := range dy[at+i*s.Inner:][:s.Inner] {
					dx[at+i*s.Inner+j] = kc * g
				}
			}
			return
		}
		bnBackRows(dx[at:], dy[at:], x[at:], rows, s.Inner, k[ch:], a[ch:], c[ch:], mean[ch:])
	})
}

// bnBackRowsGo sets, for each of rows rows of n values (consecutive in
// dx, dy and x), dx = k[i]·(dy − a[i] − (x − mu[i])·c[i]), a row at a
// time by bnBack.
func bnBackRowsGo(dx, dy, x []float32, rows, n int, k, a, c, mu []float32) {
	for i := range rows {
		bnBack(dx[i*n:][:n], dy[i*n:][:n], x[i*n:][:n], k[i], a[i], c[i], mu[i])
	}
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
