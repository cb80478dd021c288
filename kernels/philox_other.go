//go:build !amd64 || purego

package kernels

// philoxWords is philoxWordsGo where there is no vector code.
func philoxWords(x0, x1 []uint32, seed, offset uint64) { philoxWordsGo(x0, x1, seed, offset) }

// randMap is randMapGo where there is no vector code.
func randMap(out []float32, x []uint32, bernoulli bool, a, s float32) {
	randMapGo(out, x, bernoulli, a, s)
}

// normalMap is normalMapGo where there is no vector code.
func normalMap(out []float32, x0, x1 []uint32, a, b float32) { normalMapGo(out, x0, x1, a, b) }

// logWidths: the portable loops only.
func logWidths() []vectorWidth { return []vectorWidth{{"go", func() func() { return func() {} }}} }
