//go:build amd64 && !purego

package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestCrossEntropyVectorPasses checks that shift and scale64, whole
// vectors in AVX2 code, give the Go loops' bits on every length to 40 and
// every offset of a vector, on values of every scale, signed zeros, ±Inf
// and NaN among them, and that they write nothing past their length.
func TestCrossEntropyVectorPasses(t *testing.T) {
	if !hasAVX2 {
		t.Skip("no AVX2: shift and scale64 are the Go loops")
	}
	rng := rand.New(rand.NewPCG(51, 1))
	special := []float32{0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()), 1e-38, -3e38, 1}
	for n := range 41 {
		for off := range 8 {
			x := make([]float32, off+n+8)
			for i := range x {
				x[i] = float32(rng.NormFloat64() * math.Pow(10, float64(rng.IntN(12)-6)))
				if rng.IntN(6) == 0 {
					x[i] = special[rng.IntN(len(special))]
				}
			}
			a := x[rng.IntN(len(x))]
			scaleA, scaleS := rng.NormFloat64()*1e3, rng.NormFloat64()/7
			got, want := make([]float32, off+n+8), make([]float32, off+n+8)
			for i := range got {
				got[i], want[i] = -7, -7
			}
			shift(got[off:off+n], x[off:off+n], a)
			shiftGo(want[off:off+n], x[off:off+n], a)
			checkSameBits(t, "shift", n, off, got, want)
			scale64(got[off:off+n], x[off:off+n], scaleA, scaleS)
			scale64Go(want[off:off+n], x[off:off+n], scaleA, scaleS)
			checkSameBits(t, "scale64", n, off, got, want)
		}
	}
}

// checkSameBits fails t where got and want differ in a bit (any NaN
// matching any other).
func checkSameBits(t *testing.T, name string, n, off int, got, want []float32) {
	t.Helper()
	for i := range got {
		if !sameBits(got[i], want[i]) {
			t.Fatalf("%s, length %d at offset %d: element %d is %v (%#x), want %v (%#x)", name, n, off, i-off, got[i], math.Float32bits(got[i]), want[i], math.Float32bits(want[i]))
		}
	}
}
