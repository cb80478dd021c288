//go:build !amd64 || purego

package kernels

// copyRowsVariants: copyRowsGo alone.
func copyRowsVariants() map[string]func(dst, src []float32, rows, width, dstStride, srcStride int) {
	return map[string]func(dst, src []float32, rows, width, dstStride, srcStride int){"selected": copyRows}
}
