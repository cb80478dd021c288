package ddp

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestPowerOfTwoReciprocal: for the totals whose reciprocal is exact,
// multiplying by it gives the quotient bit for bit (finish relies on it),
// subnormals, infinities and NaNs included.
func TestPowerOfTwoReciprocal(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 8))
	xs := []float32{0, float32(math.Copysign(0, -1)), 1e-45, -3e-44, 1.1754942e-38, math.MaxFloat32, float32(math.Inf(1)), float32(math.NaN())}
	for range 100000 {
		xs = append(xs, math.Float32frombits(rng.Uint32()))
	}
	for _, total := range []float32{1, 2, 64, 1024, 1 << 20} {
		if frac, _ := math.Frexp(float64(total)); frac != 0.5 {
			t.Fatalf("%v is not taken for a power of two", total)
		}
		inv := 1 / total
		for _, x := range xs {
			if q, m := x/total, x*inv; math.Float32bits(q) != math.Float32bits(m) {
				t.Fatalf("%v / %v = %v but × %v = %v", x, total, q, inv, m)
			}
		}
	}
	for _, total := range []float32{3, 96, 100} {
		if frac, _ := math.Frexp(float64(total)); frac == 0.5 {
			t.Errorf("%v taken for a power of two", total)
		}
	}
}
