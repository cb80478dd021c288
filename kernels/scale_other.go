//go:build !amd64 || purego

package kernels

func scale(d, s []float32, a float32) { scaleGo(d, s, a) }
