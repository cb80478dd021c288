package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

var poolGeoms = []Pool2dGeom{
	{H: 4, W: 4, KH: 2, KW: 2, StrideH: 2, StrideW: 2},
	{H: 5, W: 7, KH: 3, KW: 3, StrideH: 2, StrideW: 2, PadH: 1, PadW: 1},
	{H: 5, W: 7, KH: 3, KW: 2, StrideH: 1, StrideW: 3, PadH: 1, PadW: 1, CountIncludePad: true},
	{H: 1, W: 1, KH: 1, KW: 1, StrideH: 1, StrideW: 1},
	{H: 28, W: 28, KH: 2, KW: 2, StrideH: 2, StrideW: 2},
	{H: 5, W: 6, KH: 2, KW: 2, StrideH: 1, StrideW: 1},
	{H: 7, W: 7, KH: 2, KW: 2, StrideH: 3, StrideW: 2},
	{H: 13, W: 13, KH: 2, KW: 2, StrideH: 2, StrideW: 2}, // a last row and column no window reads
	{H: 15, W: 14, KH: 2, KW: 2, StrideH: 3, StrideW: 2}, // a row between the pairs
}

// refPool computes max (value and index, first max wins) or average pooling
// and both backward passes of plane-major input in float64.
func refPool(x, dy []float32, planes int, g Pool2dGeom, maxMode bool) (y []float64, idx []int, dx []float64) {
	y, idx, dx = make([]float64, planes*g.OH*g.OW), make([]int, planes*g.OH*g.OW), make([]float64, planes*g.H*g.W)
	for p := 0; p < planes; p++ {
		for oh := 0; oh < g.OH; oh++ {
			for ow := 0; ow < g.OW; ow++ {
				o := (p*g.OH+oh)*g.OW + ow
				best, bi, sum, count := math.Inf(-1), -1, 0.0, 0
				for kh := 0; kh < g.KH; kh++ {
					for kw := 0; kw < g.KW; kw++ {
						h, w := oh*g.StrideH-g.PadH+kh, ow*g.StrideW-g.PadW+kw
						if h < 0 || h >= g.H || w < 0 || w >= g.W {
							continue
						}
						v := float64(x[(p*g.H+h)*g.W+w])
						if v > best {
							best, bi = v, h*g.W+w
						}
						sum += v
						count++
					}
				}
				if g.CountIncludePad {
					count = g.KH * g.KW
				}
				if maxMode {
					y[o], idx[o] = best, bi
					dx[p*g.H*g.W+bi] += float64(dy[o])
					continue
				}
				y[o] = sum / float64(count)
				for kh := 0; kh < g.KH; kh++ {
					for kw := 0; kw < g.KW; kw++ {
						h, w := oh*g.StrideH-g.PadH+kh, ow*g.StrideW-g.PadW+kw
						if h >= 0 && h < g.H && w >= 0 && w < g.W {
							dx[(p*g.H+h)*g.W+w] += float64(dy[o]) / float64(count)
						}
					}
				}
			}
		}
	}
	return y, idx, dx
}

func TestPool2d(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	for _, g := range poolGeoms {
		g.OH, g.OW = (g.H+2*g.PadH-g.KH)/g.StrideH+1, (g.W+2*g.PadW-g.KW)/g.StrideW+1
		const planes = 6
		x := make([]float32, planes*g.H*g.W)
		for i := range x {
			x[i] = float32(rng.IntN(7)) // ties: the first max must win
		}
		dy := randSlice(rng, planes*g.OH*g.OW, 1)
		for _, maxMode := range []bool{true, false} {
			wantY, wantIdx, wantDx := refPool(x, dy, planes, g, maxMode)
			y, idx, dx := make([]float32, len(wantY)), make([]int32, len(wantY)), make([]float32, len(wantDx))
			for i := range dx {
				dx[i] = float32(math.NaN()) // backward must overwrite
			}
			if maxMode {
				MaxPool2d(y, idx, x, planes, g)
				MaxPool2dBackward(dx, dy, idx, planes, g)
			} else {
				AvgPool2d(y, x, planes, g)
				AvgPool2dBackward(dx, dy, planes, g)
			}
			for i, w := range wantY {
				if !(math.Abs(float64(y[i])-w) <= 1e-6) || (maxMode && int(idx[i]) != wantIdx[i]) { // NaN fails
					t.Fatalf("%+v max=%v: y[%d] = %g (idx %d), want %g (idx %d)", g, maxMode, i, y[i], idx[i], w, wantIdx[i])
				}
			}
			for i, w := range wantDx {
				if !(math.Abs(float64(dx[i])-w) <= 1e-5) { // NaN (not overwritten) fails
					t.Fatalf("%+v max=%v: dx[%d] = %g, want %g", g, maxMode, i, dx[i], w)
				}
			}
		}
	}
}

// TestMaxPool2dSpecialValues checks the tie and NaN rules on one 2×3 plane
// pooled by 2×1 and 2×2 windows: −0 ties with +0 (the first wins), a NaN wins over
// anything, and the first NaN wins over a later one.
func TestMaxPool2dSpecialValues(t *testing.T) {
	nan, negZero := float32(math.NaN()), float32(math.Copysign(0, -1))
	x := []float32{
		negZero, 5, nan,
		0, nan, nan,
	}
	g := Pool2dGeom{H: 2, W: 3, OH: 1, OW: 3, KH: 2, KW: 1, StrideH: 1, StrideW: 1}
	y, idx := make([]float32, 3), make([]int32, 3)
	MaxPool2d(y, idx, x, 1, g)
	if math.Float32bits(y[0]) != math.Float32bits(negZero) || idx[0] != 0 {
		t.Errorf("window (−0, +0): got %g at %d, want −0 at 0", y[0], idx[0])
	}
	if !math.IsNaN(float64(y[1])) || idx[1] != 4 {
		t.Errorf("window (5, NaN): got %g at %d, want NaN at 4", y[1], idx[1])
	}
	if !math.IsNaN(float64(y[2])) || idx[2] != 2 {
		t.Errorf("window (NaN, NaN): got %g at %d, want NaN at 2", y[2], idx[2])
	}
	// The same plane through 2×2 windows, which take another path.
	g = Pool2dGeom{H: 2, W: 3, OH: 1, OW: 2, KH: 2, KW: 2, StrideH: 1, StrideW: 1}
	MaxPool2d(y, idx, x, 1, g)
	if !math.IsNaN(float64(y[0])) || idx[0] != 4 || !math.IsNaN(float64(y[1])) || idx[1] != 2 {
		t.Errorf("2×2 windows: got %v at %v, want NaN at 4 and NaN at 2", y[:2], idx[:2])
	}
}

// TestAvgPool2x2SameBits checks the 2×2 unpadded average pooling loops
// against the general ones, bit for bit: the forward pass against
// avgPoolRow, the backward against its definition (each window's dy /
// divisor added to a cleared plane, window by window, row by row), with
// overlapping and gapped windows, odd sizes, signed zeros, NaNs,
// infinities and values that round.
func TestAvgPool2x2SameBits(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	specials := []float32{0, float32(math.Copysign(0, -1)), float32(math.NaN()), float32(math.Inf(1)), 3e38, 1e-45}
	draw := func(n int) []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(rng.NormFloat64())
			if rng.IntN(5) == 0 {
				v[i] = specials[rng.IntN(len(specials))]
			}
		}
		return v
	}
	same := func(what string, g Pool2dGeom, got, want []float32) {
		t.Helper()
		for i := range want {
			if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
				t.Fatalf("%s %+v: [%d] = %v, want %v", what, g, i, got[i], want[i])
			}
		}
	}
	for _, hw := range [][2]int{{2, 2}, {4, 4}, {5, 7}, {28, 28}, {7, 6}} {
		for _, st := range [][2]int{{1, 1}, {2, 2}, {3, 2}, {2, 1}, {2, 3}} {
			g := Pool2dGeom{H: hw[0], W: hw[1], KH: 2, KW: 2, StrideH: st[0], StrideW: st[1]}
			g.OH, g.OW = (g.H-2)/g.StrideH+1, (g.W-2)/g.StrideW+1
			const planes = 3
			x, dy := draw(planes*g.H*g.W), draw(planes*g.OH*g.OW)
			y, want := make([]float32, planes*g.OH*g.OW), make([]float32, planes*g.OH*g.OW)
			AvgPool2d(y, x, planes, g)
			for p := range planes {
				for oh := range g.OH {
					h0, h1 := span(oh, g.StrideH, 0, 2, g.H)
					avgPoolRow(want[(p*g.OH+oh)*g.OW:][:g.OW], x[p*g.H*g.W:(p+1)*g.H*g.W], h0, h1, &g)
				}
			}
			same("AvgPool2d", g, y, want)
			dx, wantDx := draw(planes*g.H*g.W), make([]float32, planes*g.H*g.W)
			AvgPool2dBackward(dx, dy, planes, g)
			for p := range planes {
				for oh := range g.OH {
					for ow := range g.OW {
						d := dy[(p*g.OH+oh)*g.OW+ow] / 4
						for h := oh * g.StrideH; h < oh*g.StrideH+2; h++ {
							for w := ow * g.StrideW; w < ow*g.StrideW+2; w++ {
								wantDx[(p*g.H+h)*g.W+w] += d
							}
						}
					}
				}
			}
			same("AvgPool2dBackward", g, dx, wantDx)
		}
	}
}
