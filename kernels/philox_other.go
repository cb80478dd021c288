//go:build !amd64 || purego

package kernels

// philoxWords is philoxWordsGo where there is no vector code.
var philoxWords = philoxWordsGo

// randMap is randMapGo where there is no vector code.
func randMap(out []float32, x []uint32, bernoulli bool, a, s float32) {
	randMapGo(out, x, bernoulli, a, s)
}
