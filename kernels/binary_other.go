//go:build !amd64 || purego

package kernels

// binaryVec: no vector kernels here.
func binaryVec(BinaryOp) (func(d, x, y *float32, n int), int) { return nil, 0 }
