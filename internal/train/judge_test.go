package train

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestInceptionScore(t *testing.T) {
	same := [][]float64{{0.2, 0.8}, {0.2, 0.8}, {0.2, 0.8}}
	if got := InceptionScore(same); !(math.Abs(got-1) <= 1e-12) {
		t.Errorf("identical predictions: %v, want 1", got)
	}
	certain := [][]float64{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {1, 0, 0}, {0, 1, 0}, {0, 0, 1}}
	if got := InceptionScore(certain); !(math.Abs(got-3) <= 1e-12) {
		t.Errorf("certain, balanced predictions of 3 classes: %v, want 3", got)
	}
}

// TestFrechetDistance checks the closed form for samples whose covariances
// commute: diagonal Gaussians, where it is Σ (μa−μb)² + (σa−σb)².
func TestFrechetDistance(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	draw := func(mean, std []float64, n int) [][]float64 {
		out := make([][]float64, n)
		for i := range out {
			out[i] = make([]float64, len(mean))
			for k := range mean {
				out[i][k] = mean[k] + std[k]*rng.NormFloat64()
			}
		}
		return out
	}
	a := draw([]float64{0, 1, 2}, []float64{1, 2, 0.5}, 20000)
	if d, err := FrechetDistance(a, a); err != nil || !(math.Abs(d) <= 1e-6) {
		t.Errorf("a sample against itself: %v, %v; want 0", d, err)
	}
	b := draw([]float64{1, 1, 0}, []float64{2, 2, 1.5}, 20000)
	want := 1.0 + 0 + 4 + 1 + 0 + 1 // (μ differences)² + (σ differences)²
	if d, err := FrechetDistance(a, b); err != nil || !(math.Abs(d-want) <= 0.15) {
		t.Errorf("diagonal Gaussians: %v, %v; want %v ± 0.15 (sampling error)", d, err, want)
	}
}
