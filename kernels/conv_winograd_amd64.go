//go:build amd64 && !purego

package kernels

import "golang.org/x/sys/cpu"

// The F(2×2, 3×3) transforms in assembly, nil where this CPU lacks the
// instructions; winoBest is the fastest of them.
var (
	winoAVX512 = func() *winoArch {
		if !cpu.X86.HasAVX512F {
			return nil
		}
		return &winoArch{name: "avx512", in: winoInAsm(winoInAVX512), out: winoOutAsm(winoOutAVX512), dy: winoDyAsm(winoDyAVX512), wt: winoWtAsm(winoWtAVX512), wtGrad: winoWtGradAsm(winoWtGradAVX512), transpose16: transpose16Asm(transpose16One)}
	}()
	winoAVX2 = func() *winoArch {
		if !cpu.X86.HasAVX2 {
			return nil
		}
		return &winoArch{name: "avx2", in: winoInAsm(winoInAVX2), out: winoOutAsm(winoOutAVX2), dy: winoDyAsm(winoDyAVX2), wt: winoWtAsm(winoWtAVX2), wtGrad: winoWtGradAsm(winoWtGradAVX2), transpose16: transpose16Asm(transpose16AVX2)}
	}()
	winoBest = func() *winoArch {
		if a := winoAsmArchs(); len(a) > 0 {
			return a[0]
		}
		return nil
	}()
)

// winoAsmArchs lists the assembly transform sets this CPU runs, fastest
// first.
func winoAsmArchs() []*winoArch {
	var all []*winoArch
	for _, a := range []*winoArch{winoAVX512, winoAVX2} {
		if a != nil {
			all = append(all, a)
		}
	}
	return all
}

// winoInAsm wraps an input transform kernel as winoArch.in, checking that
// what it reads and writes lies within base and dst.
func winoInAsm(k func(base *float32, offs *int, dst *float32, dstStride, n int)) func([]float32, *[16]int, []float32, int, int) {
	return func(base []float32, offs *[16]int, dst []float32, dstStride, n int) {
		if !winoRuns(n) {
			return
		}
		touchRuns(base, offs[:], n)
		_ = dst[15*dstStride+n-1]
		k(&base[0], &offs[0], &dst[0], dstStride, n)
	}
}

// winoDyAsm wraps a transposed output transform kernel as winoArch.dy,
// checking that what it reads and writes lies within base and dst.
func winoDyAsm(k func(base *float32, offs *int, dst *float32, dstStride, n int)) func([]float32, *[4]int, []float32, int, int) {
	return func(base []float32, offs *[4]int, dst []float32, dstStride, n int) {
		if !winoRuns(n) {
			return
		}
		touchRuns(base, offs[:], n)
		_ = dst[15*dstStride+n-1]
		k(&base[0], &offs[0], &dst[0], dstStride, n)
	}
}

// winoOutAsm wraps an output transform kernel as winoArch.out, checking
// that what it reads and writes lies within src and base.
func winoOutAsm(k func(src *float32, srcStride int, base *float32, offs *int, n int)) func([]float32, int, []float32, *[4]int, int) {
	return func(src []float32, srcStride int, base []float32, offs *[4]int, n int) {
		if !winoRuns(n) {
			return
		}
		touchRuns(base, offs[:], n)
		_ = src[15*srcStride+n-1]
		k(&src[0], srcStride, &base[0], &offs[0], n)
	}
}

// transpose16Asm wraps a 16×16 transpose kernel as winoArch.transpose16,
// checking that what it reads and writes lies within src and dst.
func transpose16Asm(k func(dst *float32, ldd int, src *float32, lds int)) func([]float32, int, []float32, int) {
	return func(dst []float32, ldd int, src []float32, lds int) {
		_, _ = dst[15*ldd+15], src[15*lds+15]
		k(&dst[0], ldd, &src[0], lds)
	}
}

// winoWtAsm wraps a weight transform kernel as winoArch.wt, checking that
// what it reads and writes lies within src and dst.
func winoWtAsm(k func(src *float32, srcStride int, dst *float32, dstStride, n int)) func([]float32, int, []float32, int, int) {
	return func(src []float32, srcStride int, dst []float32, dstStride, n int) {
		if !winoRuns(n) {
			return
		}
		_, _ = src[8*srcStride+n-1], dst[15*dstStride+n-1]
		k(&src[0], srcStride, &dst[0], dstStride, n)
	}
}

// winoRuns reports whether a transform of n channels has work, and
// panics where n is not a multiple of 16, which the kernels cannot do.
func winoRuns(n int) bool {
	if n%16 != 0 {
		panic("kernels: Winograd transform of a channel count that is not a multiple of 16")
	}
	return n > 0
}

// touchRuns checks that the runs of n floats at base[o:] for each o in
// offs lie within base.
func touchRuns(base []float32, offs []int, n int) {
	for _, o := range offs {
		_ = base[o+n-1]
	}
}

// winoWtGradAsm wraps a weight-gradient transform kernel as
// winoArch.wtGrad, checking that what it reads and writes lies within src
// and dst.
func winoWtGradAsm(k func(src *float32, srcStride int, dst *float32, dstStride, n int)) func([]float32, int, []float32, int, int) {
	return func(src []float32, srcStride int, dst []float32, dstStride, n int) {
		if !winoRuns(n) {
			return
		}
		_, _ = src[15*srcStride+n-1], dst[8*dstStride+n-1]
		k(&src[0], srcStride, &dst[0], dstStride, n)
	}
}

// transpose16One is transpose16AVX512 of one block.
func transpose16One(dst *float32, ldd int, src *float32, lds int) {
	transpose16AVX512(dst, ldd, src, lds, 1, 0, 0)
}
