//go:build amd64 && !purego

package kernels

import "golang.org/x/sys/cpu"

// copyRowsVariants lists the copyRows this CPU runs: the one selected and,
// where it has AVX-512, the AVX2 one too.
func copyRowsVariants() map[string]func(dst, src []float32, rows, width, dstStride, srcStride int) {
	vs := map[string]func(dst, src []float32, rows, width, dstStride, srcStride int){"selected": copyRows}
	if cpu.X86.HasAVX512F && cpu.X86.HasAVX2 {
		vs["avx2"] = copyRowsFor(false, true)
	}
	return vs
}
