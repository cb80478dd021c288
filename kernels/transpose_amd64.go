//go:build amd64 && !purego

package kernels

// transpose16 writes the transposes of n 16×16 blocks, block b of src at
// b·srcStep (rows lds floats apart) to dst at b·dstStep (rows ldd floats
// apart): dst[b·dstStep + p·ldd + r] = src[b·srcStep + r·lds + p] for
// r, p < 16, in AVX-512 registers, and reports whether it did: false
// where the CPU has no AVX-512, and the caller moves the values its own
// way. The steps are at least 0.
func transpose16(dst []float32, ldd int, src []float32, lds, n, dstStep, srcStep int) bool {
	if !hasAVX512 {
		return false
	}
	if n <= 0 {
		return true
	}
	// The assembly checks nothing: touch the last value it reads and the
	// last it writes, so a bad call panics instead of corrupting memory.
	_, _ = dst[(n-1)*dstStep+15*ldd+15], src[(n-1)*srcStep+15*lds+15]
	transpose16AVX512(&dst[0], ldd, &src[0], lds, n, dstStep, srcStep)
	return true
}
