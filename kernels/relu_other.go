//go:build !amd64 || purego

package kernels

func biasRelu(d, s []float32, b float32) { biasReluGo(d, s, b) }
func reluGrad(d, x, y []float32)         { reluGradGo(d, x, y) }
func leaky(d, x, y []float32, a float32) { leakyGo(d, x, y, a) }
