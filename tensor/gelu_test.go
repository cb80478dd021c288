package tensor

import (
	"math"
	"math/rand/v2"
	"testing"
)

// composedGelu is GELU written as separate ops (nn.Gelu's former body): the
// exact form from erf, or the tanh approximation.
func composedGelu(x *Tensor, approx bool) *Tensor {
	var phi *Tensor // 2·Φ(x), approximately when approx
	if approx {
		phi = x.Add(x.Square().Mul(x).MulScalar(0.044715)).MulScalar(float32(math.Sqrt(2 / math.Pi))).Tanh().AddScalar(1)
	} else {
		phi = x.MulScalar(1 / math.Sqrt2).Erf().AddScalar(1)
	}
	return x.Mul(phi).MulScalar(0.5)
}

// gelu is GELU of x as one op (Gelu, GeluTanh) or as the separate ops.
func gelu(x *Tensor, fused, approx bool) *Tensor {
	switch {
	case !fused:
		return composedGelu(x, approx)
	case approx:
		return x.GeluTanh()
	}
	return x.Gelu()
}

// TestGeluMatchesComposed checks Gelu and GeluTanh, outputs and gradients,
// against the formulas as separate ops on inputs in [−8, 8] and at 0, ±40:
// within a few rounding errors of |x| and |g|·(1+|x|) (the separate ops lose
// precision relative to the result where x ≪ 0 and 1 + erf cancels, so the
// bound is not relative to it).
func TestGeluMatchesComposed(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 12))
	x0 := input(rng, 0, 8, 5, 37)
	xs := x0.Data()
	xs[0], xs[1], xs[2], xs[3] = 0, 40, -40, float32(math.Copysign(0, -1))
	x0 = FromSlice(xs, 5, 37).To(x0.Device())
	g0 := input(rng, 0.5, 2, 5, 37)
	gs := g0.Data()
	for _, approx := range []bool{false, true} {
		run := func(fused bool) (y, dx []float32) {
			x := x0.Clone().SetRequiresGrad(true)
			Tidy(func(s *Scope) {
				out := gelu(x, fused, approx)
				y = out.Data()
				out.Mul(g0).Sum().Backward()
			})
			return y, x.Grad().Data()
		}
		gy, gdx := run(true)
		wy, wdx := run(false)
		for i, v := range xs {
			ax := math.Abs(float64(v))
			if d := math.Abs(float64(gy[i] - wy[i])); d > 4e-6*ax+1e-30 {
				t.Errorf("approx=%v: gelu(%g) = %g, separate ops give %g", approx, v, gy[i], wy[i])
			}
			if d := math.Abs(float64(gdx[i] - wdx[i])); d > 1e-5*math.Abs(float64(gs[i]))*(1+ax) {
				t.Errorf("approx=%v: gradient at %g (upstream %g) = %g, separate ops give %g", approx, v, gs[i], gdx[i], wdx[i])
			}
		}
	}
}

// BenchmarkGelu times GELU forward and backward on a Transformer
// feed-forward's activations ([4096, 1024]: 64 sequences of 64 tokens) as
// one kernel each way and as the separate ops, on the default device,
// reporting elements a second and kernels a step.
func BenchmarkGelu(b *testing.B) {
	rng := rand.New(rand.NewPCG(3, 4))
	x0, g0 := input(rng, 0, 4, 4096, 1024), input(rng, 0.5, 2, 4096, 1024)
	defer x0.Release()
	defer g0.Release()
	for _, approx := range []bool{false, true} {
		for _, fused := range []bool{true, false} {
			name := map[bool]string{false: "exact", true: "tanh"}[approx] + map[bool]string{true: "/fused", false: "/separate"}[fused]
			b.Run(name, func(b *testing.B) {
				x := x0.Clone().SetRequiresGrad(true)
				defer x.Release()
				step := func() {
					Tidy(func(s *Scope) {
						// Through views that join s, so that every
						// result is freed with it.
						xs, g := s.Use(x), s.Use(g0)
						gelu(xs, fused, approx).Backward(BackwardOpts{Grad: g})
					})
					x.ZeroGrad()
				}
				step()
				dev := x.Device()
				if err := dev.Sync(); err != nil {
					b.Fatal(err)
				}
				before := dev.Stats().Dispatches
				b.ResetTimer()
				for range b.N {
					step()
				}
				if err := dev.Sync(); err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(dev.Stats().Dispatches-before)/float64(b.N), "kernels/step")
				b.ReportMetric(float64(x0.NumEl())*float64(b.N)/b.Elapsed().Seconds()/1e6, "Melem/s")
			})
		}
	}
}
