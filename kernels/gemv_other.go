//go:build !amd64 || purego

package kernels

// gemvHave is false: one-row products run as the others do, and the
// kernels below are never called.
const gemvHave = false

func gemvDot4(a, b []float32, ldb, k int, out *[4]float32)    { panic("kernels: no gemv kernels") }
func gemvAxpy64(a, b []float32, ldb, k int, out *[64]float32) { panic("kernels: no gemv kernels") }
func gemvAxpy8(a, b []float32, ldb, k int, out *[64]float32)  { panic("kernels: no gemv kernels") }
func gemvRows4x2(a []float32, lda int, b []float32, ldb, k int, out *[8]float32) {
	panic("kernels: no gemv kernels")
}
