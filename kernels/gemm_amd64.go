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

var sgemmAVX2 = &sgemmArch{
	name: "avx2", mr: 6, nr: 16, kc: 256, mc: 144, nc: 4096,
	kernel: func(k int, a, b, c []float32, ldc int, alpha, beta float32) {
		sgemmKernel6x16AVX2(k, &a[0], &b[0], &c[0], ldc, alpha, beta)
	},
}

var sgemmAVX512 = &sgemmArch{
	name: "avx512", mr: 12, nr: 32, kc: 256, mc: 144, nc: 4096,
	kernel: func(k int, a, b, c []float32, ldc int, alpha, beta float32) {
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
