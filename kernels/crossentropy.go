package kernels

import "math"

// CrossEntropyConfig holds the parameters of a fused softmax cross-entropy
// (device.CrossEntropyParams): label smoothing ε, class weights (nil for
// all ones) and whether each row is divided by Σ_b w[target[b]] (the row
// count without weights), which makes the sum of the rows a mean.
type CrossEntropyConfig struct {
	Rows, N   int
	Smoothing float32
	Weight    []float32
	Mean      bool
}

// weights returns w[c], Σ_c w[c] and the rows' divisor D, the sums in
// float64 in increasing order.
func (c CrossEntropyConfig) weights(target []int32) (w func(int) float64, sumW, div float64) {
	w = func(int) float64 { return 1 }
	sumW, div = float64(c.N), 1
	if c.Weight != nil {
		w = func(k int) float64 { return float64(c.Weight[k]) }
		sumW = 0
		for _, v := range c.Weight[:c.N] {
			sumW += float64(v)
		}
	}
	if c.Mean {
		div = float64(c.Rows)
		if c.Weight != nil {
			div = 0
			for _, t := range target[:c.Rows] {
				div += w(int(t))
			}
		}
	}
	return w, sumW, div
}

// ceRows is the most rows a cross-entropy kernel takes at a time, their
// exponentials in one vexp call: on narrow rows (a batch of 1024 rows of
// 10 classes) a call a row cost more than the row's own work. A block
// holds at most ceFloats values (or one row), so that it is still in the
// L1 cache when its sums are read.
const (
	ceRows   = 64
	ceFloats = 4096
)

// ceBlock is the rows of n values a block takes.
func ceBlock(n int) int { return max(1, min(ceRows, ceFloats/n)) }

// lseRows sets m[i], s[i] and ls[i] for each row i of x (rows of n
// values, at most ceBlock(n)) to the row's maximum, Σ e^(x−m) and its
// logarithm, exactly as expShifted and math.Log form them one row at a
// time (each value's exponential is the same in any position of a vexp
// call), and leaves e = e^(x−m) (e has x's length); ls may be nil. The
// log-sum-exp is m + ls, and terms are formed as (m − x) + ls so that rows
// far from 0 keep their precision.
func lseRows(x []float32, n int, e []float32, m, s, ls *[ceRows]float64) {
	rows := len(x) / n
	for i := range rows {
		m[i] = float64(shiftByMax(x[i*n:(i+1)*n], e[i*n:(i+1)*n]))
	}
	vexp(e[:rows*n], e[:rows*n])
	// The sums 8 rows at a time (sumRuns, sum64's bits): one row's four
	// dependent chains of float64 adds left the adders idle, and took 16%
	// of the character RNN's cross-entropy (4 096 rows of 96) on a Zen 4.
	i := 0
	var offs [8]int
	var sums [8]float64
	for ; i+8 <= rows; i += 8 {
		for r := range offs {
			offs[r] = (i + r) * n
		}
		sumRuns(e, offs[:], n, sums[:])
		copy(s[i:i+8], sums[:])
	}
	for ; i < rows; i++ {
		s[i] = sum64(e[i*n : (i+1)*n])
	}
	if ls != nil {
		for i := range rows {
			ls[i] = math.Log(s[i])
		}
	}
}

// expShifted sets e = e^(x−m), m the row's maximum, the exponentials in
// float32 vector code (vexp, as the GL kernels form them), and returns m
// and their sum in float64 (sum64's four running sums).
func expShifted(x, e []float32) (m, sum float64) {
	mx := shiftByMax(x, e)
	vexp(e, e)
	return float64(mx), sum64(e)
}

// shiftByMax sets e = x − m and returns m, the row's maximum (rowMax).
func shiftByMax(x, e []float32) float32 {
	mx := rowMax(x)
	shift(e, x, mx)
	return mx
}

// shiftGo sets e = x − a, each difference rounded to float32.
func shiftGo(e, x []float32, a float32) {
	e = e[:len(x)]
	for k, v := range x {
		e[k] = v - a
	}
}

// scale64Go sets d = float32(g·(a·p)), each product rounded to float64.
func scale64Go(d, p []float32, a, g float64) {
	d = d[:len(p)]
	for k, v := range p {
		d[k] = float32(g * (a * float64(v)))
	}
}

// rowMax returns the largest element of x (NaN if one is NaN, +0 over −0,
// as Go's max): whole vectors by VMAXPS where the CPU has it, the rest by
// max. VMAXPS drops NaNs and may pick either of two zeros, so a row with a
// NaN or a zero maximum goes through rowMaxGo instead; max is exact and
// order-independent, so every path gives the same result.
func rowMax(x []float32) float32 {
	m, nan, full := rowMaxVec(x)
	if full == 0 || nan {
		return rowMaxGo(x)
	}
	for _, v := range x[full:] {
		m = max(m, v)
	}
	if m == 0 {
		return rowMaxGo(x)
	}
	return m
}

// rowMaxGo is rowMax with four running maxima, so that each compare waits
// on the one four elements back rather than on the one before.
func rowMaxGo(x []float32) float32 {
	m0 := x[0]
	m1, m2, m3 := m0, m0, m0
	i := 1
	for ; i+4 <= len(x); i += 4 {
		q := x[i : i+4 : i+4]
		m0, m1, m2, m3 = max(m0, q[0]), max(m1, q[1]), max(m2, q[2]), max(m3, q[3])
	}
	for ; i < len(x); i++ {
		m0 = max(m0, x[i])
	}
	return max(max(m0, m1), max(m2, m3))
}

// CrossEntropy writes into loss each row's cross-entropy of logits
// [Rows, N] against target (see device.CrossEntropyParams). Every term
// lse − x is ≥ 0, so the sum has no cancellation.
func CrossEntropy(loss, logits []float32, target []int32, c CrossEntropyConfig) {
	w, _, div := c.weights(target)
	n, eps := c.N, float64(c.Smoothing)
	ParallelFor(c.Rows, max(1, rowGrain/n), func(lo, hi int) {
		bl := ceBlock(n)
		e := getScratch(min(hi-lo, bl) * n)
		defer putScratch(e)
		var ms, ss, lss [ceRows]float64
		for r0 := lo; r0 < hi; r0 += bl {
			r1 := min(hi, r0+bl)
			lseRows(logits[r0*n:r1*n], n, *e, &ms, &ss, &lss)
			for r := r0; r < r1; r++ {
				x := logits[r*n : (r+1)*n]
				m, ls := ms[r-r0], lss[r-r0]
				t := int(target[r])
				v := (1 - eps) * w(t) * (m - float64(x[t]) + ls)
				if eps != 0 {
					var s float64
					for k, xk := range x {
						s += w(k) * (m - float64(xk) + ls)
					}
					v += eps / float64(n) * s
				}
				loss[r] = float32(v / div)
			}
		}
	})
}

// CrossEntropyBackward writes dlogits [Rows, N] from the logits, target
// and the upstream gradient of row r, dloss[dOff + r·dStride] (see
// device.CrossEntropyParams).
func CrossEntropyBackward(dlogits, logits []float32, target []int32, dloss []float32, dOff, dStride int, c CrossEntropyConfig) {
	w, sumW, div := c.weights(target)
	n, eps := c.N, float64(c.Smoothing)
	keep, soft := 1-eps, eps/float64(n) // the target's share and every class's
	ParallelFor(c.Rows, max(1, rowGrain/n), func(lo, hi int) {
		bl := ceBlock(n)
		e := getScratch(min(hi-lo, bl) * n)
		defer putScratch(e)
		var ms, ss [ceRows]float64
		for r0 := lo; r0 < hi; r0 += bl {
			r1 := min(hi, r0+bl)
			// The softmax is e^(x − m)/Σ e^(x − m): lseRows leaves the
			// exponentials (float32 vector code, x − m first, exact near
			// the maximum however large m is) and their float64 sums, and
			// each is scaled by a/Σ in float64. Forming e^((x − m) − ls)
			// instead took a second pass of exponentials (the character
			// RNN's 4 096 rows of 96: 335 against 208 µs on 2 threads of
			// a Zen 4) and rounded ls and (x − m) − ls to float32 on the
			// way.
			lseRows(logits[r0*n:r1*n], n, *e, &ms, &ss, nil)
			for r := r0; r < r1; r++ {
				d, er := dlogits[r*n:(r+1)*n], (*e)[(r-r0)*n:(r-r0+1)*n]
				t := int(target[r])
				g := float64(dloss[dOff+r*dStride]) / div
				hard := keep * w(t)
				a := hard + soft*sumW // Σ_c a[c]
				as := a / ss[r-r0]    // a, times the softmax's 1/Σ
				if c.Weight == nil && eps == 0 {
					// The usual loss: a[c] is 0 but at the target, so the
					// same arithmetic without the per-class weight.
					scale64(d, er, as, g)
					d[t] = float32(g * (as*float64(er[t]) - hard))
					continue
				}
				for k, ek := range er {
					ak := soft * w(k)
					if k == t {
						ak += hard
					}
					d[k] = float32(g * (as*float64(ek) - ak))
				}
			}
		}
	})
}
