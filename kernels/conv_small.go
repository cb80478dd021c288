package kernels

// Convolutions of small planes with the images as the pixel kernel's
// pixels, for the layers F(2×2, 3×3) does not take (conv_winograd.go; it
// takes a ResNet's 3×3 layers of 64 channels or more, the 512-channel ones
// below included, from convArch.smallWinoTiles tiles on). Where output
// rows are narrower than pixMinOW (a CIFAR ResNet's 512-channel 4×4
// layers) the pixel kernel has too few pixels a row, and those layers ran
// on the GEMM, multiplying the zeros of the padding too: on 4×4 planes
// under a 3×3 filter padded by 1, 31% of its multiply-adds. Laid out
// image-minor, [C][Hp][Wp][n] for a block of n images, the same output
// pixel of consecutive images is consecutive in memory: the pixel kernel
// with gathered taps (convArch.pixG) computes 16 output channels (AVX2;
// 32 with AVX-512) of a block's images at one output position a call,
// over the taps that fall inside the image there only, tap (c, r, s)
// reading ((c·Hp + r + stride·oy)·Wp + s + stride·ox)·n + i. The sums go
// to an image-minor [K][OH·OW][N] scratch, transposed into y at the end.
// A 3×3 filter's taps at a position, 2 or 3 rows by 2 or 3 columns of it,
// go to a kernel of their own (convArch.pixC) that reads them without the
// table, the same sums in the same order: two loads a tap fewer, and a
// ResNet's 512-channel 4×4 layer at batch 8 (Zen 2) 1.15× as fast forward
// and backward, 1.17× its 256→512 stride-2 forward
// (bench/results/pixc-2026-12-06-zen2.txt).
//
// Inside a ResNet-18 training step at batch 128 (Zen 5, AVX2 code) the
// 512-channel layer's forward pass ran in 183–188 ms a step against
// 213–261 by GEMM, its input gradient in 176–179 against 190–238; the
// 256→512 stride-2 forward pass ran slower (69–92 against 39–44 ms), so
// stride 2 keeps the GEMM at that batch (smallStridedX). With AVX-512 the
// kernels take 32 channels of up to 14 images (the registers of
// emitPix32). A first such kernel, with gathered taps alone and every
// chunk's weights laid out at once, had lost inside the Zen 5's step at
// batch 128 (forward 111–117 against 90–97 ms,
// bench/results/conv-small-images-as-pixels-2026-12-01.txt.gz); that
// batch now runs the 512-channel layers by F(2×2, 3×3) and the stride-2
// one by GEMM. At batch 8 on a Zen 4 the 512-channel layer runs 1.26× as
// fast forward and 1.42× its input gradient as by the GEMM, the stride-2
// forward pass 1.18×, the training step 1.04×
// (bench/results/small-avx512-2026-12-07-zen4.txt.gz).
//
// A chunk's weights are read from L2 at every call: where C·R·S exceeds
// smallTaps the input channels are cut into parts that fit, each part's
// sums kept apart and added in part order at the end.

// smallTaps bounds the taps of a part of directSmallConv's input
// channels, as directWideTaps does for directWide.
const smallTaps = directWideTaps

// smallMaxParts bounds the parts of a directSmallConv's input channels
// (1024 channels of a 3×3 filter): each part's sums, as many floats as the
// output, are kept until the end.
const smallMaxParts = 4

// smallStridedX bounds the input of a stride-2 directSmallConv, N·C·Hp·Wp
// floats laid out image-minor: every chunk of output channels sweeps
// every block of images, which stay in the L3 cache up to about this
// size. A ResNet's 256→512 stride-2 layer (Zen 2, AVX2) ran 1.10× as fast
// as by GEMM at batch 8 (0.8 MB of input; 1.33× inside the step) and
// 1.20× at 32 (3.3 MB), and inside the step at 128 (13 MB) 61–87 against
// 43 ms (bench/results/small-strided-2026-12-06-zen2.txt).
const smallStridedX = 1 << 20

// directSmall reports whether g's forward pass runs with images as the
// pixel kernel's pixels: a kernel with gathered taps on this CPU, output
// rows narrower than pixMinOW, at least pixMinOW images, K a multiple of
// the kernel's channels, at most smallMaxParts parts of input channels,
// stride 1 (or 2, with at most smallStridedX floats of padded input), no
// groups or dilation, a filter wider than 1×1, and padding that leaves
// the backward-input correlation a padding of its own (PadH < R).
func (g *Conv2dGeom) directSmall() bool {
	if directArch == nil || directArch.pixG == nil {
		return false
	}
	stride := g.StrideH == 1 && g.StrideW == 1 ||
		g.StrideH == 2 && g.StrideW == 2 && g.N*g.C*(g.H+2*g.PadH)*(g.W+2*g.PadW) <= smallStridedX
	return g.K%directArch.pixGKB == 0 && g.OW < pixMinOW && g.N >= pixMinOW && g.Groups == 1 &&
		g.C*g.R*g.S <= smallMaxParts*smallTaps && stride && g.DilH == 1 && g.DilW == 1 &&
		!g.pointwise() && g.PadH < g.R && g.PadW < g.S
}

// backwardInputGeom is the forward correlation whose output is the input
// gradient of the stride-1 convolution g: dy with g's weights flipped and
// transposed (chunkWeightsFlipped), padded R−1−PadH and S−1−PadW.
func (g *Conv2dGeom) backwardInputGeom() Conv2dGeom {
	return Conv2dGeom{
		N: g.N, C: g.K, H: g.OH, W: g.OW, K: g.C, R: g.R, S: g.S, OH: g.H, OW: g.W,
		StrideH: 1, StrideW: 1, PadH: g.R - 1 - g.PadH, PadW: g.S - 1 - g.PadW, DilH: 1, DilW: 1, Groups: 1,
	}
}

// directSmallBackwardInput reports whether the input gradient of g runs
// as the small-plane correlation: stride 1, and directSmall holds for it.
func (g *Conv2dGeom) directSmallBackwardInput() bool {
	if g.StrideH != 1 || g.StrideW != 1 || g.DilH != 1 || g.DilW != 1 || g.Groups != 1 || g.PadH >= g.R || g.PadW >= g.S {
		return false
	}
	bg := g.backwardInputGeom()
	return bg.directSmall()
}

// tapRange returns the filter rows (or columns) [lo, hi) of a filter of
// size taps that fall inside an input of size n at output position o.
func tapRange(o, stride, pad, taps, n int) (lo, hi int) {
	base := o*stride - pad
	return max(0, -base), min(taps, n-base)
}

// directSmallConv computes y = conv(x, w) for a g where directSmall holds
// for arch (stride 2 too), chunkW writing the weights of a chunk of output channels as
// directConv's does; e (nil: none) is applied as in Conv2d.
func directSmallConv(arch *convArch, y, x []float32, chunkW func(dst []float32, k0, kb int), g Conv2dGeom, e *Epilogue) {
	kb, pmax := arch.pixGKB, arch.pixGMax
	hp, wp := g.H+2*g.PadH, g.W+2*g.PadW
	plane, rs, ohw, hw := hp*wp, g.R*g.S, g.OH*g.OW, g.H*g.W
	crs := g.C * rs
	n, stride := g.N, g.StrideW
	chunks := g.K / kb
	// Parts of at most smallTaps taps, of near-equal channels.
	parts := ceilDiv(g.C, max(1, smallTaps/rs))
	cpart := ceilDiv(g.C, parts) // input channels of a part (the last may have fewer)
	parts = ceilDiv(g.C, cpart)
	// Blocks of at most pmax images, one kernel call an output pixel.
	blocks := ceilDiv(n, pmax)
	nb := ceilDiv(n, blocks) // the most images of a block
	bsize := g.C * plane * nb

	// The input, block by block of images, image-minor and zero-bordered:
	// xt[b·bsize + ((c·Hp+h)·Wp+w)·nb + i] is image splitEven(b, N,
	// blocks)+i.
	xtp := getScratch(blocks * bsize)
	defer putScratch(xtp)
	xt := *xtp
	ParallelFor(blocks*g.C, max(1, elemGrain/(plane*nb)), func(lo, hi int) {
		for bc := lo; bc < hi; bc++ {
			b, c := bc/g.C, bc%g.C
			n0, n1 := splitEven(b, n, blocks), splitEven(b+1, n, blocks)
			xc := xt[b*bsize+c*plane*nb : b*bsize+(c+1)*plane*nb]
			clear(xc)
			for i := n0; i < n1; i++ {
				src := x[(i*g.C+c)*hw:][:hw]
				for h := range g.H {
					row := xc[((g.PadH+h)*wp+g.PadW)*nb+i-n0:]
					for w, v := range src[h*g.W : (h+1)*g.W] {
						row[w*nb] = v
					}
				}
			}
		}
	})

	// The taps inside the image at each output position, as tables of
	// (input offset, weight offset) by class of filter rows (by output
	// row) and columns (by output column), channel by channel, so that
	// each part's taps are a run of its table.
	type class struct{ lo, hi int }
	classes := func(outs, pad, taps, size int) (idx []int, cls []class) {
		for o := range outs {
			lo, hi := tapRange(o, stride, pad, taps, size)
			k := 0
			for k < len(cls) && cls[k] != (class{lo, hi}) {
				k++
			}
			if k == len(cls) {
				cls = append(cls, class{lo, hi})
			}
			idx = append(idx, k)
		}
		return idx, cls
	}
	rowIdx, rowCls := classes(g.OH, g.PadH, g.R, g.H)
	colIdx, colCls := classes(g.OW, g.PadW, g.S, g.W)
	tableAt := make([]int, len(rowCls)*len(colCls)+1) // table i is tabs[tableAt[i]:tableAt[i+1]]
	for rc, rr := range rowCls {
		for sc, ss := range colCls {
			i := rc*len(colCls) + sc
			tableAt[i+1] = tableAt[i] + 2*g.C*(rr.hi-rr.lo)*(ss.hi-ss.lo)
		}
	}
	// A 3×3 filter's taps inside the image at a position, 2 or 3 rows
	// by 2 or 3 columns, go to a kernel that reads them without a table
	// (convArch.pixC), the same sums in the same order.
	classTaps := arch.pixC != nil && g.R == 3 && g.S == 3
	tabsp := getInts(tableAt[len(tableAt)-1])
	defer intScratch.Put(tabsp)
	tabs := (*tabsp)[:0]
	for _, rr := range rowCls {
		for _, ss := range colCls {
			for c := range g.C {
				for r := rr.lo; r < rr.hi; r++ {
					for s := ss.lo; s < ss.hi; s++ {
						tabs = append(tabs, ((c*hp+r)*wp+s)*nb, ((c*g.R+r)*g.S+s)*kb)
					}
				}
			}
		}
	}

	// Each part's sums, image-minor: out[((p·K+k)·OH·OW+o)·N+n]. A
	// worker lays out the weights of the chunk its items are of (chunkW)
	// in its own scratch, which stays in its core's L2 for the chunk's
	// parts and blocks: laid out all at once first, the 512-channel
	// weights of a ResNet's 4×4 layers (9.4 MB) went out to memory and
	// were read back: at batch 8 on a Zen 2 the layer now runs 4.56 → 4.17
	// ms forward, 5.39 → 4.56 its input gradient, and the step 1.02× as
	// fast (bench/results/small-conv-chunks-2026-12-05-zen2.txt).
	size := g.K * ohw * n
	outp := getScratch(parts * size)
	defer putScratch(outp)
	out := *outp
	ParallelItems(chunks*parts*blocks, func() (func(int), func()) {
		wsp := getScratch(kb * crs)
		w, last := (*wsp)[:kb*crs], -1
		return func(item int) {
			ch, rest := item/(parts*blocks), item%(parts*blocks)
			part, blk := rest/blocks, rest%blocks
			c0, c1 := part*cpart, min(g.C, (part+1)*cpart)
			n0, n1 := splitEven(blk, n, blocks), splitEven(blk+1, n, blocks)
			if ch != last {
				chunkW(w, ch*kb, kb)
				last = ch
			}
			in := xt[blk*bsize:]
			yk := out[part*size+ch*kb*ohw*n+n0:]
			for oy := range g.OH {
				for ox := range g.OW {
					rr, ss := rowCls[rowIdx[oy]], colCls[colIdx[ox]]
					o := oy*g.OW + ox
					at := (stride*oy*wp + stride*ox) * nb
					if nr, ns := rr.hi-rr.lo, ss.hi-ss.lo; classTaps && nr >= 2 && ns >= 2 {
						arch.pixC(n1-n0, nr, ns, in[at+((c0*hp+rr.lo)*wp+ss.lo)*nb:], c1-c0, plane*nb, wp*nb, nb,
							w[((c0*3+rr.lo)*3+ss.lo)*kb:], yk[o*n:], ohw*n)
						continue
					}
					per := 2 * (rr.hi - rr.lo) * (ss.hi - ss.lo) // table entries a channel
					tab := tableAt[rowIdx[oy]*len(colCls)+colIdx[ox]]
					arch.pixG(n1-n0, in[at:], tabs[tab+c0*per:tab+c1*per], w, yk[o*n:], ohw*n)
				}
			}
		}, func() { putScratch(wsp) }
	})

	// y[n][k][o] = Σ_p out[p][k][o][n], parts in order: blocks of
	// smallTransposeRows rows (k, o) of out at a time, so that the lines of
	// y they write are whole.
	rows := g.K * ohw
	ParallelFor(ceilDiv(rows, smallTransposeRows), max(1, elemGrain/(smallTransposeRows*n*parts)), func(lo, hi int) {
		for j0 := lo * smallTransposeRows; j0 < min(rows, hi*smallTransposeRows); j0 += smallTransposeRows {
			j1 := min(rows, j0+smallTransposeRows)
			for i := range n {
				yi := y[i*rows+j0 : i*rows+j1]
				for j := range yi {
					yi[j] = out[(j0+j)*n+i]
				}
				for part := 1; part < parts; part++ {
					src := out[part*size:]
					for j := range yi {
						yi[j] += src[(j0+j)*n+i]
					}
				}
			}
		}
	})
	if e.none() {
		return
	}
	ParallelFor(n, 1, func(lo, hi int) {
		ge := new(Epilogue)
		for i := lo; i < hi; i++ {
			at := i * rows
			*ge = *e
			ge.BiasRows = true
			if e.Residual != nil {
				ge.Residual = e.Residual[at:]
			}
			if e.ActOut != nil {
				ge.ActOut = e.ActOut[at:]
			}
			ge.apply(y[at:at+rows], ohw, 0, g.K, 0, ohw)
		}
	})
}

// smallTransposeRows is how many rows of directSmallConv's image-minor
// sums one step of its transposition takes: a line of y per image.
const smallTransposeRows = 16
