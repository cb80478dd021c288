//go:build amd64 && !purego

package kernels

import "testing"

// BenchmarkFMAPeak reports one core's fused multiply-add ceiling with
// AVX-512 (independent FMAs, no loads), what BenchmarkMicroKernel's rates
// are measured against.
func BenchmarkFMAPeak(b *testing.B) {
	if !hasAVX512 {
		b.Skip("no AVX-512 on this CPU")
	}
	const iters = 1 << 16
	for b.Loop() {
		fmaPeakAVX512(iters)
	}
	b.ReportMetric(384*iters*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}
