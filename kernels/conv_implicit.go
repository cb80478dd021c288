package kernels

import "math"

// Implicit-GEMM convolution: the GEMM packs its slivers of the im2col
// matrix straight from the images (im2colB), so no im2col matrix is written
// to memory and read back, and the weight gradient's transposed operand is
// gathered in its packed order rather than transposed from a copy. A
// sliver's values come from a table of element offsets, one row per filter
// tap or per output pixel, and a bit mask of the values inside the image
// (the others are the zero padding), gathered by gatherRows. The GEMM
// computes what it computes from a matrix, so the results are the im2col
// path's.

// maxImplicitTaps bounds R·S of an implicit convolution: a sliver's table
// holds a row of offsets per (r, s), on the stack.
const maxImplicitTaps = 49

// implicit reports whether g's products pack from the images, op(B) the
// im2col matrix (across false) or its transpose (the weight gradient's):
// where the gather kernel runs (convImplicit), for filters of at most
// maxImplicitTaps taps whose offsets fit an int32, and where it beats
// im2col. A vector gather costs a few cycles a value, while im2col moves
// long rows (OW values) about as fast as memory does: on Zen 5, packing
// from the images ran a ResNet's 4×4 and 8×8 layers 1.2–1.9× as fast in
// every pass and its strided 1×1 shortcut 1.2–1.3×, but its 16×16 and
// 32×32 weight gradients 10–25% slower, and its stride-2 forward pass
// (no runs) 20% slower (BenchmarkConv2d). Sliver rows along the image's
// rows of a stride-1 forward pass load as runs, not gathers (gatherRows),
// and broke even at 16×16; on 12×12 and 14×14 planes of 96 and 256
// channels (few runs) the forward passes were still 1.0–1.17× as fast as
// with im2col, and the input gradients 0.98–1.23× (BenchmarkConv2dPacking).
func (g *Conv2dGeom) implicit(across bool) bool {
	if !convImplicit || g.R*g.S > maxImplicitTaps || int64(g.N)*int64(g.C)*int64(g.H)*int64(g.W) > math.MaxInt32 {
		return false
	}
	small := g.OH*g.OW <= 64
	if across {
		// The weight gradient's gathers are amortised over the K/G rows
		// of the product: with 16 the two paths were level (a DCGAN's
		// second layer faster packed from the images, 8×8 layers of two
		// groups of 16 slower), from 32 on packing from the images was
		// 1.2–2.1× as fast (BenchmarkConv2dPacking).
		small = small && g.K/g.Groups >= 32
	}
	return small || !across && g.StrideW == 1 || convImplicitAlways
}

// convImplicitAlways makes every convolution that can pack from the images
// do so, for tests of that path on every shape.
var convImplicitAlways = false

// im2colB is the im2col matrix of cnt images as a bSource: col
// [cg·R·S, cnt·OH·OW], a row per tap (c, r, s) and the images' output
// pixels side by side, or its transpose when across (the weight
// gradient's op(B)). x is the first image at the group's first channel,
// the next images imgStride floats apart.
type im2colB struct {
	x         []float32
	imgStride int
	cnt, cg   int
	g         *Conv2dGeom
	across    bool
}

// pack is bSource.pack.
func (b *im2colB) pack(dst []float32, pc, kc, col, width, nr int) {
	var (
		base, sel [sgemmMaxKC]int32
		mask      [sgemmMaxKC]uint32
		offs      [maxImplicitTaps * 32]int32
		starts    [maxImplicitTaps * 2]int32
	)
	g := b.g
	hw, rs := g.H*g.W, g.R*g.S
	if b.across {
		// Rows are output pixels, columns taps: one row of tap offsets,
		// a base and a mask per pixel.
		var rbits, sbits [maxImplicitTaps]uint32 // the columns of each r and each s
		for i := range width {
			t := col + i
			c, r, s := t/rs, t%rs/g.S, t%g.S
			offs[i] = int32(c*hw + r*g.DilH*g.W + s*g.DilW)
			rbits[r] |= 1 << i
			sbits[s] |= 1 << i
		}
		for p := range kc {
			img, o := b.pixel(pc + p)
			ih0, iw0 := o/g.OW*g.StrideH-g.PadH, o%g.OW*g.StrideW-g.PadW
			var mr, ms uint32
			for r := range g.R {
				if ih := ih0 + r*g.DilH; ih >= 0 && ih < g.H {
					mr |= rbits[r]
				}
			}
			for s := range g.S {
				if iw := iw0 + s*g.DilW; iw >= 0 && iw < g.W {
					ms |= sbits[s]
				}
			}
			base[p] = int32(img*b.imgStride + ih0*g.W + iw0)
			mask[p] = mr & ms
		}
		starts[0], starts[1] = noRun, noRun
		gatherRows(dst, b.x, kc, nr, base[:kc], sel[:kc], mask[:kc], offs[:nr], starts[:2])
		return
	}
	// Rows are taps, columns output pixels: a row of offsets and a mask
	// per (r, s), a base per channel.
	var rsMask [maxImplicitTaps]uint32
	for i := range width {
		img, o := b.pixel(col + i)
		ih0, iw0 := o/g.OW*g.StrideH-g.PadH, o%g.OW*g.StrideW-g.PadW
		for r := range g.R {
			ih := ih0 + r*g.DilH
			for s := range g.S {
				iw := iw0 + s*g.DilW
				k := r*g.S + s
				if ih >= 0 && ih < g.H && iw >= 0 && iw < g.W {
					offs[k*nr+i] = int32(img*b.imgStride + ih*g.W + iw)
					rsMask[k] |= 1 << i
				}
			}
		}
	}
	for k := range rs {
		for h := range nr / 16 {
			starts[2*k+h] = runStart(offs[k*nr+16*h:][:16], rsMask[k]>>(16*h)&0xffff)
		}
	}
	c, k := pc/rs, pc%rs
	for p := range kc {
		base[p], sel[p], mask[p] = int32(c*hw), int32(k), rsMask[k]
		if k++; k == rs {
			c, k = c+1, 0
		}
	}
	gatherRows(dst, b.x, kc, nr, base[:kc], sel[:kc], mask[:kc], offs[:rs*nr], starts[:2*rs])
}

// noRun marks, in gatherRows' starts, 16 offsets that are not one run.
const noRun = math.MinInt32

// runStart returns s where each offset of the 16 under mask is s + its
// lane (a run of consecutive values, a row of the image), or noRun.
func runStart(offs []int32, mask uint32) int32 {
	s := int32(noRun)
	for i, o := range offs[:16] {
		if mask&(1<<i) == 0 {
			continue
		}
		if s == noRun {
			s = o - int32(i)
		} else if o-int32(i) != s {
			return noRun
		}
	}
	if s == noRun {
		return 0 // nothing to load
	}
	return s
}

// pixel returns the image and the output pixel of column q.
func (b *im2colB) pixel(q int) (img, o int) {
	ohw := b.g.OH * b.g.OW
	return q / ohw, q % ohw
}

// gatherRowsGo writes rows rows of nr values: dst[p·nr+i] =
// src[base[p] + offs[sel[p]·nr+i]] where bit i of mask[p] is set, else 0.
// starts[2·sel+h], where not noRun, says that the offsets of lanes
// [16h, 16h+16) under the mask are starts[2·sel+h] + lane, which the vector
// code loads as one run rather than gathers. It is the portable gatherRows
// (which reads no starts).
func gatherRowsGo(dst, src []float32, rows, nr int, base, sel []int32, mask []uint32, offs, starts []int32) {
	for p := range rows {
		d, o, b, m := dst[p*nr:][:nr], offs[int(sel[p])*nr:][:nr], int(base[p]), mask[p]
		for i := range d {
			d[i] = 0
			if m&(1<<i) != 0 {
				d[i] = src[b+int(o[i])]
			}
		}
	}
}
