package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// smallGeoms are layers with output rows narrower than pixMinOW, for
// directSmallConv: odd sizes, 1×1 planes under a 3×3 filter, stride 2 (on
// small inputs, smallStridedX), blocks of images with a ragged last call,
// and input channels cut into
// parts (forward: 300·9 taps; backward-input: 320·9).
var smallGeoms = []Conv2dGeom{
	{N: 9, C: 3, H: 4, W: 4, K: 32, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1, DilH: 1, DilW: 1, Groups: 1},
	{N: 15, C: 64, H: 5, W: 3, K: 64, R: 3, S: 2, StrideH: 1, StrideW: 1, PadH: 1, DilH: 1, DilW: 1, Groups: 1},
	{N: 17, C: 300, H: 4, W: 4, K: 32, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1, DilH: 1, DilW: 1, Groups: 1},
	{N: 43, C: 32, H: 7, W: 7, K: 64, R: 3, S: 3, StrideH: 2, StrideW: 2, PadH: 1, PadW: 1, DilH: 1, DilW: 1, Groups: 1},
	{N: 10, C: 32, H: 1, W: 1, K: 32, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1, DilH: 1, DilW: 1, Groups: 1},
	{N: 8, C: 32, H: 3, W: 3, K: 320, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1, DilH: 1, DilW: 1, Groups: 1},
	{N: 12, C: 16, H: 6, W: 5, K: 32, R: 2, S: 3, StrideH: 2, StrideW: 2, PadW: 1, DilH: 1, DilW: 1, Groups: 1},
}

// smallArchs are the kernel sets directSmallConv is tested on: this CPU's
// and the Go twins of the 16- and 32-channel gathered-tap pixel kernels.
func smallArchs() []*convArch {
	archs := []*convArch{
		{name: "go16", pixGKB: 16, pixGMax: 6, pixG: func(p int, in []float32, offs []int, w, y []float32, ldy int) {
			convPixGGo(16, p, in, offs, w, y, ldy)
		}},
		{name: "go32", pixGKB: 32, pixGMax: 14, pixG: func(p int, in []float32, offs []int, w, y []float32, ldy int) {
			convPixGGo(32, p, in, offs, w, y, ldy)
		}},
	}
	for _, a := range convArchs {
		if a.pixG != nil {
			archs = append(archs, a)
		}
	}
	return archs
}

// TestConvSmall checks directSmallConv's forward and backward-input passes
// against the float64 reference, and that its epilogue gives the bits of
// the plain pass followed by Epilogue.apply.
func TestConvSmall(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 31))
	for _, g := range smallGeoms {
		g = withOut(g)
		if directArch != nil && directArch.pixG != nil && !g.directSmall() {
			t.Fatalf("%+v: directSmall false", g)
		}
		x, w, dy, wantY, wantDx, absY, absDx := randCorrelation(rng, g)
		crs := g.C * g.R * g.S
		for _, arch := range smallArchs() {
			name := fmt.Sprintf("%s/%+v", arch.name, g)
			y := nanSlice(len(wantY))
			directSmallConv(arch, y, x, chunkWeights(w, crs), g, nil)
			checkSum(t, name+": y", y, wantY, absY, crs)
			// Large values: x scaled by 2²⁰ scales every product and sum
			// exactly, so y's bits must scale too.
			const big = 1 << 20
			xb := make([]float32, len(x))
			for i, v := range x {
				xb[i] = v * big
			}
			yb := nanSlice(len(y))
			directSmallConv(arch, yb, xb, chunkWeights(w, crs), g, nil)
			for i, v := range y {
				if yb[i] != v*big {
					t.Fatalf("%s: with x·2²⁰, y[%d] = %g, want %g", name, i, yb[i], v*big)
				}
			}
			bg := g.backwardInputGeom()
			if g.StrideH == 1 && bg.K%arch.pixGKB == 0 {
				dx := nanSlice(len(wantDx))
				directSmallConv(arch, dx, dy, chunkWeightsFlipped(w, &g), bg, nil)
				checkSum(t, name+": dx", dx, wantDx, absDx, g.K*g.R*g.S)
			}

			checkConvEpilogue(t, name, rng, g, func(y []float32, e *Epilogue) { directSmallConv(arch, y, x, chunkWeights(w, crs), g, e) })
		}
	}
}

// TestConvSmallBounds: directSmall leaves to the GEMM what its scratch or
// kernels would not suit: more than smallMaxParts parts of input channels,
// fewer than pixMinOW images, rows of pixMinOW or more, strides that
// differ, stride 2 on more input than smallStridedX.
func TestConvSmallBounds(t *testing.T) {
	if directArch == nil || directArch.pixG == nil {
		t.Skip("no gathered-tap pixel kernel on this CPU")
	}
	base := Conv2dGeom{N: 9, C: 64, H: 4, W: 4, K: 32, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1, DilH: 1, DilW: 1, Groups: 1}
	if g := withOut(base); !g.directSmall() {
		t.Fatalf("%+v: directSmall false", g)
	}
	for _, change := range []func(g *Conv2dGeom){
		func(g *Conv2dGeom) { g.C = smallMaxParts*smallTaps/9 + 1 },
		func(g *Conv2dGeom) { g.N = pixMinOW - 1 },
		func(g *Conv2dGeom) { g.W = pixMinOW },
		func(g *Conv2dGeom) { g.StrideH, g.StrideW = 2, 1 },
		func(g *Conv2dGeom) { // stride 2 with more input than smallStridedX
			g.StrideH, g.StrideW = 2, 2
			g.N = smallStridedX/(g.C*(g.H+2)*(g.W+2)) + 1
		},
	} {
		g := base
		change(&g)
		if g = withOut(g); g.directSmall() {
			t.Fatalf("%+v: directSmall true", g)
		}
	}
}

// checkSum fails t where a got[i], a float32 sum of n terms whose
// absolute values sum to abs[i], differs from want[i] by more than
// (n+2)·2⁻²⁴·abs[i] (Higham's γₙ: device's "accumulate" tolerance), NaN
// included.
func checkSum(t *testing.T, name string, got []float32, want, abs []float64, n int) {
	t.Helper()
	for i, v := range want {
		if !(math.Abs(float64(got[i])-v) <= float64(n+2)*0x1p-24*abs[i]) {
			t.Fatalf("%s[%d] = %g, want %g (Σ|term| %g)", name, i, got[i], v, abs[i])
		}
	}
}

// randCorrelation returns random x, w and dy for a g of one group, the
// float64 forward pass and input gradient, and their sums of |term|.
func randCorrelation(rng *rand.Rand, g Conv2dGeom) (x, w, dy []float32, y, dx, absY, absDx []float64) {
	x = randSlice(rng, g.N*g.C*g.H*g.W, 1)
	w = randSlice(rng, g.K*g.C*g.R*g.S, 1)
	dy = randSlice(rng, g.N*g.K*g.OH*g.OW, 1)
	y, dx, _ = refConv(x, w, dy, g)
	absY, absDx, _ = refConv(absSlice(x), absSlice(w), absSlice(dy), g)
	return x, w, dy, y, dx, absY, absDx
}

// absSlice returns |v| for each v of s.
func absSlice(s []float32) []float32 {
	a := make([]float32, len(s))
	for i, v := range s {
		a[i] = float32(math.Abs(float64(v)))
	}
	return a
}
