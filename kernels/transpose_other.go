//go:build !amd64 || purego

package kernels

// transpose16 has no vector kernel here: it reports false, and the caller
// moves the values its own way.
func transpose16(dst []float32, ldd int, src []float32, lds, n, dstStep, srcStep int) bool {
	return false
}
