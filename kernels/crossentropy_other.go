//go:build !amd64 || purego

package kernels

// shift sets e = x − a.
func shift(e, x []float32, a float32) { shiftGo(e, x, a) }

// scale64 sets d = float32(g·(a·p)), the products in float64.
func scale64(d, p []float32, a, g float64) { scale64Go(d, p, a, g) }
