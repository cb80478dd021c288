package kernels

import "math"

// Pool2dGeom is the geometry of 2-D pooling over planes of H×W into OH×OW.
type Pool2dGeom struct {
	H, W, OH, OW     int
	KH, KW           int
	StrideH, StrideW int
	PadH, PadW       int
	DilH, DilW       int  // max pooling's tap spacing (1: none); average pooling takes 1
	CountIncludePad  bool // average pooling divides by KH·KW, padding included
}

// plain2x2 reports whether g's windows are 2×2 without padding or
// dilation, so that every window lies in the plane whole: the case the
// loops of their own (and the vector kernels) take.
func (g *Pool2dGeom) plain2x2() bool {
	return g.KH == 2 && g.KW == 2 && g.PadH == 0 && g.PadW == 0 && g.DilH <= 1 && g.DilW <= 1
}

// pairs reports whether max pooling by g takes the kernels of two output
// rows a vector step (maxPool2x2Pairs): 2×2 windows at stride 2 that tile
// planes of output rows too short to fill a vector (ow ≤ maxPoolPairsOW),
// as LeNet's second pool's 5. On a 2-vCPU Zen 4, LeNet's second pool at
// batch 64 ran 1.93× as fast forward and 1.95× backward on one thread
// (1.80× and 1.72× on two) as on the row kernel, a masked step a row of
// 5, and the scattering loop; LeNet's step 1.03×
// (bench/results/maxpool-pairs-2026-12-06-zen4.txt.gz).
func (g *Pool2dGeom) pairs() bool {
	return maxPool2x2Pairs != nil && g.plain2x2() && g.StrideH == 2 && g.StrideW == 2 &&
		g.H == 2*g.OH && g.W == 2*g.OW && g.OW <= maxPoolPairsOW
}

// span returns the in-bounds part [lo, hi) of the window starting at
// o·stride − pad with k taps over an axis of n elements.
func span(o, stride, pad, k, n int) (lo, hi int) {
	lo = o*stride - pad
	return max(lo, 0), min(lo+k, n)
}

// divisor returns what average pooling divides the window's sum by.
func (g *Pool2dGeom) divisor(h0, h1, w0, w1 int) float32 {
	if g.CountIncludePad {
		return float32(g.KH * g.KW)
	}
	return float32((h1 - h0) * (w1 - w0))
}

// planeGrain is the fewest output elements of pooling worth a goroutine.
const planeGrain = 1 << 12

// MaxPool2d writes the max of each window of each of planes input planes x
// into y and its index h·W+w within the plane into idx. Padding never wins;
// the first of equal maxima wins (−0 equals +0), and so does the first NaN.
// A (dilated) window with no tap inside the plane gives −∞ and index −1.
func MaxPool2d(y []float32, idx []int32, x []float32, planes int, g Pool2dGeom) {
	hw, ohw := g.H*g.W, g.OH*g.OW
	plain := g.plain2x2()
	if g.pairs() {
		ParallelFor(planes, max(1, planeGrain/ohw), func(lo, hi int) {
			maxPool2x2Pairs(y[lo*ohw:hi*ohw], idx[lo*ohw:hi*ohw], x[lo*hw:hi*hw], hi-lo, g.OH, g.OW)
		})
		return
	}
	ParallelFor(planes, max(1, planeGrain/ohw), func(lo, hi int) {
		for p := lo; p < hi; p++ {
			plane := x[p*hw : (p+1)*hw]
			if plain {
				maxPool2x2Rows(y[p*ohw:(p+1)*ohw], idx[p*ohw:(p+1)*ohw], plane, g.OW, g.OH, 0, g.W, g.StrideH, g.StrideW)
				continue
			}
			for oh := 0; oh < g.OH; oh++ {
				o := p*ohw + oh*g.OW
				if g.DilH > 1 || g.DilW > 1 {
					maxPoolRowDilated(y[o:o+g.OW], idx[o:o+g.OW], plane, oh, &g)
					continue
				}
				h0, h1 := span(oh, g.StrideH, g.PadH, g.KH, g.H)
				maxPoolRow(y[o:o+g.OW], idx[o:o+g.OW], plane, h0, h1, &g)
			}
		}
	})
}

// maxPoolRow computes one output row of max pooling, whose windows cover
// the rows [h0, h1) of plane. It selects with bit masks, not branches: on
// real data the comparisons are unpredictable, and a mispredicted branch
// costs more than the whole window.
func maxPoolRow(out []float32, oi []int32, plane []float32, h0, h1 int, g *Pool2dGeom) {
	W, sw, pw, kw := g.W, g.StrideW, g.PadW, g.KW
	oi = oi[:len(out)]
	for ow := range out {
		w0, w1 := span(ow, sw, pw, kw, W)
		bi := uint32(h0*W + w0)
		best := plane[bi]
		for h := h0; h < h1; h++ {
			for k := h*W + w0; k < h*W+w1; k++ {
				best, bi = pick(best, bi, plane[k], uint32(k))
			}
		}
		out[ow], oi[ow] = best, int32(bi)
	}
}

// maxPoolRowDilated is maxPoolRow for dilated windows: the taps of row oh
// that fall inside the plane, in row-major order, the first in-bounds one
// seeding the pick. A window whose taps all fall in the padding gives −∞
// and index −1 (no input gets its gradient).
func maxPoolRowDilated(out []float32, oi []int32, plane []float32, oh int, g *Pool2dGeom) {
	oi = oi[:len(out)]
	h0 := oh*g.StrideH - g.PadH
	for ow := range out {
		w0 := ow*g.StrideW - g.PadW
		best, bi, seeded := float32(math.Inf(-1)), ^uint32(0), false
		for r := range g.KH {
			h := h0 + r*g.DilH
			if h < 0 || h >= g.H {
				continue
			}
			for s := range g.KW {
				w := w0 + s*g.DilW
				if w < 0 || w >= g.W {
					continue
				}
				k := uint32(h*g.W + w)
				if !seeded {
					best, bi, seeded = plane[k], k, true
					continue
				}
				best, bi = pick(best, bi, plane[k], k)
			}
		}
		out[ow], oi[ow] = best, int32(bi)
	}
}

// maxPool2x2Rows is maxPoolRow for 2×2 windows without padding, the
// common case, on rows output rows of n windows at once: row j (out[j·n:],
// oi[j·n:]) from the plane rows h0 + j·sh and the one below, its windows
// sw apart. At stride 2 the vector kernel (maxPool2x2Vec) takes all the
// rows in one call (16 windows at a time with AVX-512, the rows of a LeNet
// plane, 5 or 14 windows, each a masked step).
func maxPool2x2Rows(out []float32, oi []int32, plane []float32, n, rows, h0, W, sh, sw int) {
	if n <= 0 || rows <= 0 {
		return
	}
	if sw == 2 && maxPool2x2Vec != nil {
		maxPool2x2Vec(out, oi, plane, n, rows, h0, W, sh)
		return
	}
	for j := range rows {
		maxPool2x2Row(out[j*n:(j+1)*n], oi[j*n:(j+1)*n], plane, h0+j*sh, W, sw)
	}
}

// maxPool2x2Row is one row of maxPool2x2Rows in Go, as a tree of picks: the
// dependency chain is two picks long, not four.
func maxPool2x2Row(out []float32, oi []int32, plane []float32, h0, W, sw int) {
	oi = oi[:len(out)]
	i0, i1 := uint32(h0*W), uint32((h0+1)*W)
	r0, r1 := plane[i0:i0+uint32(W)], plane[i1:i1+uint32(W)]
	for ow := range out {
		w := ow * sw
		a, ia := pick(r0[w], i0+uint32(w), r0[w+1], i0+uint32(w+1))
		b, ib := pick(r1[w], i1+uint32(w), r1[w+1], i1+uint32(w+1))
		v, i := pick(a, ia, b, ib)
		out[ow], oi[ow] = v, int32(i)
	}
}

// pick returns the winner of two window elements, the first (a) unless b
// is larger, or b is a NaN and a is not; with masks, not a branch.
func pick(a float32, ia uint32, b float32, ib uint32) (float32, uint32) {
	m := mask(!(b <= a)) & mask(a == a)
	return math.Float32frombits(math.Float32bits(b)&m | math.Float32bits(a)&^m), ib&m | ia&^m
}

// AvgPool2d writes the mean of each window of each input plane into y.
func AvgPool2d(y, x []float32, planes int, g Pool2dGeom) {
	hw, ohw := g.H*g.W, g.OH*g.OW
	plain := g.plain2x2()
	ParallelFor(planes, max(1, planeGrain/ohw), func(lo, hi int) {
		for p := lo; p < hi; p++ {
			for oh := 0; oh < g.OH; oh++ {
				h0, h1 := span(oh, g.StrideH, g.PadH, g.KH, g.H)
				if plain {
					avgPool2x2Row(y[p*ohw+oh*g.OW:][:g.OW], x[p*hw:(p+1)*hw], h0, g.W, g.StrideW)
					continue
				}
				avgPoolRow(y[p*ohw+oh*g.OW:][:g.OW], x[p*hw:(p+1)*hw], h0, h1, &g)
			}
		}
	})
}

// avgPoolRow computes one output row of average pooling, whose windows
// cover the rows [h0, h1) of plane, with the geometry in locals.
func avgPoolRow(out, plane []float32, h0, h1 int, g *Pool2dGeom) {
	W, sw, pw, kw := g.W, g.StrideW, g.PadW, g.KW
	for ow := range out {
		w0, w1 := span(ow, sw, pw, kw, W)
		var s float32
		for h := h0; h < h1; h++ {
			for k := h*W + w0; k < h*W+w1; k++ {
				s += plane[k]
			}
		}
		out[ow] = s / g.divisor(h0, h1, w0, w1)
	}
}

// avgPool2x2Row is avgPoolRow for 2×2 windows without padding, which lie
// in the plane and divide by 4 either way: the same sums in the same order,
// without the generic loop's bounds and divisor at every window.
func avgPool2x2Row(out, plane []float32, h0, W, sw int) {
	r0, r1 := plane[h0*W:(h0+1)*W], plane[(h0+1)*W:(h0+2)*W]
	for ow := range out {
		w := ow * sw
		a, b := r0[w:w+2:w+2], r1[w:w+2:w+2]
		var s float32
		s += a[0]
		s += a[1]
		s += b[0]
		s += b[1]
		out[ow] = s / 4
	}
}

// maxPoolBackVecMinOW is the fewest windows a row for which
// MaxPool2dBackward takes its vector kernel: per window on one thread
// (Zen 5; bench/results/maxpool-rows-2026-12-03-zen5.txt.gz) the AVX-512
// kernel took 1.5× the scalar loop's time with 3 a row, 1.2× with 4, as
// long with 5 and 0.83× with 6, down to 0.34× with 14; the AVX2 kernel
// 1.5×, 1.2×, 1.0×, 0.90× and 0.53×.
const maxPoolBackVecMinOW = 6

// MaxPool2dBackward writes dx (overwriting it): each dy is added at the
// input position idx recorded by MaxPool2d, in output order within a plane.
// Windows of 2×2 at a stride of 2 across and at least 2 down do not
// overlap, so each input position gets one dy at most: there the vector
// kernel, where there is one (maxPool2x2BackVec), writes each window whole
// (and a plane they tile needs no clearing first).
func MaxPool2dBackward(dx, dy []float32, idx []int32, planes int, g Pool2dGeom) {
	hw, ohw := g.H*g.W, g.OH*g.OW
	if g.pairs() {
		ParallelFor(planes, max(1, planeGrain/ohw), func(lo, hi int) {
			maxPool2x2PairsBack(dx[lo*hw:hi*hw], dy[lo*ohw:hi*ohw], idx[lo*ohw:hi*ohw], hi-lo, g.OH, g.OW)
		})
		return
	}
	windows := maxPool2x2BackVec != nil && g.OW >= maxPoolBackVecMinOW && g.plain2x2() && g.StrideW == 2 && g.StrideH >= 2
	tiled := windows && g.W == 2*g.OW && g.H == 2*g.OH && g.StrideH == 2
	ParallelFor(planes, max(1, planeGrain/ohw), func(lo, hi int) {
		for p := lo; p < hi; p++ {
			in := dx[p*hw : (p+1)*hw]
			oi, d := idx[p*ohw:(p+1)*ohw], dy[p*ohw:(p+1)*ohw]
			if !tiled {
				clear(in)
			}
			if windows {
				maxPool2x2BackVec(in, d, oi, g.OW, g.OH, 0, g.W, g.StrideH)
				continue
			}
			if g.DilH > 1 || g.DilW > 1 { // a window wholly in the padding has index −1
				for j, v := range d {
					if k := oi[j]; k >= 0 {
						in[k] += v
					}
				}
				continue
			}
			for j, v := range d {
				in[oi[j]] += v
			}
		}
	})
}

// AvgPool2dBackward writes dx (overwriting it): each dy, divided as in
// AvgPool2d, is added to every in-bounds position of its window.
func AvgPool2dBackward(dx, dy []float32, planes int, g Pool2dGeom) {
	hw, ohw := g.H*g.W, g.OH*g.OW
	plain := g.plain2x2()
	ParallelFor(planes, max(1, planeGrain/ohw), func(lo, hi int) {
		for p := lo; p < hi; p++ {
			in := dx[p*hw : (p+1)*hw]
			clear(in)
			for oh := 0; oh < g.OH; oh++ {
				h0, h1 := span(oh, g.StrideH, g.PadH, g.KH, g.H)
				if plain {
					// As below, without the bounds and divisor at every
					// window: 2×2 windows without padding lie in the plane.
					r0, r1 := in[h0*g.W:(h0+1)*g.W], in[(h0+1)*g.W:(h0+2)*g.W]
					for ow, d := range dy[p*ohw+oh*g.OW:][:g.OW] {
						w := ow * g.StrideW
						a, b := r0[w:w+2:w+2], r1[w:w+2:w+2]
						d /= 4
						a[0] += d
						a[1] += d
						b[0] += d
						b[1] += d
					}
					continue
				}
				for ow, d := range dy[p*ohw+oh*g.OW:][:g.OW] {
					w0, w1 := span(ow, g.StrideW, g.PadW, g.KW, g.W)
					d /= g.divisor(h0, h1, w0, w1)
					for h := h0; h < h1; h++ {
						row := in[h*g.W+w0 : h*g.W+w1]
						for w := range row {
							row[w] += d
						}
					}
				}
			}
		}
	})
}
