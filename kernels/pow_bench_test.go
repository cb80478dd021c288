package kernels

import (
	"fmt"
	"math"
	"testing"
)

// BenchmarkPowScalar times PowScalar on 1 Mi elements drawn as the
// catalogue draws them (e^U(ln ¼, ln 4)) for integer, half and fractional
// exponents.
func BenchmarkPowScalar(b *testing.B) {
	const n = 1 << 20
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(math.Exp(math.Log(0.25) + math.Log(16)*float64(uint32(i)*2654435761%n)/n))
	}
	dst := make([]float32, n)
	copy(dst, x) // its pages touched before the first timing
	for _, p := range []float32{2, 3, 0.5, -1.5, 2.5} {
		b.Run(fmt.Sprint(p), func(b *testing.B) {
			for b.Loop() {
				Unary(PowScalar, p, 0, dst, Strided[float32]{x, 0, []int{1}}, []int{n})
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "Gelem/s")
		})
	}
}
