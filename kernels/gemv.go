package kernels

import "runtime"

// One-row products (a batch of one through a linear layer, a recurrent
// layer's step at batch 1) as matrix-vector products. The packed GEMM
// pads the row to its kernel's mr rows (8 on AVX-512: eight times the
// multiply-adds) and packs op(B), the whole weight, at every call, to read
// it once: a 784-128-64-10 MLP's forward pass at batch 1 spent 30% of its
// time packing and most of the rest multiplying zeros. Here op(B) is read
// where it lies, once: by rows of dot products where op(B) is B
// transposed (a linear layer's x·Wᵀ, each output a row of W), by blocks
// of columns where it is B itself (an input gradient's dy·W), each column
// one chain of multiply-adds in depth order. The sums depend on the shape
// alone (not on the threads), but are not the packed GEMM's: a row of a
// larger product may differ from the same row computed alone in its last
// bits, as a small product's (sgemmSmall) may. On a 2-vCPU Zen 4
// (BenchmarkGemv, bench/results/gemv-2026-12-06-zen4.txt): the MLP's
// x·Wᵀ (784→128) 29.2 → 4.6 µs, its dy·W 16.1 → 6.3 µs, a 4096×4096
// weight 4.3 → 2.0 ms; the MLP's and LeNet's inference at batch 1
// (BenchmarkInfer) 37.7 → 8.8 µs and 42.8 → 24.0 µs.

// gemvArch holds the vector kernels of one-row products.
type gemvArch struct {
	// dot4 sets out[r] = Σ_{p<k} a[p]·b[r·ldb+p] for the rows r < 4, k a
	// multiple of 8 (ldb 0: one row four times).
	dot4 func(a, b []float32, ldb, k int, out *[4]float32)
	// axpy64 sets out[j] = Σ_{p<k} a[p]·b[p·ldb+j] for the columns j <
	// 64, each a chain of multiply-adds in p order; axpy8 for j < 8.
	axpy64, axpy8 func(a, b []float32, ldb, k int, out *[64]float32)
}

// gemvUse lets one-row products run as matrix-vector products where the
// CPU has the kernels. A variable, so that tests can compare both ways.
var gemvUse = true

// gemvRuns reports whether sgemm runs products of m rows by gemv.
func gemvRuns(m int) bool { return m == 1 && gemvUse && gemvKernels != nil }

// gemvWorkers is how many workers a one-row product of n·k multiply-adds
// runs on: each reads its share of op(B) once, from memory or L3, so a
// share is worth a worker from gemvTaskWork multiply-adds while the pool
// spins, from sgemmParkedWork when its helpers are parked.
func gemvWorkers(n, k int) int {
	work, least := int64(n)*int64(k), int64(sgemmParkedWork)
	if pool.spinning() {
		least = gemvTaskWork
	}
	return int(max(1, min(int64(runtime.GOMAXPROCS(0)), work/least)))
}

// gemvTaskWork: a quarter of a MiB of op(B), about 20–40 µs from L3.
const gemvTaskWork = 1 << 16

// gemv is sgemm for m = 1 where gemvKernels runs: c[j] = alpha·Σ_p
// op(A)[0][p]·op(B)[p][j] + beta·c[j], then e.
func gemv(transA, transB bool, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, e *Epilogue) {
	gemvOn(gemvWorkers(n, k), transA, transB, n, k, alpha, a, lda, b, ldb, beta, c, e)
}

// gemvOn is gemv split among up to workers workers, by rows of B or
// blocks of its columns: no split changes what an element sums.
func gemvOn(workers int, transA, transB bool, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, e *Epilogue) {
	g := gemvKernels
	if transA && k > 1 {
		// The row of op(A) is a column of A: gathered, once.
		col := getScratch(k)
		defer putScratch(col)
		for p := range k {
			(*col)[p] = a[p*lda]
		}
		a = *col
	}
	a = a[:k]
	out := c[:n]
	set := func(j int, s float32) {
		if beta == 0 {
			out[j] = alpha * s
			return
		}
		out[j] = alpha*s + beta*out[j]
	}
	if transB {
		// Row j of B is column j of op(B): four dot products a call,
		// the last rows one at a time; values past the last multiple of
		// 8 added after, in order.
		k8 := k &^ 7
		rows := func(lo, hi int) {
			var s [4]float32
			for j := lo; j < hi; {
				cnt, ld := 4, ldb
				if hi-j < 4 {
					cnt, ld = 1, 0
				}
				s = [4]float32{}
				if k8 > 0 {
					g.dot4(a, b[j*ldb:], ld, k8, &s)
				}
				for q := range cnt {
					row := b[(j+q)*ldb:][:k]
					v := s[q]
					for p := k8; p < k; p++ {
						v += a[p] * row[p]
					}
					set(j+q, v)
				}
				j += cnt
			}
		}
		if workers == 1 {
			rows(0, n)
		} else {
			groups := ceilDiv(n, 4)
			ParallelFor(groups, ceilDiv(groups, workers), func(lo, hi int) { rows(4*lo, min(n, 4*hi)) })
		}
	} else {
		// Column blocks of 64, then 8, then single columns.
		cols := func(lo, hi int) {
			var s [64]float32
			j := lo
			for ; j+64 <= hi; j += 64 {
				g.axpy64(a, b[j:], ldb, k, &s)
				for i, v := range s {
					set(j+i, v)
				}
			}
			for ; j+8 <= hi; j += 8 {
				g.axpy8(a, b[j:], ldb, k, &s)
				for i, v := range s[:8] {
					set(j+i, v)
				}
			}
			for ; j < hi; j++ {
				var v float32
				for p, av := range a {
					v += av * b[p*ldb+j]
				}
				set(j, v)
			}
		}
		if workers == 1 {
			cols(0, n)
		} else {
			blocks := ceilDiv(n, 64)
			ParallelFor(blocks, ceilDiv(blocks, workers), func(lo, hi int) { cols(64*lo, min(n, 64*hi)) })
		}
	}
	if e != nil {
		e.apply(c, n, 0, 1, 0, n)
	}
}
