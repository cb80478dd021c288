package device

import (
	"math"
	"math/rand/v2"
)

// A Domain draws the inputs an op is tested and benchmarked on: values
// where the op is defined, with the extremes that stress its kernels.
type Domain func(r *rand.Rand) float32

// Draw returns n values from d.
func (d Domain) Draw(r *rand.Rand, n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = d(r)
	}
	return v
}

// Between draws uniformly from [lo, hi).
func Between(lo, hi float64) Domain {
	return func(r *rand.Rand) float32 { return float32(lo + (hi-lo)*r.Float64()) }
}

// Wide draws normal values whose magnitudes spread over 10^±decades.
func Wide(decades int) Domain {
	return func(r *rand.Rand) float32 {
		return float32(r.NormFloat64() * math.Pow(10, float64(r.IntN(2*decades+1)-decades)))
	}
}

// Positive draws eᵘ for u uniform in [lo, hi): positive values over many
// orders of magnitude.
func Positive(lo, hi float64) Domain {
	return func(r *rand.Rand) float32 { return float32(math.Exp(lo + (hi-lo)*r.Float64())) }
}

// OneOf draws one of vals.
func OneOf(vals ...float32) Domain {
	return func(r *rand.Rand) float32 { return vals[r.IntN(len(vals))] }
}

// Mostly draws from d, and one time in eight from rare (extreme values).
func Mostly(d, rare Domain) Domain {
	return func(r *rand.Rand) float32 {
		if r.IntN(8) == 0 {
			return rare(r)
		}
		return d(r)
	}
}

// EitherSign gives d's values a random sign.
func EitherSign(d Domain) Domain {
	return func(r *rand.Rand) float32 {
		if r.IntN(2) == 0 {
			return -d(r)
		}
		return d(r)
	}
}

// negZero is −0.
var negZero = float32(math.Copysign(0, -1))

// Ties draws values that are often equal to each other, including both
// zeros, for comparisons, maxima and their indices.
var Ties = OneOf(-1, -0.5, 0, negZero, 0.5, 1)
