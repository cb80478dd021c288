package devicetest

import (
	"math"
	"math/rand/v2"

	"github.com/tensorgl/tensorgl/device"
)

// crossEntropyKinds are the variants of the fused cross-entropy: plain,
// PyTorch's mean, class weights with label smoothing, the weighted mean
// (divided by Σ w[target]), and smoothing 1 (the target ignored).
var crossEntropyKinds = []struct {
	name           string
	eps            float32
	weighted, mean bool
}{
	{"plain", 0, false, false},
	{"mean", 0, false, true},
	{"smooth-weighted", 0.1, true, false},
	{"weighted-mean", 0.2, true, true},
	{"smooth-all", 1, false, true},
}

// crossEntropyCase draws a case's logits (the softmax cases: odd and long
// rows, rows offset by ±1000, wide spreads), targets in [0, N) and class
// weights in [0.2, 3].
func crossEntropyCase(r *rand.Rand, rows, n int, gen device.Domain, rowOffsets bool) (x []float32, target []int32, w []float32) {
	x = softmaxInput(r, rows, n, gen, rowOffsets)
	target = make([]int32, rows)
	for i := range target {
		target[i] = int32(r.IntN(n))
	}
	return x, target, uniform(r, n, 0.2, 3)
}

// crossEntropyRef returns, in float64, each row's terms lse − x[c] with
// their error bounds (log-softmax's), the coefficients a[b,c], the row
// sums A[b] = Σ_c a[b,c] and the divisor D with its relative error bound.
type crossEntropyRow struct {
	term, termErr, a []float64
	sumA             float64
}

func crossEntropyRef(x []float32, target []int32, w []float32, rows, n int, eps float64, weighted, mean bool) (rs []crossEntropyRow, div, divErr float64) {
	wt := func(c int) float64 {
		if weighted {
			return float64(w[c])
		}
		return 1
	}
	div = 1
	if mean {
		div = 0
		for _, t := range target {
			div += wt(int(t))
		}
		divErr = tol("accumulate").Bound(float64(rows), 0)
	}
	for b := range rows {
		row := x[b*n : (b+1)*n]
		m, s, spread := rowExpSum(row)
		lse := m + math.Log(s)
		r := crossEntropyRow{term: make([]float64, n), termErr: make([]float64, n), a: make([]float64, n)}
		for c, v := range row {
			dv := float64(v) - m
			r.term[c] = lse - float64(v)
			r.termErr[c] = tol("logsoftmax").Bound(math.Abs(dv)+math.Log(s)+1, spread) + tol("accumulate").Bound(float64(n), 0)
			r.a[c] = eps / float64(n) * wt(c)
			if c == int(target[b]) {
				r.a[c] += (1 - eps) * wt(c)
			}
			r.sumA += r.a[c]
		}
		rs = append(rs, r)
	}
	return rs, div, divErr
}

func crossEntropyParams(rows, n int, k struct {
	name           string
	eps            float32
	weighted, mean bool
}) device.CrossEntropyParams {
	return device.CrossEntropyParams{Rows: rows, N: n, Smoothing: k.eps, Weighted: k.weighted, Mean: k.mean}
}

func testCrossEntropy(t tb, d device.Device) {
	subtest(t, "masked", func(t tb) { testCrossEntropyMasked(t, d) })
	for _, k := range crossEntropyKinds {
		for _, c := range softmaxCases {
			subtest(t, k.name+"/"+c.name, func(t tb) {
				r := newRand(t)
				x, target, w := crossEntropyCase(r, c.rows, c.n, c.gen, c.rowOffsets)
				p := crossEntropyParams(c.rows, c.n, k)
				rs, div, divErr := crossEntropyRef(x, target, w, c.rows, c.n, float64(k.eps), k.weighted, k.mean)
				want, bound := make([]float64, c.rows), make([]float64, c.rows)
				for b, row := range rs {
					var l, err, abs float64
					for i, a := range row.a {
						l += a * row.term[i]
						abs += math.Abs(a * row.term[i])
						err += math.Abs(a) * row.termErr[i]
					}
					want[b] = l / div
					bound[b] = (err+tol("accumulate").Bound(float64(c.n+3)*abs, 0))/div + tol("div").Bound(want[b], 0) + divErr*math.Abs(want[b])
				}
				var wb device.Buffer
				if k.weighted {
					wb = upload(t, d, w)
				}
				xb, tgt := upload(t, d, x), uploadInt(t, d, target)
				dst := upload(t, d, filled(c.rows+1, sentinel))
				d.CrossEntropy(dst, xb, tgt, wb, p)
				got := download(t, d, dst, c.rows+1)
				expectClose(t, describe(p), got[:c.rows], want, bound)
				expectEqual(t, describe(p)+": past the last row", got[c.rows:], []float32{sentinel})
				// Total: the rows' sum, each row's bound plus the sum's own.
				var sum, sumBound, abs float64
				for b := range want {
					sum, sumBound, abs = sum+want[b], sumBound+bound[b], abs+math.Abs(want[b])
				}
				sumBound += tol("accumulate").Bound(float64(c.rows)*abs, 0)
				p.Total = true
				dst = upload(t, d, filled(2, sentinel))
				d.CrossEntropy(dst, xb, tgt, wb, p)
				got = download(t, d, dst, 2)
				expectClose(t, describe(p), got[:1], []float64{sum}, []float64{sumBound})
				expectEqual(t, describe(p)+": past the total", got[1:], []float32{sentinel})
			})
		}
	}
}

// testCrossEntropyMasked: without label smoothing a logit of −∞ (a
// masked class) leaves the loss finite, ln Σ e^x over the others minus the
// target's logit, and a target whose logit is −∞ gives +∞: no NaN from
// the smoothing term's 0·∞.
func testCrossEntropyMasked(t tb, d device.Device) {
	inf := float32(math.Inf(1))
	x := []float32{-inf, 0, 1, 2, -inf, 0, 0.5, -1, -inf}
	target := []int32{2, 0, 2}
	want := make([]float64, 3)
	for b := range want {
		row := x[b*3 : b*3+3]
		s := 0.0
		for _, v := range row {
			s += math.Exp(float64(v))
		}
		want[b] = math.Log(s) - float64(row[target[b]])
	}
	bound := make([]float64, 3)
	for b, w := range want {
		if !math.IsInf(w, 0) {
			bound[b] = 1e-6 * (1 + math.Abs(w))
		}
	}
	dst := upload(t, d, filled(3, sentinel))
	p := device.CrossEntropyParams{Rows: 3, N: 3}
	d.CrossEntropy(dst, upload(t, d, x), uploadInt(t, d, target), nil, p)
	got := download(t, d, dst, 3)
	if !math.IsInf(float64(got[2]), 1) {
		t.Errorf("%s: a target of logit −∞: loss %v, want +Inf", describe(p), got[2])
	}
	expectClose(t, describe(p), got[:2], want[:2], bound[:2])
}

func testCrossEntropyBackward(t tb, d device.Device) {
	for _, k := range crossEntropyKinds {
		for i, c := range softmaxCases {
			subtest(t, k.name+"/"+c.name, func(t tb) {
				r := newRand(t)
				x, target, w := crossEntropyCase(r, c.rows, c.n, c.gen, c.rowOffsets)
				p := crossEntropyParams(c.rows, c.n, k)
				rs, div, divErr := crossEntropyRef(x, target, w, c.rows, c.n, float64(k.eps), k.weighted, k.mean)
				// The upstream gradient: one value broadcast (stride 0, as
				// a sum's backward passes it) or one per row, at an offset.
				g := draw(r, c.rows+2, device.Mostly(device.Between(-1, 1), device.Wide(3)))
				dl := device.Strided{Offset: 2, Strides: []int{0}}
				if i%2 == 1 {
					dl = device.Strided{Offset: 1, Strides: []int{1}}
				}
				want, bound := make([]float64, c.rows*c.n), make([]float64, c.rows*c.n)
				for b, row := range rs {
					gb := float64(g[dl.Offset+b*dl.Strides[0]]) / div
					for j, a := range row.a {
						pj := math.Exp(-row.term[j])
						v := gb * (row.sumA*pj - a)
						want[b*c.n+j] = v
						bound[b*c.n+j] = math.Abs(gb)*(row.sumA*pj*(tol("exp").Bound(1, row.term[j])+2*row.termErr[j])+
							tol("accumulate").Bound(float64(c.n+4)*(row.sumA*pj+a), 0)) +
							tol("div").Bound(v, 0) + divErr*math.Abs(v)
					}
				}
				var wb device.Buffer
				if k.weighted {
					wb = upload(t, d, w)
				}
				dx := upload(t, d, filled(c.rows*c.n, float32(math.NaN())))
				dl.Buf = upload(t, d, g)
				d.CrossEntropyBackward(dx, upload(t, d, x), uploadInt(t, d, target), wb, dl, p)
				expectClose(t, describe(p), download(t, d, dx, c.rows*c.n), want, bound)
			})
		}
	}
}
