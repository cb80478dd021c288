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

// gather2AVX2 and scatterAdd2AVX2 are gather2AVX512 and scatterAdd2AVX512
// on vectors of 8, n a positive multiple of 8.
//
//go:noescape
func gather2AVX2(dst, src *float32, n int)

//go:noescape
func scatterAdd2AVX2(dst, src *float32, n int)

// gather2Vec sets dst[i] = src[2i] for the first n = min(len(dst),
// len(src)/2) floats of dst where n is a vector or more, a last vector
// ending at n over the one before where n is not a multiple, and returns
// how many it set (n or 0): im2col's rows at stride 2. With AVX-512,
// vectors of 16; where the CPU has AVX2 alone, vectors of 8. (Rows of 15,
// a padded 3×3 filter's first tap on 32-wide planes, had left 7 floats to
// the scalar loop: with the last vector a ResNet's 64→128 stride-2
// layer's weight gradient at batch 8 ran 1.03× as fast on a Zen 2,
// bench/results/gather2-tail-2026-12-05-zen2.txt.) On a Zen 5 running its AVX2 code (GODEBUG=cpu.avx512f=off)
// vectors of 8 had run a ResNet shortcut's weight gradient 0.80–0.92× as
// fast as the scalar loop on 32×32 planes, 1.23–1.31× on 16×16
// (bench/results/stride2-2026-12-03-zen5.txt.gz), so AVX-512 machines keep
// rows of 8 to 15 scalar; on a Zen 2, an AVX2 CPU, the same weight
// gradient ran 1.3–1.55× as fast with them, the 3×3 stride-2 layer's
// 1.35–1.38× (bench/results/stride2-avx2-2026-12-05-zen2.txt).
func gather2Vec(dst, src []float32) int {
	n := min(len(dst), len(src)/2)
	switch {
	case hasAVX512 && n >= 16:
		gather2AVX512(&dst[0], &src[0], n&^15)
		if n&15 != 0 {
			gather2AVX512(&dst[n-16], &src[2*(n-16)], 16)
		}
	case hasAVX2 && !hasAVX512 && n >= 8:
		gather2AVX2(&dst[0], &src[0], n&^7)
		if n&7 != 0 {
			gather2AVX2(&dst[n-8], &src[2*(n-8)], 8)
		}
	default:
		n = 0
	}
	return n
}

// scatterAdd2Vec adds src[i] to dst[2i] for the leading vectors of src
// whose writes lie within dst, and returns how many it added: col2im's
// rows at stride 2, vectors of 16 with AVX-512, of 8 with AVX2 alone. A
// vector stores the odd floats it skips back as they were, so the next
// tap, which adds to them, loads across that store; on rows of 8 (vectors
// of 8) the input gradients of a ResNet's 3×3 stride-2 layers ran
// 0.86–0.96× as fast as the scalar loop on a Zen 5's AVX2 code
// (bench/results/stride2-2026-12-03-zen5.txt.gz), 1.2–1.6× on a Zen 2
// (bench/results/stride2-avx2-2026-12-05-zen2.txt).
func scatterAdd2Vec(dst, src []float32) int {
	n := min(len(src), len(dst)/2)
	switch {
	case hasAVX512:
		if n &^= 15; n > 0 {
			scatterAdd2AVX512(&dst[0], &src[0], n)
		}
	case hasAVX2:
		if n &^= 7; n > 0 {
			scatterAdd2AVX2(&dst[0], &src[0], n)
		}
	default:
		n = 0
	}
	return n
}

// col2imS2RowAVX2 is col2imS2RowGo on vectors of 8, n a positive multiple
// of 8 or 4 (one vector of 4): a0, a1, a2 the rows of taps s = 0, 1, 2 of
// the row's first (r, oy) pair, b0, b1, b2 its second's (read only where
// pairs is 2).
//
//go:noescape
func col2imS2RowAVX2(dst, a0, a1, a2, b0, b1, b2 *float32, n, pairs int)

// col2imS2Row is col2imS2RowGo, in AVX2 code where s2RowsFast(n) holds.
func col2imS2Row(dst, col []float32, a, b, ld, pairs, n int) {
	if !s2RowsFast(n) {
		col2imS2RowGo(dst, col, a, b, ld, pairs, n)
		return
	}
	if pairs != 2 {
		b = a
	}
	_, _, _ = dst[2*n-1], col[a+2*ld+n-1], col[b+2*ld+n-1] // the bounds, checked once
	col2imS2RowAVX2(&dst[0], &col[a], &col[a+ld], &col[a+2*ld], &col[b], &col[b+ld], &col[b+2*ld], n, pairs)
}

// s2RowsFast reports whether col2imS2Row and im2colS2Row run in vector
// code on rows of n: a multiple of 8, or 4 (a ResNet's 4×4 stride-2
// outputs), on a CPU with AVX2 but not AVX-512.
func s2RowsFast(n int) bool { return hasAVX2 && !hasAVX512 && n > 0 && (n%8 == 0 || n == 4) }

// im2colS2RowAVX2 is im2colS2RowGo on vectors of 8, n a positive multiple
// of 8 or 4 (one vector of 4).
//
//go:noescape
func im2colS2RowAVX2(s0, s1, s2, src *float32, n int)

// im2colS2Row is im2colS2RowGo, in AVX2 code where s2RowsFast(n) holds.
func im2colS2Row(col, x []float32, at, ld, src, n int) {
	if !s2RowsFast(n) {
		im2colS2RowGo(col, x, at, ld, src, n)
		return
	}
	_, _ = col[at+2*ld+n-1], x[src+2*n-1] // the bounds, checked once
	im2colS2RowAVX2(&col[at], &col[at+ld], &col[at+2*ld], &x[src], n)
}
