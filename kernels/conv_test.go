package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

var convGeoms = []Conv2dGeom{
	{N: 2, C: 1, H: 8, W: 8, K: 3, R: 3, S: 3, StrideH: 1, StrideW: 1, DilH: 1, DilW: 1, Groups: 1},
	{N: 3, C: 4, H: 7, W: 9, K: 6, R: 3, S: 2, StrideH: 2, StrideW: 3, PadH: 1, PadW: 2, DilH: 1, DilW: 2, Groups: 2},
	{N: 1, C: 6, H: 5, W: 5, K: 6, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 2, PadW: 1, DilH: 2, DilW: 1, Groups: 6},
	{N: 5, C: 3, H: 4, W: 6, K: 2, R: 1, S: 1, StrideH: 1, StrideW: 1, DilH: 1, DilW: 1, Groups: 1},
	{N: 9, C: 2, H: 6, W: 5, K: 4, R: 1, S: 1, StrideH: 2, StrideW: 1, PadH: 1, DilH: 1, DilW: 1, Groups: 1},
	{N: 1, C: 1, H: 1, W: 1, K: 1, R: 1, S: 1, StrideH: 1, StrideW: 1, DilH: 1, DilW: 1, Groups: 1},
	// Images share products (Conv2dGeom.batch) in batches of two with a
	// last one of one image, and across the weight gradient's parts.
	{N: 19, C: 6, H: 19, W: 17, K: 4, R: 3, S: 3, StrideH: 2, StrideW: 2, PadH: 1, PadW: 1, DilH: 1, DilW: 1, Groups: 2},
	{N: 7, C: 3, H: 20, W: 21, K: 5, R: 2, S: 3, StrideH: 2, StrideW: 2, PadH: 1, DilH: 1, DilW: 1, Groups: 1},
	// Stride 1 but not direct (groups; more than directMaxC channels):
	// the input gradient is the flipped convolution's forward pass, but
	// on fewer than flipMinCols output columns (2×7×4) col2im's.
	{N: 3, C: 6, H: 7, W: 6, K: 4, R: 3, S: 2, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1, DilH: 1, DilW: 1, Groups: 2},
	{N: 3, C: 66, H: 5, W: 4, K: 3, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 2, PadW: 1, DilH: 1, DilW: 1, Groups: 1},
	{N: 2, C: 66, H: 5, W: 4, K: 3, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 2, PadW: 1, DilH: 1, DilW: 1, Groups: 1},
	// Direct where the 32-channel pixel kernel runs (directWide): more
	// than directMaxC channels, a multiple of 32 each way, rows of 8.
	{N: 2, C: 96, H: 3, W: 8, K: 32, R: 1, S: 3, StrideH: 1, StrideW: 1, PadW: 1, DilH: 1, DilW: 1, Groups: 1},
	// The weight gradient by the wgradPix kernel (directWgradPix), over
	// three parts.
	{N: 3, C: 5, H: 9, W: 8, K: 32, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1, DilH: 1, DilW: 1, Groups: 1},
	// Stride 2: the forward pass direct (directStrided), the weight
	// gradient by wgradPix; odd sizes, and a 1×1 filter.
	{N: 3, C: 4, H: 9, W: 17, K: 32, R: 3, S: 3, StrideH: 2, StrideW: 2, PadH: 1, PadW: 1, DilH: 1, DilW: 1, Groups: 1},
	{N: 2, C: 6, H: 6, W: 18, K: 64, R: 3, S: 3, StrideH: 2, StrideW: 2, DilH: 1, DilW: 1, Groups: 1},
	{N: 2, C: 7, H: 5, W: 18, K: 32, R: 1, S: 1, StrideH: 2, StrideW: 2, DilH: 1, DilW: 1, Groups: 1},
	// Rows narrower than pixMinOW, 9 images: with AVX2 alone, the
	// forward and backward-input passes with the images as pixels
	// (directSmall).
	{N: 9, C: 16, H: 4, W: 5, K: 32, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1, DilH: 1, DilW: 1, Groups: 1},
}

func withOut(g Conv2dGeom) Conv2dGeom {
	g.OH = (g.H+2*g.PadH-g.DilH*(g.R-1)-1)/g.StrideH + 1
	g.OW = (g.W+2*g.PadW-g.DilW*(g.S-1)-1)/g.StrideW + 1
	return g
}

// refConv computes the forward pass and both gradients by the definition,
// in float64: y[n,k,oh,ow] = Σ x[n,c,ih,iw]·w[k,c',r,s].
func refConv(x, w, dy []float32, g Conv2dGeom) (y, dx, dw []float64) {
	cg, kg := g.C/g.Groups, g.K/g.Groups
	y = make([]float64, g.N*g.K*g.OH*g.OW)
	dx = make([]float64, len(x))
	dw = make([]float64, len(w))
	for n := 0; n < g.N; n++ {
		for k := 0; k < g.K; k++ {
			grp := k / kg
			for oh := 0; oh < g.OH; oh++ {
				for ow := 0; ow < g.OW; ow++ {
					o := ((n*g.K+k)*g.OH+oh)*g.OW + ow
					for c := 0; c < cg; c++ {
						for r := 0; r < g.R; r++ {
							for s := 0; s < g.S; s++ {
								ih, iw := oh*g.StrideH-g.PadH+r*g.DilH, ow*g.StrideW-g.PadW+s*g.DilW
								if ih < 0 || ih >= g.H || iw < 0 || iw >= g.W {
									continue
								}
								xi := ((n*g.C+grp*cg+c)*g.H+ih)*g.W + iw
								wi := ((k*cg+c)*g.R+r)*g.S + s
								y[o] += float64(x[xi]) * float64(w[wi])
								dx[xi] += float64(dy[o]) * float64(w[wi])
								dw[wi] += float64(dy[o]) * float64(x[xi])
							}
						}
					}
				}
			}
		}
	}
	return y, dx, dw
}

// TestConv2d checks the three passes against the definition, packing from
// im2col copies, from the images where that is faster, and from the images
// always (where this CPU can).
func TestConv2d(t *testing.T) {
	for _, mode := range []string{"im2col", "auto", "implicit"} {
		if mode != "im2col" && !convImplicit {
			t.Logf("no implicit-GEMM convolution on this CPU: %s is im2col", mode)
		}
		t.Run(mode, func(t *testing.T) {
			defer func(was, always bool) { convImplicit, convImplicitAlways = was, always }(convImplicit, convImplicitAlways)
			convImplicit = convImplicit && mode != "im2col"
			convImplicitAlways = mode == "implicit"
			testConv2d(t)
		})
	}
}

func testConv2d(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	for _, g := range convGeoms {
		g = withOut(g)
		x := randSlice(rng, g.N*g.C*g.H*g.W, 1)
		w := randSlice(rng, g.K*g.C/g.Groups*g.R*g.S, 1)
		dy := randSlice(rng, g.N*g.K*g.OH*g.OW, 1)
		wantY, wantDx, wantDw := refConv(x, w, dy, g)
		y, dx, dw := nanSlice(len(wantY)), nanSlice(len(wantDx)), nanSlice(len(wantDw))
		Conv2d(y, x, w, g, nil)
		Conv2dBackwardInput(dx, dy, w, g, nil)
		Conv2dBackwardWeight(dw, x, dy, g)
		for _, c := range []struct {
			name string
			got  []float32
			want []float64
		}{{"y", y, wantY}, {"dx", dx, wantDx}, {"dw", dw, wantDw}} {
			for i, v := range c.want {
				if !(math.Abs(float64(c.got[i])-v) <= 1e-5*(1+math.Abs(v))) { // NaN fails too
					t.Fatalf("%+v: %s[%d] = %g, want %g", g, c.name, i, c.got[i], v)
				}
			}
		}
	}
}

// nanSlice returns n NaNs: a kernel that must overwrite its output and
// misses an element leaves a NaN the comparison catches.
func nanSlice(n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(math.NaN())
	}
	return s
}

// TestConv2dDeterministic checks that all three passes give the same bits
// whatever GOMAXPROCS is: direct, by F(2×2, 3×3), and by GEMM over batches
// of images packed from the images (small planes) and from im2col copies;
// with F(2×2, 3×3) turned off too, so that the layers it takes are
// checked the other ways.
func TestConv2dDeterministic(t *testing.T) {
	rng := rand.New(rand.NewPCG(10, 10))
	for _, g := range []Conv2dGeom{
		{N: 13, C: 3, H: 12, W: 12, K: 8, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1, DilH: 1, DilW: 1, Groups: 1},
		{N: 37, C: 66, H: 6, W: 5, K: 9, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1, DilH: 1, DilW: 1, Groups: 1},
		{N: 21, C: 4, H: 19, W: 19, K: 6, R: 3, S: 3, StrideH: 2, StrideW: 2, PadH: 1, PadW: 1, DilH: 1, DilW: 1, Groups: 2},
		// Wide direct passes and the weight gradient by wgradPix, stride
		// 1 and 2.
		{N: 11, C: 96, H: 9, W: 10, K: 64, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1, DilH: 1, DilW: 1, Groups: 1},
		{N: 11, C: 32, H: 9, W: 17, K: 64, R: 3, S: 3, StrideH: 2, StrideW: 2, PadH: 1, PadW: 1, DilH: 1, DilW: 1, Groups: 1},
		// F(2×2, 3×3), both passes, in chunks of 13 tile rows across
		// images of 4 (rows of 9: not the small-plane kernel's).
		{N: 13, C: 64, H: 7, W: 9, K: 80, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1, DilH: 1, DilW: 1, Groups: 1},
	} {
		g = withOut(g)
		x := randSlice(rng, g.N*g.C*g.H*g.W, 1)
		w := randSlice(rng, g.K*g.C/g.Groups*g.R*g.S, 1)
		dy := randSlice(rng, g.N*g.K*g.OH*g.OW, 1)
		for _, wino := range []*winoArch{nil, winogradUse} {
			var want [3][]float32
			// With bigU 0, F(2×2, 3×3) takes every layer's tiles in
			// chunks per thread (winogradChunkRows): the same bits.
			for _, bigU := range []int{winogradBigU, 0} {
				for _, procs := range []int{1, 2, 5} {
					got := [3][]float32{make([]float32, len(dy)), make([]float32, len(x)), make([]float32, len(w))}
					withWinograd(wino, func() {
						withProcs(procs, func() {
							defer func(was int) { winogradBigU = was }(winogradBigU)
							winogradBigU = bigU
							Conv2d(got[0], x, w, g, nil)
							Conv2dBackwardInput(got[1], dy, w, g, nil)
							Conv2dBackwardWeight(got[2], x, dy, g)
						})
					})
					if want[0] == nil {
						want = got
						continue
					}
					for p := range got {
						for i := range got[p] {
							if math.Float32bits(got[p][i]) != math.Float32bits(want[p][i]) {
								t.Fatalf("%+v Winograd %v, winogradBigU %d, GOMAXPROCS=%d: pass %d element %d = %g, with 1: %g", g, wino != nil, bigU, procs, p, i, got[p][i], want[p][i])
							}
						}
					}
				}
			}
		}
	}
}

// TestIm2colSource: the slivers im2colB packs from the images, along and
// across, equal packSliver's from im2col copies of the same batch, for
// slices and column ranges over the edges, both sliver widths.
func TestIm2colSource(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 12))
	for _, g := range convGeoms {
		g = withOut(g)
		cg, _, crs, ohw := g.dims()
		cnt := min(g.N, 3)
		x := randSlice(rng, g.N*g.C*g.H*g.W, 1)
		for gi := range g.Groups {
			xs := x[gi*cg*g.H*g.W:]
			cols := cnt * ohw
			col := make([]float32, crs*cols)
			for j := range cnt {
				im2col(col[j*ohw:], xs[j*g.C*g.H*g.W:], cg, &g, cols)
			}
			for _, across := range []bool{false, true} {
				k, n := crs, cols // op(B) is k×n
				if across {
					k, n = cols, crs
				}
				src := &im2colB{x: xs, imgStride: g.C * g.H * g.W, cnt: cnt, cg: cg, g: &g, across: across}
				for _, nr := range []int{16, 32} {
					for trial := 0; trial < 6; trial++ {
						pc := rng.IntN(k)
						kc := 1 + rng.IntN(min(k-pc, sgemmMaxKC))
						c0 := rng.IntN(n)
						width := 1 + rng.IntN(min(nr, n-c0))
						want := make([]float32, kc*nr)
						off := pc*cols + c0
						if across {
							off = c0*cols + pc
						}
						packSliver(want, col[off:], cols, width, nr, kc, !across)
						got := nanSlice(kc * nr)
						src.pack(got, pc, kc, c0, width, nr)
						for i := range want {
							if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
								t.Fatalf("%+v across=%v nr=%d pc=%d kc=%d col=%d width=%d: [%d] = %g, im2col %g",
									g, across, nr, pc, kc, c0, width, i, got[i], want[i])
							}
						}
					}
				}
			}
		}
	}
}

// TestGatherRows: the gather this CPU runs gives gatherRowsGo's values for
// both widths, random masks (none, all, some), negative bases, shared
// offset rows and halves loaded as runs, and leaves masked-off values zero.
func TestGatherRows(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 13))
	src := randSlice(rng, 5000, 1)
	for _, nr := range []int{16, 32} {
		for _, rows := range []int{1, 2, 7, 256} {
			tables := 3
			offs := make([]int32, tables*nr)
			for i := range offs {
				offs[i] = int32(100 + rng.IntN(4000))
			}
			base, sel, mask := make([]int32, rows), make([]int32, rows), make([]uint32, rows)
			for p := range rows {
				base[p], sel[p] = int32(rng.IntN(800)-100), int32(rng.IntN(tables))
				switch rng.IntN(3) {
				case 0:
					mask[p] = 0
				case 1:
					mask[p] = 1<<nr - 1
				default:
					mask[p] = rng.Uint32() & (1<<nr - 1)
				}
			}
			// Some halves are runs: their offsets are consecutive where
			// their mask is set, and starts say so.
			starts := make([]int32, 2*tables)
			for k := range 2 * tables {
				starts[k] = noRun
				if nr == 32 || k%2 == 0 {
					if rng.IntN(2) == 0 {
						s := int32(100 + rng.IntN(3000))
						for i := range 16 {
							offs[k/2*nr+k%2*16+i] = s + int32(i) + int32(rng.IntN(2)*7) // the masked-off lanes need not be
						}
						starts[k] = s
					}
				}
			}
			for p := range rows {
				for h := range nr / 16 {
					if k := 2*int(sel[p]) + h; starts[k] != noRun {
						// Only the lanes of the run are loaded.
						for i := range 16 {
							if offs[int(sel[p])*nr+16*h+i] != starts[k]+int32(i) {
								mask[p] &^= 1 << (16*h + i)
							}
						}
					}
				}
			}
			want, got := nanSlice(rows*nr), nanSlice(rows*nr)
			gatherRowsGo(want, src, rows, nr, base, sel, mask, offs, starts)
			gatherRows(got, src, rows, nr, base, sel, mask, offs, starts)
			for i := range want {
				if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
					t.Fatalf("nr=%d rows=%d: [%d] = %g, Go loop %g", nr, rows, i, got[i], want[i])
				}
			}
		}
	}
}

// TestConv2dBackwardInputEpilogue checks that the input gradient with an
// epilogue (a residual, a bias by channel, an activation or its
// derivative) gives bit for bit what the gradient followed by the separate
// passes gives, on every way the gradient runs: by F(2×2, 3×3), direct,
// with the images as pixels, as the flipped forward pass, by col2im over
// batches of images and through a pointwise product.
func TestConv2dBackwardInputEpilogue(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	geoms := append(slices.Clone(convGeoms),
		// By F(2×2, 3×3).
		Conv2dGeom{N: 3, C: 64, H: 6, W: 7, K: 80, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1, DilH: 1, DilW: 1, Groups: 1},
		// Too many filters for the direct kernels, planes small: with
		// AVX2 alone the images as pixels (directSmallBackwardInput).
		Conv2dGeom{N: 9, C: 16, H: 4, W: 5, K: 96, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1, DilH: 1, DilW: 1, Groups: 1})
	defer func(was, always bool) { convImplicit, convImplicitAlways = was, always }(convImplicit, convImplicitAlways)
	can := convImplicit
	for _, mode := range []string{"im2col", "implicit"} {
		convImplicit = can && mode != "im2col"
		convImplicitAlways = mode == "implicit"
		for _, g := range geoms {
			g = withOut(g)
			dy := randSlice(rng, g.N*g.K*g.OH*g.OW, 1)
			w := randSlice(rng, g.K*g.C/g.Groups*g.R*g.S, 1)
			plain := nanSlice(g.N * g.C * g.H * g.W)
			Conv2dBackwardInput(plain, dy, w, g, nil)
			hw := g.H * g.W
			for _, act := range epiActs {
				for variant := range 3 { // a residual; a bias; both, and the derivative from a saved output
					e := &Epilogue{Act: act.op, Grad: act.grad, Slope: act.slope, HasAct: act.on}
					if variant != 1 {
						e.Residual = randSlice(rng, len(plain), 3)
					}
					if variant != 0 {
						e.Bias = randSlice(rng, g.C, 3)
					}
					if variant == 2 && act.on {
						e.ActOut = randSlice(rng, len(plain), 1)
					}
					want := slices.Clone(plain)
					for i := range want {
						if e.Residual != nil {
							want[i] += e.Residual[i]
						}
						if e.Bias != nil {
							want[i] += e.Bias[i/hw%g.C]
						}
					}
					switch {
					case !act.on:
					case e.ActOut != nil:
						binarySpan(act.grad, act.slope, want, want, e.ActOut)
					default:
						unarySpan(act.op, act.slope, 0, want, want)
					}
					got := nanSlice(len(plain))
					Conv2dBackwardInput(got, dy, w, g, e)
					for i := range got {
						if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
							t.Fatalf("%s %+v act %d,%v variant %d: dx[%d] = %v, unfused %v", mode, g, act.op, act.on, variant, i, got[i], want[i])
						}
					}
				}
			}
		}
	}
}

// TestFlippedA checks the slivers flippedA packs against the flipped
// weights' definition, op(A)[c, k·R·S + t] = w[k, c, R·S−1−t] (the tap
// (R−1−r, S−1−s)), every value bit for bit: 3×3 filters (by flipTaps8 and
// flipTaps16 where the CPU has them, and by the loop) and others, slices
// that start or end inside a filter or hold none whole, ragged last
// slivers, slivers of 6, 8 and 16 rows. The buffer starts as NaN, so a
// value left unwritten fails too.
func TestFlippedA(t *testing.T) {
	rng := rand.New(rand.NewPCG(64, 1))
	f8, f16 := flipTaps8, flipTaps16
	defer func() { flipTaps8, flipTaps16 = f8, f16 }()
	for _, kernels := range []bool{true, false} {
		if !kernels {
			flipTaps8, flipTaps16 = nil, nil
		}
		for _, c := range []struct{ kg, cg, rs, mr, i0, i1, pc, kc int }{
			{40, 32, 9, 8, 0, 32, 0, 256}, {40, 32, 9, 8, 8, 32, 256, 104}, {40, 48, 9, 16, 16, 48, 9, 243},
			{40, 37, 9, 8, 16, 37, 100, 200}, {40, 37, 9, 16, 0, 37, 0, 256}, {20, 30, 9, 6, 0, 30, 0, 180},
			{10, 12, 25, 8, 0, 12, 7, 200}, {30, 20, 3, 16, 4, 20, 1, 88}, {64, 24, 1, 8, 0, 24, 0, 64},
			{2, 8, 9, 8, 0, 8, 3, 4}, {3, 16, 9, 16, 0, 16, 8, 19}, {1, 1, 9, 8, 0, 1, 0, 9},
		} {
			w := randSlice(rng, c.kg*c.cg*c.rs, 100)
			f := &flippedA{w: w, cg: c.cg, rs: c.rs}
			slivers := ceilDiv(c.i1-c.i0, c.mr)
			dst := make([]float32, slivers*c.mr*c.kc)
			for i := range dst {
				dst[i] = float32(math.NaN())
			}
			f.pack(dst, c.i0, c.i1, c.pc, c.kc, c.mr)
			for sv := range slivers {
				for p := range c.kc {
					k, tap := (c.pc+p)/c.rs, (c.pc+p)%c.rs
					for i := range c.mr {
						row := c.i0 + sv*c.mr + i
						var want float32
						if row < c.i1 {
							want = w[(k*c.cg+row)*c.rs+c.rs-1-tap]
						}
						if got := dst[(sv*c.kc+p)*c.mr+i]; math.Float32bits(got) != math.Float32bits(want) {
							t.Fatalf("%+v (flipTaps kernels %v): row %d, depth %d: %g, want %g", c, kernels, row, c.pc+p, got, want)
						}
					}
				}
			}
		}
	}
}

// flipWeightsRef returns the weights of g.flipped(): wf[c, k, r, s] =
// w[k, c, R−1−r, S−1−s] within each group.
func flipWeightsRef(w []float32, g *Conv2dGeom) []float32 {
	cg, kg, _, _ := g.dims()
	wf := make([]float32, len(w))
	for gi := range g.Groups {
		for k := range kg {
			for c := range cg {
				for r := range g.R {
					for s := range g.S {
						wf[(((gi*cg+c)*kg+k)*g.R+r)*g.S+s] = w[(((gi*kg+k)*cg+c)*g.R+g.R-1-r)*g.S+g.S-1-s]
					}
				}
			}
		}
	}
	return wf
}

// TestConv2dBackwardInputFlipped checks that input gradients run as the
// flipped convolution's forward pass, whose products pack the flipped
// weights from w (flippedA), give the bits of the same products on a copy
// of the weights flipped (flipWeightsRef): packing moves values and
// changes no sum. Products of the 8×32 and the 16×16 micro-kernels,
// slices of depth that cut filters, ragged slivers, groups, 5×5 and 1×3
// filters, an epilogue. (The float64 references of TestConv2d and the
// conformance suite check what they compute.)
func TestConv2dBackwardInputFlipped(t *testing.T) {
	if !convImplicit {
		t.Skip("no implicit-GEMM convolution on this CPU: input gradients do not run flipped")
	}
	rng := rand.New(rand.NewPCG(64, 2))
	for _, c := range []Conv2dGeom{
		{N: 7, C: 512, H: 4, W: 4, K: 512, R: 3, S: 3, PadH: 1, PadW: 1},
		{N: 5, C: 100, H: 4, W: 4, K: 45, R: 3, S: 3, PadH: 1, PadW: 1},
		{N: 8, C: 70, H: 5, W: 3, K: 37, R: 3, S: 3, PadH: 0, PadW: 1},
		{N: 6, C: 48, H: 4, W: 4, K: 64, R: 5, S: 5, PadH: 2, PadW: 2, Groups: 2},
		{N: 3, C: 24, H: 6, W: 7, K: 33, R: 1, S: 3, PadH: 0, PadW: 1, Groups: 3},
	} {
		c.StrideH, c.StrideW, c.DilH, c.DilW, c.Groups = 1, 1, 1, 1, max(1, c.Groups)
		g := withOut(c)
		fg := g.flipped()
		if g.winograd() || g.direct() || g.directSmallBackwardInput() || !fg.implicit(false) || g.N*g.OH*g.OW < flipMinCols {
			t.Fatalf("%+v: does not run as the flipped forward pass", g)
		}
		w := randSlice(rng, g.K*g.C/g.Groups*g.R*g.S, 1)
		dy := randSlice(rng, g.N*g.K*g.OH*g.OW, 1)
		bias := randSlice(rng, g.C, 1)
		for _, e := range []*Epilogue{nil, {Bias: bias, Act: Relu, HasAct: true}} {
			got := make([]float32, g.N*g.C*g.H*g.W)
			want := make([]float32, len(got))
			Conv2dBackwardInput(got, dy, w, g, e)
			convGemm(want, dy, flipWeightsRef(w, &g), fg, e, nil)
			for i := range got {
				if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
					t.Fatalf("%+v, epilogue %v: dx[%d] = %g, the product on flipped weights %g", g, e != nil, i, got[i], want[i])
				}
			}
		}
	}
}

// BenchmarkConv2dFlipped times small-batch input gradients both ways where
// they may run as the flipped convolution's forward pass: as
// Conv2dBackwardInput takes them ("chosen") and as that forward pass
// ("flipped"), across flipMinCols (N·OH·OW = 64).
func BenchmarkConv2dFlipped(b *testing.B) {
	rng := rand.New(rand.NewPCG(64, 3))
	for _, c := range []struct{ ch, n int }{{256, 1}, {256, 2}, {256, 4}, {512, 1}, {512, 2}, {512, 4}, {512, 8}} {
		g := resnetConv(c.ch, c.ch, 4, 3, 1)
		g.N = c.n
		g = withOut(g)
		w := randSlice(rng, g.K*g.C*9, 1)
		dy := randSlice(rng, g.N*g.K*g.OH*g.OW, 1)
		dx := make([]float32, g.N*g.C*g.H*g.W)
		fg := g.flipped()
		flops := 2 * float64(g.N*g.K*g.OH*g.OW*g.C*9)
		for _, way := range []string{"chosen", "flipped"} {
			if way == "flipped" && !fg.implicit(false) {
				continue
			}
			b.Run(fmt.Sprintf("%dx%dx4x4/%s", c.n, c.ch, way), func(b *testing.B) {
				for b.Loop() {
					if way == "chosen" {
						Conv2dBackwardInput(dx, dy, w, g, nil)
					} else {
						convGemm(dx, dy, w, fg, nil, &g)
					}
				}
				b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}
