//go:build amd64 && !purego

package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestBatchNormReduceAVX2: the AVX2 sums (what CPUs without AVX-512 run)
// give bnReduceGo's bits too, whole rows of vectors and ragged ends, with
// and without a ReLU's output, on any CPU with AVX2.
func TestBatchNormReduceAVX2(t *testing.T) {
	if !hasAVX2 {
		t.Skip("no AVX2 on this CPU")
	}
	rng := rand.New(rand.NewPCG(35, 36))
	same64 := func(a, b float64) bool { return math.Float64bits(a) == math.Float64bits(b) || a != a && b != b }
	for _, n := range []int{16, 17, 31, 32, 33, 64, 1000} {
		for _, rows := range []int{1, 3} {
			stride := n + 5
			size := (rows-1)*stride + n
			for _, special := range []bool{false, true} {
				dy, x, y := randSlice(rng, size, 3), randSlice(rng, size, 100), randSlice(rng, size, 1)
				if special {
					dy, x, y = withSpecials(rng, size, 9, 12), withSpecials(rng, size, 9, 12), withSpecials(rng, size, 9, 12)
				}
				for _, relu := range []bool{false, true} {
					var yr, want, got []float32
					if relu {
						yr, want, got = y, make([]float32, size), make([]float32, size)
						for i := range want {
							want[i], got[i] = 7, 7
						}
					}
					mu := rng.NormFloat64() * 10
					wa, wb := bnReduceGo(want, dy, yr, x, rows, n, stride, mu)
					ga, gb := bnReduce2(got, dy, yr, x, rows, n, stride, mu)
					if !same64(ga, wa) || !same64(gb, wb) {
						t.Fatalf("n=%d rows=%d relu=%v special=%v: sums %v %v, Go loop %v %v", n, rows, relu, special, ga, gb, wa, wb)
					}
					for i := range want {
						if !sameFloat(got[i], want[i]) {
							t.Fatalf("n=%d rows=%d: dz[%d] = %g, Go loop %g", n, rows, i, got[i], want[i])
						}
					}
				}
			}
		}
	}
}

// TestBatchNormPassesAVX2: the element-wise passes' AVX2 code (what CPUs
// without AVX-512 run) gives the Go loops' bits too, on any CPU with AVX2.
func TestBatchNormPassesAVX2(t *testing.T) { asAVX2(t, TestBatchNormPasses) }

// TestBatchNormMomentsAVX2: the AVX2 one-pass sums (what CPUs without
// AVX-512 run) give bnMomentsGo's bits too, on any CPU with AVX2.
func TestBatchNormMomentsAVX2(t *testing.T) { asAVX2(t, TestBatchNormMoments) }
