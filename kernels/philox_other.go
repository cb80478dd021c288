//go:build !amd64 || purego

package kernels

// philoxCounters is philoxCountersGo where there is no vector code.
func philoxCounters(x0, x1 []uint32, per int, seed, c uint64) {
	philoxCountersGo(x0, x1, per, seed, c)
}

// randMap is randMapGo where there is no vector code.
func randMap(out []float32, x []uint32, bernoulli bool, a, s float32) {
	randMapGo(out, x, bernoulli, a, s)
}

// normalMap is normalMapGo where there is no vector code.
func normalMap(out []float32, x0, x1 []uint32, a, b float32) { normalMapGo(out, x0, x1, a, b) }

// logWidths: the portable loops only.
func logWidths() []vectorWidth { return []vectorWidth{{"go", func() func() { return func() {} }}} }
