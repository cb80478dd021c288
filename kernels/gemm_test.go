package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

// refSgemm is the independent float64 reference: naive triple loop.
func refSgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) []float64 {
	out := make([]float64, m*n)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s float64
			for p := 0; p < k; p++ {
				var av, bv float32
				if transA {
					av = a[p*lda+i]
				} else {
					av = a[i*lda+p]
				}
				if transB {
					bv = b[j*ldb+p]
				} else {
					bv = b[p*ldb+j]
				}
				s += float64(av) * float64(bv)
			}
			r := float64(alpha) * s
			if beta != 0 {
				r += float64(beta) * float64(c[i*ldc+j])
			}
			out[i*n+j] = r
		}
	}
	return out
}

func TestSgemmSimple(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, tc := range [][3]int{{1, 1, 1}, {3, 5, 7}, {17, 33, 65}, {70, 1, 130}, {1, 90, 3}} {
		m, n, k := tc[0], tc[1], tc[2]
		for _, ta := range []bool{false, true} {
			for _, tb := range []bool{false, true} {
				a := randSlice(rng, m*k)
				b := randSlice(rng, k*n)
				c := randSlice(rng, m*n)
				lda, ldb := k, n
				if ta {
					lda = m
				}
				if tb {
					ldb = k
				}
				want := refSgemm(ta, tb, m, n, k, 1.5, a, lda, b, ldb, 0.5, c, n)
				Sgemm(ta, tb, m, n, k, 1.5, a, lda, b, ldb, 0.5, c, n)
				for i, w := range want {
					if math.Abs(float64(c[i])-w) > 1e-4*(1+math.Abs(w))*float64(k) {
						t.Fatalf("%v %v %dx%dx%d: c[%d]=%g want %g", ta, tb, m, n, k, i, c[i], w)
					}
				}
			}
		}
	}
}

func randSlice(rng *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = rng.Float32()*2 - 1
	}
	return s
}
