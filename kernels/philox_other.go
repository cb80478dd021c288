//go:build !amd64 || purego

package kernels

// philoxCounters is philoxCountersGo where there is no vector code.
func philoxCounters(x []uint32, keys *[20]uint32, c uint64) { philoxCountersGo(x, keys, c) }

// randMap is randMapGo where there is no vector code.
func randMap(out []float32, x []uint32, bernoulli bool, a, s float32) {
	randMapGo(out, x, bernoulli, a, s)
}

// normalPairs is normalPairsGo where there is no vector code.
func normalPairs(out []float32, w []uint32, a, b float32) { normalPairsGo(out, w, a, b) }

// logWidths: the portable loops only.
func logWidths() []vectorWidth { return []vectorWidth{{"go", func() func() { return func() {} }}} }
