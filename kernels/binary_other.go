//go:build !amd64 || purego

package kernels

// binaryVec: no vector kernels here.
func binaryVec(BinaryOp, []float32, []float32, []float32) int { return 0 }
