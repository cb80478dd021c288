//go:build amd64 && !purego

package kernels

import "golang.org/x/sys/cpu"

//go:generate go run gemm_asm_gen.go

// sgemmArchs lists the micro-kernels this CPU runs, fastest first; the
// pure-Go one is always last.
var sgemmArchs = func() []*sgemmArch {
	var archs []*sgemmArch
	if cpu.X86.HasAVX512F {
		archs = append(archs, sgemmAVX512)
	}
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		archs = append(archs, sgemmAVX2)
	}
	return append(archs, sgemmGo)
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

// packAlong copies rows into a packed sliver; see packAlongGo. Full-width
// slivers of whole ymm vectors are copied by assembly: a call to copy per
// row of 16 or 32 floats costs more than the copy.
var packAlong = func() func(dst, src []float32, ld, width, w, kc int) {
	if !cpu.X86.HasAVX2 {
		return packAlongGo
	}
	return func(dst, src []float32, ld, width, w, kc int) {
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
	name: "avx2", mr: 6, nr: 16, kc: 256, mc: 144,
	kernel: func(k int, a, b, c []float32, ldc int, alpha, beta float32) {
		// Touch the ends of what the assembly reads and writes, as in
		// packAcross8.
		_, _, _ = a[6*k-1], b[16*k-1], c[5*ldc+15]
		sgemmKernel6x16AVX2(k, &a[0], &b[0], &c[0], ldc, alpha, beta)
	},
}

var sgemmAVX512 = &sgemmArch{
	name: "avx512", mr: 12, nr: 32, kc: 256, mc: 144,
	kernel: func(k int, a, b, c []float32, ldc int, alpha, beta float32) {
		// Touch the ends of what the assembly reads and writes, as in
		// packAcross8.
		_, _, _ = a[12*k-1], b[32*k-1], c[11*ldc+31]
		sgemmKernel12x32AVX512(k, &a[0], &b[0], &c[0], ldc, alpha, beta)
	},
}

// sgemmKernel6x16AVX2 is the micro-kernel contract of sgemmArch.kernel for a
// 6×16 tile held in 12 ymm registers.
//
//go:noescape
func sgemmKernel6x16AVX2(k int, a, b, c *float32, ldc int, alpha, beta float32)

// sgemmKernel12x32AVX512 is the micro-kernel contract of sgemmArch.kernel for
// a 12×32 tile held in 24 zmm registers.
//
//go:noescape
func sgemmKernel12x32AVX512(k int, a, b, c *float32, ldc int, alpha, beta float32)

// packAcross8AVX2 is packAcross8Go for AVX2, on raw pointers.
//
//go:noescape
func packAcross8AVX2(dst, src *float32, ld, w, kc int)

// packAlongAVX2 is packAlongGo for AVX2 and width == w, a multiple of 8, on
// raw pointers.
//
//go:noescape
func packAlongAVX2(dst, src *float32, ld, w, kc int)
