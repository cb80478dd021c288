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

// im2col unfolds cg input planes x into col [cg·R·S, OH·OW]; taps that fall
// in the padding are zero. Rows are short (OW elements), so the loops keep
// the geometry in locals and handle the unclipped stride-1 case apart.
func im2col(col, x []float32, cg int, g *Conv2dGeom) {
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
				row := col[k*ohw : (k+1)*ohw]
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

// col2im is the adjoint of im2col: it adds col [cg·R·S, OH·OW] into the cg
// planes of dx, in a fixed order.
func col2im(dx, col []float32, cg int, g *Conv2dGeom) {
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
				row := col[k*ohw : (k+1)*ohw]
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

// Conv2d computes y = conv(x, w) image by image: im2col, then one GEMM per
// group, Y_g [K/G, OH·OW] = W_g [K/G, C/G·R·S] · col, or, for stride-1
// layers with few channels, a direct convolution (conv_direct.go). Images
// run in parallel.
// The GEMM applies e (nil: none), with its bias indexed by output channel
// (e.BiasRows is ignored) and its Residual and ActOut laid out as y.
func Conv2d(y, x, w []float32, g Conv2dGeom, e *Epilogue) {
	cg, kg, crs, ohw := g.dims()
	if g.direct() {
		directConv(directArch, y, x, func(k, t int) float32 { return w[k*crs+t] }, g, e)
		return
	}
	hw := g.H * g.W
	ParallelFor(g.N, 1, func(lo, hi int) {
		var col *[]float32
		if !g.pointwise() {
			col = getScratch(crs * ohw)
			defer scratch.Put(col)
		}
		var ge *Epilogue // e for the current image and group
		if !e.none() {
			ge = new(Epilogue)
		}
		for n := lo; n < hi; n++ {
			for gi := 0; gi < g.Groups; gi++ {
				xg := x[(n*g.C+gi*cg)*hw:]
				b := xg
				if col != nil {
					im2col(*col, xg, cg, &g)
					b = *col
				}
				at := (n*g.K + gi*kg) * ohw
				if ge != nil {
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
				}
				SgemmEpilogue(false, false, kg, ohw, crs, 1, w[gi*kg*crs:], crs, b, ohw, 0, y[at:], ohw, ge)
			}
		}
	})
}

// Conv2dBackwardInput writes dx (overwriting it) from dy and w: per image and
// group, col = W_gᵀ · dY_g, then col2im, or the direct convolution of dy
// with the flipped weights where Conv2d runs direct. Images run in parallel.
func Conv2dBackwardInput(dx, dy, w []float32, g Conv2dGeom) {
	if g.direct() {
		directBackwardInput(directArch, dx, dy, w, g)
		return
	}
	cg, kg, crs, ohw := g.dims()
	hw := g.H * g.W
	ParallelFor(g.N, 1, func(lo, hi int) {
		var col *[]float32
		if !g.pointwise() {
			col = getScratch(crs * ohw)
			defer scratch.Put(col)
		}
		for n := lo; n < hi; n++ {
			for gi := 0; gi < g.Groups; gi++ {
				dxg := dx[(n*g.C+gi*cg)*hw : (n*g.C+(gi+1)*cg)*hw]
				dyg := dy[(n*g.K+gi*kg)*ohw:]
				if col == nil {
					Sgemm(true, false, crs, ohw, kg, 1, w[gi*kg*crs:], crs, dyg, ohw, 0, dxg, ohw)
					continue
				}
				Sgemm(true, false, crs, ohw, kg, 1, w[gi*kg*crs:], crs, dyg, ohw, 0, *col, ohw)
				clear(dxg)
				col2im(dxg, *col, cg, &g)
			}
		}
	})
}

// Conv2dBackwardWeight sums at most wgradParts partial weight gradients,
// holding at most wgradScratch floats. The images are split into a number
// of fixed ranges that depends on the shapes only, never on GOMAXPROCS, so
// the summation order, and the result, never change.
const (
	wgradParts   = 8
	wgradScratch = 1 << 22
)

// Conv2dBackwardWeight writes dw (overwriting it) from x and dy:
// dW_g = Σₙ dY_g[n] · col[n]ᵀ (or its direct form for stride-1 layers
// with few channels). Fixed ranges of images accumulate partial sums in parallel,
// which are then added in range order.
func Conv2dBackwardWeight(dw, x, dy []float32, g Conv2dGeom) {
	_, _, crs, _ := g.dims()
	size := g.K * crs
	parts := min(g.N, wgradParts, max(1, wgradScratch/size))
	var partial *[]float32
	if parts > 1 {
		partial = getScratch((parts - 1) * size)
		defer scratch.Put(partial)
	}
	if g.directWgrad() {
		var p []float32
		if partial != nil {
			p = *partial
		}
		directBackwardWeight(directArch, dw, x, dy, g, parts, p)
	} else {
		wgradGemm(dw, x, dy, g, parts, partial)
	}
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

// wgradGemm writes the parts of the weight gradient, the first to dw and
// the others to partial, by im2col and GEMM.
func wgradGemm(dw, x, dy []float32, g Conv2dGeom, parts int, partial *[]float32) {
	cg, kg, crs, ohw := g.dims()
	hw, size := g.H*g.W, g.K*crs
	ParallelFor(parts, 1, func(lo, hi int) {
		var col *[]float32
		if !g.pointwise() {
			col = getScratch(crs * ohw)
			defer scratch.Put(col)
		}
		for part := lo; part < hi; part++ {
			out := dw
			if part > 0 {
				out = (*partial)[(part-1)*size : part*size]
			}
			n0, n1 := part*g.N/parts, (part+1)*g.N/parts
			for n := n0; n < n1; n++ {
				var beta float32
				if n > n0 {
					beta = 1
				}
				for gi := 0; gi < g.Groups; gi++ {
					b := x[(n*g.C+gi*cg)*hw:]
					if col != nil {
						im2col(*col, b, cg, &g)
						b = *col
					}
					Sgemm(false, true, kg, crs, ohw, 1, dy[(n*g.K+gi*kg)*ohw:], ohw, b, ohw, beta, out[gi*kg*crs:], crs)
				}
			}
		}
	})
}
