package optim

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/tensorgl/tensorgl/tensor"
)

func TestClipGradNorm(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, tc := range []struct {
		name    string
		maxNorm float32
		scale   float64 // of the random gradients
	}{
		{"clipped", 1, 3},
		{"below the limit", 100, 1},
		{"tiny limit", 1e-3, 1},
	} {
		ps := []*tensor.Tensor{
			tensor.Zeros(4, 5).SetRequiresGrad(true),
			tensor.Zeros(3).SetRequiresGrad(true), // no gradient: skipped
			tensor.Zeros(7).SetRequiresGrad(true),
		}
		var gs [][]float32
		var sq float64
		for i, p := range ps {
			if i == 1 {
				gs = append(gs, nil)
				continue
			}
			g := make([]float32, p.NumEl())
			for j := range g {
				g[j] = float32(tc.scale * rng.NormFloat64())
				sq += float64(g[j]) * float64(g[j])
			}
			gs = append(gs, g)
			p.SetGrad(tensor.FromSlice(g, p.Shape()...))
		}
		norm := math.Sqrt(sq)
		coef := min(1, float64(tc.maxNorm)/(norm+1e-6))

		got := ClipGradNorm(ps, tc.maxNorm)
		if math.Abs(float64(got)-norm) > 1e-5*norm {
			t.Errorf("%s: norm %v, want %v", tc.name, got, norm)
		}
		var after float64
		for i, p := range ps {
			if gs[i] == nil {
				if p.Grad() != nil {
					t.Errorf("%s: parameter %d gained a gradient", tc.name, i)
				}
				continue
			}
			for j, v := range p.Grad().Data() {
				want := coef * float64(gs[i][j])
				if math.Abs(float64(v)-want) > 1e-6*max(1, math.Abs(want)) {
					t.Fatalf("%s: grad %d[%d] = %v, want %v", tc.name, i, j, v, want)
				}
				after += float64(v) * float64(v)
			}
		}
		if lim := float64(tc.maxNorm); math.Sqrt(after) > lim*(1+1e-5) && norm > lim {
			t.Errorf("%s: norm after clipping %v, limit %v", tc.name, math.Sqrt(after), lim)
		}
	}
}

func TestClipGradNormNoGradients(t *testing.T) {
	if got := ClipGradNorm([]*tensor.Tensor{tensor.Zeros(2).SetRequiresGrad(true)}, 1); got != 0 {
		t.Errorf("norm without gradients = %v, want 0", got)
	}
}
