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

// TestFlipWeights checks flipWeights against its definition, wf[c, k, r, s]
// = w[k, c, R−1−r, S−1−s] within each group, on 3×3 (its unrolled loop)
// and other windows, one channel to a few dozen, and groups.
func TestFlipWeights(t *testing.T) {
	rng := rand.New(rand.NewPCG(63, 1))
	for _, c := range []struct{ k, c, r, s, groups int }{
		{1, 1, 3, 3, 1}, {5, 3, 3, 3, 1}, {16, 16, 3, 3, 1}, {7, 37, 3, 3, 1}, {40, 33, 3, 3, 1},
		{6, 4, 3, 3, 2}, {64, 96, 3, 3, 4}, {3, 17, 5, 5, 1}, {9, 18, 1, 3, 3}, {4, 50, 2, 1, 1},
	} {
		g := Conv2dGeom{N: 1, C: c.c, H: 8, W: 8, K: c.k, R: c.r, S: c.s, OH: 8, OW: 8, StrideH: 1, StrideW: 1,
			PadH: c.r / 2, PadW: c.s / 2, DilH: 1, DilW: 1, Groups: c.groups}
		cg, kg, rs := c.c/c.groups, c.k/c.groups, c.r*c.s
		w := randSlice(rng, c.k*cg*rs, 1)
		wf := make([]float32, len(w))
		flipWeights(wf, w, &g)
		for gi := range c.groups {
			for k := range kg {
				for ch := range cg {
					for r := range c.r {
						for s := range c.s {
							got := wf[(((gi*cg+ch)*kg+k)*c.r+r)*c.s+s]
							want := w[(((gi*kg+k)*cg+ch)*c.r+c.r-1-r)*c.s+c.s-1-s]
							if math.Float32bits(got) != math.Float32bits(want) {
								t.Fatalf("K %d C %d %d×%d groups %d: wf[%d,%d,%d,%d] of group %d = %g, want %g",
									c.k, c.c, c.r, c.s, c.groups, ch, k, r, s, gi, got, want)
							}
						}
					}
				}
			}
		}
	}
}

// BenchmarkFlipWeights times flipWeights on ResNet-18's 3×3 layers, whose
// input gradients flip their whole weight where they run as the flipped
// convolution's forward pass (the 512-channel layers at small batches).
func BenchmarkFlipWeights(b *testing.B) {
	for _, c := range []int{64, 256, 512} {
		g := Conv2dGeom{N: 8, C: c, H: 4, W: 4, K: c, R: 3, S: 3, OH: 4, OW: 4, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1, DilH: 1, DilW: 1, Groups: 1}
		w := randSlice(rand.New(rand.NewPCG(63, 2)), c*c*9, 1)
		wf := make([]float32, len(w))
		b.Run(fmt.Sprint(c), func(b *testing.B) {
			for b.Loop() {
				flipWeights(wf, w, &g)
			}
			b.ReportMetric(float64(len(w))*8*float64(b.N)/b.Elapsed().Seconds()/1e9, "GB/s")
		})
	}
}
