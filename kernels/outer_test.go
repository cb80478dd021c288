package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestSgemmOuter checks products of depth one (sgemmOuter) against the
// float64 reference on every transposition, alpha and beta, with strides
// past the rows and values near 10¹⁸; that C is not read where beta is 0
// (NaN there); that each row has the bits of the same row as a one-row
// product (gemv); and that the bits do not depend on the threads.
func TestSgemmOuter(t *testing.T) {
	rng := rand.New(rand.NewPCG(65, 1))
	for _, sh := range []struct{ m, n int }{{2, 1}, {3, 7}, {17, 16}, {5, 33}, {128, 784}, {300, 129}} {
		if !outerRuns(sh.m, 1) {
			t.Fatalf("%d×%d: outerRuns false", sh.m, sh.n)
		}
		for _, transA := range []bool{false, true} {
			for _, transB := range []bool{false, true} {
				for _, ab := range [][2]float32{{1, 0}, {0.5, 0}, {-3, 0}, {1, 1}, {-3, 0.25}, {1, -1}} {
					alpha, beta := ab[0], ab[1]
					m, n := sh.m, sh.n
					scale := float32(1)
					if rng.IntN(3) == 0 {
						scale = 1e18
					}
					// op(A) = Aᵀ: A is 1×m, its row m or more floats
					// long (lda past the row, as a batch-1 gradient's).
					lda, ldb, ldc := m+rng.IntN(3), 1+rng.IntN(3), n+rng.IntN(5)
					a, b := randSlice(rng, m, scale), randSlice(rng, n*ldb, 1)
					if !transA {
						lda = 1 + rng.IntN(3) // op(A) m×1: row stride lda
						a = randSlice(rng, (m-1)*lda+1, scale)
					}
					if !transB {
						b = randSlice(rng, n, 1)
					}
					c0 := randSlice(rng, (m-1)*ldc+n, 1)
					if beta == 0 {
						for i := range c0 {
							c0[i] = float32(math.NaN())
						}
					}
					run := func(procs int) []float32 {
						c := append([]float32(nil), c0...)
						withProcs(procs, func() { sgemmOuter(transA, transB, m, n, alpha, a, lda, b, ldb, beta, c, ldc, nil) })
						return c
					}
					c := run(4)
					if m*n >= sgemmSmallWork { // Sgemm's path for it
						cs := append([]float32(nil), c0...)
						Sgemm(transA, transB, m, n, 1, alpha, a, lda, b, ldb, beta, cs, ldc)
						for i := range cs {
							if math.Float32bits(cs[i]) != math.Float32bits(c[i]) {
								t.Fatalf("%d×%d: Sgemm C[%d] = %g, sgemmOuter %g", m, n, i, cs[i], c[i])
							}
						}
					}
					name := fmt.Sprintf("%d×%d transA %v transB %v alpha %g beta %g", m, n, transA, transB, alpha, beta)
					for i := range m {
						ai := float64(a[i])
						if !transA {
							ai = float64(a[i*lda])
						}
						for j := range n {
							bj := float64(b[j])
							if transB {
								bj = float64(b[j*ldb])
							}
							want, mag := float64(alpha)*ai*bj, math.Abs(float64(alpha)*ai*bj)
							if beta != 0 {
								want += float64(beta) * float64(c0[i*ldc+j])
								mag += math.Abs(float64(beta) * float64(c0[i*ldc+j]))
							}
							if got := float64(c[i*ldc+j]); !(math.Abs(got-want) <= 4*mag/(1<<24)) {
								t.Fatalf("%s: C[%d,%d] = %g, want %g", name, i, j, got, want)
							}
						}
						if !gemvHave {
							continue // no one-row products on this CPU
						}
						// Row i as a one-row product.
						row := append([]float32(nil), c0[i*ldc:i*ldc+n]...)
						ar := a[i:]
						if !transA {
							ar = a[i*lda:]
						}
						gemvOn(1, transA, transB, 1, n, 1, alpha, ar, lda, b, ldb, beta, row, n, nil)
						for j, v := range row {
							if math.Float32bits(v) != math.Float32bits(c[i*ldc+j]) {
								t.Fatalf("%s: C[%d,%d] = %g, the row alone %g", name, i, j, c[i*ldc+j], v)
							}
						}
					}
					for i := range m { // untouched between rows
						for j := n; j < ldc && i*ldc+j < len(c); j++ {
							if math.Float32bits(c[i*ldc+j]) != math.Float32bits(c0[i*ldc+j]) {
								t.Fatalf("%s: wrote C[%d] past row %d", name, i*ldc+j, i)
							}
						}
					}
					c1 := run(1)
					for i := range c {
						if math.Float32bits(c[i]) != math.Float32bits(c1[i]) {
							t.Fatalf("%s: C[%d] = %g on 4 threads, %g on 1", name, i, c[i], c1[i])
						}
					}
				}
			}
		}
	}
}

// BenchmarkSgemmOuter times a 784-128-64-10 MLP's first weight gradient
// at batch 1, dyᵀ·x (128×784, depth one), as sgemm runs it and as the
// packed GEMM did.
func BenchmarkSgemmOuter(b *testing.B) {
	rng := rand.New(rand.NewPCG(65, 2))
	m, n := 128, 784
	dy, x, c := randSlice(rng, m, 1), randSlice(rng, n, 1), make([]float32, m*n)
	for _, packed := range []bool{false, true} {
		name := "outer"
		if packed {
			name = "packed"
		}
		b.Run(name, func(b *testing.B) {
			defer func(was bool) { outerUse = was }(outerUse)
			outerUse = !packed
			for b.Loop() {
				Sgemm(true, false, m, n, 1, 1, dy, m, x, n, 0, c, n)
			}
			b.ReportMetric(float64(m*n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "Gvalues/s")
		})
	}
}
