//go:build amd64 && !purego

package kernels

import "golang.org/x/sys/cpu"

//go:generate go run gemm_asm_gen.go

// sgemmArchs lists the micro-kernels this CPU runs, fastest first; the
// pure-Go one is always last. sgemmBest holds those of the fastest
// instruction set, which Sgemm picks from by shape.
var sgemmArchs, sgemmBest = func() (all, best []*sgemmArch) {
	if cpu.X86.HasAVX512F {
		best = []*sgemmArch{sgemmAVX512x32, sgemmAVX512x16}
		all = append(all, best...)
	}
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		all = append(all, sgemmAVX2)
		if best == nil {
			best = []*sgemmArch{sgemmAVX2}
		}
	}
	if best == nil {
		best = []*sgemmArch{sgemmGo}
	}
	return append(all, sgemmGo), best
}()

// packAcross8 transposes eight rows into a packed sliver; see packAcross8Go.
var packAcross8 = func() func(dst, src []float32, ld, w, kc int) {
	if !cpu.X86.HasAVX2 {
		return packAcross8Go
	}
	return func(dst, src []float32, ld, w, kc int) {
		// The assembly checks nothing: touch the last value it reads and
		// the last it writes, so a bad call panics instead of corrupting
		// memory.
		_, _ = src[7*ld+kc-1], dst[(kc-1)*w+7]
		packAcross8AVX2(&dst[0], &src[0], ld, w, kc)
	}
}()

// packAcross6 transposes six rows into a packed sliver (the AVX2 kernel's
// slivers of op(A)): dst[p*w+r] = src[r*ld+p] for r < 6 and p < kc. It is
// nil where the CPU has no AVX2; packSliver then goes four rows and one
// at a time.
var packAcross6 = func() func(dst, src []float32, ld, w, kc int) {
	if !cpu.X86.HasAVX2 {
		return nil
	}
	return func(dst, src []float32, ld, w, kc int) {
		// As in packAcross8.
		_, _ = src[5*ld+kc-1], dst[(kc-1)*w+5]
		packAcross6AVX2(&dst[0], &src[0], ld, w, kc)
	}
}()

// packAlong copies rows into a packed sliver; see packAlongGo. Full-width
// slivers of whole ymm vectors are copied by assembly: a call to copy per
// row of 16 or 32 floats costs more than the copy.
var packAlong = func() func(dst, src []float32, ld, width, w, kc int) {
	if !cpu.X86.HasAVX2 {
		return packAlongGo
	}
	return func(dst, src []float32, ld, width, w, kc int) {
		if width == 6 && w == 6 { // the AVX2 kernel's slivers of op(A)
			_, _ = src[(kc-1)*ld+5], dst[kc*6-1]
			packAlong6AVX2(&dst[0], &src[0], ld, kc)
			return
		}
		if width < w && (w == 6 || w%8 == 0) && w <= maxPackMask {
			// A ragged sliver by masked loads: by copy and clear a
			// step, 4 of 6 floats took 9 ns a step on a Zen 2.
			var mask [maxPackMask]int32
			for i := range width {
				mask[i] = -1
			}
			_, _ = src[(kc-1)*ld+width-1], dst[kc*w-1]
			packAlongMaskAVX2(&dst[0], &src[0], ld, w, kc, &mask[0])
			return
		}
		if width != w || w%8 != 0 {
			packAlongGo(dst, src, ld, width, w, kc)
			return
		}
		// As in packAcross8.
		_, _ = src[(kc-1)*ld+w-1], dst[kc*w-1]
		packAlongAVX2(&dst[0], &src[0], ld, w, kc)
	}
}()

var sgemmAVX2 = &sgemmArch{
	name: "avx2", isa: "AVX2", mr: 6, nr: 16, kc: 256, mc: 144, speed: 1,
	kernel: func(k int, a, b, c []float32, ldc int, alpha, beta float32) {
		// Touch the ends of what the assembly reads and writes, as in
		// packAcross8.
		_, _, _ = a[6*k-1], b[16*k-1], c[5*ldc+15]
		sgemmKernel6x16AVX2(k, &a[0], &b[0], &c[0], ldc, alpha, beta)
	},
	inPlaceB: inPlaceBKernel(6, 16, sgemmKernel6x16AVX2B, nil, nil),
}

// sgemmAVX512x32 has the widest tiles that leave AVX-512 registers for
// loads: 8×32 in 16 zmm accumulators. On Zen 5 it runs at the FMA peak in
// L1, on an Intel Xeon (family 6 model 167) at 88–94% of it, and m = 8, 16,
// 32, … fill its tiles exactly. 12×32 and 14×32 tiles ran at 98% there but
// gained 0–2% in whole products (C prefetched) and lost 5–9% on batches of
// 64 rows, which they pad (bench/RESULTS.md, twentieth session).
var sgemmAVX512x32 = &sgemmArch{
	name: "avx512-8x32", isa: "AVX-512", mr: 8, nr: 32, kc: 256, mc: 144, speed: 1,
	kernel: func(k int, a, b, c []float32, ldc int, alpha, beta float32) {
		// Touch the ends of what the assembly reads and writes, as in
		// packAcross8.
		_, _, _ = a[8*k-1], b[32*k-1], c[7*ldc+31]
		sgemmKernel8x32AVX512(k, &a[0], &b[0], &c[0], ldc, alpha, beta)
	},
	inPlace:  inPlaceKernel(8, 32, sgemmKernel8x32AVX512A, sgemmKernel8x32AVX512AT),
	inPlaceB: inPlaceBKernel(8, 32, sgemmKernel8x32AVX512B, sgemmKernel8x32AVX512AB, sgemmKernel8x32AVX512ATB),
}

// sgemmAVX512x16 is the 16×16 alternative, for n ≤ 16 or n an odd multiple
// of 16, where 32-wide tiles would compute up to twice the output. It needs
// a broadcast per FMA and runs about 8% slower on whole tiles (512³ on Zen 5).
var sgemmAVX512x16 = &sgemmArch{
	name: "avx512-16x16", isa: "AVX-512", mr: 16, nr: 16, kc: 256, mc: 144, speed: 0.92,
	kernel: func(k int, a, b, c []float32, ldc int, alpha, beta float32) {
		// Touch the ends of what the assembly reads and writes, as in
		// packAcross8.
		_, _, _ = a[16*k-1], b[16*k-1], c[15*ldc+15]
		sgemmKernel16x16AVX512(k, &a[0], &b[0], &c[0], ldc, alpha, beta)
	},
	inPlace:  inPlaceKernel(16, 16, sgemmKernel16x16AVX512A, sgemmKernel16x16AVX512AT),
	inPlaceB: inPlaceBKernel(16, 16, sgemmKernel16x16AVX512B, sgemmKernel16x16AVX512AB, sgemmKernel16x16AVX512ATB),
}

// sgemmKernel6x16AVX2 is the micro-kernel contract of sgemmArch.kernel for a
// 6×16 tile held in 12 ymm registers.
//
//go:noescape
func sgemmKernel6x16AVX2(k int, a, b, c *float32, ldc int, alpha, beta float32)

// sgemmKernel8x32AVX512 is the micro-kernel contract of sgemmArch.kernel
// for an 8×32 tile held in 16 zmm registers.
//
//go:noescape
func sgemmKernel8x32AVX512(k int, a, b, c *float32, ldc int, alpha, beta float32)

// sgemmKernel16x16AVX512 is the micro-kernel contract of sgemmArch.kernel
// for a 16×16 tile held in 16 zmm registers.
//
//go:noescape
func sgemmKernel16x16AVX512(k int, a, b, c *float32, ldc int, alpha, beta float32)

// sgemmKernel8x32AVX512A and sgemmKernel8x32AVX512AT are sgemmKernel8x32AVX512 reading op(A) in place
// (sgemmArch.inPlace): not transposed and transposed.
//
//go:noescape
func sgemmKernel8x32AVX512A(k int, a, b, c *float32, ldc int, alpha, beta float32, lda int)

//go:noescape
func sgemmKernel8x32AVX512AT(k int, a, b, c *float32, ldc int, alpha, beta float32, lda int)

// sgemmKernel16x16AVX512A and sgemmKernel16x16AVX512AT are sgemmKernel16x16AVX512 reading op(A) in place
// (sgemmArch.inPlace): not transposed and transposed.
//
//go:noescape
func sgemmKernel16x16AVX512A(k int, a, b, c *float32, ldc int, alpha, beta float32, lda int)

//go:noescape
func sgemmKernel16x16AVX512AT(k int, a, b, c *float32, ldc int, alpha, beta float32, lda int)

// aLast is the index of the last value of a that an mr-row kernel reads
// over k steps of op(A) laid out as l, lda apart in place.
func aLast(l aLayout, mr, k, lda int) int {
	switch l {
	case aRowMajor:
		return (mr-1)*lda + k - 1
	case aTransposed:
		return (k-1)*lda + mr - 1
	}
	return mr*k - 1
}

// inPlaceKernel wraps an mr×nr kernel's two in-place forms as
// sgemmArch.inPlace.
func inPlaceKernel(mr, nr int, rowMajor, trans func(k int, a, b, c *float32, ldc int, alpha, beta float32, lda int)) func(bool, int, []float32, int, []float32, []float32, int, float32, float32) {
	return func(t bool, k int, a []float32, lda int, b, c []float32, ldc int, alpha, beta float32) {
		// As kernel, the ends of what the assembly reads and writes.
		l := aRowMajor
		if t {
			l = aTransposed
		}
		_, _, _ = a[aLast(l, mr, k, lda)], b[nr*k-1], c[(mr-1)*ldc+nr-1]
		if t {
			trans(k, &a[0], &b[0], &c[0], ldc, alpha, beta, lda)
		} else {
			rowMajor(k, &a[0], &b[0], &c[0], ldc, alpha, beta, lda)
		}
	}
}

// The kernels reading op(B) in place, its k steps ldb apart, op(A) packed,
// in place or in place transposed (sgemmArch.inPlaceB; AVX2's reads op(A)
// packed only, as in inPlaceWorthIt).
//
//go:noescape
func sgemmKernel6x16AVX2B(k int, a, b, c *float32, ldc int, alpha, beta float32, lda, ldb int)

//go:noescape
func sgemmKernel8x32AVX512B(k int, a, b, c *float32, ldc int, alpha, beta float32, lda, ldb int)

//go:noescape
func sgemmKernel8x32AVX512AB(k int, a, b, c *float32, ldc int, alpha, beta float32, lda, ldb int)

//go:noescape
func sgemmKernel8x32AVX512ATB(k int, a, b, c *float32, ldc int, alpha, beta float32, lda, ldb int)

//go:noescape
func sgemmKernel16x16AVX512B(k int, a, b, c *float32, ldc int, alpha, beta float32, lda, ldb int)

//go:noescape
func sgemmKernel16x16AVX512AB(k int, a, b, c *float32, ldc int, alpha, beta float32, lda, ldb int)

//go:noescape
func sgemmKernel16x16AVX512ATB(k int, a, b, c *float32, ldc int, alpha, beta float32, lda, ldb int)

// inPlaceBKernel wraps an mr×nr kernel's forms reading op(B) in place as
// sgemmArch.inPlaceB; rowMajor and trans are nil where the kernel has no
// in-place op(A) (sgemmArch.inPlace is nil, so no job asks for them).
func inPlaceBKernel(mr, nr int, packed, rowMajor, trans func(k int, a, b, c *float32, ldc int, alpha, beta float32, lda, ldb int)) func(aLayout, int, []float32, int, []float32, int, []float32, int, float32, float32) {
	forms := [...]func(k int, a, b, c *float32, ldc int, alpha, beta float32, lda, ldb int){aPacked: packed, aRowMajor: rowMajor, aTransposed: trans}
	return func(l aLayout, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, alpha, beta float32) {
		// As kernel, the ends of what the assembly reads and writes.
		_, _, _ = a[aLast(l, mr, k, lda)], b[(k-1)*ldb+nr-1], c[(mr-1)*ldc+nr-1]
		forms[l](k, &a[0], &b[0], &c[0], ldc, alpha, beta, lda, ldb)
	}
}

// packAcross8AVX2 is packAcross8Go for AVX2, on raw pointers.
//
//go:noescape
func packAcross8AVX2(dst, src *float32, ld, w, kc int)

// packAcross6AVX2 is packAcross6 on raw pointers.
//
//go:noescape
func packAcross6AVX2(dst, src *float32, ld, w, kc int)

// packAlong6AVX2 is packAlongGo for width == w == 6, on raw pointers.
//
//go:noescape
func packAlong6AVX2(dst, src *float32, ld, kc int)

// packAlongAVX2 is packAlongGo for AVX2 and width == w, a multiple of 8, on
// raw pointers.
//
//go:noescape
func packAlongAVX2(dst, src *float32, ld, w, kc int)

// packAlongMaskAVX2 is packAlongGo for AVX2 and width < w, w 6 or a
// multiple of 8, on raw pointers: mask's first width lanes of max(w, 8)
// are all ones, the others zero.
//
//go:noescape
func packAlongMaskAVX2(dst, src *float32, ld, w, kc int, mask *int32)

// maxPackMask is the widest sliver packAlongMaskAVX2 packs: the AVX-512
// kernels' 32 columns.
const maxPackMask = 32
