//go:build !amd64 || purego

package kernels

// unaryVec and binaryCmpVec: no vector kernels here.
func unaryVec(UnaryOp, float32, float32, []float32, []float32) int { return 0 }
func binaryCmpVec(BinaryOp, []float32, []float32, []float32) int   { return 0 }
