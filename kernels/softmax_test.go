package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestSoftmax(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 6))
	for _, sh := range [][2]int{{1, 1}, {3, 10}, {70, 257}} {
		rows, n := sh[0], sh[1]
		src := randSlice(rng, rows*n, 1)
		for i := range src {
			src[i] *= 30
		}
		src[0] = 1000 // would overflow eˣ without the max subtracted
		dy := randSlice(rng, rows*n, 1)
		for _, log := range []bool{false, true} {
			y := make([]float32, rows*n)
			dx := make([]float32, rows*n)
			Softmax(y, src, rows, n, 0, log)
			SoftmaxBackward(dx, y, dy, rows, n, log)
			for r := 0; r < rows; r++ {
				s := src[r*n : (r+1)*n]
				m := math.Inf(-1)
				for _, v := range s {
					m = math.Max(m, float64(v))
				}
				var z float64
				for _, v := range s {
					z += math.Exp(float64(v) - m)
				}
				p := make([]float64, n)
				var dot, sumDy float64
				for i, v := range s {
					p[i] = math.Exp(float64(v)-m) / z
					dot += float64(dy[r*n+i]) * p[i]
					sumDy += float64(dy[r*n+i])
				}
				for i, v := range s {
					// Reference gradients from the float64 probabilities.
					want, wantDx := p[i], p[i]*(float64(dy[r*n+i])-dot)
					if log {
						want, wantDx = float64(v)-m-math.Log(z), float64(dy[r*n+i])-p[i]*sumDy
					}
					if got := y[r*n+i]; !(math.Abs(float64(got)-want) <= 1e-6*math.Max(1, math.Abs(want))) {
						t.Fatalf("log=%v %v: y[%d,%d] = %g, want %g", log, sh, r, i, got, want)
					}
					if got := dx[r*n+i]; !(math.Abs(float64(got)-wantDx) <= 1e-5) {
						t.Fatalf("log=%v %v: dx[%d,%d] = %g, want %g", log, sh, r, i, got, wantDx)
					}
				}
			}
		}
	}
}
