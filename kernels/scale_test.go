package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

// scaleCases draws vectors with signed zeros, NaNs, infinities, subnormals
// and values whose products overflow or underflow, and scalars to match.
func scaleCases(rng *rand.Rand, n int) []float32 {
	specials := []float32{0, float32(math.Copysign(0, -1)), float32(math.NaN()), float32(math.Inf(1)),
		float32(math.Inf(-1)), 1e-40, -1e-40, math.MaxFloat32, 3e38, 1e-30}
	v := make([]float32, n)
	for i := range v {
		if rng.IntN(3) == 0 {
			v[i] = specials[rng.IntN(len(specials))]
		} else {
			v[i] = float32(rng.NormFloat64() * math.Pow(10, float64(rng.IntN(9)-4)))
		}
	}
	return v
}

var scaleScalars = []float32{1, 32, 0.015625, 1.0 / 3, -2.5, 0, float32(math.Copysign(0, -1)), 1e30, 1e-30,
	float32(math.Inf(1)), float32(math.NaN())}

// TestScale checks Scale (the vector kernel this CPU runs) against a
// float64 reference, in place and into another slice, on lengths across
// whole vectors, unrolled steps and tails: a float32 product rounded once
// is the float64 product rounded to float32.
func TestScale(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 1))
	for n := 0; n <= 200; n++ {
		for _, a := range scaleScalars {
			src := scaleCases(rng, n)
			want := make([]float32, n)
			for i, v := range src {
				want[i] = float32(float64(v) * float64(a))
			}
			dst := make([]float32, n)
			Scale(dst, append(src, 7), a) // a longer source is fine
			inPlace := append([]float32(nil), src...)
			Scale(inPlace, inPlace, a)
			for i := range want {
				if !sameBits(dst[i], want[i]) || !sameBits(inPlace[i], want[i]) {
					t.Fatalf("n=%d a=%v: [%d] = %v (in place %v) for %v, want %v", n, a, i, dst[i], inPlace[i], src[i], want[i])
				}
			}
		}
	}
}

// sameBits compares two results, taking every NaN as the same.
func sameBits(a, b float32) bool {
	if a != a && b != b {
		return true
	}
	return math.Float32bits(a) == math.Float32bits(b)
}

func BenchmarkScale(b *testing.B) {
	src := make([]float32, 61706) // LeNet's gradients
	dst := make([]float32, len(src))
	for i := range src {
		src[i] = float32(i)
	}
	b.SetBytes(int64(8 * len(src)))
	for b.Loop() {
		Scale(dst, src, 32)
	}
}
