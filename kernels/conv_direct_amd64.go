//go:build amd64 && !purego

package kernels

import "golang.org/x/sys/cpu"

//go:generate go run conv_direct_asm_gen.go

// convFwdAsm and convWgradAsm are the assembly forms of convArch.fwd and
// convArch.wgrad, on raw pointers; xadj and dyadj are the bytes from the
// end of an image's nvec vectors to the start of the next image's.
type (
	convFwdAsm   func(in *float32, offs *int, taps int, w, out *float32, ldo int)
	convWgradAsm func(x, dy *float32, offs *int, nimg, nvec, xadj, dyadj, kstride int, out *float32)
	convLanesAsm func(in *float32, nc, nr, ns, icb, irAdj int, w *float32, wcb, wrAdj int, out *float32, ldob, npos int)
	// pixCAsm is the assembly form of convArch.pixC, strides in bytes.
	pixCAsm func(in *float32, ch, cstride, rstride, colstride int, w, y *float32, ldy int)
)

// pixAVX2Max is the most pixels of an AVX2 pixel kernel call.
const pixAVX2Max = 6

// convArchs lists the direct-convolution kernels this CPU runs, fastest
// first; the pure-Go ones are always last.
var convArchs = func() (all []*convArch) {
	// The AVX-512 kernels add lanes with VL forms on the upper 16 registers.
	if cpu.X86.HasAVX512F && cpu.X86.HasAVX512VL {
		a := convAsmArch("avx512", 16, convFwdAVX512[:], convFwdNVAVX512, convWgradAVX512[:], maxWgTB)
		a.pix, a.pixMax = pixKernels(convPixAVX512[:], 16, 1), 16
		pix32, pix32S2 := pixKernels(convPix32AVX512[:], 32, 1), pixKernels(convPix32S2AVX512[:], 32, 2)
		a.pix32 = func(stride, p int, in []float32, offs []int, w, y []float32, ldy int) {
			if stride == 2 {
				pix32S2(p, in, offs, w, y, ldy)
				return
			}
			pix32(p, in, offs, w, y, ldy)
		}
		a.lanesConv = lanesKernels(convLanesAVX512[:], 16)
		a.wgradPix = wgradPixKernel(convWgradPix3x3AVX512, 32)
		a.wgradPixPad = wgradPixPadKernel(wgradPixKernel(convWgradPixPad3x3AVX512, 32), 32)
		a.wgradKW = 32
		a.pixG, a.pixGKB, a.pixGMax = pixGKernels(convPixG32AVX512[:], 32), 32, pix32Max
		a.pixC = pixCKernels(&convPixCAVX512, 32)
		a.smallWinoTiles = winogradMinTiles
		all = append(all, a)
	}
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		a := convAsmArch("avx2", 8, convFwdAVX2[:], convFwdNVAVX2, convWgradAVX2[:], 6)
		// The AVX2 pixel kernel: 16 channels of up to 6 pixels (LeNet's
		// second layer forward 2.6× as fast as by the row kernel, which
		// computes and drops 4 of every 14 columns).
		a.pix, a.pixMax = pixKernels(convPixAVX2[:], 16, 1), pixAVX2Max
		a.pix2 = pixKernels(convPixS2AVX2[:], 16, 2)
		a.lanesConv = lanesKernels(convLanesAVX2[:], 8)
		a.wgradPix = wgradPixWindowKernel(wgradPixKernel(convWgradPixWin3x3AVX2, 8))
		a.wgradPixPad = wgradPixPadKernel(wgradPixKernel(convWgradPixWinPad3x3AVX2, 8), 8)
		a.wgradKW = 8
		a.pixG, a.pixGKB, a.pixGMax = pixGKernels(convPixGAVX2[:], 16), 16, pixAVX2Max
		a.pixC = pixCKernels(&convPixCAVX2, 16)
		a.smallWinoTiles = 512
		all = append(all, a)
	}
	return append(all, convGoArch)
}()

// flipTaps16 writes n blocks of 16 rows of 9 floats (src, srcStride
// floats from one to the next) transposed with the rows reversed,
// dst[b·dstStride + (8−t)·dstRow + c] = src[b·srcStride + c·9 + t]: with
// dstRow 16 and dstStride 144, 16 channels of n 3×3 filters as
// chunkWeightsFlipped lays them out; with dstRow k and dstStride 16, k
// filters' taps in rows of k as F(2×2, 3×3)'s flipped weights
// (winogradWeightsTo; flipTaps16AVX2). flipTaps8 is the same for blocks
// of 8 rows (c < 8): with dstRow 8 and dstStride 72, an 8-row sliver of
// op(A) for n filters (flippedA; flipTaps8AVX2).
var flipTaps16, flipTaps8 = flipTapsFunc(16, flipTaps16AVX2), flipTapsFunc(8, flipTaps8AVX2)

// flipTapsFunc wraps the kernel of blocks of rows rows, where the CPU has
// AVX2 (nil elsewhere).
func flipTapsFunc(rows int, kernel func(dst, src *float32, n, srcStride, dstRow, dstStride int)) func(dst, src []float32, n, srcStride, dstRow, dstStride int) {
	if !cpu.X86.HasAVX2 {
		return nil
	}
	return func(dst, src []float32, n, srcStride, dstRow, dstStride int) {
		if n == 0 {
			return
		}
		_, _ = dst[(n-1)*dstStride+8*dstRow+rows-1], src[(n-1)*srcStride+9*rows-1]
		kernel(&dst[0], &src[0], n, 4*srcStride, 4*dstRow, 4*dstStride)
	}
}

// pixKernels wraps a table of pixel kernels (by pixel count) of kb
// channels and the given stride as convArch.pix. As in convAsmArch, the
// wrapper touches the last value the assembly reads and writes.
func pixKernels(k []convFwdAsm, kb, stride int) func(p int, in []float32, offs []int, w, y []float32, ldy int) {
	return func(p int, in []float32, offs []int, w, y []float32, ldy int) {
		_, _, _ = in[offs[len(offs)-1]+stride*(p-1)], w[len(offs)*kb-1], y[(kb-1)*ldy+p-1]
		k[p-1](&in[0], &offs[0], len(offs), &w[0], &y[0], ldy)
	}
}

// lanesKernels wraps a table of kernels of images across the lanes (by
// channel count) as convArch.lanesConv, touching the last values they read
// and write; with no taps it writes zeros.
func lanesKernels(k []convLanesAsm, lanes int) func(kb, npos int, in []float32, nc, nr, ns, ic, ir int, w []float32, wc, wr int, out []float32, ldo int) {
	return func(kb, npos int, in []float32, nc, nr, ns, ic, ir int, w []float32, wc, wr int, out []float32, ldo int) {
		if npos <= 0 {
			return
		}
		if nc <= 0 || nr <= 0 || ns <= 0 {
			for j := range kb {
				clear(out[j*ldo:][:npos*lanes])
			}
			return
		}
		_, _, _ = in[(npos-1)*lanes+(nc-1)*ic+(nr-1)*ir+ns*lanes-1], w[(nc-1)*wc+(nr-1)*wr+ns*kb-1], out[(kb-1)*ldo+npos*lanes-1]
		k[kb-1](&in[0], nc, nr, ns, 4*ic, 4*(ir-ns*lanes), &w[0], 4*wc, 4*(wr-ns*kb), &out[0], 4*ldo, npos)
	}
}

// pixGKernels wraps a table of pixel kernels with gathered taps (by
// pixel count) of kb channels as convArch.pixG, touching the last values
// they read (the offsets ascend) and write.
func pixGKernels(k []convFwdAsm, kb int) func(p int, in []float32, offs []int, w, y []float32, ldy int) {
	return func(p int, in []float32, offs []int, w, y []float32, ldy int) {
		n := len(offs) / 2
		_, _, _ = in[offs[2*n-2]+p-1], w[offs[2*n-1]+kb-1], y[(kb-1)*ldy+p-1]
		k[p-1](&in[0], &offs[0], n, &w[0], &y[0], ldy)
	}
}

// pixCKernels wraps a table of pixel kernels of a 3×3 filter's inside
// taps (by rows − 2, columns − 2, pixels − 1) of kb channels as
// convArch.pixC, touching the last values they read and write.
func pixCKernels(k *[2][2][]pixCAsm, kb int) func(p, nr, ns int, in []float32, ch, cstride, rstride, colstride int, w, y []float32, ldy int) {
	return func(p, nr, ns int, in []float32, ch, cstride, rstride, colstride int, w, y []float32, ldy int) {
		_, _, _ = in[(ch-1)*cstride+(nr-1)*rstride+(ns-1)*colstride+p-1], w[((ch-1)*9+3*(nr-1)+ns-1)*kb+kb-1], y[(kb-1)*ldy+p-1]
		k[nr-2][ns-2][p-1](&in[0], ch, 4*cstride, 4*rstride, 4*colstride, &w[0], &y[0], ldy)
	}
}

// wgradPixKernel wraps a weight-gradient pixel kernel of kw filters as
// convArch.wgradPix, touching the last values it reads and writes.
func wgradPixKernel(k func(x, dy *float32, nimg, oh, ow, step, wpb, rowAdj, ximgAdj, dyimgAdj int, out *float32, add bool), kw int) func(x, dy []float32, nimg, oh, ow, stride, wp, ximg, dyimg int, out []float32, add bool) {
	return func(x, dy []float32, nimg, oh, ow, stride, wp, ximg, dyimg int, out []float32, add bool) {
		_, _, _ = x[(nimg-1)*ximg+stride*((oh-1)*wp+ow-1)+2*wp+2], dy[(nimg-1)*dyimg+oh*ow*kw-1], out[9*kw-1]
		k(&x[0], &dy[0], nimg, oh, ow, 4*stride, 4*wp, 4*stride*(wp-ow), 4*(ximg-stride*oh*wp), 4*(dyimg-oh*ow*kw), &out[0], add)
	}
}

// wgradPixWindowKernel is convArch.wgradPix by k, the AVX2 kernel that
// slides along rows (emitWgradPixWindow): stride 1 and rows of 2 pixels
// or more. Other calls, which Conv2dBackwardWeight does not make on AVX2
// code (directWgradPix: stride 2 needs 32 filters; rows of 4 or more),
// run the Go twin.
func wgradPixWindowKernel(k func(x, dy []float32, nimg, oh, ow, stride, wp, ximg, dyimg int, out []float32, add bool)) func(x, dy []float32, nimg, oh, ow, stride, wp, ximg, dyimg int, out []float32, add bool) {
	return func(x, dy []float32, nimg, oh, ow, stride, wp, ximg, dyimg int, out []float32, add bool) {
		if stride != 1 || ow < 2 {
			convWgradPixGo(8, x, dy, nimg, oh, ow, stride, wp, ximg, dyimg, out, add)
			return
		}
		k(x, dy, nimg, oh, ow, stride, wp, ximg, dyimg, out, add)
	}
}

// wgradPixPadKernel is convArch.wgradPixPad by k, a kernel of kw filters
// that leaves out the padding's terms (AVX2's slides along rows): rows of
// 2 pixels or more, images of 2 rows or more; other calls, which
// Conv2dBackwardWeight does not make (directWgradPix: rows of 4 or more;
// its 3×3 filter padded by one keeps the rows), run the Go twin.
func wgradPixPadKernel(k func(x, dy []float32, nimg, oh, ow, stride, wp, ximg, dyimg int, out []float32, add bool), kw int) func(x, dy []float32, nimg, oh, ow, wp, ximg, dyimg int, out []float32, add bool) {
	return func(x, dy []float32, nimg, oh, ow, wp, ximg, dyimg int, out []float32, add bool) {
		if ow < 2 || oh < 2 {
			convWgradPixPadGo(kw, x, dy, nimg, oh, ow, wp, ximg, dyimg, out, add)
			return
		}
		k(x, dy, nimg, oh, ow, 1, wp, ximg, dyimg, out, add)
	}
}

// convAsmArch wraps a width's assembly kernels as a convArch. The assembly
// checks nothing: the wrappers touch the last value it reads and the last
// it writes, so a bad call panics instead of corrupting memory; the tap
// offsets ascend, so the last is the farthest.
func convAsmArch(name string, lanes int, fwd []convFwdAsm, nv []int, wgrad [][maxWgTB]convWgradAsm, tb int) *convArch {
	return &convArch{
		name: name, lanes: lanes, fwdNV: nv, wgKB: len(wgrad), wgTB: tb,
		fwd: func(kb int, in []float32, offs []int, w, out []float32, ldo int) {
			n := nv[kb-1] * lanes
			_, _, _ = in[offs[len(offs)-1]+n-1], w[len(offs)*kb-1], out[(kb-1)*ldo+n-1]
			fwd[kb-1](&in[0], &offs[0], len(offs), &w[0], &out[0], ldo)
		},
		wgrad: func(kb, tb int, x, dy []float32, offs []int, nimg, nvec, ximg, dyimg, kstride int, out []float32) {
			n := nvec * lanes
			_, _, _ = x[(nimg-1)*ximg+offs[tb-1]+n-1], dy[(nimg-1)*dyimg+(kb-1)*kstride+n-1], out[kb*tb-1]
			wgrad[kb-1][tb-1](&x[0], &dy[0], &offs[0], nimg, nvec, 4*(ximg-n), 4*(dyimg-n), kstride, &out[0])
		},
	}
}

// copyRows copies rows rows of width floats from src to dst, whose rows
// start srcStride and dstStride floats apart and do not overlap; see
// copyRowsGo. Rows of a LeNet plane are 10 to 28 floats, where a call to
// copy per row costs more than the copy: with AVX2 alone it took 10% of
// LeNet's training step on a Zen 2 (bench/RESULTS.md, fiftieth session).
var copyRows = copyRowsFor(cpu.X86.HasAVX512F, cpu.X86.HasAVX2)

// copyRowsFor returns the copyRows of a CPU with or without AVX-512 and AVX2.
func copyRowsFor(avx512, avx2 bool) func(dst, src []float32, rows, width, dstStride, srcStride int) {
	asm := copyRowsAVX512
	switch {
	case avx512:
	case avx2:
		asm = copyRowsAVX2
	default:
		return copyRowsGo
	}
	return func(dst, src []float32, rows, width, dstStride, srcStride int) {
		if rows <= 0 || width <= 0 {
			return
		}
		// As in convAsmArch.
		_, _ = src[(rows-1)*srcStride+width-1], dst[(rows-1)*dstStride+width-1]
		asm(&dst[0], &src[0], rows, width, dstStride, srcStride)
	}
}
