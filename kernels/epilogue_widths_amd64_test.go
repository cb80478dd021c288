//go:build amd64 && !purego

package kernels

// epilogueWidths lists the widths of the fused epilogue kernels this CPU
// runs: AVX-512 and AVX2 where it has both (AVX2 by turning AVX-512 off
// for the element-wise and the transcendental kernels alike).
func epilogueWidths() []vectorWidth {
	ws := []vectorWidth{{"native", func() func() { return func() {} }}}
	if hasAVX512 && transcendLanes == 16 {
		ws = append(ws, vectorWidth{"avx2", func() func() {
			hasAVX512, transcendLanes = false, 8
			return func() { hasAVX512, transcendLanes = true, 16 }
		}})
	}
	return ws
}
