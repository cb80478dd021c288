package kernels

// Sgemm computes C = alpha·op(A)·op(B) + beta·C for row-major matrices; op(A) is m×k (A is k×m when transA),
// op(B) is k×n (B is n×k when transB). lda/ldb/ldc are row strides. When beta == 0, C is not read.
func Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if m <= 0 || n <= 0 {
		return
	}
	for i := 0; i < m; i++ {
		row := c[i*ldc : i*ldc+n]
		if beta == 0 {
			clear(row)
		} else if beta != 1 {
			for j := range row {
				row[j] *= beta
			}
		}
	}
	if k <= 0 || alpha == 0 {
		return
	}
	const blk = 64
	for i0 := 0; i0 < m; i0 += blk {
		for p0 := 0; p0 < k; p0 += blk {
			for i := i0; i < min(i0+blk, m); i++ {
				row := c[i*ldc : i*ldc+n]
				for p := p0; p < min(p0+blk, k); p++ {
					var av float32
					if transA {
						av = alpha * a[p*lda+i]
					} else {
						av = alpha * a[i*lda+p]
					}
					if transB {
						for j := range row {
							row[j] += av * b[j*ldb+p]
						}
					} else {
						brow := b[p*ldb : p*ldb+n]
						for j, bv := range brow {
							row[j] += av * bv
						}
					}
				}
			}
		}
	}
}
