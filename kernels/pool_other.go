//go:build !amd64 || purego

package kernels

// maxPool2x2Vec: no vector kernel without the assembly.
var maxPool2x2Vec func(out []float32, oi []int32, plane []float32, n, rows, h0, W, sh int)

// maxPool2x2BackVec: likewise.
var maxPool2x2BackVec func(dx, dy []float32, idx []int32, n, rows, h0, W, sh int)
