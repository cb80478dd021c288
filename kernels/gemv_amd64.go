//go:build amd64 && !purego

package kernels

import "golang.org/x/sys/cpu"

//go:noescape
func gemvDot4AVX2(a, b *float32, ldb, k int, out *float32)

//go:noescape
func gemvAxpy64AVX2(a, b *float32, ldb, k int, out *float32)

//go:noescape
func gemvAxpy8AVX2(a, b *float32, ldb, k int, out *float32)

//go:noescape
func gemvRows4x2AVX2(a *float32, lda int, b *float32, ldb, k int, out *float32)

// gemvHave reports whether the CPU has the one-row product's vector
// kernels (gemv.go): AVX2 and FMA.
var gemvHave = hasAVX2 && cpu.X86.HasFMA

func gemvDot4(a, b []float32, ldb, k int, out *[4]float32) {
	_, _ = a[k-1], b[3*ldb+k-1]
	gemvDot4AVX2(&a[0], &b[0], 4*ldb, k, &out[0])
}

func gemvAxpy64(a, b []float32, ldb, k int, out *[64]float32) {
	_, _ = a[k-1], b[(k-1)*ldb+63]
	gemvAxpy64AVX2(&a[0], &b[0], 4*ldb, k, &out[0])
}

func gemvAxpy8(a, b []float32, ldb, k int, out *[64]float32) {
	_, _ = a[k-1], b[(k-1)*ldb+7]
	gemvAxpy8AVX2(&a[0], &b[0], 4*ldb, k, &out[0])
}

func gemvRows4x2(a []float32, lda int, b []float32, ldb, k int, out *[8]float32) {
	_, _ = a[3*lda+k-1], b[ldb+k-1]
	gemvRows4x2AVX2(&a[0], 4*lda, &b[0], 4*ldb, k, &out[0])
}
