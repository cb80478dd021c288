package kernels

import (
	"math/bits"
	"sync"
)

// Conv2dGeom is the geometry of an NCHW convolution: input [N, C, H, W],
// weight [K, C/Groups, R, S], output [N, K, OH, OW].
type Conv2dGeom struct {
	N, C, H, W       int
	K, R, S          int
	OH, OW           int
	StrideH, StrideW int
	PadH, PadW       int
	DilH, DilW       int
	Groups           int
}

// pointwise reports whether the convolution is 1×1 with unit stride and no
// padding, where the input planes already are the im2col matrix.
func (g *Conv2dGeom) pointwise() bool {
	return g.R == 1 && g.S == 1 && g.StrideH == 1 && g.StrideW == 1 && g.PadH == 0 && g.PadW == 0
}

// dims returns channels and filters per group, the im2col row count
// (C/Groups·R·S) and the output plane size.
func (g *Conv2dGeom) dims() (cg, kg, crs, ohw int) {
	cg, kg = g.C/g.Groups, g.K/g.Groups
	return cg, kg, cg * g.R * g.S, g.OH * g.OW
}

// scratch recycles im2col matrices and other kernel scratch between calls,
// so steady-state training allocates none. One pool per power-of-two
// capacity: in one pool for all sizes, a Get often found a buffer too small
// for it (a ResNet step's convolutions ask for a dozen sizes) and allocated
// anew, 9 MB a step.
var scratch [48]sync.Pool

// getScratch returns a pooled slice of n floats, of capacity the power of
// two at or above n; putScratch returns it.
func getScratch(n int) *[]float32 {
	c := bits.Len(uint(max(n, 1) - 1))
	if p, ok := scratch[c].Get().(*[]float32); ok {
		*p = (*p)[:n]
		return p
	}
	s := make([]float32, n, 1<<c)
	return &s
}

// putScratch returns a slice from getScratch to its pool.
func putScratch(p *[]float32) {
	scratch[bits.Len(uint(cap(*p)-1))].Put(p)
}

// colRange returns the output columns [lo, hi) whose input column
// o·stride + off lies in [0, size).
func colRange(off, stride, size, out int) (lo, hi int) {
	if off < 0 {
		lo = (-off + stride - 1) / stride
	}
	if size-off > 0 {
		hi = (size - off + stride - 1) / stride
	}
	lo, hi = min(lo, out), min(hi, out)
	return lo, max(lo, hi)
}

// im2col unfolds cg input planes x into col [cg·R·S, OH·OW], whose rows
// start ld floats apart (ld ≥ OH·OW: the columns of several images side by
// side); taps that fall in the padding are zero. Rows are short (OW
// elements), so the loops keep the geometry in locals and handle the
// unclipped stride-1 case apart.
func im2col(col, x []float32, cg int, g *Conv2dGeom, ld int) {
	if g.s2Rows() {
		im2colS2(col, x, cg, g.OH, g.OW, ld)
		return
	}
	var tabs [narrowTaps]int32
	if tab, ok := narrowTable(&tabs, g); ok {
		narrowCopy(col, x, cg, g, ld, tab, false)
		return
	}
	H, W, OH, OW := g.H, g.W, g.OH, g.OW
	sh, sw := g.StrideH, g.StrideW
	ohw, hw := OH*OW, H*W
	k := 0
	for c := 0; c < cg; c++ {
		plane := x[c*hw : (c+1)*hw]
		for r := 0; r < g.R; r++ {
			hoff := r*g.DilH - g.PadH
			oh0, oh1 := colRange(hoff, sh, H, OH)
			for s := 0; s < g.S; s++ {
				row := col[k*ld : k*ld+ohw]
				k++
				woff := s*g.DilW - g.PadW
				lo, hi := colRange(woff, sw, W, OW)
				clear(row[:oh0*OW])
				clear(row[oh1*OW:])
				src := (oh0*sh+hoff)*W + woff
				for o := oh0 * OW; o < oh1*OW; o += OW {
					out := row[o : o+OW]
					switch {
					case sw == 1 && lo == 0 && hi == OW:
						copy(out, plane[src:])
					case sw == 1:
						clear(out[:lo])
						clear(out[hi:])
						copy(out[lo:hi], plane[src+lo:])
					default:
						clear(out[:lo])
						clear(out[hi:])
						ow := lo
						if sw == 2 && hi-lo >= 8 {
							ow += gather2Vec(out[lo:hi], plane[src+lo*2:])
						}
						for ; ow < hi; ow++ {
							out[ow] = plane[src+ow*sw]
						}
					}
					src += sh * W
				}
			}
		}
	}
}

// narrowTaps bounds the table of narrowTable: R·S·OH·OW offsets.
const narrowTaps = 1024

// narrowOW is the widest output row im2col and col2im copy by
// narrowTable's offsets rather than row by row, where a row's work, its
// clears and calls, costs more than its few values (4.4 ns a value on a
// ResNet's 4×4 stride-2 layers on a Zen 2). At batch 8 there the 256→512
// 3×3 stride-2 layer ran 1.47× as fast forward, 1.22× and 1.45× in its
// gradients, the 256→512 1×1 shortcut 1.09–1.28×, and with rows of 8 the
// 128→256 layers' gradients 1.06–1.15×; with rows of 16 the 64→128 3×3
// layer's input gradient ran 0.93× as fast, where its stride-2 rows run
// as vectors (gather2Vec, scatterAdd2Vec)
// (bench/results/im2col-narrow-2026-12-05-zen2.txt). The 3×3 stride-2
// layers padded by 1 go a row at a time (s2Rows) before either where their
// rows of 4, 8 or 16 run in AVX2 code: the 256→512 layer's input gradient
// 1.11–1.12× as fast again as by the table
// (bench/results/s2-rows-four-2026-12-06-zen2.txt).
const narrowOW = 8

// narrowTable writes to tabs, for output rows of at most narrowOW, the
// offset in its plane of each tap's input for each output pixel,
// tap-major, −1 in the padding, and returns it; or reports false.
func narrowTable(tabs *[narrowTaps]int32, g *Conv2dGeom) ([]int32, bool) {
	ohw := g.OH * g.OW
	if g.OW > narrowOW || g.R*g.S*ohw > narrowTaps {
		return nil, false
	}
	tab := tabs[:g.R*g.S*ohw]
	t := 0
	for r := range g.R {
		for s := range g.S {
			for oh := range g.OH {
				ih := oh*g.StrideH + r*g.DilH - g.PadH
				for ow := range g.OW {
					iw := ow*g.StrideW + s*g.DilW - g.PadW
					i := int32(-1)
					if ih >= 0 && ih < g.H && iw >= 0 && iw < g.W {
						i = int32(ih*g.W + iw)
					}
					tab[t] = i
					t++
				}
			}
		}
	}
	return tab, true
}

// narrowCopy is im2col (col from the planes x) or, with back, col2im
// (col added into them) by narrowTable's offsets tab.
func narrowCopy(col, x []float32, cg int, g *Conv2dGeom, ld int, tab []int32, back bool) {
	ohw, hw := g.OH*g.OW, g.H*g.W
	taps := len(tab) / ohw
	for c := range cg {
		plane := x[c*hw : (c+1)*hw]
		for t := range taps {
			row, offs := col[(c*taps+t)*ld:][:ohw], tab[t*ohw:(t+1)*ohw]
			if back {
				for o, i := range offs {
					if i >= 0 {
						plane[i] += row[o]
					}
				}
				continue
			}
			for o, i := range offs {
				if i >= 0 {
					row[o] = plane[i]
				} else {
					row[o] = 0
				}
			}
		}
	}
}

// col2im is the adjoint of im2col: it adds col [cg·R·S, OH·OW] (rows ld
// floats apart) into the cg planes of dx, in a fixed order.
func col2im(dx, col []float32, cg int, g *Conv2dGeom, ld int) {
	if g.s2Rows() {
		col2imS2(dx, col, cg, g.OH, g.OW, ld)
		return
	}
	var tabs [narrowTaps]int32
	if tab, ok := narrowTable(&tabs, g); ok {
		narrowCopy(col, dx, cg, g, ld, tab, true)
		return
	}
	H, W, OH, OW := g.H, g.W, g.OH, g.OW
	sh, sw := g.StrideH, g.StrideW
	ohw, hw := OH*OW, H*W
	k := 0
	for c := 0; c < cg; c++ {
		plane := dx[c*hw : (c+1)*hw]
		for r := 0; r < g.R; r++ {
			hoff := r*g.DilH - g.PadH
			oh0, oh1 := colRange(hoff, sh, H, OH)
			for s := 0; s < g.S; s++ {
				row := col[k*ld : k*ld+ohw]
				k++
				woff := s*g.DilW - g.PadW
				lo, hi := colRange(woff, sw, W, OW)
				src := (oh0*sh+hoff)*W + woff
				for o := oh0 * OW; o < oh1*OW; o += OW {
					in := row[o+lo : o+hi]
					if sw == 1 {
						dst := plane[src+lo : src+hi]
						for i, v := range in {
							dst[i] += v
						}
					} else {
						i := 0
						if sw == 2 && len(in) >= 8 {
							i = scatterAdd2Vec(plane[src+lo*2:], in)
						}
						for ; i < len(in); i++ {
							plane[src+(lo+i)*sw] += in[i]
						}
					}
					src += sh * W
				}
			}
		}
	}
}

// s2Rows reports whether im2col and col2im take g a row of the planes at
// a time (im2colS2, col2imS2): a 3×3 filter at stride 2, padded by 1, on
// planes twice the output's size, whose rows of OW run in vector code
// (s2RowsFast). im2col then splits each input row once into the three
// taps' rows (its even floats, its odd ones, and those one place on), where
// the general loop gathers every other float of it three times; col2im
// writes each row of the input gradient once from the col rows that reach
// it, where the general loop clears the plane and adds each tap's row into
// every other float of it, a call of 8 to 16 floats at a time, so col2im
// writes every float of dx itself rather than adding into it.
func (g *Conv2dGeom) s2Rows() bool {
	return g.R == 3 && g.S == 3 && g.StrideH == 2 && g.StrideW == 2 && g.PadH == 1 && g.PadW == 1 &&
		g.DilH == 1 && g.DilW == 1 && g.H == 2*g.OH && g.W == 2*g.OW && s2RowsFast(g.OW)
}

// im2colS2 writes col's rows (c, r, s) of oh·ow floats, ld apart, from the
// planes x of cg channels, each 2·oh × 2·ow, for a 3×3 filter at stride 2
// padded by 1: what im2col writes. Output row oy of tap row r reads input
// row y = 2·oy − 1 + r (none, zeros, for y = −1): s = 1 its even floats, s
// = 2 its odd ones, s = 0 its odd ones one place on after the padding's zero.
func im2colS2(col, x []float32, cg, oh, ow, ld int) { im2colS2By(col, x, cg, oh, ow, ld, im2colS2Row) }

// im2colS2By is im2colS2 splitting each row by row (im2colS2Row, or its
// portable twin in tests).
func im2colS2By(col, x []float32, cg, oh, ow, ld int, row func(col, x []float32, at, ld, src, n int)) {
	hw, w := 4*oh*ow, 2*ow
	for c := range cg {
		for r := range 3 {
			for oy := range oh {
				at := (c*3+r)*3*ld + oy*ow // row (c, r, s) of col at at + s·ld
				y := 2*oy - 1 + r
				if y < 0 {
					for s := range 3 {
						clear(col[at+s*ld : at+s*ld+ow])
					}
					continue
				}
				row(col, x, at, ld, c*hw+y*w, ow)
			}
		}
	}
}

// im2colS2RowGo splits x[src:src+2n], a row, into the taps' rows of
// im2colS2 at col[at + s·ld:], n floats each: s1[j] = x[src+2j], s2[j] =
// x[src+2j+1], s0[j] = x[src+2j−1] (0 for j = 0).
func im2colS2RowGo(col, x []float32, at, ld, src, n int) {
	s0, s1, s2, row := col[at:at+n], col[at+ld:at+ld+n], col[at+2*ld:at+2*ld+n], x[src:src+2*n]
	for j := range n {
		s1[j], s2[j] = row[2*j], row[2*j+1]
		s0[j] = 0
		if j > 0 {
			s0[j] = row[2*j-1]
		}
	}
}

// col2imS2 writes the planes dx of cg channels, each 2·oh × 2·ow, from
// col's rows (c, r, s) of oh·ow floats, ld apart, for a 3×3 filter at
// stride 2 padded by 1: what col2im adds into cleared planes, the same
// bits. Input row y = 2i takes the rows of r = 1 at output row i; y = 2i+1
// those of r = 0 at i+1 (where i+1 < oh) and then of r = 2 at i, in
// col2im's order of r.
func col2imS2(dx, col []float32, cg, oh, ow, ld int) {
	col2imS2By(dx, col, cg, oh, ow, ld, col2imS2Row)
}

// col2imS2By is col2imS2 writing each row by row (col2imS2Row, or its
// portable twin in tests).
func col2imS2By(dx, col []float32, cg, oh, ow, ld int, row func(dst, col []float32, a, b, ld, pairs, n int)) {
	hw := 4 * oh * ow
	for c := range cg {
		plane := dx[c*hw : (c+1)*hw]
		at := c * 9 * ld // row (c, r, s) of col at at + (3r+s)·ld
		for y := range 2 * oh {
			i := y / 2
			a, b, pairs := at+3*ld+i*ow, 0, 1 // r = 1 at output row i
			switch {
			case y%2 == 0:
			case i+1 < oh:
				a, b, pairs = at+(i+1)*ow, at+6*ld+i*ow, 2 // r = 0 at i+1, then r = 2 at i
			default:
				a = at + 6*ld + i*ow // r = 2 at i
			}
			row(plane[y*2*ow:(y+1)*2*ow], col, a, b, ld, pairs, ow)
		}
	}
}

// col2imS2RowGo writes the 2n floats of a row of col2imS2's plane from the
// taps s = 0, 1, 2 of its (r, oy) pairs, whose rows of n floats lie in col
// at a + s·ld (the first) and b + s·ld (the second, where pairs is 2):
// dst[2j] = 0 + Σ_q s1_q[j], dst[2j+1] = 0 + Σ_q (s0_q[j+1] (j+1 < n) +
// s2_q[j]), each sum in that order, as col2im adds them.
func col2imS2RowGo(dst, col []float32, a, b, ld, pairs, n int) {
	at := [2]int{a, b}
	for j := range n {
		var e, o float32
		for q := range pairs {
			e += col[at[q]+ld+j]
		}
		for q := range pairs {
			if j+1 < n {
				o += col[at[q]+j+1]
			}
			o += col[at[q]+2*ld+j]
		}
		dst[2*j], dst[2*j+1] = e, o
	}
}

// Images share a product where one image's output plane is small: a
// ResNet's 4×4 planes of 512 channels made products of 16 columns, each
// packing the whole 512×4608 weight for 75 MFLOP. Up to convBatchCols
// output columns (OH·OW per image) go into one product of the forward and
// backward-input passes, and up to convWgradDepth into one depth of the
// weight gradient's. (Tuned on Zen 5 with BenchmarkConv2d's ResNet layers.)
const (
	convBatchCols  = 256
	convWgradDepth = 256
)

// flipMinCols is the fewest output columns (N·OH·OW) for which the input
// gradient runs as the flipped convolution's forward pass: its product
// packs the whole weight flipped (flippedA), where col2im's reads it in
// place, which on fewer columns costs more than the col2im it saves. On
// Zen 5 (two threads), when the weight was first copied flipped, col2im
// ran 3.4× as fast on 1×256×4×4 (16 columns), 2.7× and 1.8× on 1 and
// 2×512×4×4 (16, 32), and 0.69–1.0× on 4×256 and 4×512×4×4 (64); packed
// from w as it lies, on a Zen 4, 1.24× and 1.28× on 1×256 and 1×512×4×4,
// 1.14× and 1.23× on 2×256 and 2×512×4×4, level on 4×256 and 4×512×4×4
// (BenchmarkConv2dFlipped; bench/results/flipped-a-2026-12-06-zen4.txt.gz).
const flipMinCols = 64

// batch returns how many images share one product whose columns (or
// depth) are cols: as many as make cols, at least one, at most N.
func (g *Conv2dGeom) batch(cols int) int {
	return min(g.N, max(1, cols/(g.OH*g.OW)))
}

// imageEpilogue sets ge to e for the output of group gi of an image, whose
// first element is y[at]: the bias by rows from the group's first filter,
// the residual and activation input from at.
func imageEpilogue(ge, e *Epilogue, gi, kg, at int) *Epilogue {
	*ge = *e
	ge.BiasRows = true
	if e.Bias != nil {
		ge.Bias = e.Bias[gi*kg:]
	}
	if e.Residual != nil {
		ge.Residual = e.Residual[at:]
	}
	if e.ActOut != nil {
		ge.ActOut = e.ActOut[at:]
	}
	return ge
}

// Conv2d computes y = conv(x, w): per group and batch of images one GEMM,
// Y_g [K/G, nb·OH·OW] = W_g [K/G, C/G·R·S] · col, packing col from the
// images (conv_implicit.go) or from an im2col copy; or, for 3×3 stride-1
// layers of 64 channels or more, Winograd's F(2×2, 3×3) (conv_winograd.go);
// or, for stride-1 layers with few channels, a direct convolution
// (conv_direct.go). The GEMM applies e (nil: none), with its bias indexed by output channel
// (e.BiasRows is ignored) and its Residual and ActOut laid out as y.
func Conv2d(y, x, w []float32, g Conv2dGeom, e *Epilogue) {
	if g.winograd() && (!g.directSmall() || g.winogradOverSmall()) {
		winogradConv(winogradUse, y, x, w, g, false, e)
		return
	}
	if g.direct() || g.directStrided() {
		_, _, crs, _ := g.dims()
		directConvOrLanes(directArch, y, x, chunkWeights(w, crs), g, e)
		return
	}
	if g.directSmall() {
		_, _, crs, _ := g.dims()
		directSmallConv(directArch, y, x, chunkWeights(w, crs), g, e)
		return
	}
	convGemm(y, x, w, g, e, nil)
}

// convGemm is Conv2d by GEMM. Batches run in parallel; a batch of one
// image writes its product to y directly, larger ones to a scratch copied
// out image by image. Where flipOf is not nil, g is flipOf.flipped(), g
// packs from the images, and w holds flipOf's weights as they lie: the
// products pack g's flipped weights from them (flippedA).
func convGemm(y, x, w []float32, g Conv2dGeom, e *Epilogue, flipOf *Conv2dGeom) {
	cg, kg, crs, ohw := g.dims()
	hw, nb := g.H*g.W, g.batch(convBatchCols)
	implicit := g.implicit(false)
	if flipOf != nil && !implicit {
		panic("kernels: convGemm: flipped weights need a product packed from the images")
	}
	ParallelFor(ceilDiv(g.N, nb), 1, func(lo, hi int) {
		col, out, release := convScratch(!implicit && (nb > 1 || !g.pointwise()), crs*nb*ohw, nb > 1, kg*nb*ohw)
		defer release()
		var ge *Epilogue // e for the current image and group
		if !e.none() {
			ge = new(Epilogue)
		}
		for bi := lo; bi < hi; bi++ {
			n0 := bi * nb
			cnt := min(nb, g.N-n0)
			cols := cnt * ohw
			for gi := 0; gi < g.Groups; gi++ {
				xs, wg := x[(n0*g.C+gi*cg)*hw:], w[gi*kg*crs:]
				dst, ldd, ie := out, cols, (*Epilogue)(nil)
				if out == nil {
					at := (n0*g.K + gi*kg) * ohw
					dst, ldd = y[at:], ohw
					if ge != nil {
						ie = imageEpilogue(ge, e, gi, kg, at)
					}
				}
				switch {
				case implicit:
					src := &im2colB{x: xs, imgStride: g.C * hw, cnt: cnt, cg: cg, g: &g}
					var asrc aSource
					if flipOf != nil {
						// g's K/G = flipOf's C/G, g's C/G = flipOf's K/G.
						asrc = &flippedA{w: w[gi*kg*crs:], cg: kg, rs: g.R * g.S}
					}
					sgemmFrom(false, kg, cols, crs, 1, wg, crs, asrc, src, 0, dst, ldd, ie)
				case col != nil:
					for j := range cnt {
						im2col(col[j*ohw:], x[((n0+j)*g.C+gi*cg)*hw:], cg, &g, cols)
					}
					SgemmEpilogue(false, false, kg, cols, crs, 1, wg, crs, col, cols, 0, dst, ldd, ie)
				default:
					SgemmEpilogue(false, false, kg, cols, crs, 1, wg, crs, xs, cols, 0, dst, ldd, ie)
				}
				if out == nil {
					continue
				}
				for j := range cnt {
					at := ((n0+j)*g.K + gi*kg) * ohw
					copyRows(y[at:], out[j*ohw:], kg, ohw, ohw, cols)
					if ge != nil {
						imageEpilogue(ge, e, gi, kg, at).apply(y[at:], ohw, 0, kg, 0, ohw)
					}
				}
			}
		}
	})
}

// flipped returns the convolution whose forward pass is g's backward-input
// pass, for stride 1 and no dilation: dy, padded by R−1−PadH and
// S−1−PadW, correlated with the weights flipped in r and s and with K and
// C swapped (flippedA).
func (g *Conv2dGeom) flipped() Conv2dGeom {
	return Conv2dGeom{N: g.N, C: g.K, H: g.OH, W: g.OW, K: g.C, R: g.R, S: g.S, OH: g.H, OW: g.W,
		StrideH: 1, StrideW: 1, PadH: g.R - 1 - g.PadH, PadW: g.S - 1 - g.PadW, DilH: 1, DilW: 1, Groups: g.Groups}
}

// flippedA is op(A) of the products of g.flipped() for one group of g, as
// an aSource: row c (an input channel of g), depth k·R·S + t (filter k of
// the group, tap t) is w[(k·C/G + c)·R·S + R·S−1−t], w the group's
// filters as they lie (cg = C/G, rs = R·S). The product packs these
// values where it would read a copy of the weights flipped, so it
// computes the same sums without that copy of the whole weight (9.4 MB,
// three times a step, in a CIFAR ResNet-18's 512-channel layers at batch
// 8, where writing it took 1.1–1.3 ms of each 4.3 ms input gradient; now
// 3.4 ms, bench/results/flipped-a-2026-12-06-zen4.txt.gz).
type flippedA struct {
	w      []float32
	cg, rs int
}

// pack is aSource.pack. The whole 3×3 filters of whole slivers of 8 or 16
// rows go by flipTaps8 or flipTaps16 (AVX2), which fetch the filters
// ahead; the rest by packRows.
func (f *flippedA) pack(dst []float32, i0, i1, pc, kc, mr int) {
	var flip func(dst, src []float32, n, srcStride, dstRow, dstStride int)
	switch mr {
	case 8:
		flip = flipTaps8
	case 16:
		flip = flipTaps16
	}
	if flip == nil || f.rs != 9 {
		f.packRows(dst, i0, i0, i1, pc, kc, mr, pc, pc+kc)
		return
	}
	d0 := min(pc+kc, ceilDiv(pc, 9)*9) // the first whole filter's first depth
	nf := (pc + kc - d0) / 9
	d1 := d0 + 9*nf
	whole := i0 + (i1-i0)/mr*mr
	for r := i0; r < whole; r += mr {
		flip(dst[((r-i0)/mr*kc+d0-pc)*mr:], f.w[(d0/9*f.cg+r)*9:], nf, f.cg*9, mr, 9*mr)
	}
	f.packRows(dst, i0, i0, whole, pc, kc, mr, pc, d0)
	f.packRows(dst, i0, i0, whole, pc, kc, mr, d1, pc+kc)
	f.packRows(dst, i0, whole, i1, pc, kc, mr, pc, pc+kc)
}

// packRows packs rows [r0, r1) of op(A) (r0 − i0 a multiple of mr) at
// depths [d0, d1) into their slivers of the block pack writes, filter by
// filter (the rows' taps of a filter are contiguous in w), zero in a last
// sliver's rows past r1.
func (f *flippedA) packRows(dst []float32, i0, r0, r1, pc, kc, mr, d0, d1 int) {
	rs, cg := f.rs, f.cg
	for d := d0; d < d1; {
		k, t := d/rs, d%rs
		n := min(rs-t, d1-d) // taps of filter k within [d, d1)
		for r := r0; r < r1; r += mr {
			width := min(mr, r1-r)
			src := f.w[(k*cg+r)*rs:]
			out := dst[((r-i0)/mr*kc+d-pc)*mr:][:n*mr]
			for i := range width {
				taps := src[i*rs : (i+1)*rs]
				for q := range n {
					out[q*mr+i] = taps[rs-1-t-q]
				}
			}
			if width < mr {
				for q := range n {
					clear(out[q*mr+width : (q+1)*mr])
				}
			}
		}
		d += n
	}
}

// Conv2dBackwardInput writes dx (overwriting it) from dy and w: per batch of
// images and group, col = W_gᵀ · dY_g, then col2im; or, where Conv2d
// runs by F(2×2, 3×3), the flipped correlation by it too; or, for stride 1, the
// forward pass of g.flipped() where it packs from the images and has
// flipMinCols output columns or more, or the
// direct convolution of dy with the flipped weights where Conv2d runs direct.
// Batches of several images first gather their dY_g side by side. Batches
// run in parallel. e (nil: none) is applied to dx as Conv2d applies its
// epilogue to y: its bias indexed by dx's channel, its Residual and ActOut
// laid out as dx. A Residual is how a gradient adds to the one its tensor
// has received already without an addition of its own.
func Conv2dBackwardInput(dx, dy, w []float32, g Conv2dGeom, e *Epilogue) {
	if fg := g.flipped(); g.winograd() && fg.winograd() && (!g.directSmallBackwardInput() || g.winogradOverSmall()) {
		winogradConv(winogradUse, dx, dy, w, fg, true, e)
		return
	}
	if g.direct() {
		directBackwardInput(directArch, dx, dy, w, g, e)
		return
	}
	if g.directSmallBackwardInput() {
		directSmallConv(directArch, dx, dy, chunkWeightsFlipped(w, &g), g.backwardInputGeom(), e)
		return
	}
	if fg := g.flipped(); g.StrideH == 1 && g.StrideW == 1 && g.DilH == 1 && g.DilW == 1 &&
		g.PadH < g.R && g.PadW < g.S && fg.implicit(false) && g.N*g.OH*g.OW >= flipMinCols {
		// A forward pass packed from dy: no col2im, and dx is written
		// once rather than cleared and added to. Its product packs the
		// flipped weights straight from w.
		convGemm(dx, dy, w, fg, e, &g)
		return
	}
	cg, kg, crs, ohw := g.dims()
	hw, nb := g.H*g.W, g.batch(convBatchCols)
	ParallelFor(ceilDiv(g.N, nb), 1, func(lo, hi int) {
		col, dyb, release := convScratch(nb > 1 || !g.pointwise(), crs*nb*ohw, nb > 1, kg*nb*ohw)
		defer release()
		var ge *Epilogue // e for the current image and group
		if !e.none() {
			ge = new(Epilogue)
		}
		for bi := lo; bi < hi; bi++ {
			n0 := bi * nb
			cnt := min(nb, g.N-n0)
			cols := cnt * ohw
			for gi := 0; gi < g.Groups; gi++ {
				a, lda := dy[(n0*g.K+gi*kg)*ohw:], ohw
				if dyb != nil {
					gatherImages(dyb, dy[(n0*g.K+gi*kg)*ohw:], cnt, kg, ohw, g.K*ohw)
					a, lda = dyb, cols
				}
				if col == nil {
					at := (n0*g.C + gi*cg) * hw
					var ie *Epilogue
					if ge != nil {
						ie = imageEpilogue(ge, e, gi, cg, at)
					}
					SgemmEpilogue(true, false, crs, ohw, kg, 1, w[gi*kg*crs:], crs, a, lda, 0, dx[at:at+cg*hw], ohw, ie)
					continue
				}
				Sgemm(true, false, crs, cols, kg, 1, w[gi*kg*crs:], crs, a, lda, 0, col, cols)
				for j := range cnt {
					at := ((n0+j)*g.C + gi*cg) * hw
					dxg := dx[at : at+cg*hw]
					if !g.s2Rows() {
						clear(dxg)
					}
					col2im(dxg, col[j*ohw:], cg, &g, cols)
					if ge != nil {
						// While the image's gradient is in cache.
						imageEpilogue(ge, e, gi, cg, at).apply(dxg, hw, 0, cg, 0, hw)
					}
				}
			}
		}
	})
}

// convScratch returns scratch slices of n floats (nil unless want) and m
// floats (nil unless wantOther) in one pooled buffer, and its release.
func convScratch(want bool, n int, wantOther bool, m int) (a, b []float32, release func()) {
	if !want {
		n = 0
	}
	if !wantOther {
		m = 0
	}
	if n+m == 0 {
		return nil, nil, func() {}
	}
	p := getScratch(n + m)
	if want {
		a = (*p)[:n]
	}
	if wantOther {
		b = (*p)[n : n+m]
	}
	return a, b, func() { putScratch(p) }
}

// gatherImages copies rows rows of width floats from each of cnt images,
// the first at src and each stride floats after the one before, side by
// side into dst: image j's row r at dst[r·cnt·width + j·width].
func gatherImages(dst, src []float32, cnt, rows, width, stride int) {
	for j := range cnt {
		copyRows(dst[j*width:], src[j*stride:], rows, width, cnt*width, width)
	}
}

// Conv2dBackwardWeight sums at most wgradParts partial weight gradients,
// holding at most wgradScratch floats. The images are split into a number
// of fixed ranges that depends on the shapes only, never on GOMAXPROCS, so
// the summation order, and the result, never change.
const (
	wgradParts   = 8
	wgradScratch = 1 << 22
)

// wgradMinDepth is the fewest terms (images × output pixels) of each
// part's sums for a weight gradient by GEMM: every part past the first
// writes a whole gradient to scratch and reads it back, a cost that fewer
// terms no longer pay for. A CIFAR ResNet's stride-2 layers at batch 8 on
// a Zen 2 (two threads; parts of 8 and 3 before), medians of 3 runs: the
// 256→512 1×1 shortcut (128 terms in all) 0.70 → 0.45 ms, the 128→256 1×1
// (512 terms) 0.35 → 0.30, the 128→256 3×3 layer (512 terms) 3.00 →
// 2.55, the 256→512 one 3.22 → 3.13; with parts of 64 terms 0.36, 0.34,
// 2.90 and 2.83 ms (bench/results/wgrad-depth-2026-12-05-zen2.txt).
const wgradMinDepth = 128

// Conv2dBackwardWeight writes dw (overwriting it) from x and dy:
// dW_g = Σₙ dY_g[n] · col[n]ᵀ (or its direct form for stride-1 layers
// with few channels, with the images across a vector's lanes where there
// are enough of them, or F(2×2, 3×3)'s for 3×3 stride-1 layers of 128
// channels or more, conv_winograd.go). Fixed ranges of images accumulate
// partial sums in parallel, which are then added in range order.
func Conv2dBackwardWeight(dw, x, dy []float32, g Conv2dGeom) {
	if g.winogradWgrad() {
		winogradBackwardWeight(winogradUse, dw, x, dy, g)
		return
	}
	_, _, crs, _ := g.dims()
	size := g.K * crs
	parts := min(g.N, wgradParts, max(1, wgradScratch/size))
	pix := g.directWgradPix()
	lanes := !pix && g.wgradLanes()
	if pix {
		// Its chunks of filters share the work out too: fewer parts,
		// fewer partial sums to write and add.
		parts = min(parts, ceilDiv(wgradPixItems, g.K/directArch.wgradKW))
	} else if lanes {
		parts = min(parts, ceilDiv(g.N, directArch.lanes))
	} else if !g.directWgrad() {
		parts = min(parts, max(1, g.N*g.OH*g.OW/wgradMinDepth))
	}
	var partial *[]float32
	if parts > 1 {
		partial = getScratch((parts - 1) * size)
		defer putScratch(partial)
	}
	if pix {
		var p []float32
		if partial != nil {
			p = *partial
		}
		directBackwardWeightPix(directArch, dw, x, dy, g, parts, wgradPixGroup(&g, directArch.wgradKW, parts), p)
	} else if lanes {
		var p []float32
		if partial != nil {
			p = *partial
		}
		directBackwardWeightLanes(directArch, dw, x, dy, g, parts, p)
	} else if g.directWgrad() {
		var p []float32
		if partial != nil {
			p = *partial
		}
		directBackwardWeight(directArch, dw, x, dy, g, parts, p)
	} else {
		wgradGemm(dw, x, dy, g, parts, partial)
	}
	if parts > 1 {
		addInOrder(dw, *partial, parts-1)
	}
}

// addInOrder adds to dst the count slices of len(dst) floats that lie one
// after the other at the start of rest, in their order (so every sum's
// order is fixed), its elements in parallel.
func addInOrder(dst, rest []float32, count int) {
	size := len(dst)
	ParallelFor(size, elemGrain, func(lo, hi int) {
		d := dst[lo:hi]
		for i := range count {
			binarySpan(Add, 0, d, d, rest[i*size+lo:i*size+hi])
		}
	})
}

// wgradPart returns where part of parts of a weight gradient of size
// floats goes (the first to dw, part p > 0 to the (p−1)th size floats of
// partial) and the range of the n images it sums.
func wgradPart(dw, partial []float32, size, part, parts, n int) (out []float32, n0, n1 int) {
	out = dw
	if part > 0 {
		out = partial[(part-1)*size : part*size]
	}
	return out, part * n / parts, (part + 1) * n / parts
}

// wgradGemm writes the parts of the weight gradient, the first to dw and
// the others to partial, by GEMM (packing from the images, or from an
// im2col copy), the images of each part in
// batches that share a product's depth (their dY_g gathered side by side).
func wgradGemm(dw, x, dy []float32, g Conv2dGeom, parts int, partial *[]float32) {
	cg, kg, crs, ohw := g.dims()
	hw, size := g.H*g.W, g.K*crs
	nb := g.batch(convWgradDepth)
	implicit := g.implicit(true)
	ParallelFor(parts, 1, func(lo, hi int) {
		col, dyb, release := convScratch(!implicit && (nb > 1 || !g.pointwise()), crs*nb*ohw, nb > 1, kg*nb*ohw)
		defer release()
		for part := lo; part < hi; part++ {
			var rest []float32
			if partial != nil {
				rest = *partial
			}
			out, n0, n1 := wgradPart(dw, rest, size, part, parts, g.N)
			for b0 := n0; b0 < n1; b0 += nb {
				var beta float32
				if b0 > n0 {
					beta = 1
				}
				cnt := min(nb, n1-b0)
				cols := cnt * ohw
				for gi := 0; gi < g.Groups; gi++ {
					a, lda := dy[(b0*g.K+gi*kg)*ohw:], ohw
					if dyb != nil {
						gatherImages(dyb, a, cnt, kg, ohw, g.K*ohw)
						a, lda = dyb, cols
					}
					b := x[(b0*g.C+gi*cg)*hw:]
					if implicit {
						src := &im2colB{x: b, imgStride: g.C * hw, cnt: cnt, cg: cg, g: &g, across: true}
						sgemmFrom(false, kg, crs, cols, 1, a, lda, nil, src, beta, out[gi*kg*crs:], crs, nil)
						continue
					}
					if col != nil {
						for j := range cnt {
							im2col(col[j*ohw:], x[((b0+j)*g.C+gi*cg)*hw:], cg, &g, cols)
						}
						b = col
					}
					Sgemm(false, true, kg, crs, cols, 1, a, lda, b, cols, beta, out[gi*kg*crs:], crs)
				}
			}
		}
	})
}
