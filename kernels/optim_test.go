package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
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
			SGDStep([]SGDTensor{{Param: p, Grad: g, Buf: buf, FirstStep: step == 0}}, c)
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
				if !(math.Abs(float64(p[i])-wp[i]) <= 1e-6) {
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
			AdamStep([]AdamTensor{{Param: p, Grad: g, M: m, V: v, Step: step}}, c)
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
				if !(math.Abs(float64(p[i])-wp[i]) <= 1e-6) {
					t.Fatalf("decoupled=%v step %d: p[%d] = %g, want %g", decoupled, step, i, p[i], wp[i])
				}
			}
		}
	}
}

// optimSizes are the tensor sizes of a multi-tensor step: odd, 1-sized, and
// some larger than the workers' grain, so the split crosses tensors.
var optimSizes = []int{1, 7, 3 * elemGrain / 2, 1, 255, 2*elemGrain + 3, 1, 1000, 5*elemGrain + 11, 13}

// TestOptimMultiTensor checks that one multi-tensor step leaves every
// tensor bit-identical to the per-tensor kernels it replaced (their float32
// loops, transcribed below), whatever GOMAXPROCS, with per-tensor first
// steps and step counts.
func TestOptimMultiTensor(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 9))
	draw := func() [][]float32 {
		xs := make([][]float32, len(optimSizes))
		for i, n := range optimSizes {
			xs[i] = randSlice(rng, n, 1)
		}
		return xs
	}
	params, grads, bufs, ms, vs := draw(), draw(), draw(), draw(), draw()
	for i := range vs {
		for j := range vs[i] {
			vs[i][j] *= vs[i][j]
		}
	}
	check := func(what string, procs int, got, want [][]float32) {
		t.Helper()
		for i := range want {
			for j := range want[i] {
				if math.Float32bits(got[i][j]) != math.Float32bits(want[i][j]) {
					t.Fatalf("%s, GOMAXPROCS=%d: tensor %d element %d = %g, per-tensor kernel %g", what, procs, i, j, got[i][j], want[i][j])
				}
			}
		}
	}
	for _, c := range []SGDConfig{
		{LR: 0.1},
		{LR: 0.1, WeightDecay: 0.01},
		{LR: 0.05, Momentum: 0.9, Dampening: 0.1, WeightDecay: 0.001},
		{LR: 0.05, Momentum: 0.9, Nesterov: true},
	} {
		wantP, wantB := clone2(params), clone2(bufs)
		for i := range wantP {
			oldSGDStep(wantP[i], grads[i], wantB[i], c, i%3 == 0)
		}
		for _, procs := range []int{1, 2, 3, 8} {
			p, b := clone2(params), clone2(bufs)
			ts := make([]SGDTensor, len(p))
			for i := range ts {
				ts[i] = SGDTensor{Param: p[i], Grad: grads[i], Buf: b[i], FirstStep: i%3 == 0}
			}
			withProcs(procs, func() { SGDStep(ts, c) })
			what := fmt.Sprintf("SGD %+v", c)
			check(what+": param", procs, p, wantP)
			if c.Momentum != 0 {
				check(what+": momentum buffer", procs, b, wantB)
			}
		}
	}
	for _, c := range []AdamConfig{
		{LR: 0.01, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.1},
		{LR: 0.01, Beta1: 0.8, Beta2: 0.99, Eps: 1e-6, WeightDecay: 0.1, Decoupled: true},
	} {
		wantP, wantM, wantV := clone2(params), clone2(ms), clone2(vs)
		for i := range wantP {
			oldAdamStep(wantP[i], grads[i], wantM[i], wantV[i], c, 1+i*i)
		}
		for _, procs := range []int{1, 2, 3, 8} {
			p, m, v := clone2(params), clone2(ms), clone2(vs)
			ts := make([]AdamTensor, len(p))
			for i := range ts {
				ts[i] = AdamTensor{Param: p[i], Grad: grads[i], M: m[i], V: v[i], Step: 1 + i*i}
			}
			withProcs(procs, func() { AdamStep(ts, c) })
			what := fmt.Sprintf("Adam %+v", c)
			check(what+": param", procs, p, wantP)
			check(what+": m", procs, m, wantM)
			check(what+": v", procs, v, wantV)
		}
	}
}

func clone2(xs [][]float32) [][]float32 {
	c := make([][]float32, len(xs))
	for i, x := range xs {
		c[i] = append([]float32(nil), x...)
	}
	return c
}

// oldSGDStep is the per-tensor SGD kernel's float32 arithmetic, serial,
// with its hoisted constants (so that a compiler fusing multiply-adds
// fuses both alike).
func oldSGDStep(param, grad, buf []float32, c SGDConfig, first bool) {
	wd, mom, damp, lr := c.WeightDecay, c.Momentum, 1-c.Dampening, c.LR
	for i, p := range param {
		g := grad[i]
		if wd != 0 {
			g += wd * p
		}
		if mom != 0 {
			b := g
			if !first {
				b = mom*buf[i] + damp*g
			}
			buf[i] = b
			if c.Nesterov {
				g += mom * b
			} else {
				g = b
			}
		}
		param[i] = p - lr*g
	}
}

// oldAdamStep is the per-tensor Adam kernel's float32 arithmetic, serial.
func oldAdamStep(param, grad, m, v []float32, c AdamConfig, step int) {
	bc1 := 1 - math.Pow(float64(c.Beta1), float64(step))
	bc2 := 1 - math.Pow(float64(c.Beta2), float64(step))
	decay := 1 - c.LR*c.WeightDecay
	lrc, rsc, eps := float32(float64(c.LR)/bc1), float32(1/math.Sqrt(bc2)), c.Eps
	b1, b2 := c.Beta1, c.Beta2
	a1, a2 := 1-b1, 1-b2
	for i, p := range param {
		g := grad[i]
		if c.Decoupled {
			p *= decay
		} else {
			g += c.WeightDecay * p
		}
		mi := b1*m[i] + a1*g
		vi := b2*v[i] + a2*g*g
		m[i], v[i] = mi, vi
		param[i] = p - lrc*mi/(float32(math.Sqrt(float64(vi)))*rsc+eps)
	}
}
