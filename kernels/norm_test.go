package kernels

import (
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
)

// TestSumSquaresDeterministic: SumSquares gives the same bits for any
// GOMAXPROCS, within a float64 rounding per chunk of the exact sum, and
// ScaleAll scales every element once.
func TestSumSquaresDeterministic(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var ts [][]float32
	exact := 0.0
	for _, n := range []int{1, normChunk - 1, normChunk + 3, 3*normChunk + 17, 5} {
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(r.NormFloat64() * math.Pow(10, float64(r.IntN(7)-3)))
			exact += float64(v[i]) * float64(v[i])
		}
		ts = append(ts, v)
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	var first float64
	for i, procs := range []int{1, 2, 3, 8} {
		runtime.GOMAXPROCS(procs)
		got := SumSquares(ts)
		if i == 0 {
			first = got
		} else if math.Float64bits(got) != math.Float64bits(first) {
			t.Fatalf("GOMAXPROCS %d: %v, with 1: %v", procs, got, first)
		}
	}
	if !(math.Abs(first-exact) <= 1e-12*exact) {
		t.Errorf("SumSquares = %v, exact %v", first, exact)
	}
	ScaleAll(ts, 0.5)
	if got := SumSquares(ts); !(math.Abs(got-exact/4) <= 1e-12*exact) {
		t.Errorf("after ScaleAll(0.5): %v, want %v", got, exact/4)
	}
}
