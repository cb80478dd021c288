//go:build !amd64 || purego

package kernels

// shiftSub sets e = (x − a) − b.
func shiftSub(e, x []float32, a, b float32) { shiftSubGo(e, x, a, b) }

// scale64 sets d = float32(g·(a·p)), the products in float64.
func scale64(d, p []float32, a, g float64) { scale64Go(d, p, a, g) }
