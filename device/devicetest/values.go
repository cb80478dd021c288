package devicetest

import (
	"math"
	"math/rand/v2"
)

// A generator draws one test input.
type generator func(r *rand.Rand) float32

// between draws uniformly from [lo, hi).
func between(lo, hi float64) generator {
	return func(r *rand.Rand) float32 { return float32(lo + (hi-lo)*r.Float64()) }
}

// wide draws normal values whose magnitudes spread over 10^±decades.
func wide(decades int) generator {
	return func(r *rand.Rand) float32 {
		return float32(r.NormFloat64() * math.Pow(10, float64(r.IntN(2*decades+1)-decades)))
	}
}

// positive draws eᵘ for u uniform in [lo, hi): positive values over many
// orders of magnitude.
func positive(lo, hi float64) generator {
	return func(r *rand.Rand) float32 { return float32(math.Exp(lo + (hi-lo)*r.Float64())) }
}

// oneOf draws one of vals.
func oneOf(vals ...float32) generator {
	return func(r *rand.Rand) float32 { return vals[r.IntN(len(vals))] }
}

// mostly draws from g, and one time in eight from rare (extreme values).
func mostly(g, rare generator) generator {
	return func(r *rand.Rand) float32 {
		if r.IntN(8) == 0 {
			return rare(r)
		}
		return g(r)
	}
}

// draw returns n values from g.
func draw(r *rand.Rand, n int, g generator) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = g(r)
	}
	return v
}

// negZero is −0.
var negZero = float32(math.Copysign(0, -1))

// eitherSign gives g's values a random sign.
func eitherSign(g generator) generator {
	return func(r *rand.Rand) float32 {
		if r.IntN(2) == 0 {
			return -g(r)
		}
		return g(r)
	}
}
