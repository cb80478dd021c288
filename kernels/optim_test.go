package kernels

import (
	"math"
	"testing"
)

// TestSGDStep follows two steps of each SGD variant in float64.
func TestSGDStep(t *testing.T) {
	for _, c := range []SGDConfig{
		{LR: 0.1},
		{LR: 0.1, WeightDecay: 0.01},
		{LR: 0.05, Momentum: 0.9, Dampening: 0.1, WeightDecay: 0.001},
		{LR: 0.05, Momentum: 0.9, Nesterov: true},
	} {
		p := []float32{1, -2, 0.5}
		g := []float32{0.3, -0.1, 2}
		var buf []float32
		if c.Momentum != 0 {
			buf = []float32{7, 7, 7} // ignored on the first step
		}
		wp := []float64{1, -2, 0.5}
		wb := make([]float64, 3)
		for step := 0; step < 2; step++ {
			c.FirstStep = step == 0
			SGDStep(p, g, buf, c)
			for i := range wp {
				d := float64(g[i]) + float64(c.WeightDecay)*wp[i]
				if c.Momentum != 0 {
					if step == 0 {
						wb[i] = d
					} else {
						wb[i] = float64(c.Momentum)*wb[i] + (1-float64(c.Dampening))*d
					}
					if c.Nesterov {
						d += float64(c.Momentum) * wb[i]
					} else {
						d = wb[i]
					}
				}
				wp[i] -= float64(c.LR) * d
				if math.Abs(float64(p[i])-wp[i]) > 1e-6 {
					t.Fatalf("%+v step %d: p[%d] = %g, want %g", c, step, i, p[i], wp[i])
				}
			}
		}
	}
}

// TestAdamStep follows three steps of Adam and AdamW in float64.
func TestAdamStep(t *testing.T) {
	for _, decoupled := range []bool{false, true} {
		c := AdamConfig{LR: 0.01, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.1, Decoupled: decoupled}
		p, g := []float32{1, -2, 0.5}, []float32{0.3, -0.1, 2}
		m, v := make([]float32, 3), make([]float32, 3)
		wp, wm, wv := []float64{1, -2, 0.5}, make([]float64, 3), make([]float64, 3)
		for step := 1; step <= 3; step++ {
			c.Step = step
			AdamStep(p, g, m, v, c)
			for i := range wp {
				d := float64(g[i])
				if decoupled {
					wp[i] *= 1 - float64(c.LR)*float64(c.WeightDecay)
				} else {
					d += float64(c.WeightDecay) * wp[i]
				}
				b1, b2 := float64(c.Beta1), float64(c.Beta2)
				wm[i] = b1*wm[i] + (1-b1)*d
				wv[i] = b2*wv[i] + (1-b2)*d*d
				mh, vh := wm[i]/(1-math.Pow(b1, float64(step))), wv[i]/(1-math.Pow(b2, float64(step)))
				wp[i] -= float64(c.LR) * mh / (math.Sqrt(vh) + float64(c.Eps))
				if math.Abs(float64(p[i])-wp[i]) > 1e-6 {
					t.Fatalf("decoupled=%v step %d: p[%d] = %g, want %g", decoupled, step, i, p[i], wp[i])
				}
			}
		}
	}
}
