package kernels

// Pool2dGeom is the geometry of 2-D pooling over planes of H×W into OH×OW.
type Pool2dGeom struct {
	H, W, OH, OW     int
	KH, KW           int
	StrideH, StrideW int
	PadH, PadW       int
	CountIncludePad  bool // average pooling divides by KH·KW, padding included
}

// window returns the in-bounds rows [h0, h1) and columns [w0, w1) of the
// window of output (oh, ow).
func (g *Pool2dGeom) window(oh, ow int) (h0, h1, w0, w1 int) {
	h0 = oh*g.StrideH - g.PadH
	w0 = ow*g.StrideW - g.PadW
	return max(h0, 0), min(h0+g.KH, g.H), max(w0, 0), min(w0+g.KW, g.W)
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
// a NaN wins over numbers, and the first of equal maxima wins.
func MaxPool2d(y []float32, idx []int32, x []float32, planes int, g Pool2dGeom) {
	hw, ohw := g.H*g.W, g.OH*g.OW
	ParallelFor(planes, max(1, planeGrain/ohw), func(lo, hi int) {
		for p := lo; p < hi; p++ {
			in := x[p*hw : (p+1)*hw]
			out, oi := y[p*ohw:(p+1)*ohw], idx[p*ohw:(p+1)*ohw]
			for oh := 0; oh < g.OH; oh++ {
				for ow := 0; ow < g.OW; ow++ {
					h0, h1, w0, w1 := g.window(oh, ow)
					// The max first, without data-dependent branches, then
					// the first position holding it.
					best := in[h0*g.W+w0]
					for h := h0; h < h1; h++ {
						for _, v := range in[h*g.W+w0 : h*g.W+w1] {
							best = max(best, v)
						}
					}
					out[oh*g.OW+ow], oi[oh*g.OW+ow] = best, int32(firstIndex(in, best, h0, h1, w0, w1, g.W))
				}
			}
		}
	})
}

// firstIndex returns the row-major index of the first element of the window
// [h0, h1)×[w0, w1) of plane (width w) equal to v, or the first NaN when v
// is NaN.
func firstIndex(plane []float32, v float32, h0, h1, w0, w1, w int) int {
	nan := v != v
	for h := h0; h < h1; h++ {
		for j, x := range plane[h*w+w0 : h*w+w1] {
			if x == v || (nan && x != x) {
				return h*w + w0 + j
			}
		}
	}
	return h0*w + w0
}

// AvgPool2d writes the mean of each window of each input plane into y.
func AvgPool2d(y, x []float32, planes int, g Pool2dGeom) {
	hw, ohw := g.H*g.W, g.OH*g.OW
	ParallelFor(planes, max(1, planeGrain/ohw), func(lo, hi int) {
		for p := lo; p < hi; p++ {
			in, out := x[p*hw:(p+1)*hw], y[p*ohw:(p+1)*ohw]
			for oh := 0; oh < g.OH; oh++ {
				for ow := 0; ow < g.OW; ow++ {
					h0, h1, w0, w1 := g.window(oh, ow)
					var s float32
					for h := h0; h < h1; h++ {
						for _, v := range in[h*g.W+w0 : h*g.W+w1] {
							s += v
						}
					}
					out[oh*g.OW+ow] = s / g.divisor(h0, h1, w0, w1)
				}
			}
		}
	})
}

// MaxPool2dBackward writes dx (overwriting it): each dy is added at the
// input position idx recorded by MaxPool2d, in output order within a plane.
func MaxPool2dBackward(dx, dy []float32, idx []int32, planes int, g Pool2dGeom) {
	hw, ohw := g.H*g.W, g.OH*g.OW
	ParallelFor(planes, max(1, planeGrain/ohw), func(lo, hi int) {
		for p := lo; p < hi; p++ {
			in := dx[p*hw : (p+1)*hw]
			clear(in)
			oi := idx[p*ohw : (p+1)*ohw]
			for j, d := range dy[p*ohw : (p+1)*ohw] {
				in[oi[j]] += d
			}
		}
	})
}

// AvgPool2dBackward writes dx (overwriting it): each dy, divided as in
// AvgPool2d, is added to every in-bounds position of its window.
func AvgPool2dBackward(dx, dy []float32, planes int, g Pool2dGeom) {
	hw, ohw := g.H*g.W, g.OH*g.OW
	ParallelFor(planes, max(1, planeGrain/ohw), func(lo, hi int) {
		for p := lo; p < hi; p++ {
			in, out := dx[p*hw:(p+1)*hw], dy[p*ohw:(p+1)*ohw]
			clear(in)
			for oh := 0; oh < g.OH; oh++ {
				for ow := 0; ow < g.OW; ow++ {
					h0, h1, w0, w1 := g.window(oh, ow)
					d := out[oh*g.OW+ow] / g.divisor(h0, h1, w0, w1)
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
