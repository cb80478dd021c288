//go:build !amd64 || purego

package kernels

// convArchs lists the direct-convolution kernels this machine runs.
var convArchs = []*convArch{convGoArch}

// copyRows copies rows between strided planes; see copyRowsGo.
var copyRows = copyRowsGo

// flipTaps16 and flipTaps8 are nil: chunkWeightsFlipped and flippedA run
// their loops.
var flipTaps16, flipTaps8 func(dst, src []float32, n, srcStride, dstRow, dstStride int)
