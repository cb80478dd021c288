package kernels

import "math"

// rowGrain is the fewest row elements worth a goroutine for row kernels.
const rowGrain = 1 << 13

// Softmax writes the softmax (or, with log, the log-softmax) of each row of
// contiguous src [rows, n] into dst. The row maximum is subtracted first and
// the sum of exponentials is accumulated in float64, so large inputs neither
// overflow nor lose the small terms.
func Softmax(dst, src []float32, rows, n int, log bool) {
	ParallelFor(rows, max(1, rowGrain/n), func(lo, hi int) {
		for r := lo; r < hi; r++ {
			s, d := src[r*n:(r+1)*n], dst[r*n:(r+1)*n]
			m := s[0]
			for _, v := range s[1:] {
				m = max(m, v)
			}
			mf := float64(m)
			var sum float64
			if log {
				for _, v := range s {
					sum += math.Exp(float64(v) - mf)
				}
				ls := mf + math.Log(sum)
				for i, v := range s {
					d[i] = float32(float64(v) - ls)
				}
				continue
			}
			for i, v := range s {
				e := math.Exp(float64(v) - mf)
				d[i] = float32(e)
				sum += e
			}
			inv := 1 / sum
			for i := range d {
				d[i] = float32(float64(d[i]) * inv)
			}
		}
	})
}

// SoftmaxBackward writes dx for each row from the forward output y and the
// upstream gradient dy: softmax: dx = y·(dy − Σ dy·y); log-softmax:
// dx = dy − eʸ·Σ dy. The sums are accumulated in float64.
func SoftmaxBackward(dx, y, dy []float32, rows, n int, log bool) {
	ParallelFor(rows, max(1, rowGrain/n), func(lo, hi int) {
		for r := lo; r < hi; r++ {
			ys, g, d := y[r*n:(r+1)*n], dy[r*n:(r+1)*n], dx[r*n:(r+1)*n]
			var s float64
			if log {
				for _, v := range g {
					s += float64(v)
				}
				for i, v := range ys {
					d[i] = float32(float64(g[i]) - math.Exp(float64(v))*s)
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
