package kernels

import (
	"math/rand/v2"
	"testing"
)

// TestSGDSpans checks sgdPlain and sgdMomentumSpan (vector code where the
// CPU has it) against their Go loops bit for bit, on lengths across whole
// vectors and ragged tails, with signed zeros, NaNs, infinities and
// subnormals, and a dampening that is not 1.
func TestSGDSpans(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 3))
	draw := func(n int) []float32 { return withSpecials(rng, n, 5, 7) }
	same := func(a, b []float32) int {
		for i := range a {
			if !sameFloat(a[i], b[i]) {
				return i
			}
		}
		return -1
	}
	for _, n := range []int{1, 7, 8, 9, 15, 16, 17, 33, 100, 1000} {
		p, g, b := draw(n), draw(n), draw(n)
		want, got := append([]float32(nil), p...), append([]float32(nil), p...)
		sgdPlainGo(want, g, 0.01)
		sgdPlain(got, g, 0.01)
		if i := same(got, want); i >= 0 {
			t.Fatalf("sgdPlain, n=%d: element %d = %v, want %v", n, i, got[i], want[i])
		}
		for _, damp := range []float32{1, 0.75} {
			wp, gp := append([]float32(nil), p...), append([]float32(nil), p...)
			wb, gb := append([]float32(nil), b...), append([]float32(nil), b...)
			sgdMomentumGo(wp, g, wb, 0.01, 0.9, damp)
			sgdMomentumSpan(gp, g, gb, 0.01, 0.9, damp)
			if i := same(gb, wb); i >= 0 {
				t.Fatalf("sgdMomentumSpan (damp %v), n=%d: buffer element %d = %v, want %v", damp, n, i, gb[i], wb[i])
			}
			if i := same(gp, wp); i >= 0 {
				t.Fatalf("sgdMomentumSpan (damp %v), n=%d: parameter element %d = %v, want %v", damp, n, i, gp[i], wp[i])
			}
		}
	}
}
