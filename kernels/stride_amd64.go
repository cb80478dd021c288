//go:build amd64 && !purego

package kernels

// gather2AVX512 sets dst[i] = src[2i] for i < n, n a positive multiple of
// 16, reading src[0:2n].
//
//go:noescape
func gather2AVX512(dst, src *float32, n int)

// scatterAdd2AVX512 adds src[i] to dst[2i] for i < n, n a positive
// multiple of 16, storing dst[0:2n]'s odd floats back unchanged.
//
//go:noescape
func scatterAdd2AVX512(dst, src *float32, n int)

// gather2Vec sets dst[i] = src[2i] for the leading vectors of 16 floats of
// dst whose reads lie within src, and returns how many it set: im2col's
// rows at stride 2. AVX-512 only: with AVX2 code (GODEBUG=cpu.avx512f=off
// on Zen 5) vectors of 8 ran a ResNet shortcut's weight gradient 0.80–0.92×
// as fast on 32×32 planes, 1.23–1.31× on 16×16
// (bench/results/stride2-2026-12-03-zen5.txt.gz).
func gather2Vec(dst, src []float32) int {
	n := min(len(dst), len(src)/2) &^ 15
	if !hasAVX512 || n == 0 {
		return 0
	}
	gather2AVX512(&dst[0], &src[0], n)
	return n
}

// scatterAdd2Vec adds src[i] to dst[2i] for the leading vectors of 16
// floats of src whose writes lie within dst, and returns how many it
// added: col2im's rows at stride 2. A vector stores the odd floats it
// skips back as they were, so the next tap, which adds to them, loads
// across that store; on rows of 8 (vectors of 8) the input gradients of a
// ResNet's 3×3 stride-2 layers ran 0.86–0.96× as fast as the scalar loop
// (bench/results/stride2-2026-12-03-zen5.txt.gz).
func scatterAdd2Vec(dst, src []float32) int {
	n := min(len(src), len(dst)/2) &^ 15
	if !hasAVX512 || n == 0 {
		return 0
	}
	scatterAdd2AVX512(&dst[0], &src[0], n)
	return n
}
