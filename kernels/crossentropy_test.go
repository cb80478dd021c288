package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestCrossEntropyAgainstLogSoftmax: without weights or smoothing, a row's
// loss is −logsoftmax[target] and its gradient softmax − one-hot, times the
// upstream gradient (read with stride 0 here) divided by the rows for the
// mean.
func TestCrossEntropyAgainstLogSoftmax(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	const rows, n = 6, 9
	x := randSlice(rng, rows*n, 4)
	target := make([]int32, rows)
	for i := range target {
		target[i] = int32(rng.IntN(n))
	}
	logp, p := make([]float32, rows*n), make([]float32, rows*n)
	Softmax(logp, x, rows, n, true)
	Softmax(p, x, rows, n, false)
	for _, mean := range []bool{false, true} {
		c := CrossEntropyConfig{Rows: rows, N: n, Mean: mean}
		div := 1.0
		if mean {
			div = rows
		}
		loss, dx := make([]float32, rows), make([]float32, rows*n)
		CrossEntropy(loss, x, target, c)
		CrossEntropyBackward(dx, x, target, []float32{9, 0.5}, 1, 0, c)
		for r := range rows {
			want := -float64(logp[r*n+int(target[r])]) / div
			if math.Abs(float64(loss[r])-want) > 1e-5*math.Abs(want)+1e-6 {
				t.Errorf("mean %v: loss[%d] = %g, want %g", mean, r, loss[r], want)
			}
			for k := range n {
				want := float64(p[r*n+k])
				if k == int(target[r]) {
					want--
				}
				want *= 0.5 / div
				if got := dx[r*n+k]; math.Abs(float64(got)-want) > 1e-6 {
					t.Errorf("mean %v: dx[%d,%d] = %g, want %g", mean, r, k, got, want)
				}
			}
		}
	}
}
