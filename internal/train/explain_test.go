package train

import (
	"math"
	"testing"
)

func TestUpsample(t *testing.T) {
	v := []float32{1, 2, 3, 4, 5, 6}
	same := upsample(v, 2, 3, 2, 3)
	for i, x := range v {
		if same[i] != float64(x) {
			t.Fatalf("upsample to the same size changed %v to %v", v, same)
		}
	}
	// Doubling a 1×2 row with align_corners=False, as torch.nn.functional.interpolate gives.
	got := upsample([]float32{0, 4}, 1, 2, 2, 4)
	want := []float64{0, 1, 3, 4, 0, 1, 3, 4}
	for i := range want {
		if math.Abs(got[i]-want[i]) > 1e-12 {
			t.Fatalf("upsample [0 4] to 2×4 = %v, want %v", got, want)
		}
	}
}
