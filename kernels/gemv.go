package kernels

import "runtime"

// Products of one row (a batch of one through a linear layer, a recurrent
// layer's step at batch 1), and of up to four against a transposed op(B)
// (a small batch through a linear layer), as matrix-vector products. The packed GEMM
// pads the row to its kernel's mr rows (8 on AVX-512: eight times the
// multiply-adds) and packs op(B), the whole weight, at every call, to read
// it once: a 784-128-64-10 MLP's forward pass at batch 1 spent 30% of its
// time packing and most of the rest multiplying zeros. Here op(B) is read
// where it lies, once: by rows of dot products where op(B) is B
// transposed (a linear layer's x·Wᵀ, each output a row of W), by blocks
// of columns where it is B itself (an input gradient's dy·W), each column
// one chain of multiply-adds in depth order; two to four rows of A by
// dot products with two rows of B a call, each row of B read once for all
// of them. The sums depend on the shape
// alone (not on the threads), but are not the packed GEMM's: a row of a
// larger product may differ from the same row computed alone in its last
// bits, as a small product's (sgemmSmall) may. On a 2-vCPU Zen 4
// (BenchmarkGemv, bench/results/gemv-2026-12-06-zen4.txt): the MLP's
// x·Wᵀ (784→128) 29.2 → 4.6 µs, its dy·W 16.1 → 6.3 µs, a 4096×4096
// weight 4.3 → 2.0 ms; the MLP's and LeNet's inference at batch 1
// (BenchmarkInfer) 37.7 → 8.8 µs and 42.8 → 24.0 µs; x·Wᵀ (784→128) of
// 2 and 4 rows 28.9 → 8.3 µs and 29.9 → 8.7 µs
// (bench/results/gemv-rows-2026-12-06-zen4.txt).

// The vector kernels of one-row products, where gemvHave (AVX2 and FMA;
// calls, not function values, so that the sums they write stay on the
// caller's stack):
//
//   - gemvDot4(a, b, ldb, k, out) sets out[r] = Σ_{p<k} a[p]·b[r·ldb+p]
//     for the rows r < 4, k a multiple of 8 (ldb 0: one row four times);
//   - gemvAxpy64(a, b, ldb, k, out) sets out[j] = Σ_{p<k} a[p]·b[p·ldb+j]
//     for the columns j < 64, each a chain of multiply-adds in p order;
//     gemvAxpy8 for j < 8;
//   - gemvRows4x2(a, lda, b, ldb, k, out) sets out[2i+r] = Σ_{p<k}
//     a[i·lda+p]·b[r·ldb+p] for the rows i < 4 of A and r < 2 of B, k a
//     multiple of 8 (ldb 0: one row twice).

// gemvMaxRows is the most rows of a product gemv runs against a
// transposed op(B): the packed GEMM pads them to its 8 (or 6) and packs
// op(B) at every call, a cost it shares among as many rows as it has.
const gemvMaxRows = 4

// gemvUse lets one-row products run as matrix-vector products where the
// CPU has the kernels. A variable, so that tests can compare both ways.
var gemvUse = true

// gemvRuns reports whether sgemm runs products of m rows by gemv.
func gemvRuns(m int, transB bool) bool {
	return gemvUse && gemvHave && (m == 1 || transB && m <= gemvMaxRows)
}

// gemvWorkers is how many workers gemv runs a product of m·n·k
// multiply-adds on: each reads its share of op(B) once, from memory or
// L3, so a share is worth a worker from gemvTaskWork multiply-adds while
// the pool spins and its cores are near, from streamGrain while they are
// far, from sgemmParkedWork when its helpers are parked. In training the
// optimizer has just written op(B), the weight, on the caller's core: a
// helper on a far core reads its share from there.
func gemvWorkers(m, n, k int) int {
	work, least := int64(m)*int64(n)*int64(k), int64(sgemmParkedWork)
	if pool.spinning() {
		least = streamGrain
		if nearCores() {
			least = gemvTaskWork
		}
	}
	return int(max(1, min(int64(runtime.GOMAXPROCS(0)), work/least)))
}

// gemvTaskWork: a quarter of a MiB of op(B), about 20–40 µs from L3.
const gemvTaskWork = 1 << 16

// gemv is sgemm where gemvRuns(m, transB): C = alpha·op(A)·op(B) +
// beta·C, then e.
func gemv(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int, e *Epilogue) {
	gemvOn(gemvWorkers(m, n, k), transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, e)
}

// gemvOn is gemv split among up to workers workers, by rows of B or
// blocks of its columns: no split changes what an element sums.
func gemvOn(workers int, transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int, e *Epilogue) {
	if transA {
		// The rows of op(A) are columns of A: gathered, once.
		rows := getScratch(m * k)
		defer putScratch(rows)
		for i := range m {
			for p := range k {
				(*rows)[i*k+p] = a[p*lda+i]
			}
		}
		a, lda = *rows, k
	}
	g := gemvJob{m: m, n: n, k: k, k8: k &^ 7, alpha: alpha, beta: beta, a: a, lda: lda, b: b, ldb: ldb, c: c, ldc: ldc}
	units, unit := ceilDiv(n, 64), 64 // the units of columns of C a worker takes
	switch {
	case m > 1:
		// Rows of A four at a time (the last ones repeated) against two
		// rows of B a call (the last one alone).
		a4 := getScratch(4 * g.k8)
		defer putScratch(a4)
		for i := range 4 {
			copy((*a4)[i*g.k8:(i+1)*g.k8], a[min(i, m-1)*lda:][:g.k8])
		}
		g.a4, g.kind = *a4, gemvRows
		units, unit = ceilDiv(n, 2), 2
	case transB:
		g.a, g.kind = a[:k], gemvDots
		units, unit = ceilDiv(n, 4), 4
	default:
		g.a = a[:k]
	}
	if workers <= 1 {
		g.part(0, n)
	} else {
		gemvParallel(g, workers, units, unit)
	}
	if e != nil {
		e.apply(c, ldc, 0, m, 0, n)
	}
}

// gemvJob is one call of gemvOn: C = alpha·op(A)·op(B) + beta·C by one of
// three ways (kind).
type gemvJob struct {
	kind          int // gemvColumns, gemvRows or gemvDots
	m, n, k, k8   int // k8: the kernels' depth; values past it are added after, in order
	alpha, beta   float32
	a, a4, b, c   []float32 // a4: the first four rows of A (the last repeated), k8 each
	lda, ldb, ldc int
}

// The ways of gemvJob: column blocks of 64, then 8, then single columns
// (one row of A, B as it lies); rows of A four at a time against two rows
// of B a call (several rows of A, op(B) transposed); four dot products a
// call (one row of A, op(B) transposed).
const (
	gemvColumns = iota
	gemvRows
	gemvDots
)

// gemvParallel runs g's columns in units of unit on up to workers workers:
// a function of its own, so that a product on one worker keeps g on the
// caller's stack rather than moving it to the heap for the closure.
//
//go:noinline
func gemvParallel(g gemvJob, workers, units, unit int) {
	ParallelFor(units, ceilDiv(units, workers), func(lo, hi int) { g.part(unit*lo, min(g.n, unit*hi)) })
}

// set stores the sum s of C's element (i, j).
func (g *gemvJob) set(i, j int, s float32) {
	at := i*g.ldc + j
	if g.beta == 0 {
		g.c[at] = g.alpha * s
		return
	}
	g.c[at] = g.alpha*s + g.beta*g.c[at]
}

// part computes C's columns [lo, hi).
func (g *gemvJob) part(lo, hi int) {
	a, b, k, k8, ldb := g.a, g.b, g.k, g.k8, g.ldb
	switch g.kind {
	case gemvRows:
		var s [8]float32
		for j := lo; j < hi; j += 2 {
			cnt, ld := 2, ldb
			if hi-j < 2 {
				cnt, ld = 1, 0
			}
			s = [8]float32{}
			if k8 > 0 {
				gemvRows4x2(g.a4, k8, b[j*ldb:], ld, k8, &s)
			}
			for i := range g.m {
				ai := a[i*g.lda:][:k]
				for r := range cnt {
					row := b[(j+r)*ldb:][:k]
					v := s[2*i+r]
					for p := k8; p < k; p++ {
						v += ai[p] * row[p]
					}
					g.set(i, j+r, v)
				}
			}
		}
	case gemvDots:
		var s [4]float32
		for j := lo; j < hi; {
			cnt, ld := 4, ldb
			if hi-j < 4 {
				cnt, ld = 1, 0
			}
			s = [4]float32{}
			if k8 > 0 {
				gemvDot4(a, b[j*ldb:], ld, k8, &s)
			}
			for q := range cnt {
				row := b[(j+q)*ldb:][:k]
				v := s[q]
				for p := k8; p < k; p++ {
					v += a[p] * row[p]
				}
				g.set(0, j+q, v)
			}
			j += cnt
		}
	default:
		var s [64]float32
		j := lo
		for ; j+64 <= hi; j += 64 {
			gemvAxpy64(a, b[j:], ldb, k, &s)
			for i, v := range s {
				g.set(0, j+i, v)
			}
		}
		for ; j+8 <= hi; j += 8 {
			gemvAxpy8(a, b[j:], ldb, k, &s)
			for i, v := range s[:8] {
				g.set(0, j+i, v)
			}
		}
		for ; j < hi; j++ {
			var v float32
			for p, av := range a {
				v += av * b[p*ldb+j]
			}
			g.set(0, j, v)
		}
	}
}
