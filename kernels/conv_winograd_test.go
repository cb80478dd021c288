package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// withWinograd runs fn with convolutions taking F(2×2, 3×3) on arch (nil:
// never).
func withWinograd(arch *winoArch, fn func()) {
	defer func(was *winoArch) { winogradUse = was }(winogradUse)
	winogradUse = arch
	fn()
}

// winoArchs lists the transform sets to test: the Go twins, and the
// assembly ones this CPU runs (AVX2's too where AVX-512 is best).
func winoArchs() []*winoArch {
	archs := []*winoArch{winoGoArch}
	return append(archs, winoAsmArchs()...)
}

// TestWinogradTwins checks each assembly transform against its Go twin
// bit for bit: they do the same operations in the same order (no fused
// multiply-adds). Taps repeat and point at the zero vector as at the
// edges; values span ±10³⁰ (sums overflow to ±Inf), ±0 and NaN.
func TestWinogradTwins(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 31))
	draw := func(n int) []float32 {
		s := randSlice(rng, n, 1)
		for i := range s {
			switch rng.IntN(40) {
			case 0:
				s[i] = float32(rng.NormFloat64() * 1e30)
			case 1:
				s[i] = float32(math.Copysign(0, rng.Float64()-0.5))
			case 2:
				s[i] = float32(math.NaN())
			case 3:
				s[i] *= 1e-38 // subnormal or nearly
			}
		}
		return s
	}
	for _, arch := range winoAsmArchs() {
		for _, n := range []int{16, 32, 48, 512} {
			name := fmt.Sprintf("%s/n%d", arch.name, n)
			// Input: 20 runs of n, taps among them (repeats included).
			base := draw(20*n + 7)
			var offs [16]int
			for i := range offs {
				offs[i] = rng.IntN(20)*n + rng.IntN(8)
			}
			stride := n*3 + rng.IntN(5)
			got, want := nanSlice(16*stride), nanSlice(16*stride)
			arch.in(base, &offs, got, stride, n)
			winoGoArch.in(base, &offs, want, stride, n)
			sameBitsAll(t, name+" in, against the Go twin", got, want)

			src := draw(16 * stride)
			var oo [4]int
			for i := range oo {
				oo[i] = i*n + rng.IntN(3) // overlapping outputs: the later write wins in both
			}
			oo[3] = oo[1] // an output past the edge shares the trash run
			gotY, wantY := nanSlice(5*n+3), nanSlice(5*n+3)
			arch.out(src, stride, gotY, &oo, n)
			winoGoArch.out(src, stride, wantY, &oo, n)
			sameBitsAll(t, name+" out, against the Go twin", gotY, wantY)

			var dyo [4]int
			for i := range dyo {
				dyo[i] = rng.IntN(20)*n + rng.IntN(8)
			}
			gotM, wantM := nanSlice(16*stride), nanSlice(16*stride)
			arch.dy(base, &dyo, gotM, stride, n)
			winoGoArch.dy(base, &dyo, wantM, stride, n)
			sameBitsAll(t, name+" dy, against the Go twin", gotM, wantM)

			gotW, wantW := nanSlice(9*stride), nanSlice(9*stride)
			arch.wtGrad(src, stride, gotW, stride, n)
			winoGoArch.wtGrad(src, stride, wantW, stride, n)
			sameBitsAll(t, name+" wtGrad, against the Go twin", gotW, wantW)

			wsrc := draw(9*stride + n)
			gotU, wantU := nanSlice(16*stride), nanSlice(16*stride)
			arch.wt(wsrc, stride, gotU, stride, n)
			winoGoArch.wt(wsrc, stride, wantU, stride, n)
			sameBitsAll(t, name+" wt, against the Go twin", gotU, wantU)
		}
		if arch.transpose16 != nil {
			src := draw(16*37 + 5)
			got := nanSlice(16*21 + 3)
			arch.transpose16(got, 21, src[5:], 37)
			for i := range 16 {
				for j := range 16 {
					if a, b := math.Float32bits(got[j*21+i]), math.Float32bits(src[5+i*37+j]); a != b {
						t.Fatalf("%s transpose16: (%d, %d) = %#x, want %#x", arch.name, j, i, a, b)
					}
				}
			}
			for k, v := range got { // and nothing outside the block
				if r, c := k/21, k%21; (r >= 16 || c >= 16) && !math.IsNaN(float64(v)) {
					t.Fatalf("%s transpose16 wrote %g at row %d, column %d, outside the 16×16 block", arch.name, v, r, c)
				}
			}
		}
	}
}

// TestTransposeBlock checks transposeBlock on every arch against the
// definition, over sizes with and without whole 16×16 blocks.
func TestTransposeBlock(t *testing.T) {
	rng := rand.New(rand.NewPCG(32, 32))
	for _, arch := range winoArchs() {
		for _, sz := range [][2]int{{1, 1}, {16, 16}, {17, 33}, {48, 9}, {5, 40}, {32, 144}, {40, 20}, {64, 32}} {
			rows, cols := sz[0], sz[1]
			lds, ldd := cols+rng.IntN(3), rows+rng.IntN(3)
			src := randSlice(rng, rows*lds, 1)
			for _, alongDst := range []bool{false, true} {
				dst := nanSlice(cols * ldd)
				transposeBlock(arch, dst, ldd, src, lds, rows, cols, alongDst)
				for i := range rows {
					for j := range cols {
						if dst[j*ldd+i] != src[i*lds+j] {
							t.Fatalf("%s %dx%d along dst %v: dst[%d][%d] = %g, want %g", arch.name, rows, cols, alongDst, j, i, dst[j*ldd+i], src[i*lds+j])
						}
					}
				}
			}
		}
	}
}

// winoGeoms are F(2×2, 3×3) convolutions of a few channels (the tests
// lift the channel minimum): odd planes whose last tiles reach past the
// output, paddings 0 to 2 each way (their input gradients 2 to 0), 1×1
// and 1-wide planes, one image and several, chunks of many tile rows and
// of one (rows of more than half winogradChunkRows' 96 tiles), chunks
// across images.
var winoGeoms = []Conv2dGeom{
	{N: 3, C: 16, H: 7, W: 9, K: 32, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1, DilH: 1, DilW: 1, Groups: 1},
	{N: 1, C: 32, H: 6, W: 5, K: 16, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 2, PadW: 0, DilH: 1, DilW: 1, Groups: 1},
	{N: 2, C: 16, H: 5, W: 4, K: 48, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 0, PadW: 2, DilH: 1, DilW: 1, Groups: 1},
	{N: 4, C: 16, H: 1, W: 1, K: 16, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1, DilH: 1, DilW: 1, Groups: 1},
	{N: 2, C: 16, H: 11, W: 1, K: 32, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 2, PadW: 1, DilH: 1, DilW: 1, Groups: 1},
	{N: 37, C: 16, H: 4, W: 4, K: 16, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1, DilH: 1, DilW: 1, Groups: 1},
	{N: 2, C: 16, H: 3, W: 133, K: 16, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1, DilH: 1, DilW: 1, Groups: 1},
	// Chunks of 4 tile rows over images of 5: chunks that start and end
	// inside an image.
	{N: 3, C: 16, H: 9, W: 9, K: 16, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1, DilH: 1, DilW: 1, Groups: 1},
	// Chunks of 4, 4, 4 and 1 tiles: the last one's product is too small
	// to read U_ξ packed, and the weights are laid out and packed by PackB.
	{N: 13, C: 16, H: 1, W: 2, K: 16, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1, DilH: 1, DilW: 1, Groups: 1},
}

// TestConv2dWinograd checks both passes by F(2×2, 3×3), on every set of
// transforms, against the definition with TestConv2d's tolerance, and the
// fused epilogue against the one applied after.
func TestConv2dWinograd(t *testing.T) {
	defer func(was bool, use *winoArch) { winogradAny, winogradUse = was, use }(winogradAny, winogradUse)
	winogradAny = true
	if winogradUse == nil { // no assembly: the Go transforms
		winogradUse = winoGoArch
	}
	rng := rand.New(rand.NewPCG(33, 33))
	for _, g := range winoGeoms {
		g, fg, x, w, dy, wantY, wantDx := winoCase(t, rng, g)
		for _, arch := range winoArchs() {
			name := fmt.Sprintf("%s/%+v", arch.name, g)
			y, dx := nanSlice(len(wantY)), nanSlice(len(wantDx))
			winogradConv(arch, y, x, w, g, false, nil)
			winogradConv(arch, dx, dy, w, fg, true, nil)
			for _, c := range []struct {
				name string
				got  []float32
				want []float64
			}{{"y", y, wantY}, {"dx", dx, wantDx}} {
				for i, v := range c.want {
					if !(math.Abs(float64(c.got[i])-v) <= 1e-5*(1+math.Abs(v))) { // NaN fails too
						t.Fatalf("%s: %s[%d] = %g, want %g", name, c.name, i, c.got[i], v)
					}
				}
			}
			checkConvEpilogue(t, name, rng, g, func(y []float32, e *Epilogue) { winogradConv(arch, y, x, w, g, false, e) })
			// Conv2d and Conv2dBackwardInput take this path.
			withWinograd(arch, func() {
				y2, dx2 := nanSlice(len(y)), nanSlice(len(dx))
				Conv2d(y2, x, w, g, nil)
				Conv2dBackwardInput(dx2, dy, w, g, nil)
				sameBitsAll(t, name+": Conv2d against winogradConv", y2, y)
				sameBitsAll(t, name+": Conv2dBackwardInput against winogradConv", dx2, dx)
			})
		}
	}
}

// TestConv2dWinogradDeep checks F(2×2, 3×3) on layers with as many
// channels as it takes by default against the definition, within the
// stated bound of a float32 sum of n terms (device's "accumulate"
// tolerance: n·2⁻²⁴·Σ|term|, n = 9·C), and logs the root-mean-square
// error beside that of the path it replaced. The assembly and Go
// transforms give the same bits.
func TestConv2dWinogradDeep(t *testing.T) {
	defer func(use *winoArch, all bool) { winogradUse, winogradAny = use, all }(winogradUse, winogradAny)
	if winogradUse == nil { // no assembly: the Go transforms
		winogradUse = winoGoArch
	}
	// Fewer tiles than winogradMinTiles, to keep the float64 references
	// small: the error depends on the channels, not on how many tiles.
	winogradAny = true
	rng := rand.New(rand.NewPCG(34, 34))
	for _, g := range []Conv2dGeom{
		{N: 2, C: 64, H: 9, W: 7, K: 80, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1, DilH: 1, DilW: 1, Groups: 1},
		{N: 2, C: 128, H: 8, W: 8, K: 128, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1, DilH: 1, DilW: 1, Groups: 1},
		{N: 3, C: 512, H: 4, W: 4, K: 512, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1, DilH: 1, DilW: 1, Groups: 1},
	} {
		if testing.Short() && g.C > 128 {
			continue
		}
		g, _, x, w, dy, wantY, wantDx := winoCase(t, rng, g)
		scaleY, scaleDx, _ := refConv(absSlice(x), absSlice(w), absSlice(dy), g) // Σ|term| of each output
		n := float64(9 * max(g.C, g.K))
		var first [2][]float32
		for _, arch := range append([]*winoArch{nil}, winoArchs()...) {
			y, dx := nanSlice(len(wantY)), nanSlice(len(wantDx))
			withWinograd(arch, func() {
				Conv2d(y, x, w, g, nil)
				Conv2dBackwardInput(dx, dy, w, g, nil)
			})
			name := fmt.Sprintf("%+v, Winograd off", g)
			if arch != nil {
				name = fmt.Sprintf("%s/%+v", arch.name, g)
				for _, c := range []struct {
					name        string
					got         []float32
					want, scale []float64
				}{{"y", y, wantY, scaleY}, {"dx", dx, wantDx, scaleDx}} {
					for i, v := range c.want {
						if !(math.Abs(float64(c.got[i])-v) <= n*0x1p-24*c.scale[i]+0x1p-126) {
							t.Fatalf("%s: %s[%d] = %g, want %g ± %g", name, c.name, i, c.got[i], v, n*0x1p-24*c.scale[i])
						}
					}
				}
				if first[0] == nil {
					first = [2][]float32{y, dx}
				} else {
					sameBitsAll(t, name+": y against the Go transforms", y, first[0])
					sameBitsAll(t, name+": dx against the Go transforms", dx, first[1])
				}
			}
			t.Logf("%s: RMS error y %.3g, dx %.3g", name, rmsError(y, wantY), rmsError(dx, wantDx))
		}
	}
}

// TestWinogradOverSmall: a ResNet's 512-channel 4×4 layer goes to
// F(2×2, 3×3) from the small-plane kernels' smallWinoTiles tiles on, to the
// small-plane kernel below, whatever the tests' winogradAny says otherwise.
func TestWinogradOverSmall(t *testing.T) {
	if directArch == nil || directArch.pixG == nil {
		t.Skip("no small-plane kernel on this CPU")
	}
	defer func(was bool) { winogradAny = was }(winogradAny)
	winogradAny = false
	at := directArch.smallWinoTiles / 4 // the batch of that many tiles
	for _, c := range []struct {
		n    int
		want bool
	}{{at / 2, false}, {at - 1, false}, {at, true}, {2 * at, true}} {
		g := withOut(Conv2dGeom{N: c.n, C: 512, H: 4, W: 4, K: 512, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1, DilH: 1, DilW: 1, Groups: 1})
		if got := g.winogradOverSmall(); got != c.want {
			t.Errorf("N %d: winogradOverSmall() = %v, want %v", c.n, got, c.want)
		}
	}
	winogradAny = true
	if g := withOut(Conv2dGeom{N: 1, C: 16, H: 4, W: 4, K: 16, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1, DilH: 1, DilW: 1, Groups: 1}); !g.winogradOverSmall() {
		t.Errorf("winogradOverSmall() with winogradAny = false")
	}
}

// TestWinogradTakes checks which convolutions F(2×2, 3×3) takes.
func TestWinogradTakes(t *testing.T) {
	defer func(use *winoArch) { winogradUse = use }(winogradUse)
	winogradUse = winoGoArch
	base := Conv2dGeom{N: 8, C: 64, H: 8, W: 8, K: 64, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1, DilH: 1, DilW: 1, Groups: 1}
	for _, c := range []struct {
		name string
		edit func(g *Conv2dGeom)
		want bool
	}{
		{"64 channels", func(*Conv2dGeom) {}, true},
		{"127 tiles", func(g *Conv2dGeom) { g.N, g.H, g.W = 127, 2, 2 }, false},
		{"128 tiles", func(g *Conv2dGeom) { g.N, g.H, g.W = 128, 2, 2 }, true},
		{"48 channels", func(g *Conv2dGeom) { g.C = 48 }, false},
		{"72 channels", func(g *Conv2dGeom) { g.K = 72 }, false},
		{"1024×1024", func(g *Conv2dGeom) { g.C, g.K = 1024, 1024 }, true},
		{"1024×1040", func(g *Conv2dGeom) { g.C, g.K = 1024, 1040 }, false},
		{"stride 2", func(g *Conv2dGeom) { g.StrideH, g.StrideW = 2, 2 }, false},
		{"5×5", func(g *Conv2dGeom) { g.R, g.S = 5, 5 }, false},
		{"3×1", func(g *Conv2dGeom) { g.S = 1 }, false},
		{"dilation 2", func(g *Conv2dGeom) { g.DilH = 2 }, false},
		{"groups 2", func(g *Conv2dGeom) { g.Groups = 2 }, false},
		{"padding 3", func(g *Conv2dGeom) { g.PadW = 3 }, false},
		{"padding 2 and 0", func(g *Conv2dGeom) { g.N, g.PadH, g.PadW = 16, 2, 0 }, true},
	} {
		g := base
		c.edit(&g)
		g = withOut(g)
		if got := g.winograd(); got != c.want {
			t.Errorf("%s: winograd() = %v, want %v", c.name, got, c.want)
		}
	}
	// The weight gradient: where the forward pass, with 1 024 terms each
	// weight.
	for _, c := range []struct {
		n, ch, hw int
		want      bool
	}{{16, 128, 8, true}, {15, 128, 8, false}, {2, 128, 5, false}, {16, 64, 8, true}, {16, 48, 8, false}, {64, 128, 4, true}} {
		g := base
		g.N, g.C, g.K, g.H, g.W = c.n, c.ch, c.ch, c.hw, c.hw
		g = withOut(g)
		if got := g.winogradWgrad(); got != c.want {
			t.Errorf("N %d, %d channels, %d×%d: winogradWgrad() = %v, want %v", c.n, c.ch, c.hw, c.hw, got, c.want)
		}
	}
	winogradUse = nil
	if g := withOut(base); g.winograd() {
		t.Errorf("winograd() with F(2×2, 3×3) off = true")
	}
}

// TestWinogradSetting checks WinogradEnv's values, and that a bad one
// names the variable.
func TestWinogradSetting(t *testing.T) {
	for _, c := range []struct {
		v       string
		set, on bool
		bad     bool
	}{{"", false, true, false}, {"1", true, true, false}, {"0", true, false, false}, {"off", true, true, true}, {"", true, true, true}} {
		on, err := winogradSetting(c.v, c.set)
		if on != c.on || (err != nil) != c.bad {
			t.Errorf("winogradSetting(%q, %v) = %v, %v; want %v, error %v", c.v, c.set, on, err, c.on, c.bad)
		}
		if err != nil && !strings.Contains(err.Error(), WinogradEnv) {
			t.Errorf("winogradSetting(%q): error %q does not name %s", c.v, err, WinogradEnv)
		}
	}
}

// sameBitsAll fails t where got and want differ in any bit.
func sameBitsAll(t *testing.T, what string, got, want []float32) {
	t.Helper()
	for i := range want {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
			t.Fatalf("%s: element %d = %g (%#x), want %g (%#x)", what, i, got[i], math.Float32bits(got[i]), want[i], math.Float32bits(want[i]))
		}
	}
}

// winoCase draws the operands of g (its output size set), checks that
// both of its passes run by F(2×2, 3×3), and returns them with g's
// backward-input correlation and the float64 forward pass and input
// gradient.
func winoCase(t *testing.T, rng *rand.Rand, g Conv2dGeom) (_, fg Conv2dGeom, x, w, dy []float32, wantY, wantDx []float64) {
	t.Helper()
	g = withOut(g)
	fg = g.flipped()
	if !g.winograd() || !fg.winograd() {
		t.Fatalf("%+v: not by F(2×2, 3×3)", g)
	}
	x = randSlice(rng, g.N*g.C*g.H*g.W, 1)
	w = randSlice(rng, g.K*g.C*9, 1)
	dy = randSlice(rng, g.N*g.K*g.OH*g.OW, 1)
	wantY, wantDx, _ = refConv(x, w, dy, g)
	return g, fg, x, w, dy, wantY, wantDx
}

// TestConv2dWinogradWgrad checks the weight gradient by F(2×2, 3×3), on
// every set of transforms, against the definition within the bound the
// conformance suite states for a float32 sum of n terms (n·2⁻²⁴·Σ|term|,
// n = N·OH·OW, the terms of each weight's sum): its sums are over the
// tiles, and the transforms' roundings add to them (RMS error against
// float64 on a ResNet's layers 1.07–1.33× the direct kernels'; on a
// 3×133 plane of 16 channels 4.8×, where TestConv2d's fixed 10⁻⁵·(1+|v|)
// would not hold). In groups of chunks (16, and 3 to make them uneven),
// in the default passes of products and in passes of one chunk of tile
// rows each; each way the same bits whatever GOMAXPROCS is, and
// Conv2dBackwardWeight runs the way its shape picks.
func TestConv2dWinogradWgrad(t *testing.T) {
	pairs, groups, floats := winogradWgradGroupPairs, winogradWgradGroups, winogradWgradFloats
	defer func(was bool, use *winoArch) {
		winogradAny, winogradUse = was, use
		winogradWgradGroupPairs, winogradWgradGroups, winogradWgradFloats = pairs, groups, floats
	}(winogradAny, winogradUse)
	winogradAny = true
	if winogradUse == nil { // no assembly: the Go transforms
		winogradUse = winoGoArch
	}
	rng := rand.New(rand.NewPCG(35, 35))
	geoms := append(winoGeoms[:len(winoGeoms):len(winoGeoms)],
		Conv2dGeom{N: 9, C: 128, H: 8, W: 8, K: 144, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1, DilH: 1, DilW: 1, Groups: 1})
	for _, g := range geoms {
		g, _, x, w, dy, _, _ := winoCase(t, rng, g)
		_, _, want := refConv(x, w, dy, g)
		_, _, scale := refConv(absSlice(x), absSlice(w), absSlice(dy), g) // Σ|term| of each weight
		n := float64(g.N * g.OH * g.OW)
		check := func(name string, dw []float32) {
			t.Helper()
			for i, v := range want {
				if !(math.Abs(float64(dw[i])-v) <= n*0x1p-24*scale[i]+0x1p-126) { // NaN fails too
					t.Fatalf("%s: dw[%d] = %g, want %g ± %g", name, i, dw[i], v, n*0x1p-24*scale[i])
				}
			}
		}
		for _, arch := range winoArchs() {
			name := fmt.Sprintf("%s/%+v", arch.name, g)
			var byDefault []float32
			for _, m := range []struct {
				name                  string
				pairs, groups, floats int
			}{
				{"in 16 groups", 1 << 30, 16, 1 << 22},
				{"in 3 groups", 1 << 30, 3, 1 << 22},
				{"in passes", 0, 16, 1 << 22},
				{"in passes of a chunk", 0, 16, 1},
			} {
				winogradWgradGroupPairs, winogradWgradGroups, winogradWgradFloats = m.pairs, m.groups, m.floats
				var one []float32
				for _, procs := range []int{1, 2, 5} {
					dw := nanSlice(len(want))
					withProcs(procs, func() { winogradBackwardWeight(arch, dw, x, dy, g) })
					if one == nil {
						check(name+" "+m.name, dw)
						one = dw
					} else {
						sameBitsAll(t, fmt.Sprintf("%s %s, GOMAXPROCS=%d: dw against GOMAXPROCS=1", name, m.name, procs), dw, one)
					}
				}
				if (g.C*g.K <= pairs) == (m.pairs > 0) && m.groups == groups && m.floats == floats {
					byDefault = one
				}
			}
			winogradWgradGroupPairs, winogradWgradGroups, winogradWgradFloats = pairs, groups, floats
			withWinograd(arch, func() {
				dw := nanSlice(len(want))
				Conv2dBackwardWeight(dw, x, dy, g)
				sameBitsAll(t, name+": Conv2dBackwardWeight against winogradBackwardWeight", dw, byDefault)
			})
		}
		if g.C >= winogradMinChannels {
			for _, arch := range append([]*winoArch{nil}, winoArchs()...) {
				dw := nanSlice(len(want))
				withWinograd(arch, func() {
					defer func(was bool) { winogradAny = was }(winogradAny)
					winogradAny = false
					Conv2dBackwardWeight(dw, x, dy, g)
				})
				name := "Winograd off"
				if arch != nil {
					name = arch.name
				}
				t.Logf("%s/%+v: RMS error dw %.3g", name, g, rmsError(dw, want))
			}
		}
	}
}

// rmsError returns the root-mean-square difference of got from want.
func rmsError(got []float32, want []float64) float64 {
	var s float64
	for i, v := range want {
		d := float64(got[i]) - v
		s += d * d
	}
	return math.Sqrt(s / float64(len(want)))
}

// TestWinogradWeightsPacked: winogradWeightsPacked writes, on every set of
// transforms, the bits winogradWeights lays out, where PackB packs them
// for the micro-kernel a product picks and where a kernel 32 columns wide
// with a last sliver half full packs them (zeros past K), across two
// slices of depth, flipped and not.
func TestWinogradWeightsPacked(t *testing.T) {
	rng := rand.New(rand.NewPCG(35, 35))
	wide := &sgemmArch{name: "wide", mr: 8, nr: 32, kc: 256, mc: 144, speed: 1}
	for _, c := range []struct{ k, c int }{{48, 16}, {32, 300}, {16, 16}, {64, 48}} {
		w := randSlice(rng, c.k*c.c*9, 1)
		for _, arch := range winoArchs() {
			for _, flip := range []bool{false, true} {
				ust := winogradStride(c.k * c.c)
				u := make([]float32, 16*ust)
				winogradWeights(arch, u, w, c.k, c.c, flip)
				m := 64
				plen := PackedBLen(m, c.k, c.c)
				for _, pb := range []*PackedB{packedBInto(m, c.k, c.c, make([]float32, plen)), {arch: wide, n: c.k, k: c.c}} {
					nr := pb.arch.nr
					plen := ceilDiv(c.k, nr) * nr * c.c
					packed := nanSlice(16 * plen)
					winogradWeightsPacked(arch, packed, plen, pb, w, c.k, c.c, flip)
					name := fmt.Sprintf("%s/%s k=%d c=%d flip=%v", arch.name, pb.arch.name, c.k, c.c, flip)
					for xi := range 16 {
						for r := range c.c {
							for col := range ceilDiv(c.k, nr) * nr {
								got := packed[xi*plen+pb.rowAt(r, col/nr)+col%nr]
								want := float32(0)
								if col < c.k {
									want = u[xi*ust+r*c.k+col]
								}
								if math.Float32bits(got) != math.Float32bits(want) {
									t.Fatalf("%s: U_%d[%d][%d] packed %g, want %g", name, xi, r, col, got, want)
								}
							}
						}
					}
					if pb.arch != wide { // the layout PackB packs
						want := make([]float32, plen)
						PackB(m, c.k, c.c, false, u[:c.k*c.c], c.k, want)
						sameBitsAll(t, name+": U_0 against PackB's", packed[:plen], want)
					}
				}
			}
		}
	}
}
