package kernels

// Products of depth one, C = alpha·op(A)·op(B) + beta·C with op(A) a
// column and op(B) a row: a linear layer's weight gradient at batch 1
// (dyᵀ·x). The packed GEMM ran them as micro-kernel tiles of one
// multiply-add a value, called from Go tile by tile: a 784-128-64-10
// MLP's 128×784 weight gradient took 14 µs warm and 25 µs inside its
// batch-1 step, against 4.5 µs to clear the same matrix. Here each row
// of C is op(B) scaled by its element of op(A), a vector pass over the
// row (Affine: a·x + b), rounded as gemv rounds a one-row product of
// depth one. An outer product streams memory (a multiply for each value it
// writes), so its rows are split among the workers as the memory-bound
// element-wise kernels split theirs (streamGrainNow): no split changes a
// value.

// outerUse lets products of depth one run as outer products. A variable,
// so that benchmarks can compare both ways.
var outerUse = true

// outerRuns reports whether sgemm runs an m×n product of depth k as an
// outer product: depth one and more than one row (one row is gemv's).
func outerRuns(m, k int) bool { return outerUse && k == 1 && m > 1 }

// outerRowGrain is the fewest rows of n values a worker of sgemmOuter
// writes: streamGrainNow values.
func outerRowGrain(n int) int { return max(1, streamGrainNow()/n) }

// sgemmOuter is sgemm where outerRuns(m, k): C[i, j] = alpha·a_i·b_j +
// beta·C[i, j], a_i = op(A)[i, 0] and b_j = op(B)[0, j]; C is not read
// where beta is 0. Then e.
func sgemmOuter(transA, transB bool, m, n int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int, e *Epilogue) {
	row := b[:n]
	if transB {
		// op(B)'s row is B's first column: gathered, once.
		p := getScratch(n)
		defer putScratch(p)
		row = (*p)[:n]
		for j := range row {
			row[j] = b[j*ldb]
		}
	}
	plain := alpha == 1 && beta == 0 // C = op(A)·op(B): one pass a row
	ParallelFor(m, outerRowGrain(n), func(lo, hi int) {
		var tmp []float32
		if !plain {
			p := getScratch(n)
			defer putScratch(p)
			tmp = (*p)[:n]
		}
		for i := lo; i < hi; i++ {
			ai := a[i] // op(A)[i, 0]: A[0, i] transposed, else A[i, 0]
			if !transA {
				ai = a[i*lda]
			}
			crow := c[i*ldc : i*ldc+n]
			if plain {
				unarySpan(Affine, ai, 0, crow, row)
				continue
			}
			// As gemv rounds a row of depth one: a_i·b_j, then alpha times
			// it, then beta·C added.
			unarySpan(Affine, ai, 0, tmp, row)
			if beta == 0 {
				unarySpan(Affine, alpha, 0, crow, tmp)
				continue
			}
			if alpha != 1 {
				unarySpan(Affine, alpha, 0, tmp, tmp)
			}
			if beta != 1 {
				unarySpan(Affine, beta, 0, crow, crow)
			}
			binarySpan(Add, 0, crow, crow, tmp)
		}
	})
	if e != nil {
		e.apply(c, ldc, 0, m, 0, n)
	}
}
