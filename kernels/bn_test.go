package kernels

import (
	"math/rand/v2"
	"testing"
)

// TestBatchNormPasses: the element-wise passes of BatchNorm and
// BatchNormBackward this CPU runs give the Go loops' bits on every length
// (whole vectors and ragged ends), with signed zeros, NaNs, infinities,
// subnormals and values over decades, out of place and in place.
func TestBatchNormPasses(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	for _, n := range []int{0, 1, 7, 15, 16, 17, 31, 33, 64, 1000} {
		x, r, g := withSpecials(rng, n, 9, 12), withSpecials(rng, n, 9, 12), withSpecials(rng, n, 9, 12)
		mu, k, bias, a, c := float32(rng.NormFloat64()), float32(rng.NormFloat64()*3), float32(rng.NormFloat64()), float32(rng.NormFloat64()), float32(rng.NormFloat64())
		check := func(what string, got, want []float32) {
			t.Helper()
			for i := range want {
				if !sameFloat(got[i], want[i]) {
					t.Fatalf("%s n=%d: [%d] = %g, Go loop %g", what, n, i, got[i], want[i])
				}
			}
		}
		for _, res := range [][]float32{nil, r} {
			want, got := make([]float32, n), make([]float32, n)
			bnNormGo(want, x, res, mu, k, bias)
			bnNorm(got, x, res, mu, k, bias)
			check("bnNorm", got, want)
			inPlace := append([]float32(nil), x...)
			bnNorm(inPlace, inPlace, res, mu, k, bias)
			check("bnNorm in place", inPlace, want)
		}
		want, got := make([]float32, n), make([]float32, n)
		bnBackGo(want, g, x, k, a, c, mu)
		bnBack(got, g, x, k, a, c, mu)
		check("bnBack", got, want)
		inPlace := append([]float32(nil), g...)
		bnBack(inPlace, inPlace, x, k, a, c, mu)
		check("bnBack in place", inPlace, want)
	}
}
