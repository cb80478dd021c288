package kernels

import (
	"math"
	"testing"
)

// TestErf32 checks erf32 against math.Erf on a dense grid of [−5, 5] and
// at tiny arguments, in ULP of the float64 value: the GLSL erff's bound
// (device/tolerance.go's "erf" is 7 ULP with GLSL's division).
func TestErf32(t *testing.T) {
	worst, at := 0.0, 0.0
	check := func(x float32) {
		want := math.Erf(float64(x))
		got := float64(erf32(x))
		if want == 0 {
			if got != 0 {
				t.Fatalf("erf32(%g) = %g, want 0", x, got)
			}
			return
		}
		ulp := math.Abs(want) * 0x1p-23
		if e := math.Abs(got-want) / ulp; e > worst {
			worst, at = e, float64(x)
		}
	}
	for i := -500000; i <= 500000; i++ {
		check(float32(i) * 1e-5)
	}
	for _, x := range []float32{1e-30, -1e-30, 3e-8, 1e-3, 4, -4, 6, 40, -40} {
		check(x)
	}
	if worst > 4 {
		t.Errorf("erf32 is %.2f ULP from math.Erf at %g, want at most 4", worst, at)
	}
	if got := erf32(float32(math.NaN())); got == got {
		t.Errorf("erf32(NaN) = %g", got)
	}
	t.Logf("largest error %.2f ULP at %g", worst, at)
}
