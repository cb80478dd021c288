package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestStride2: gather2Vec and scatterAdd2Vec set and add what the scalar
// loops of im2col and col2im would, for the leading part they report, on
// every length, with the source or destination ending early (a row's last
// tap at a plane's end), signed zeros and NaNs; a scatter leaves the odd
// floats (−0 included) and everything past its part as they were.
func TestStride2(t *testing.T) {
	rng := rand.New(rand.NewPCG(43, 44))
	special := []float32{0, float32(math.Copysign(0, -1)), float32(math.NaN()), float32(math.Inf(-1)), 1e-40}
	draw := func(n int) []float32 {
		s := randSlice(rng, n, 10)
		for i := range s {
			if rng.IntN(5) == 0 {
				s[i] = special[rng.IntN(len(special))]
			}
		}
		return s
	}
	for n := 0; n <= 70; n++ {
		for _, short := range []int{0, 1, 2, 17} { // floats the other side lacks
			what := fmt.Sprintf("n=%d short=%d", n, short)
			// gather: dst n long, src 2n − short
			src := draw(max(0, 2*n-short))
			dst := draw(n)
			was := append([]float32(nil), dst...)
			k := gather2Vec(dst, src)
			if k < 0 || k > n || 2*k > len(src) {
				t.Fatalf("%s: gather2Vec set %d", what, k)
			}
			for i := range dst {
				want := was[i]
				if i < k {
					want = src[2*i]
				}
				if !sameFloat(dst[i], want) {
					t.Fatalf("%s: gather dst[%d] = %g, want %g", what, i, dst[i], want)
				}
			}
			// scatter-add: src n long, dst 2n − short
			in := draw(n)
			out := draw(max(0, 2*n-short))
			was = append([]float32(nil), out...)
			k = scatterAdd2Vec(out, in)
			if k < 0 || k > n || 2*k > len(out) {
				t.Fatalf("%s: scatterAdd2Vec added %d", what, k)
			}
			for i := range out {
				want := was[i]
				if i%2 == 0 && i/2 < k {
					want = was[i] + in[i/2]
				}
				if math.Float32bits(out[i]) != math.Float32bits(want) && !(out[i] != out[i] && want != want) {
					t.Fatalf("%s: scatter dst[%d] = %g (%#x), want %g (%#x)", what, i, out[i], math.Float32bits(out[i]), want, math.Float32bits(want))
				}
			}
		}
	}
}
