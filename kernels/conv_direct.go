package kernels

import (
	"runtime"
	"sync"
	"unsafe"
)

// Direct convolution, for stride-1 layers with few channels such as
// LeNet's, where im2col, col2im and packing cost more than the products,
// and for layers of up to 256 channels, such as a ResNet's, where the
// 32-channel pixel kernels beat the GEMM: the forward and backward-input
// passes of stride-1 layers, the forward pass of stride-2 ones and the
// weight gradient of 3×3 ones.
//
// Each image's C input planes are copied once into a zero-bordered scratch
// of padded planes, Hp×Wp, laid end to end, Hp = H + 2·PadH rows of
// Wp = W + PadW (the PadW zero columns before a row also pad the row before
// it on the right, which a read past the row's end meets; the last row's
// lie past the last plane). Seen in that flat layout, the output at
// (oh, ow), stored at p = oh·Wp + ow, is
//
//	y[k][p] = Σ_{c,r,s} w[k,c,r,s] · xpad[p + c·Hp·Wp + r·Wp + s]
//
// a one-dimensional correlation with one offset per tap (c, r, s). The
// kernels run it along p a vector at a time over whole rows of Wp, with
// one accumulator vector per output channel and a broadcast weight per tap;
// the Wp − OW columns past each row's end are computed and dropped, and a
// call whose outputs reach the image through fewer taps than all (near the
// top and bottom padding) runs those alone (directLiveTaps). Where K
// is a multiple of 16, AVX-512 runs the other way round, with no dropped
// columns: a vector of 16 channels per output pixel of a row, a weight
// vector per tap and a broadcast input, transposed in registers at the end
// (the pixel kernel; LeNet's second layer has 10 of 14 columns to keep);
// where K is a multiple of 32, two vectors of channels per pixel take
// 2p multiply-adds for each p + 2 loads (the GEMM micro-kernel's ratio)
// instead of p for p + 1, and ran 1.2× as fast in cache. The
// gradient of the input of a stride-1 convolution is the same correlation
// of dy with the weights flipped and K and C swapped, with padding R−1−PadH
// and S−1−PadW. The weight gradient is the correlation the other way,
//
//	dw[k,c,r,s] = Σₙ Σ_p dy[n,k][p] · xpad[n,c][p + r·Wp + s]
//
// with dy laid out as Wp-wide rows whose extra columns are zero: its
// kernels keep a vector of partial sums per filter and tap and add the
// lanes at the end. Non-finite values of x in the columns those zeros meet
// can reach the sums of other taps (0·∞ is NaN), which the definition would
// not have. For 3×3 filters in multiples of 32 (AVX-512; 8 with AVX2)
// it runs the other way round too (wgradPix): dy transposed to 32 filters
// a pixel, two vectors of filters times a broadcast input per tap, the 9
// taps' sums in 18 registers over every pixel of the images; no lanes to
// add and no extra columns. AVX2's (8 filters, the sums in 9 registers)
// walks each row by input column, broadcasting an input once for the
// three pixels whose taps meet it: 3 broadcasts and a load of dy for 9
// multiply-adds rather than 10 loads.

// convArch is one set of direct-convolution kernels with their blocking.
type convArch struct {
	name  string
	lanes int // floats per vector
	// fwdNV[kb−1] is how many vectors of a row fwd computes with kb
	// channels; len(fwdNV) is the most channels of one pass.
	fwdNV []int
	// Tap offsets (offs) ascend in both kernels.
	//
	// fwd computes kb rows of fwdNV[kb−1]·lanes outputs, ldo apart in out:
	// out[k·ldo+j] = Σₜ w[t·kb+k] · in[offs[t]+j], summed in tap order.
	fwd func(kb int, in []float32, offs []int, w, out []float32, ldo int)
	// wgKB and wgTB are the most filters and taps of one wgrad call
	// (wgTB ≤ maxWgTB). wgrad sums, lane by lane, over nimg images (ximg and dyimg
	// floats apart) and nvec vectors p of each,
	// a[l] = Σ dy[k·kstride+p+l] · x[offs[t]+p+l], and then adds the lanes
	// (convLanesGo) into out[k·tb+t].
	// pix, where not nil, computes 16 output channels of p ≤ pixMax
	// consecutive pixels of a row, p lanes of each stored ldy apart:
	// y[k·ldy+j] = Σₜ w[t·16+k] · in[offs[t]+j], summed in tap order. It
	// computes no padding columns, and runs when K is a multiple of 16.
	pix func(p int, in []float32, offs []int, w, y []float32, ldy int)
	// pixMax is the most pixels of a pix call: 16 (AVX-512), 6 (AVX2).
	pixMax int
	// pix2, where not nil, is pix for stride 2, pixel j at
	// in[offs[t]+2j] (AVX2; AVX-512 has pix32 for stride 2).
	pix2 func(p int, in []float32, offs []int, w, y []float32, ldy int)
	// pix32, where not nil, is pix for 32 output channels (w[t·32+k]) of p ≤
	// pix32Max pixels of a convolution of stride 1 or 2, pixel j at
	// in[offs[t]+stride·j]; it runs when K is a multiple of 32.
	pix32      func(stride, p int, in []float32, offs []int, w, y []float32, ldy int)
	wgKB, wgTB int
	wgrad      func(kb, tb int, x, dy []float32, offs []int, nimg, nvec, ximg, dyimg, kstride int, out []float32)
	// lanesConv computes kb ≤ lanesKB output channels of npos positions of
	// a row of images across the lanes (directLanesConv): lane l of
	// out[p·lanes+k·ldo+l] = Σ w[c·wc+r·wr+s·kb+k] · in[p·lanes+c·ic+r·ir+s·lanes+l]
	// over nc channels, nr rows and ns columns of taps, summed in that order.
	lanesConv func(kb, npos int, in []float32, nc, nr, ns, ic, ir int, w []float32, wc, wr int, out []float32, ldo int)
	// wgradPix, where not nil, is the weight gradient of a 3×3 filter's
	// input channel for kw = wgradKW filters, kw filters a pixel in dy:
	// out[t·kw+k] = Σ dy[p·kw+k] · x[stride·(row(p)·wp + col(p)) + r·wp + s],
	// t = r·3+s, over the ow pixels p of each of oh rows of nimg images (x
	// and dy ximg and dyimg floats apart), summed in that order, then added
	// to out if add. AVX2's runs in assembly for stride 1 and rows of 2
	// pixels or more, the calls Conv2dBackwardWeight makes (its Go twin
	// otherwise).
	wgradPix func(x, dy []float32, nimg, oh, ow, stride, wp, ximg, dyimg int, out []float32, add bool)
	// wgradPixPad, where not nil, is wgradPix for stride 1 on planes
	// padded by one on each side (oh rows of ow pixels, their inputs at
	// rows 1…oh and columns 1…ow of x's planes), without the terms whose
	// input lies in that padding (convWgradPixPadGo), where 31% of a 4×4
	// plane's terms and 16% of an 8×8 one's are the padding's zeros.
	wgradPixPad func(x, dy []float32, nimg, oh, ow, wp, ximg, dyimg int, out []float32, add bool)
	// pixG, where not nil, is a pixel kernel (pixGKB channels, at most
	// pixGMax pixels) with gathered taps: offs holds an input and
	// a weight offset a tap, both ascending, and y[k·ldy+j] = Σₜ
	// w[offs[2t+1]+k] · in[offs[2t]+j], summed in tap order
	// (directSmallConv).
	pixG            func(p int, in []float32, offs []int, w, y []float32, ldy int)
	pixGKB, pixGMax int
	// pixC, where not nil, is pixG for a 3×3 filter's taps inside the
	// image at one output position, nr rows by ns columns of them (2 or
	// 3 each), read without a table (convPixCGo): in at the first tap of
	// the first channel, strides in floats.
	pixC func(p, nr, ns int, in []float32, ch, cstride, rstride, colstride int, w, y []float32, ldy int)
	// smallWinoTiles is the fewest 2×2 output tiles of a forward or
	// input-gradient pass by F(2×2, 3×3) where the small-plane kernel
	// (directSmall, on pixG and pixC) could run it instead. A ResNet's
	// 512-channel 4×4 layer against F(2×2, 3×3), 2 threads: with AVX2
	// on a Zen 2 1.22–1.43× as fast by the small-plane kernel at batch 32
	// (128 tiles), 0.97–1.23× at 64, 0.77–0.89× at 128
	// (bench/results/pixc-2026-12-06-zen2.txt): 512; with AVX-512 on a
	// Zen 4 0.92–1.01× at 32 and 0.77–0.81× at 64
	// (bench/results/small-avx512-2026-12-07-zen4.txt.gz): 128, the fewest
	// F(2×2, 3×3) takes (winogradMinTiles).
	smallWinoTiles int
	// wgradKW is the filters of a wgradPix call: 32 (AVX-512), 8 (AVX2).
	wgradKW int
}

// maxWgTB bounds the taps of a weight-gradient kernel: the assembly keeps
// each tap's offset in a general register.
const maxWgTB = 8

// Most channels (C and K) a convolution may have to run direct, and the
// most C·K for its weight gradient. Measured on Zen 5 (one thread): the
// forward and backward-input passes beat im2col and GEMM up to a ResNet's
// 64→64 3×3 (1.9 against 2.2 ms, 1.7 against 2.6 ms at 4×64×32×32), the
// weight gradient only up to C·K = 512 (16→32 3×3: 0.65 against 0.79 ms;
// 32→32: 0.56 against 0.50 ms).
const (
	directMaxC     = 64
	directMaxK     = 64
	directMaxWgrad = 512
)

// directWideTaps bounds C·R·S and K·R·S of a wide direct convolution
// (directWide): a 32-channel chunk of its weights, 128·C·R·S bytes, is
// read from L2 for every call of the pixel kernel. Up to 256 channels
// of 3×3 (295 KiB) the forward and backward-input passes ran 1.2–1.8× as
// fast as by GEMM on Zen 5; with 512 channels (590 KiB) on 8×8 planes the
// forward pass ran 10% slower, with 1024 40%.
const directWideTaps = 256 * 9

// direct reports whether g's forward and backward-input passes run as a
// direct convolution: stride 1, no dilation or groups, padding that leaves
// the backward-input correlation a padding of its own (PadH < R), and few
// channels or the wide conditions of directWide.
func (g *Conv2dGeom) direct() bool {
	return directArch != nil && g.Groups == 1 && g.StrideH == 1 && g.StrideW == 1 && g.DilH == 1 && g.DilW == 1 &&
		!g.pointwise() && g.PadH < g.R && g.PadW < g.S && (g.C <= directMaxC && g.K <= directMaxK || g.directWide())
}

// directWide reports whether g, with more channels than directMaxC or
// directMaxK, runs direct all the same: where the widest pixel kernel
// runs on both passes (C and K multiples of its 32 channels, or 16 with
// AVX2 alone; input and output rows of at least pixMinOW) and its weights
// stay within directWideTaps. With AVX2 alone (GODEBUG=cpu.avx512f=off on
// Zen 5) a ResNet's 128- and 256-channel layers ran 1.36–1.5× as fast
// forward and 1.19–1.26× backward as by GEMM.
func (g *Conv2dGeom) directWide() bool {
	chunk := 32 // channels of the widest pixel kernel
	if directArch.pix32 == nil {
		if directArch.pix == nil {
			return false
		}
		chunk = 16
	}
	return g.C%chunk == 0 && g.K%chunk == 0 && g.OW >= pixMinOW && g.W >= pixMinOW &&
		max(g.C, g.K)*g.R*g.S <= directWideTaps
}

// directStrided reports whether g's forward pass (only) runs direct with
// stride 2: where the 32-channel pixel kernel for stride 2 runs (K a
// multiple of 32; 16 with AVX2 alone, on pix2), output rows of at least
// pixMinOW, and its weights stay within directWideTaps. On Zen 5 a ResNet's 64→128 3×3 stride-2 layer
// ran 1.7–1.9× as fast as by GEMM, its 128→256 1×1 shortcut 1.2–1.4×
// (with AVX2 alone 1.38× and 1.13×). Its input gradient is not a
// correlation, and keeps the GEMM and col2im.
func (g *Conv2dGeom) directStrided() bool {
	if directArch == nil || !(directArch.pix32 != nil && g.K%32 == 0 || directArch.pix32 == nil && directArch.pix2 != nil && g.K%16 == 0) {
		return false
	}
	return g.Groups == 1 && g.StrideH == 2 && g.StrideW == 2 &&
		g.DilH == 1 && g.DilW == 1 && g.OW >= pixMinOW && g.C*g.R*g.S <= directWideTaps
}

// directWgrad reports whether the weight gradient of g runs direct.
func (g *Conv2dGeom) directWgrad() bool {
	return g.direct() && g.C*g.K <= directMaxWgrad
}

// directArch is the kernel set direct convolutions run on: the fastest
// assembly one, or nil where there is none. The Go twins alone lose to
// im2col and the Go GEMM micro-kernel (2–3× slower on LeNet's second layer),
// so without assembly convolutions keep that path.
var directArch = func() *convArch {
	if convArchs[0] == convGoArch {
		return nil
	}
	return convArchs[0]
}()

// convGoArch is the portable set of kernels, the Go twins the assembly is
// tested against.
var convGoArch = &convArch{
	name: "go", lanes: 8, fwdNV: []int{4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4}, wgKB: 3, wgTB: maxWgTB,
	fwd: func(kb int, in []float32, offs []int, w, out []float32, ldo int) {
		convFwdGo(8, 4, kb, in, offs, w, out, ldo)
	},
	wgrad: func(kb, tb int, x, dy []float32, offs []int, nimg, nvec, ximg, dyimg, kstride int, out []float32) {
		convWgradGo(8, kb, tb, x, dy, offs, nimg, nvec, ximg, dyimg, kstride, out)
	},
	lanesConv: func(kb, npos int, in []float32, nc, nr, ns, ic, ir int, w []float32, wc, wr int, out []float32, ldo int) {
		for p := range npos {
			convLanesConvGo(8, kb, in[p*8:], nc, nr, ns, ic, ir, w, wc, wr, out[p*8:], ldo)
		}
	},
}

// convLanesConvGo is convArch.lanesConv for lanes lanes.
func convLanesConvGo(lanes, kb int, in []float32, nc, nr, ns, ic, ir int, w []float32, wc, wr int, out []float32, ldo int) {
	for k := range kb {
		for l := range lanes {
			var sum float32
			for c := range nc {
				for r := range nr {
					for t := range ns {
						sum += w[c*wc+r*wr+t*kb+k] * in[c*ic+r*ir+t*lanes+l]
					}
				}
			}
			out[k*ldo+l] = sum
		}
	}
}

// pixMinOW is the narrowest output row the pixel kernel runs on: with
// fewer pixels than a vector FMA's latency covers (4 cycles, 2 a cycle),
// its chains of sums wait.
const pixMinOW = 8

// pix32Max is the most pixels of a convArch.pix32 call.
const pix32Max = 14

// convPixGo is convArch.pix (kb = 16, stride 1) and convArch.pix32 (kb =
// 32).
func convPixGo(kb, stride, p int, in []float32, offs []int, w, y []float32, ldy int) {
	for k := range kb {
		row := y[k*ldy:][:p]
		for j := range row {
			var s float32
			for t, off := range offs {
				s += in[off+stride*j] * w[t*kb+k]
			}
			row[j] = s
		}
	}
}

// convPixGGo is convArch.pixG for kb channels.
func convPixGGo(kb, p int, in []float32, offs []int, w, y []float32, ldy int) {
	for k := range kb {
		row := y[k*ldy:][:p]
		for j := range row {
			var s float32
			for t := 0; t < len(offs); t += 2 {
				s += in[offs[t]+j] * w[offs[t+1]+k]
			}
			row[j] = s
		}
	}
}

// convPixCGo is convArch.pixC for kb channels: pixG with the taps of ch
// channels, nr rows and ns columns each, y[k·ldy+j] = Σ_c Σ_dr Σ_ds
// w[(c·9 + 3·dr + ds)·kb + k] · in[c·cstride + dr·rstride + ds·colstride + j].
func convPixCGo(kb, p, nr, ns int, in []float32, ch, cstride, rstride, colstride int, w, y []float32, ldy int) {
	convPixGGo(kb, p, in, pixCTaps(kb, nr, ns, ch, cstride, rstride, colstride), w, y, ldy)
}

// pixCTaps returns convArch.pixC's taps as pixG's table: an input and a
// weight offset a tap, channel by channel, row by row.
func pixCTaps(kb, nr, ns, ch, cstride, rstride, colstride int) []int {
	offs := make([]int, 0, 2*ch*nr*ns)
	for c := range ch {
		for dr := range nr {
			for ds := range ns {
				offs = append(offs, c*cstride+dr*rstride+ds*colstride, (c*9+3*dr+ds)*kb)
			}
		}
	}
	return offs
}

// convFwdGo is convArch.fwd for nv vectors of lanes floats.
func convFwdGo(lanes, nv, kb int, in []float32, offs []int, w, out []float32, ldo int) {
	n := nv * lanes
	for k := range kb {
		clear(out[k*ldo:][:n])
	}
	for t, off := range offs {
		seg := in[off:][:n]
		for k, wv := range w[t*kb:][:kb] {
			o := out[k*ldo:][:n]
			for j, v := range seg {
				o[j] += v * wv
			}
		}
	}
}

// convWgradPixGo is convArch.wgradPix.
func convWgradPixGo(kw int, x, dy []float32, nimg, oh, ow, stride, wp, ximg, dyimg int, out []float32, add bool) {
	wgradPixGo(kw, x, dy, nimg, oh, ow, stride, wp, ximg, dyimg, out, add, false)
}

// convWgradPixPadGo is convArch.wgradPixPad: convWgradPixGo for stride 1
// without the terms of the taps (r, s) of pixel (row, col) whose input
// row row+r is 0 or oh+1 or column col+s is 0 or ow+1 (the padding).
func convWgradPixPadGo(kw int, x, dy []float32, nimg, oh, ow, wp, ximg, dyimg int, out []float32, add bool) {
	wgradPixGo(kw, x, dy, nimg, oh, ow, 1, wp, ximg, dyimg, out, add, true)
}

// wgradPixGo is convWgradPixGo, or with pad1 convWgradPixPadGo.
func wgradPixGo(kw int, x, dy []float32, nimg, oh, ow, stride, wp, ximg, dyimg int, out []float32, add, pad1 bool) {
	acc := make([]float32, 9*kw)
	for img := range nimg {
		for row := range oh {
			for col := range ow {
				d := dy[img*dyimg+(row*ow+col)*kw:][:kw]
				xs := x[img*ximg+stride*(row*wp+col):]
				for t := range 9 {
					if r, s := row+t/3, col+t%3; pad1 && (r == 0 || r == oh+1 || s == 0 || s == ow+1) {
						continue
					}
					v := xs[t/3*wp+t%3]
					a := acc[t*kw:][:kw]
					for k, dv := range d {
						a[k] += dv * v
					}
				}
			}
		}
	}
	if add {
		for i, v := range acc {
			out[i] += v
		}
		return
	}
	copy(out[:9*kw], acc)
}

// convWgradGo is convArch.wgrad for vectors of lanes floats.
func convWgradGo(lanes, kb, tb int, x, dy []float32, offs []int, nimg, nvec, ximg, dyimg, kstride int, out []float32) {
	n := nvec * lanes
	var accs [3 * maxWgTB * 16]float32
	acc := accs[:kb*tb*lanes]
	for img := range nimg {
		for k := range kb {
			d := dy[img*dyimg+k*kstride:][:n]
			for t, off := range offs[:tb] {
				xs := x[img*ximg+off:][:n]
				a := acc[(k*tb+t)*lanes:][:lanes]
				for p := 0; p < n; p += lanes {
					for l := range a {
						a[l] += d[p+l] * xs[p+l]
					}
				}
			}
		}
	}
	for i := range out[:kb*tb] {
		out[i] = convLanesGo(acc[i*lanes : (i+1)*lanes])
	}
}

// convLanesGo adds the 8 or 16 lanes of a vector as the assembly does:
// halves to 8, to 4, then (a₀+a₁) + (a₂+a₃).
func convLanesGo(a []float32) float32 {
	var h [8]float32
	copy(h[:], a)
	if len(a) == 16 {
		for i := range h {
			h[i] += a[8+i]
		}
	}
	q0, q1, q2, q3 := h[0]+h[4], h[1]+h[5], h[2]+h[6], h[3]+h[7]
	return (q0 + q1) + (q2 + q3)
}

// intScratch recycles tap-offset tables.
var intScratch sync.Pool

func getInts(n int) *[]int {
	if p, ok := intScratch.Get().(*[]int); ok && cap(*p) >= n {
		*p = (*p)[:n]
		return p
	}
	s := make([]int, n)
	return &s
}

// copyRowsGo copies rows rows of width floats from src to dst, whose rows
// start srcStride and dstStride floats apart.
func copyRowsGo(dst, src []float32, rows, width, dstStride, srcStride int) {
	for r := range rows {
		copy(dst[r*dstStride:][:width], src[r*srcStride:][:width])
	}
}

// padPlanes copies the C planes of one image x into the zero-bordered
// padded planes of xpad, whose borders stay zero between images.
func padPlanes(xpad, x []float32, g *Conv2dGeom, wp, plane int) {
	for c := range g.C {
		copyRows(xpad[c*plane+g.PadH*wp+g.PadW:], x[c*g.H*g.W:], g.H, g.W, wp, g.W)
	}
}

// padPlanesZero is padPlanes into planes that may hold anything: it
// writes their zero borders too.
func padPlanesZero(xpad, x []float32, g *Conv2dGeom, wp, plane int) {
	for c := range g.C {
		p := xpad[c*plane : (c+1)*plane]
		at := g.PadH*wp + g.PadW // the first value of the image
		clear(p[:at])
		for r := range g.H {
			end := at + r*wp + g.W // past row r
			next := min(plane, end+wp-g.W)
			if r == g.H-1 {
				next = plane
			}
			clear(p[end:next])
		}
		copyRows(p[at:], x[c*g.H*g.W:], g.H, g.W, wp, g.W)
	}
}

// splitEven returns the start of part i of n items in parts near-equal parts.
func splitEven(i, n, parts int) int { return i * n / parts }

// chunkWeights is directConv's chunkW for weights w laid out as g's:
// dst[t·kb+k] = w[(k0+k)·crs+t], t indexing (c, r, s): the transpose of
// kb rows of w, by 16×16 blocks in registers where the CPU has a kernel
// for them (transposeBlock). Scalar, a ResNet-18 step at batch 8 spent 3%
// of its time here (2.5 ns a weight on a Zen 2 against 0.44).
func chunkWeights(w []float32, crs int) func(dst []float32, k0, kb int) {
	return func(dst []float32, k0, kb int) {
		transposeBlock(winoBest, dst, kb, w[k0*crs:], crs, kb, crs, false)
	}
}

// chunkWeightsFlipped is directConv's chunkW for the backward-input
// correlation of g (directBackwardInput): its output channel c is g's
// input channel, its tap t = k·R·S + (r, s) reads g's weight w[k, c] at
// (R−1−r, S−1−s). A 3×3 filter in chunks of 16 or 32 channels
// (directSmallConv's, a ResNet's 512-channel layers) goes by flipTaps16
// where there is one, 16 channels a call: on 512 channels 0.17 ns a weight on a Zen 2
// (BenchmarkChunkWeightsFlipped) against 0.45 by the unrolled loop it
// replaced and 1.07 by the loop below. Inside the layer, where a chunk's
// filters come from memory in runs of 576 bytes 18 KiB apart, it took a
// quarter of the 512-channel layer's input gradient at batch 8; fetching
// the filter two ahead took that 1.6× down and the pass 1.03×
// (bench/results/flip-prefetch-2026-12-06-zen2.txt).
func chunkWeightsFlipped(w []float32, g *Conv2dGeom) func(dst []float32, c0, cb int) {
	rs := g.R * g.S
	return func(dst []float32, c0, cb int) {
		if rs == 9 && cb%16 == 0 && flipTaps16 != nil {
			for h := 0; h < cb; h += 16 {
				flipTaps16(dst[h:], w[(c0+h)*9:], g.K, g.C*9, cb, 9*cb)
			}
			return
		}
		for k := range g.K {
			for c := range cb {
				src := w[(k*g.C+c0+c)*rs:][:rs]
				d := dst[k*rs*cb+c:]
				for t, v := range src {
					d[(rs-1-t)*cb] = v
				}
			}
		}
	}
}

// directConv computes y = conv(x, w) for a direct geometry g, where
// chunkW(dst, k0, kb) writes the weights of output channels [k0, k0+kb)
// as [crs][kb] (chunkWeights; the backward-input pass passes them flipped,
// chunkWeightsFlipped). e (nil: none) is applied as in Conv2d.
func directConv(arch *convArch, y, x []float32, chunkW func(dst []float32, k0, kb int), g Conv2dGeom, e *Epilogue) {
	// Rows W + PadW wide: a row's left padding columns serve the row
	// before it as its right padding (see the file's comment).
	hp, wp := g.H+2*g.PadH, g.W+g.PadW
	plane, crs, ohw := hp*wp, g.C*g.R*g.S, g.OH*g.OW
	lanes, kbMax := arch.lanes, len(arch.fwdNV)
	nvec := ceilDiv(g.OH*wp, lanes)
	chunks := ceilDiv(g.K, kbMax)
	pix := arch.pix != nil && g.K%16 == 0 && g.OW >= pixMinOW
	stride := g.StrideW // 1, or 2 where directStrided
	pixKB, pixMax := 16, arch.pixMax
	pixFn := arch.pix
	if stride == 2 {
		pixFn = arch.pix2 // AVX2; with AVX-512, directStrided took pix32
	}
	if arch.pix32 != nil && g.K%32 == 0 && g.OW >= pixMinOW {
		pix, pixKB, pixMax = true, 32, pix32Max
		pixFn = func(p int, in []float32, offs []int, w, y []float32, ldy int) {
			arch.pix32(stride, p, in, offs, w, y, ldy)
		}
	}
	segs := 0 // pixel-kernel calls per output row
	if pix {
		chunks, kbMax, segs = g.K/pixKB, pixKB, ceilDiv(g.OW, pixMax)
	}

	offsp := getInts(crs)
	defer intScratch.Put(offsp)
	offs := *offsp
	for c := range g.C {
		for r := range g.R {
			for s := range g.S {
				offs[(c*g.R+r)*g.S+s] = c*plane + r*wp + s
			}
		}
	}
	// Weights, chunk by chunk of output channels, as [crs][kb] so that a
	// tap's broadcasts are consecutive.
	wtp := getScratch(g.K * crs)
	defer putScratch(wtp)
	wt := *wtp
	ldo := 0 // the widest chunk's output row stride
	for ch := range chunks {
		if !pix {
			kb := splitEven(ch+1, g.K, chunks) - splitEven(ch, g.K, chunks)
			nv := arch.fwdNV[kb-1]
			ldo = max(ldo, ceilDiv(nvec, nv)*nv*lanes)
		}
	}
	layChunks(wt, chunkW, g.K, crs, chunks, kbMax)
	// A call whose outputs read only zero rows through some taps (the
	// first and last calls of a padded plane) runs without them: their
	// products are ±0, and a sum that starts at +0 keeps its bits adding
	// them (but for a zero sum's sign after an underflow to −0, and for
	// non-finite weights, whose 0·∞ the definition does not have).
	// LeNet's second layer's input gradient, a correlation padded by 4,
	// skips 13% of its taps' vectors so.
	var live liveTable
	if !pix && g.PadH > 0 && directSkipDeadTaps {
		live = directLiveTaps(arch, &g, offs, wt, wp, nvec, chunks)
		defer live.release()
	}
	// The last row's right padding lies past the last plane: PadW more
	// zeros.
	xsize := max(g.C*plane+g.PadW, ldo+offs[crs-1])
	hw := g.H * g.W
	// Images are handed out one at a time (ParallelItems), or, with fewer
	// images than twice the threads, in parts of their chunks (and of the
	// pixel kernel's output rows, where the chunks are too few), so that a
	// batch of one runs on every core; each output row of a chunk is
	// computed alone, so the split changes no result.
	parts, rowParts := 1, 1
	if procs := runtime.GOMAXPROCS(0); g.N < 2*procs {
		want := min(ceilDiv(2*procs, g.N), max(1, g.K*ohw*crs/directPartWork))
		parts = min(chunks, want)
		if pix {
			rowParts = min(g.OH, ceilDiv(want, parts))
		}
	}
	ParallelItems(g.N*parts*rowParts, func() (func(int), func()) {
		bufp := getScratch(xsize + kbMax*ldo)
		xpad, out := (*bufp)[:xsize], (*bufp)[xsize:]
		clear(xpad)
		var ge *Epilogue
		if !e.none() {
			ge = new(Epilogue)
		}
		padded := -1 // the image in xpad
		return func(item int) {
			n, part, rp := item/(parts*rowParts), item/rowParts%parts, item%rowParts
			if n != padded {
				padPlanes(xpad, x[n*g.C*hw:], &g, wp, plane)
				padded = n
			}
			ch0, ch1 := splitEven(part, chunks, parts), splitEven(part+1, chunks, parts)
			oh0, oh1 := splitEven(rp, g.OH, rowParts), splitEven(rp+1, g.OH, rowParts)
			for ch := ch0; ch < ch1; ch++ {
				k0, k1 := splitEven(ch, g.K, chunks), splitEven(ch+1, g.K, chunks)
				kb := k1 - k0
				w := wt[k0*crs : k1*crs]
				if pix {
					yk := y[(n*g.K+k0)*ohw:]
					for oh := oh0; oh < oh1; oh++ {
						for sg := range segs {
							o0, o1 := splitEven(sg, g.OW, segs), splitEven(sg+1, g.OW, segs)
							pixFn(o1-o0, xpad[stride*(oh*wp+o0):], offs, w, yk[oh*g.OW+o0:], ohw)
						}
					}
					continue
				}
				step := arch.fwdNV[kb-1] * lanes
				for i, j := 0, 0; j < nvec*lanes; i, j = i+1, j+step {
					switch t := live.at(ch, i); {
					case t == nil:
						arch.fwd(kb, xpad[j:], offs, w, out[j:], ldo)
					case len(*t.offs) > 0:
						arch.fwd(kb, xpad[j:], *t.offs, *t.w, out[j:], ldo)
					default:
						for k := range kb {
							clear(out[k*ldo+j : k*ldo+j+step])
						}
					}
				}
				for k := range kb {
					copyRows(y[(n*g.K+k0+k)*ohw:], out[k*ldo:], g.OH, g.OW, g.OW, wp)
				}
			}
			if ge != nil {
				k0, k1 := splitEven(ch0, g.K, chunks), splitEven(ch1, g.K, chunks)
				applyImage(ge, e, y, n*g.K*ohw, k0, k1-k0, ohw, oh0*g.OW, (oh1-oh0)*g.OW)
			}
		}, func() { putScratch(bufp) }
	})
}

// directPartWork is the least work (multiply-adds) of a part of an image
// where directConv splits images: LeNet's second layer at batch 1 (240 Ki)
// ran 0.85–0.95× as fast in two parts, a 32-channel 28×28 layer (7 Mi)
// 1.6× as fast in four. With it, on a 2-vCPU Zen 4 at batch 1
// (BenchmarkConv2dBatch1, bench/results/direct-split-batch1-2026-12-06-zen4.txt.gz):
// a ResNet's 128- and 256-channel layers forward 1.81× and 1.87×, backward-input
// 1.79× and 1.72×, the 32-channel 28×28 layer 1.57× and 1.49×, LeNet's
// layers (one part) 1.00×.
const directPartWork = 1 << 20

// applyImage applies e, through ge, to the columns [j0, j0+cols) of the
// rows [k0, k0+rows) (channels, ld floats apart, e's bias by row) of the
// image whose output starts at y[at].
func applyImage(ge, e *Epilogue, y []float32, at, k0, rows, ld, j0, cols int) {
	*ge = *e
	ge.BiasRows = true
	if e.Bias != nil {
		ge.Bias = e.Bias[k0:]
	}
	at += k0 * ld
	if e.Residual != nil {
		ge.Residual = e.Residual[at:]
	}
	if e.ActOut != nil {
		ge.ActOut = e.ActOut[at:]
	}
	ge.apply(y[at+j0:], ld, 0, rows, j0, cols)
}

// lanesKB is the most output channels of a lanesConv call (the assembly's
// kernels, conv_direct_asm_gen.go's lanesKB).
const lanesKB = 12

// directLanesConv computes y = conv(x, w) for a stride-1 g, chunkW
// writing the weights of a chunk of output channels as directConv's does,
// with the images across a vector's lanes: each group of lanes images is
// laid out as [C][H][W][lanes] (no padding), and each output position's
// chunk of up to lanesKB channels sums over the taps that fall inside the
// image (tapRange), in tap order: no work on padding, where directConv
// runs every tap of a vector that meets the image. One lanesConv call
// takes the positions of a row whose taps all lie in it, one call each of
// the others. Up to the sign of a zero sum (and 0·∞ in the padding, which
// the definition does not have) a position's sums are directConv's. Groups,
// and where there are fewer than the cores runs of output rows, are the
// items of work; e (nil: none) is applied as in Conv2d.
func directLanesConv(arch *convArch, y, x []float32, chunkW func(dst []float32, k0, kb int), g Conv2dGeom, e *Epilogue) {
	lanes := arch.lanes
	hw, ohw, crs := g.H*g.W, g.OH*g.OW, g.C*g.R*g.S
	chunks := ceilDiv(g.K, lanesKB)
	wtp := getScratch(g.K * crs)
	defer putScratch(wtp)
	wt := *wtp
	layChunks(wt, chunkW, g.K, crs, chunks, lanesKB)
	groups := ceilDiv(g.N, lanes)
	runs := min(g.OH, ceilDiv(runtime.GOMAXPROCS(0), groups))
	xg, yg := g.C*hw*lanes, g.K*ohw*lanes
	// Output columns [inA, inB) have every column of taps in the row.
	inA, inB := min(g.PadW, g.OW), max(0, min(g.OW, g.W+g.PadW-g.S+1))
	ParallelItems(groups*runs, func() (func(int), func()) {
		bufp := getScratch(xg + yg + 15)
		buf := align64(*bufp)
		xb, yb := buf[:xg], buf[xg:xg+yg]
		var ge *Epilogue
		if !e.none() {
			ge = new(Epilogue)
		}
		return func(it int) {
			gi, run := it/runs, it%runs
			n0 := gi * lanes
			cnt := min(lanes, g.N-n0)
			toLanes(xb, x[n0*g.C*hw:], g.C*hw, cnt, lanes)
			oh0, oh1 := splitEven(run, g.OH, runs), splitEven(run+1, g.OH, runs)
			for ch := range chunks {
				k0, k1 := splitEven(ch, g.K, chunks), splitEven(ch+1, g.K, chunks)
				kb := k1 - k0
				w := wt[k0*crs : k1*crs]
				for oh := oh0; oh < oh1; oh++ {
					r0, r1 := tapRange(oh, 1, g.PadH, g.R, g.H)
					ih := oh - g.PadH + r0
					for ow := 0; ow < g.OW; {
						s0, s1 := tapRange(ow, 1, g.PadW, g.S, g.W)
						iw := ow - g.PadW + s0
						npos := 1 // the positions whose taps all lie in the row go in one call
						if ow >= inA && ow < inB {
							npos = inB - ow
						}
						arch.lanesConv(kb, npos, xb[(ih*g.W+iw)*lanes:], g.C, r1-r0, s1-s0, hw*lanes, g.W*lanes,
							w[(r0*g.S+s0)*kb:], g.R*g.S*kb, g.S*kb, yb[((k0*g.OH+oh)*g.OW+ow)*lanes:], ohw*lanes)
						ow += npos
					}
				}
			}
			j0, cols := oh0*g.OW, (oh1-oh0)*g.OW
			for k := range g.K {
				unpackLanes(y[(n0*g.K+k)*ohw+j0:], g.K*ohw, yb[(k*ohw+j0)*lanes:], lanes, cols, cnt)
			}
			if ge != nil {
				for n := n0; n < n0+cnt; n++ {
					applyImage(ge, e, y, n*g.K*ohw, 0, g.K, ohw, j0, cols)
				}
			}
		}, func() { putScratch(bufp) }
	})
}

// layChunks writes the weights of K output channels into wt chunk by
// chunk (chunks of up to kbMax channels, crs floats each) by chunkW, in
// parallel where they are many.
func layChunks(wt []float32, chunkW func(dst []float32, k0, kb int), K, crs, chunks, kbMax int) {
	ParallelFor(chunks, max(1, elemGrain/(crs*kbMax)), func(lo, hi int) {
		for ch := lo; ch < hi; ch++ {
			k0, k1 := splitEven(ch, K, chunks), splitEven(ch+1, K, chunks)
			chunkW(wt[k0*crs:k1*crs], k0, k1-k0)
		}
	})
}

// toLanes lays out cnt ≤ lanes images of size floats each (one after the
// other in src) across the lanes: dst[i·lanes+p] = src[p·size+i], the
// lanes past cnt zero. unpackLanes undoes it.
func toLanes(dst, src []float32, size, cnt, lanes int) {
	packSliver(dst, src, size, cnt, lanes, size, false)
}

// unpackLanes sets dst[p·ldd+i] = src[i·lanes+p] for the values i < width
// of the images p < cnt: images across the lanes back to rows.
func unpackLanes(dst []float32, ldd int, src []float32, lanes, width, cnt int) {
	// Sixteen images and sixteen values at a time where the CPU transposes
	// 16×16 blocks in registers (transpose16): the images before p0, the
	// values before i0.
	p0, i0 := 0, width&^15
	if lanes%16 == 0 && i0 > 0 {
		for p0+16 <= cnt && transpose16(dst[p0*ldd:], ldd, src[p0:], lanes, i0/16, 16, 16*lanes) {
			p0 += 16
		}
	}
	if p0 == 0 {
		i0 = 0
	}
	// The rest eight values at a time: the values from i0 of every image,
	// those before i0 of the images from p0.
	unpackLanes8(dst[i0:], ldd, src[i0*lanes:], lanes, width-i0, cnt)
	if p0 < cnt && i0 > 0 {
		unpackLanes8(dst[p0*ldd:], ldd, src[p0:], lanes, i0, cnt-p0)
	}
}

// unpackLanes8 is unpackLanes eight values at a time, then one.
func unpackLanes8(dst []float32, ldd int, src []float32, lanes, width, cnt int) {
	i := 0
	for ; i+8 <= width; i += 8 {
		packAcross8(dst[i:], src[i*lanes:], lanes, ldd, cnt)
	}
	for ; i < width; i++ {
		for p := range cnt {
			dst[p*ldd+i] = src[i*lanes+p]
		}
	}
}

// directSkipDeadTaps lets directConv leave out the taps that meet only zero
// rows (directLiveTaps). A variable, so that tests can compare both ways.
var directSkipDeadTaps = true

// liveTaps are the taps one call of a direct convolution's kernel needs:
// their offsets and weights ([taps][kb]), in scratch.
type liveTaps struct {
	offs *[]int
	w    *[]float32
}

// liveTable is directLiveTaps' result, [chunk][call]; nil, a nil chunk or
// an entry without taps stands for a call that needs every tap.
type liveTable [][]liveTaps

// at returns the taps of call i of chunk ch, nil for every tap.
func (l liveTable) at(ch, i int) *liveTaps {
	if l == nil || l[ch] == nil || l[ch][i].offs == nil {
		return nil
	}
	return &l[ch][i]
}

// release returns the table's scratch.
func (l liveTable) release() {
	for _, calls := range l {
		for _, t := range calls {
			if t.offs != nil {
				intScratch.Put(t.offs)
				putScratch(t.w)
			}
		}
	}
}

// directLiveTaps returns, for each chunk of output channels of directConv
// and each of its kernel calls along the flat output, the taps (c, r, s)
// whose reads for some output of the call meet a row of the image (not the
// zero rows above and below it), in tap order, with their weights from wt
// (the chunks' [crs][kb]), where some taps do not.
func directLiveTaps(arch *convArch, g *Conv2dGeom, offs []int, wt []float32, wp, nvec, chunks int) liveTable {
	rs, crs := g.R*g.S, g.C*g.R*g.S
	first := g.PadH*wp + g.PadW             // the image's first value in a plane
	end := (g.PadH+g.H-1)*wp + g.PadW + g.W // past its last
	meets := make([]bool, rs)
	var live liveTable
	for ch := range chunks {
		k0, k1 := splitEven(ch, g.K, chunks), splitEven(ch+1, g.K, chunks)
		kb := k1 - k0
		step := arch.fwdNV[kb-1] * arch.lanes
		for i, j := 0, 0; j < nvec*arch.lanes; i, j = i+1, j+step {
			// Tap t of plane 0 (offs[t] = r·wp + s) meets the image
			// for some output of the call's step outputs at j.
			n := 0
			for t := range rs {
				meets[t] = j+offs[t] < end && j+offs[t]+step > first
				if meets[t] {
					n++
				}
			}
			if n == rs {
				continue
			}
			if live == nil {
				live = make(liveTable, chunks)
			}
			if live[ch] == nil {
				live[ch] = make([]liveTaps, ceilDiv(nvec*arch.lanes, step))
			}
			l := liveTaps{getInts(n * g.C), getScratch(n * g.C * kb)}
			lo, lw := (*l.offs)[:0], (*l.w)[:0]
			w := wt[k0*crs : k1*crs]
			for t := range crs {
				if meets[t%rs] {
					lo = append(lo, offs[t])
					lw = append(lw, w[t*kb:(t+1)*kb]...)
				}
			}
			*l.offs, *l.w = lo, lw
			live[ch][i] = l
		}
	}
	return live
}

// directBackwardInput writes dx from dy and w for a direct geometry g: the
// forward correlation of dy with w flipped and transposed.
func directBackwardInput(arch *convArch, dx, dy, w []float32, g Conv2dGeom, e *Epilogue) {
	directConvOrLanes(arch, dx, dy, chunkWeightsFlipped(w, &g), g.backwardInputGeom(), e)
}

// directConvOrLanes is directLanesConv where g.convLanes(arch) holds,
// else directConv.
func directConvOrLanes(arch *convArch, y, x []float32, chunkW func(dst []float32, k0, kb int), g Conv2dGeom, e *Epilogue) {
	if g.convLanes(arch) {
		directLanesConv(arch, y, x, chunkW, g, e)
		return
	}
	directConv(arch, y, x, chunkW, g, e)
}

// directLanes lets directConvOrLanes run directLanesConv. A variable, so
// that tests can compare both ways.
var directLanes = true

// convLanes reports whether the stride-1 correlation g (a forward pass,
// or an input gradient's backwardInputGeom) runs with the images across
// arch's lanes (directLanesConv) rather than on directConv's rows: where
// directConv would run its row kernels (no pixel kernel: K not a multiple
// of 16, or rows narrower than pixMinOW) for at least 6 output channels,
// the images fill at least 3/4 of their groups' lanes, and a group fits in
// lanesMax. Zen 4, against directConv, one thread and two
// (bench/results/conv-lanes-2026-12-06-zen4.txt.gz): LeNet's second
// layer's input gradient at batch 64 (a correlation padded by 4, 6 output
// channels) 1.94× and 1.92×, its first layer's forward pass 1.14× and
// 1.15×; layers a pixel kernel runs (16 or 32 channels) 0.65–1.07× as
// fast, 3 output channels 0.75×, 8 images (of 16 lanes) 0.5×, 20 (of 32)
// 0.6× forward. With AVX2 alone (8 lanes), whose kernels take two
// positions a call (conv-lanes-avx2-2026-12-06-zen4.txt.gz, one thread):
// the same two LeNet passes 1.35× and 1.09×, the other surveyed layers as
// with AVX-512 (before the pairs 1.0–1.2× and 0.74×).
func (g *Conv2dGeom) convLanes(arch *convArch) bool {
	if !directLanes || arch.lanesConv == nil || g.StrideH != 1 || g.StrideW != 1 || g.DilH != 1 || g.DilW != 1 || g.Groups != 1 || g.K < 6 {
		return false
	}
	if arch.pix != nil && g.K%16 == 0 && g.OW >= pixMinOW {
		return false
	}
	lanes := arch.lanes
	return 4*g.N >= 3*ceilDiv(g.N, lanes)*lanes && (g.C*g.H*g.W+g.K*g.OH*g.OW)*lanes <= lanesMax
}

// wgradPixDy bounds the floats of dy transposed for one batch of an item
// of directBackwardWeightPix (its images' gradients for the item's
// filters), read again for every input channel, from L2: 256 KiB, 2048
// pixels of 32 filters.
//
// An item takes wgradPixGroup chunks of filters, so each input plane is
// read once for all of them rather than once a chunk (and the images'
// planes streamed from memory a quarter as often). Conv2dBackwardWeight splits the images into
// fewer parts than for other paths, enough for wgradPixItems items of a
// part and a chunk.
const (
	wgradPixDy     = 1 << 16
	wgradPixImages = 32
	wgradPixItems  = 16
	// wgradPixSharedX bounds the padded images laid out once for all
	// items (wgradPixShared), 32 MiB.
	wgradPixSharedX = 1 << 23
	// wgradPixGroupX is the size of the padded images (8 MiB) above which
	// items take several chunks (wgradPixGroup).
	wgradPixGroupX = 1 << 21
)

// wgradPixGroup returns how many of the chunks of filters of g an item of
// directBackwardWeightPix over parts parts of the images takes: where the
// images' padded planes exceed wgradPixGroupX floats, 4, else 2, where that
// divides the chunks and leaves at least wgradPixItems/2 items; else 1. On
// Zen 5, against one chunk an item, a ResNet's 3×3 weight gradients at
// batch 128 (9–38 MiB of planes) ran 1.04–1.25× as fast (timed alone, the
// 128→256 stride-2 one 1.2–1.5×) and its training step 1.02×; grouped at
// batch 32 too (2.4–5.3 MiB), those ran 0.84–1.11× as fast, their planes
// staying in cache between chunks while fewer items balance worse
// (bench/results/wgrad-groups-2026-12-01.txt.gz). Cutting the images into
// more parts for more items instead wrote more partial sums than it saved
// (0.88–0.90× at 256 and 512 channels and batch 32).
func wgradPixGroup(g *Conv2dGeom, kw, parts int) int {
	chunks := g.K / kw
	if g.N*g.C*(g.H+2*g.PadH)*(g.W+2*g.PadW) <= wgradPixGroupX {
		return 1
	}
	for _, grp := range []int{4, 2} {
		if chunks%grp == 0 && parts*chunks/grp >= wgradPixItems/2 {
			return grp
		}
	}
	return 1
}

// directWgradPix reports whether the weight gradient of g runs on the
// wgradPix kernel: a 3×3 filter, stride 1 or 2, the padding direct passes
// take, filters a multiple of 32, output rows of at least pixMinOW (or 4,
// with the padded images shared). The 64→128 stride-2 layer ran 1.45× as
// fast as by GEMM. With AVX2 alone (8 filters a call, stride 1 only: the
// stride-2 layer ran 0.92× as fast) a ResNet's layers ran 1.04–1.76× and
// 3→64, 8→16 and 16→32 layers 1.13–1.32× as fast as before. On Zen 5 it ran a ResNet's 32×32 to 8×8
// layers (64 to 256 channels, batch 32) 1.4–1.95× as fast as the GEMM, and
// 3→64, 16→32 and 32→32 layers 1.7–2.7× as fast as the other direct
// kernels; on 4×4 planes 0.93× as fast as the GEMM, 1.15× with the padded
// images shared (wgradPixShared).
func (g *Conv2dGeom) directWgradPix() bool {
	return directArch != nil && directArch.wgradPix != nil && g.R == 3 && g.S == 3 && g.K%directArch.wgradKW == 0 && (g.OW >= pixMinOW || g.OW >= 4 && g.wgradPixShared()) &&
		g.Groups == 1 && g.StrideH == g.StrideW && (g.StrideH == 1 || g.StrideH == 2 && directArch.wgradKW == 32) && g.DilH == 1 && g.DilW == 1 && g.PadH < g.R && g.PadW < g.S
}

// wgradPixShared reports whether directBackwardWeightPix lays out the
// padded images once for all its items: where each would pad them for
// 8 chunks of filters or more (K ≥ 256), and they fit in wgradPixSharedX.
// Shared, the planes are read from memory rather than from a padded batch
// in L2: a ResNet's 64-channel layer (2 chunks) ran 0.86× as fast, its
// 128- and 256-channel layers 0.97× and 1.03×, its 512-channel 4×4 layer
// 1.15× (and then 1.15× as fast as by GEMM, where padding per item had
// made it 0.93×).
func (g *Conv2dGeom) wgradPixShared() bool {
	hp, wp := g.H+2*g.PadH, g.W+2*g.PadW
	return g.K >= 8*32 && g.N*g.C*hp*wp <= wgradPixSharedX
}

// directBackwardWeightPix writes dw from x and dy for a g where
// directWgradPix holds, summing the images of each of parts fixed ranges
// apart, as Conv2dBackwardWeight does. x is first laid out as zero-bordered
// planes, all images at once where they fit in wgradPixSharedX floats (else
// batch by batch in each item). Each part and group of grp chunks of kw =
// wgradKW filters (grp divides K/kw; wgradPixGroup) is an item of work:
// batch by batch of its images, each chunk's dy is transposed to kw filters
// a pixel (packSliver) and each input channel is one wgradPix call a chunk,
// its sums added to the chunk's [C][9][kw]; they are transposed into dw
// (packSliver again) at the end. The sums of a chunk do not depend on grp.
func directBackwardWeightPix(arch *convArch, dw, x, dy []float32, g Conv2dGeom, parts, grp int, partial []float32) {
	hp, wp := g.H+2*g.PadH, g.W+2*g.PadW
	plane, ohw, hw := hp*wp, g.OH*g.OW, g.H*g.W
	size, crs := g.K*g.C*9, g.C*9
	kw := arch.wgradKW
	chunks := g.K / kw
	groups := chunks / grp
	nb := max(1, min(wgradPixImages, wgradPixDy/(grp*ohw*kw), ceilDiv(g.N, parts)))
	ximg, dyimg := g.C*plane, ohw*kw
	// Padded by one at stride 1, the padding's terms are left out.
	pad := arch.wgradPixPad != nil && g.StrideW == 1 && g.PadH == 1 && g.PadW == 1
	var xall []float32 // every image's padded planes, if shared
	if g.wgradPixShared() {
		xp := getScratch(g.N * ximg)
		defer putScratch(xp)
		xall = *xp
		ParallelFor(g.N, 1, func(lo, hi int) {
			for n := lo; n < hi; n++ {
				padPlanesZero(xall[n*ximg:], x[n*g.C*hw:], &g, wp, plane)
			}
		})
	}
	ParallelItems(parts*groups, func() (func(int), func()) {
		own := nb * ximg
		if xall != nil {
			own = 0
		}
		dyg, accg := nb*dyimg, crs*kw // a chunk's dy batch and sums
		bufp := getScratch(own + grp*(dyg+accg))
		buf := *bufp
		clear(buf[:own]) // the borders stay zero
		xb, dyt, acc := buf[:own], buf[own:own+grp*dyg], buf[own+grp*dyg:]
		return func(item int) {
			part, gr := item/groups, item%groups
			out, n0, n1 := wgradPart(dw, partial, size, part, parts, g.N)
			for b0 := n0; b0 < n1; b0 += nb {
				cnt := min(nb, n1-b0)
				xs := xb
				if xall != nil {
					xs = xall[b0*ximg:]
				}
				for i := range cnt {
					n := b0 + i
					if xall == nil {
						padPlanes(xb[i*ximg:], x[n*g.C*hw:], &g, wp, plane)
					}
					for j := range grp {
						ch := gr*grp + j
						packSliver(dyt[j*dyg+i*dyimg:], dy[(n*g.K+ch*kw)*ohw:], ohw, kw, kw, ohw, false)
					}
				}
				for c := range g.C {
					for j := range grp {
						if pad {
							arch.wgradPixPad(xs[c*plane:], dyt[j*dyg:], cnt, g.OH, g.OW, wp, ximg, dyimg, acc[j*accg+c*9*kw:], b0 > n0)
						} else {
							arch.wgradPix(xs[c*plane:], dyt[j*dyg:], cnt, g.OH, g.OW, g.StrideW, wp, ximg, dyimg, acc[j*accg+c*9*kw:], b0 > n0)
						}
					}
				}
			}
			// out[(ch·kw+k)·crs + j] = acc[j·kw+k]: rows j of acc, across.
			for j := range grp {
				ch := gr*grp + j
				packSliver(out[ch*kw*crs:], acc[j*accg:], kw, crs, crs, kw, false)
			}
		}, func() { putScratch(bufp) }
	})
}

// wgradBatch is how many images one weight-gradient kernel call sums: a
// constant, so the order of the sums depends on the shapes only.
const wgradBatch = 8

// directBackwardWeight writes dw from x and dy for a direct geometry g,
// summing the images of each of parts fixed ranges apart, as
// Conv2dBackwardWeight does.
func directBackwardWeight(arch *convArch, dw, x, dy []float32, g Conv2dGeom, parts int, partial []float32) {
	hp, wp := g.H+2*g.PadH, g.W+2*g.PadW
	plane, rs, lanes := hp*wp, g.R*g.S, arch.lanes
	nvec := ceilDiv(g.OH*wp, lanes)
	lk := nvec * lanes // a filter's dy plane, as Wp-wide rows
	size, ohw, hw := g.K*g.C*rs, g.OH*g.OW, g.H*g.W
	offsp := getInts(rs)
	defer intScratch.Put(offsp)
	offs := *offsp
	for r := range g.R {
		for s := range g.S {
			offs[r*g.S+s] = r*wp + s
		}
	}
	kchunks, tgroups := ceilDiv(g.K, arch.wgKB), ceilDiv(rs, arch.wgTB)
	ximg, dyimg := g.C*plane, g.K*lk
	xsize := wgradBatch*ximg + lk + offs[rs-1]
	// Parts are handed out one at a time, as images in directConv.
	ParallelItems(parts, func() (func(int), func()) {
		bufp := getScratch(xsize + wgradBatch*dyimg + arch.wgKB*arch.wgTB)
		buf := *bufp
		clear(buf)
		xb, dyb, acc := buf[:xsize], buf[xsize:xsize+wgradBatch*dyimg], buf[xsize+wgradBatch*dyimg:]
		return func(part int) {
			out, n0, n1 := wgradPart(dw, partial, size, part, parts, g.N)
			for b0 := n0; b0 < n1; b0 += wgradBatch {
				nb := min(wgradBatch, n1-b0)
				for i := range nb {
					n := b0 + i
					padPlanes(xb[i*ximg:], x[n*g.C*hw:], &g, wp, plane)
					for k := range g.K {
						copyRows(dyb[i*dyimg+k*lk:], dy[(n*g.K+k)*ohw:], g.OH, g.OW, wp, g.OW)
					}
				}
				for kc := range kchunks {
					k0, k1 := splitEven(kc, g.K, kchunks), splitEven(kc+1, g.K, kchunks)
					for c := range g.C {
						for tg := range tgroups {
							t0, t1 := splitEven(tg, rs, tgroups), splitEven(tg+1, rs, tgroups)
							kb, tb := k1-k0, t1-t0
							arch.wgrad(kb, tb, xb[c*plane:], dyb[k0*lk:], offs[t0:t1], nb, nvec, ximg, dyimg, lk, acc)
							for k := range kb {
								for t := range tb {
									s := acc[k*tb+t]
									i := ((k0+k)*g.C+c)*rs + t0 + t
									if b0 == n0 {
										out[i] = s
									} else {
										out[i] += s
									}
								}
							}
						}
					}
				}
			}
		}, func() { putScratch(bufp) }
	})
}

// lanesMax is the most floats of one group of images laid out for
// directBackwardWeightLanes (x's padded planes and dy, a vector's lanes
// of images each) or directLanesConv (its input and output). Zen 4, AVX-512, against directBackwardWeight: 32 images
// of 28×28 planes (8 → 32 channels, 5×5; 520 Ki floats a group) 1.21× as
// fast on one thread and 1.20× on two; 16 images of 64×64 planes (3 → 8
// channels, 7×7; 742 Ki floats, one group) 1.10× on one thread but 0.92×
// on two, each of which laid the group out for itself.
const lanesMax = 640 << 10

// wgradLanes reports whether g's direct weight gradient runs with the
// images across a vector's lanes (directBackwardWeightLanes): where its
// groups of images fill at least half their lanes (at least lanes/2
// images), and a group fits in lanesMax. Zen 4, against
// directBackwardWeight (bench/results/wgrad-lanes-2026-12-06-zen4.txt.gz,
// medians of 6 alternated runs, one thread and two): LeNet's second layer
// at batch 64 1.60× and 1.62× (AVX2 alone 1.53× and 1.56×), its first
// 1.09× and 1.10× (1.20×, 1.21×); 20 images of the second 1.29× and 1.28×;
// 8 images of 8×8 planes (16 → 16 channels, 3×3) 1.90× and 1.82×; 5 images
// (AVX2 alone, lanes of 8) 1.51× and 1.36×; with AVX-512 (5 of 16 lanes)
// a first trial ran them 0.92× as fast on one thread, and one image 0.21×:
// those stay as before.
func (g *Conv2dGeom) wgradLanes() bool {
	if !g.directWgrad() {
		return false
	}
	lanes := directArch.lanes
	hp, wp := g.H+2*g.PadH, g.W+2*g.PadW
	return 2*g.N >= lanes && (g.C*hp*wp+g.K*g.OH*g.OW)*lanes <= lanesMax
}

// directBackwardWeightLanes writes dw from x and dy for a g where
// wgradLanes holds, summing the images of each of parts fixed ranges
// apart, as Conv2dBackwardWeight does, with the images across a vector's
// lanes: each group of lanes images is laid out position by position (x
// as [C][Hp][Wp][lanes] with zero borders and lanes, dy as
// [K][OH·OW][lanes]), so that the wgrad kernel's rows are output rows and
// every value it loads is used (directBackwardWeight's rows are Wp wide,
// OW of them useful: LeNet's second layer 100 of 144 lanes). A part's
// work, its chunks of filters, input channels and groups of taps, is
// split in as many runs as leave no core idle (each laying out the part's
// groups for itself); each weight's sum, over a group's positions lane by
// lane, then its lanes, then group after group, does not depend on them.
func directBackwardWeightLanes(arch *convArch, dw, x, dy []float32, g Conv2dGeom, parts int, partial []float32) {
	lanes := arch.lanes
	hp, wp := g.H+2*g.PadH, g.W+2*g.PadW
	plane, rs, ohw, hw := hp*wp*lanes, g.R*g.S, g.OH*g.OW, g.H*g.W
	size := g.K * g.C * rs
	groups := ceilDiv(g.N, lanes)
	kchunks, tgroups := ceilDiv(g.K, arch.wgKB), ceilDiv(rs, arch.wgTB)
	intsp := getInts(rs + kchunks + 1 + tgroups + 1)
	defer intScratch.Put(intsp)
	offs, ks, ts := (*intsp)[:rs], (*intsp)[rs:rs+kchunks+1], (*intsp)[rs+kchunks+1:]
	for r := range g.R {
		for s := range g.S {
			offs[r*g.S+s] = (r*wp + s) * lanes
		}
	}
	for i := range ks {
		ks[i] = splitEven(i, g.K, kchunks)
	}
	for i := range ts {
		ts[i] = splitEven(i, rs, tgroups)
	}
	items := kchunks * g.C * tgroups
	runs := min(items, ceilDiv(runtime.GOMAXPROCS(0), parts))
	xg, dyg := g.C*plane, g.K*ohw*lanes
	ParallelItems(parts*runs, func() (func(int), func()) {
		bufp := getScratch(xg + dyg + arch.wgKB*arch.wgTB + 15)
		buf := *bufp
		clear(buf) // the borders stay zero
		buf = align64(buf)
		xb, dyb, acc := buf[:xg], buf[xg:xg+dyg], buf[xg+dyg:]
		return func(it int) {
			part, run := it/runs, it%runs
			out, g0, g1 := wgradPart(dw, partial, size, part, parts, groups)
			for gi := g0; gi < g1; gi++ {
				n0 := gi * lanes
				cnt := min(lanes, g.N-n0)
				xn := x[n0*g.C*hw:]
				if g.PadH == 0 && g.PadW == 0 {
					toLanes(xb, xn, g.C*hw, cnt, lanes)
				} else {
					for c := range g.C {
						for h := range g.H {
							packSliver(xb[c*plane+((h+g.PadH)*wp+g.PadW)*lanes:], xn[c*hw+h*g.W:], g.C*hw, cnt, lanes, g.W, false)
						}
					}
				}
				toLanes(dyb, dy[n0*g.K*ohw:], g.K*ohw, cnt, lanes)
				for item := splitEven(run, items, runs); item < splitEven(run+1, items, runs); item++ {
					kc, c, tg := item/(g.C*tgroups), item/tgroups%g.C, item%tgroups
					k0, kb := ks[kc], ks[kc+1]-ks[kc]
					t0, tb := ts[tg], ts[tg+1]-ts[tg]
					arch.wgrad(kb, tb, xb[c*plane:], dyb[k0*ohw*lanes:], offs[t0:t0+tb], g.OH, g.OW, wp*lanes, g.OW*lanes, ohw*lanes, acc)
					for k := range kb {
						o := out[((k0+k)*g.C+c)*rs+t0:][:tb]
						a := acc[k*tb:][:tb]
						if gi == g0 {
							copy(o, a)
						} else {
							for t, v := range a {
								o[t] += v
							}
						}
					}
				}
			}
		}, func() { putScratch(bufp) }
	})
}

// align64 returns the tail of s that starts on a 64-byte boundary; s must
// have 15 floats to spare.
func align64(s []float32) []float32 {
	off := int(uintptr(unsafe.Pointer(unsafe.SliceData(s))) & 63 / 4)
	return s[(16-off)&15:]
}
