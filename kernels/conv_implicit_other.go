//go:build !amd64 || purego

package kernels

// convImplicit: without a vector gather, convolutions run im2col and pack
// by rows, faster than a gather in Go.
var convImplicit = false

// gatherRows is gatherRowsGo.
var gatherRows = gatherRowsGo
