//go:build !amd64 || purego

package kernels

// maxPool2x2Vec: no vector kernel without the assembly.
var maxPool2x2Vec func(out []float32, oi []int32, plane []float32, n, rows, h0, W, sh int)

// maxPool2x2BackVec: likewise.
var maxPool2x2BackVec func(dx, dy []float32, idx []int32, n, rows, h0, W, sh int)

// maxPool2x2Pairs and maxPool2x2PairsBack: likewise.
var (
	maxPool2x2Pairs     func(out []float32, oi []int32, x []float32, planes, oh, ow int)
	maxPool2x2PairsBack func(dx, dy []float32, idx []int32, planes, oh, ow int)
)

// maxPoolPairsOW: no pairs kernels.
const maxPoolPairsOW = 0
