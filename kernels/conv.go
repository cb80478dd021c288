package kernels

import "sync"

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

// scratch recycles im2col matrices between calls, so steady-state training
// allocates none.
var scratch sync.Pool

// getScratch returns a pooled slice of at least n floats.
func getScratch(n int) *[]float32 {
	if p, ok := scratch.Get().(*[]float32); ok {
		if cap(*p) >= n {
			*p = (*p)[:n]
			return p
		}
	}
	s := make([]float32, n)
	return &s
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

// im2col unfolds cg input planes x into the OH·OW columns of col [cg·R·S,
// ·] whose rows are ld apart; taps that fall in the padding are zero. Rows
// are short (OW elements), so the loops keep the geometry in locals and
// handle the unclipped stride-1 case apart.
func im2col(col, x []float32, ld, cg int, g *Conv2dGeom) {
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
						for ow := lo; ow < hi; ow++ {
							out[ow] = plane[src+ow*sw]
						}
					}
					src += sh * W
				}
			}
		}
	}
}

// col2im is the adjoint of im2col: it adds the OH·OW columns of col
// [cg·R·S, ·], rows ld apart, into the cg planes of dx, in a fixed order.
func col2im(dx, col []float32, ld, cg int, g *Conv2dGeom) {
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
						for i, v := range in {
							plane[src+(lo+i)*sw] += v
						}
					}
					src += sh * W
				}
			}
		}
	}
}

// convColFloats bounds the im2col matrix of one GEMM: the images of a
// convolution are unfolded side by side, as many as fit (at least one), so
// that the small products of a layer with few channels become one larger
// product, packed and run once. A variable, so that tests can cut batches
// into several such chunks.
var convColFloats = 1 << 18

// convChunk returns how many images one GEMM covers. It depends on the
// geometry only, so no result depends on GOMAXPROCS.
func convChunk(g *Conv2dGeom) int {
	_, _, crs, ohw := g.dims()
	return max(1, min(g.N, convColFloats/max(1, crs*ohw)))
}

// convScratch is a chunk's working memory: the im2col matrix [C/G·R·S,
// nb·OH·OW] and the per-group output (or gradient) rows [K/G, nb·OH·OW].
func convScratch(g *Conv2dGeom, nb int) (col, rows *[]float32) {
	_, kg, crs, ohw := g.dims()
	return getScratch(crs * nb * ohw), getScratch(kg * nb * ohw)
}

// Conv2d computes y = conv(x, w): for each chunk of images and group, the
// images' im2col matrices side by side, one GEMM Y_g [K/G, nb·OH·OW] =
// W_g [K/G, C/G·R·S] · col, and the rows scattered to the images' planes.
// Chunks run in parallel. A pointwise convolution multiplies the input
// planes as they are, image by image.
func Conv2d(y, x, w []float32, g Conv2dGeom) {
	cg, kg, crs, ohw := g.dims()
	hw := g.H * g.W
	if g.pointwise() {
		ParallelFor(g.N, 1, func(lo, hi int) {
			for n := lo; n < hi; n++ {
				for gi := 0; gi < g.Groups; gi++ {
					Sgemm(false, false, kg, ohw, crs, 1, w[gi*kg*crs:], crs, x[(n*g.C+gi*cg)*hw:], ohw, 0, y[(n*g.K+gi*kg)*ohw:], ohw)
				}
			}
		})
		return
	}
	nb := convChunk(&g)
	ParallelFor(ceilDiv(g.N, nb), 1, func(lo, hi int) {
		col, rows := convScratch(&g, nb)
		defer scratch.Put(col)
		defer scratch.Put(rows)
		for ch := lo; ch < hi; ch++ {
			n0, n1 := ch*nb, min(g.N, (ch+1)*nb)
			ld := (n1 - n0) * ohw
			for gi := 0; gi < g.Groups; gi++ {
				for n := n0; n < n1; n++ {
					im2col((*col)[(n-n0)*ohw:], x[(n*g.C+gi*cg)*hw:], ld, cg, &g)
				}
				Sgemm(false, false, kg, ld, crs, 1, w[gi*kg*crs:], crs, *col, ld, 0, *rows, ld)
				for n := n0; n < n1; n++ {
					for k := 0; k < kg; k++ {
						copy(y[(n*g.K+gi*kg+k)*ohw:][:ohw], (*rows)[k*ld+(n-n0)*ohw:])
					}
				}
			}
		}
	})
}

// Conv2dBackwardInput writes dx (overwriting it) from dy and w: for each
// chunk of images and group, the images' gradient rows side by side,
// col = W_gᵀ · dY_g, then col2im image by image. Chunks run in parallel.
func Conv2dBackwardInput(dx, dy, w []float32, g Conv2dGeom) {
	cg, kg, crs, ohw := g.dims()
	hw := g.H * g.W
	if g.pointwise() {
		ParallelFor(g.N, 1, func(lo, hi int) {
			for n := lo; n < hi; n++ {
				for gi := 0; gi < g.Groups; gi++ {
					dxg := dx[(n*g.C+gi*cg)*hw : (n*g.C+(gi+1)*cg)*hw]
					Sgemm(true, false, crs, ohw, kg, 1, w[gi*kg*crs:], crs, dy[(n*g.K+gi*kg)*ohw:], ohw, 0, dxg, ohw)
				}
			}
		})
		return
	}
	nb := convChunk(&g)
	ParallelFor(ceilDiv(g.N, nb), 1, func(lo, hi int) {
		col, rows := convScratch(&g, nb)
		defer scratch.Put(col)
		defer scratch.Put(rows)
		for ch := lo; ch < hi; ch++ {
			n0, n1 := ch*nb, min(g.N, (ch+1)*nb)
			ld := (n1 - n0) * ohw
			for gi := 0; gi < g.Groups; gi++ {
				gatherRows(*rows, dy, n0, n1, gi, kg, ld, &g)
				Sgemm(true, false, crs, ld, kg, 1, w[gi*kg*crs:], crs, *rows, ld, 0, *col, ld)
				for n := n0; n < n1; n++ {
					dxg := dx[(n*g.C+gi*cg)*hw : (n*g.C+(gi+1)*cg)*hw]
					clear(dxg)
					col2im(dxg, (*col)[(n-n0)*ohw:], ld, cg, &g)
				}
			}
		}
	})
}

// gatherRows lays the group-gi planes of dy for images [n0, n1) side by
// side: rows[k][(n−n0)·OH·OW + o] = dy[n][gi·K/G + k][o].
func gatherRows(rows, dy []float32, n0, n1, gi, kg, ld int, g *Conv2dGeom) {
	ohw := g.OH * g.OW
	for n := n0; n < n1; n++ {
		for k := 0; k < kg; k++ {
			copy(rows[k*ld+(n-n0)*ohw:][:ohw], dy[(n*g.K+gi*kg+k)*ohw:])
		}
	}
}

// Conv2dBackwardWeight sums at most wgradParts partial weight gradients,
// holding at most wgradScratch floats. The chunks of images are split into
// a number of fixed ranges that depends on the shapes only, never on
// GOMAXPROCS, so the summation order, and the result, never change.
const (
	wgradParts   = 8
	wgradScratch = 1 << 22
)

// Conv2dBackwardWeight writes dw (overwriting it) from x and dy:
// dW_g = Σ dY_g · colᵀ over chunks of images laid side by side, as in
// Conv2d. Fixed ranges of chunks accumulate partial sums in parallel, which
// are then added in range order.
func Conv2dBackwardWeight(dw, x, dy []float32, g Conv2dGeom) {
	cg, kg, crs, ohw := g.dims()
	hw, size := g.H*g.W, g.K*crs
	nb := 1
	if !g.pointwise() {
		nb = convChunk(&g)
	}
	chunks := ceilDiv(g.N, nb)
	parts := min(chunks, wgradParts, max(1, wgradScratch/size))
	var partial *[]float32
	if parts > 1 {
		partial = getScratch((parts - 1) * size)
		defer scratch.Put(partial)
	}
	ParallelFor(parts, 1, func(lo, hi int) {
		var col, rows *[]float32
		if !g.pointwise() {
			col, rows = convScratch(&g, nb)
			defer scratch.Put(col)
			defer scratch.Put(rows)
		}
		for part := lo; part < hi; part++ {
			out := dw
			if part > 0 {
				out = (*partial)[(part-1)*size : part*size]
			}
			c0, c1 := part*chunks/parts, (part+1)*chunks/parts
			for ch := c0; ch < c1; ch++ {
				var beta float32
				if ch > c0 {
					beta = 1
				}
				n0, n1 := ch*nb, min(g.N, (ch+1)*nb)
				ld := (n1 - n0) * ohw
				for gi := 0; gi < g.Groups; gi++ {
					if g.pointwise() {
						Sgemm(false, true, kg, crs, ohw, 1, dy[(n0*g.K+gi*kg)*ohw:], ohw, x[(n0*g.C+gi*cg)*hw:], ohw, beta, out[gi*kg*crs:], crs)
						continue
					}
					for n := n0; n < n1; n++ {
						im2col((*col)[(n-n0)*ohw:], x[(n*g.C+gi*cg)*hw:], ld, cg, &g)
					}
					gatherRows(*rows, dy, n0, n1, gi, kg, ld, &g)
					Sgemm(false, true, kg, crs, ld, 1, *rows, ld, *col, ld, beta, out[gi*kg*crs:], crs)
				}
			}
		}
	})
	if parts > 1 {
		ParallelFor(size, elemGrain, func(lo, hi int) {
			d := dw[lo:hi]
			for part := 1; part < parts; part++ {
				for i, v := range (*partial)[(part-1)*size+lo : (part-1)*size+hi] {
					d[i] += v
				}
			}
		})
	}
}
