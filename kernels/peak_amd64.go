//go:build amd64 && !purego

package kernels

// fmaPeakAVX512 runs n iterations of 12 independent 16-lane fused
// multiply-adds and nothing else: BenchmarkMicroKernel's ceiling, the most
// one core does (384 FLOP an iteration).
//
//go:noescape
func fmaPeakAVX512(n int)
