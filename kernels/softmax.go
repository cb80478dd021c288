package kernels

import "math"

// rowGrain is the fewest row elements worth a goroutine for row kernels.
const rowGrain = 1 << 13

// Softmax writes the softmax (or, with log, the log-softmax) of each row of
// contiguous src [rows, n] into dst (not src itself). The row maximum is
// subtracted first and the exponentials are formed in float32 vector code
// (vexp, as the GL kernel and CrossEntropy form them), their sum in
// float64, so large inputs neither overflow nor lose the small terms; the
// softmax is then each exponential times the sum's reciprocal, the
// log-softmax (x − max) − ln Σ in float64. With causal = L > 0 (not with
// log) row r is query i = r mod L of a block, and only its first i+1
// elements take part: the rest of the row is 0 (device.SoftmaxParams).
func Softmax(dst, src []float32, rows, n, causal int, log bool) {
	ParallelFor(rows, max(1, rowGrain/n), func(lo, hi int) {
		for r := lo; r < hi; r++ {
			s, d := src[r*n:(r+1)*n], dst[r*n:(r+1)*n]
			if causal > 0 {
				if k := r%causal + 1; k < n {
					clear(d[k:])
					s, d = s[:k], d[:k]
				}
			}
			// The exponentials go to d, which the softmax scales and
			// the log-softmax overwrites.
			m, sum := expShifted(s, d)
			if log {
				ls := math.Log(sum)
				for i, v := range s {
					d[i] = float32((float64(v) - m) - ls)
				}
				continue
			}
			scale(d, d, float32(1/sum))
		}
	})
}

// SoftmaxBackward writes dx for each row from the forward output y and the
// upstream gradient dy: softmax: dx = y·(dy − Σ dy·y); log-softmax:
// dx = dy − eʸ·Σ dy, eʸ in float32 vector code (vexp). The sums are
// accumulated in float64. dx must not be y or dy.
func SoftmaxBackward(dx, y, dy []float32, rows, n int, log bool) {
	ParallelFor(rows, max(1, rowGrain/n), func(lo, hi int) {
		for r := lo; r < hi; r++ {
			ys, g, d := y[r*n:(r+1)*n], dy[r*n:(r+1)*n], dx[r*n:(r+1)*n]
			var s float64
			if log {
				for _, v := range g {
					s += float64(v)
				}
				// eʸ by vector code into d first.
				vexp(d, ys)
				for i, e := range d {
					d[i] = float32(float64(g[i]) - float64(e)*s)
				}
				continue
			}
			for i, v := range ys {
				s += float64(g[i]) * float64(v)
			}
			for i, v := range ys {
				d[i] = float32(float64(v) * (float64(g[i]) - s))
			}
		}
	})
}
