package kernels

import "math"

// normChunk is how many elements of a tensor one partial sum of SumSquares
// covers. The partial sums run in parallel and are added in order, so the
// result depends on the tensors' sizes alone, not on GOMAXPROCS.
const normChunk = 1 << 14

// SumSquares returns Σ x² over every element of every tensor of ts, in
// float64: each tensor in chunks of normChunk elements, each chunk in four
// interleaved partial sums (as sum64), the chunks' sums added in order.
func SumSquares(ts [][]float32) float64 {
	type chunk struct{ t, lo int }
	var chunks []chunk
	for i, t := range ts {
		for lo := 0; lo < len(t); lo += normChunk {
			chunks = append(chunks, chunk{i, lo})
		}
	}
	parts := make([]float64, len(chunks))
	ParallelFor(len(chunks), 1, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			c := chunks[i]
			t := ts[c.t]
			parts[i] = sumSquares64(t[c.lo:min(c.lo+normChunk, len(t))])
		}
	})
	total := 0.0
	for _, p := range parts {
		total += p
	}
	return total
}

// sumSquares64 adds the squares of s in float64 in four interleaved
// partial sums.
func sumSquares64(s []float32) float64 {
	var t0, t1, t2, t3 float64
	n := len(s) &^ 3
	for i := 0; i < n; i += 4 {
		q := s[i : i+4 : i+4]
		a, b, c, d := float64(q[0]), float64(q[1]), float64(q[2]), float64(q[3])
		t0 += a * a
		t1 += b * b
		t2 += c * c
		t3 += d * d
	}
	for _, v := range s[n:] {
		x := float64(v)
		t0 += x * x
	}
	return (t0 + t1) + (t2 + t3)
}

// ClipCoef returns the factor ClipScale multiplies by, maxNorm/(√sq + 1e-6)
// in float32, and whether to apply it: only when it is below 1 and sq is
// finite.
func ClipCoef(sq, maxNorm float32) (float32, bool) {
	if math.IsNaN(float64(sq)) || math.IsInf(float64(sq), 0) {
		return 1, false
	}
	c := maxNorm / (float32(math.Sqrt(float64(sq))) + 1e-6)
	return c, c < 1
}

// ScaleAll multiplies every element of every tensor of ts by c in place,
// in parallel, with Scale's vector loop.
func ScaleAll(ts [][]float32, c float32) {
	parallelOver(ts, func(t []float32) int { return len(t) }, streamGrainNow(), func(t []float32, lo, hi int) {
		Scale(t[lo:hi], t[lo:hi], c)
	})
}
