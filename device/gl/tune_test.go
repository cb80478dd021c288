//go:build cgo && !nogl

package gl

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/tensorgl/tensorgl/device"
)

// allCandidates lists every tiling the tuner may choose, on hardware or on
// llvmpipe.
func allCandidates() []gemmTiles {
	return append(append([]gemmTiles{}, hardwareCandidates...), softwareCandidates...)
}

// TestTuneCandidatesSameBits: every tiling the tuner may choose gives the
// default tiling's results to the bit, for products whose sides are no
// multiple of any tile, with each operand transposed, batches, offsets, β
// and an epilogue, and with K split (the split taken from the default
// tiling, as the tuner keeps it).
// Each candidate runs through the tuner's own path, from its table, or
// the built-in table's, in turn.
func TestTuneCandidatesSameBits(t *testing.T) {
	d := openOrSkip(t)
	defer d.Close()
	rng := rand.New(rand.NewPCG(7, 2))
	upload := func(n int) device.Buffer {
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(rng.NormFloat64())
		}
		b := d.Alloc(device.Float32, n)
		d.Write(b, v)
		return b
	}
	// compiled: which tilings' programs the cases have built, named by
	// program. A tiling taken from a table is built the first time it
	// runs, so the programs grow then (d.progs, read after run's Read
	// waited for the GL thread). A direct tiling's program is the same
	// split or not (it sums its slices itself).
	compiled := map[string]bool{}
	program := func(t gemmTiles, p device.MatMulParams, layout string, epi, split bool) string {
		t.gvec = t.gvec && len(vecLoads(p)) > 0
		return fmt.Sprint(t, layout, epi, split && !t.direct)
	}
	for _, c := range []struct {
		name   string
		p      device.MatMulParams
		layout string
		epi    bool // with a bias, an activation and op(A)'s row sums
		target int  // split target; 0 never splits
	}{
		// Sides, offsets and batch strides multiples of 4, so A and B are
		// loaded as vec4 under the candidates that do, along each side.
		{"transposed-a", device.MatMulParams{Batch: 2, M: 68, N: 132, K: 44, TransA: true, Alpha: 0.5, Beta: 2, OffA: 4, OffB: 8,
			StrideA: 68*44 + 4, StrideB: 44*132 + 8, StrideC: 68*132 + 1}, "A_M_FAST", true, 0},
		{"transposed-b", device.MatMulParams{Batch: 1, M: 36, N: 20, K: 52, TransB: true, Alpha: 1, OffA: 4}, "B_K_FAST", true, 0},
		// K split; B's side of 9 is no multiple of 4, so B is read by value
		// (A too, but for the transposed A of 8 rows).
		{"split-k", device.MatMulParams{Batch: 1, M: 5, N: 9, K: 3000, Alpha: 1}, "", false, hardwareSplitTarget},
		{"split-k-row-sums", device.MatMulParams{Batch: 1, M: 8, N: 9, K: 3000, TransA: true, Alpha: 1}, "A_M_FAST", true, hardwareSplitTarget},
		// An odd K: the last slice's length no multiple of 4, so the direct
		// tilings' indices past their runs of four (DIRECT_K) run too.
		{"split-odd-k", device.MatMulParams{Batch: 1, M: 8, N: 7, K: 1003, TransA: true, Alpha: 1}, "A_M_FAST", true, hardwareSplitTarget},
	} {
		p := c.p
		a, b := upload(p.OffA+max(p.Batch*p.StrideA, p.M*p.K)), upload(p.OffB+max(p.Batch*p.StrideB, p.K*p.N))
		nc := max(p.Batch*p.StrideC, p.M*p.N)
		c0 := upload(nc)
		init := make([]float32, nc)
		if err := d.Read(c0, init); err != nil {
			t.Fatal(err)
		}
		var e device.Epilogue
		if c.epi {
			e = device.Epilogue{Bias: upload(p.N), Act: device.ActTanh}
		}
		key := gemmKey("matmul", c.layout, p.Batch, p.M, p.N, p.K)
		// run runs the product under def, or under choice from the table
		// of a tuner (tuneOn) or of the built-in choices (tuneKnown).
		run := func(def gemmTiles, choice *gemmTiles, mode tuneMode) (got []float32, dispatches int64) {
			d.tiles, d.splitTarget = def, c.target
			d.tune, d.tuned, d.knownHere = tuneOff, nil, false
			if choice != nil {
				d.tune, d.tuned, d.knownHere = mode, map[string]gemmTiles{key: *choice}, mode == tuneKnown
			}
			out := d.Alloc(device.Float32, nc)
			defer d.Free(out)
			d.Write(out, init)
			before := d.Stats().Dispatches
			sums := p.Batch * p.M
			if c.epi {
				e.BiasGrad = d.Alloc(device.Float32, sums)
				defer d.Free(e.BiasGrad)
			}
			d.MatMul(out, a, b, e, p)
			got = make([]float32, nc)
			if err := d.Read(out, got); err != nil {
				t.Fatal(err)
			}
			// Counted on the GL thread: read after the Read.
			dispatches = d.Stats().Dispatches - before
			if c.epi { // the row sums after C
				got = append(got, make([]float32, sums)...)
				if err := d.Read(e.BiasGrad, got[nc:]); err != nil {
					t.Fatal(err)
				}
			}
			if choice != nil && dispatches > 2 {
				t.Fatalf("%s: %d dispatches with the choice in the table, want no trials", c.name, dispatches)
			}
			return got, dispatches
		}
		if want := map[bool]int{true: 2, false: 1}[c.target == 0]; len(vecLoads(p)) != want {
			t.Fatalf("%s: loads as vec4 %v, want %d operands", c.name, vecLoads(p), want)
		}
		// The default matters where K is split (the split is its).
		defaults := []gemmTiles{softwareTiles}
		if c.target != 0 {
			defaults = append(defaults, hardwareTiles)
		}
		for i, def := range defaults {
			def = def.plain()
			want, _ := run(def, nil, tuneOff)
			splits, chunk := def.splitK(c.target, p.Batch, p.M, p.N, p.K)
			compiled[program(def, p, c.layout, c.epi, splits > 1)] = true
			if c.target != 0 && splits == 1 {
				t.Fatalf("%s: K not split under %v", c.name, def)
			}
			tried := 0
			for _, cand := range allCandidates() {
				if splits > 1 && chunk%cand.k != 0 || cand.sliced && !slicedFits(splits) {
					continue
				}
				tried++
				mode := []tuneMode{tuneOn, tuneKnown}[tried%2]
				before := len(d.progs)
				got, n := run(def, &cand, mode)
				prog := program(cand, p, c.layout, c.epi, splits > 1)
				if fresh := !compiled[prog]; i == 0 && fresh && mode == tuneKnown && len(d.progs) == before {
					t.Errorf("%s: %v from the built-in table did not run (no program built)", c.name, cand)
				}
				compiled[prog] = true
				if want := map[bool]int64{true: 2, false: 1}[splits > 1 && !cand.direct]; n != want {
					t.Errorf("%s: %v ran %d dispatches, want %d", c.name, cand, n, want)
				}
				for i := range want {
					if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
						t.Fatalf("%s: %v in place of %v: C[%d] (past %d: row sums) = %v, want %v", c.name, cand, def, i, nc, got[i], want[i])
					}
				}
			}
			if tried < 4 {
				t.Errorf("%s: %d candidates ran under %v, want every one whose K step divides the chunk", c.name, tried, def)
			}
		}
	}
}

// TestTuner: a tuned device times the candidates once per product (the
// trials' dispatches), keeps its choice in the table, gives the untuned
// device's results to the bit, and runs a product seen before with no
// trials.
func TestTuner(t *testing.T) {
	plain, tuned := openOrSkip(t), openOrSkip(t)
	defer plain.Close()
	defer tuned.Close()
	tuned.tune = tuneOn
	// The convolution below, of few channels, as an implicit GEMM.
	plain.convDirect, tuned.convDirect = false, false
	// β and an epilogue: a trial that wrote the real output would show.
	p := device.MatMulParams{Batch: 1, M: 40, N: 24, K: 50, Alpha: 1, Beta: 1.5}
	cv := device.Conv2dParams{N: 2, C: 3, H: 9, W: 7, K: 5, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1, DilH: 1, DilW: 1, Groups: 1}
	xn, wn, yn := cv.N*cv.C*cv.H*cv.W, cv.K*cv.C*cv.R*cv.S, cv.N*cv.K*cv.OutH()*cv.OutW()
	run := func(d *Device) (out []float32, dispatches int64) {
		in := func(n int, seed uint64) device.Buffer {
			b := d.Alloc(device.Float32, n)
			d.Random(b, device.RandomParams{Dist: device.Normal, A: 0, B: 1, Seed: seed})
			return b
		}
		a, b, c := in(p.M*p.K, 1), in(p.K*p.N, 2), in(p.M*p.N, 5)
		x, w, y := in(xn, 3), in(wn, 4), d.Alloc(device.Float32, yn)
		dx, dw := d.Alloc(device.Float32, xn), d.Alloc(device.Float32, wn)
		before := d.Stats().Dispatches
		d.MatMul(c, a, b, device.Epilogue{Bias: in(p.N, 6), Act: device.ActRelu}, p)
		d.Conv2d(y, x, w, device.Epilogue{}, cv)
		d.Conv2dBackwardInput(dx, y, w, device.Epilogue{}, cv)
		d.Conv2dBackwardWeight(dw, nil, x, y, cv)
		if err := d.Sync(); err != nil {
			t.Fatal(err)
		}
		dispatches = d.Stats().Dispatches - before
		for _, r := range []struct {
			b device.Buffer
			n int
		}{{c, p.M * p.N}, {y, yn}, {dx, xn}, {dw, wn}} {
			v := make([]float32, r.n)
			if err := d.Read(r.b, v); err != nil {
				t.Fatal(err)
			}
			out = append(out, v...)
		}
		return out, dispatches
	}
	want, plainN := run(plain)
	got, firstN := run(tuned)
	if len(tuned.tuned) != 4 {
		t.Errorf("the tuner chose %d tilings, want 4 (one per product): %v", len(tuned.tuned), tuned.tuned)
	}
	if firstN <= plainN {
		t.Errorf("the first tuned run took %d dispatches, the untuned one %d: no trials ran", firstN, plainN)
	}
	again, againN := run(tuned)
	if againN != plainN {
		t.Errorf("a second tuned run took %d dispatches, want the untuned %d", againN, plainN)
	}
	for i := range want {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) || math.Float32bits(again[i]) != math.Float32bits(want[i]) {
			t.Fatalf("element %d: tuned %v then %v, untuned %v", i, got[i], again[i], want[i])
		}
	}
	if err := tuned.Sync(); err != nil {
		t.Errorf("the trials left an error: %v", err)
	}
}

// TestTuneCandidatesFit: every candidate is a valid tiling on any GL 4.3
// device (its minimum limits), so a tiling fails to build only on a
// broken driver.
func TestTuneCandidatesFit(t *testing.T) {
	d := &Device{info: device.Info{Limits: device.Limits{
		MaxInvocations: 1024, MaxWorkGroupSize: [3]int{1024, 1024, 64}, MaxSharedMemory: 32768,
	}}}
	for _, c := range allCandidates() {
		if !d.fits(c) {
			t.Errorf("%v does not fit GL 4.3's minimum limits", c)
		}
	}
	sliced := 0
	for _, c := range hardwareCandidates {
		if c.sliced {
			sliced++
		}
	}
	if got := d.tuneCandidates(hardwareTiles, 1, 0, true); len(got) != len(hardwareCandidates)-sliced || got[0] != hardwareCandidates[0] {
		t.Errorf("hardware candidates for the default tiling, K whole: %v, want the default first and then the %d others not sliced", got, len(hardwareCandidates)-1-sliced)
	}
	// Sliced tilings only for a product split, into at most maxSlices.
	if got := d.tuneCandidates(hardwareTiles, 3, 64, true); !slices.ContainsFunc(got, func(c gemmTiles) bool { return c.sliced }) {
		t.Errorf("candidates for a product split in 3: %v, want sliced ones among them", got)
	}
	if got := d.tuneCandidates(hardwareTiles, maxSlices+1, 8, true); slices.ContainsFunc(got, func(c gemmTiles) bool { return c.sliced }) {
		t.Errorf("candidates for a product split in %d: %v, want no sliced one", maxSlices+1, got)
	}
	// A split chunk of 8·8 elements leaves out the tilings stepping 16.
	for _, c := range d.tuneCandidates(hardwareTiles, 3, 64, true) {
		if 64%c.k != 0 {
			t.Errorf("candidate %v steps K by %d, the chunk is 64", c, c.k)
		}
	}
	// An unrolled tiling's program carries the pragma; a direct one
	// cannot be unrolled.
	for _, c := range hardwareCandidates {
		if !c.unroll {
			continue
		}
		src, err := variant{family: "matmul", defs: c.defs()}.source()
		if err != nil || !regexp.MustCompile(`(?m)^#define GEMM_UNROLL\b`).MatchString(src) || !strings.Contains(src, "#pragma optionNV(unroll all)") {
			t.Errorf("%v: the program's source does not define GEMM_UNROLL or lacks the pragma (%v)", c, err)
		}
	}
	if d.fits(gemmTiles{m: 16, n: 16, k: 1, lx: 16, ly: 16, direct: true, unroll: true}) {
		t.Error("a direct tiling unrolled fits")
	}
	// A product without vec4 loads (a convolution) does not time the
	// tilings that differ only by them.
	for _, c := range d.tuneCandidates(hardwareTiles, 1, 0, false) {
		if c.gvec {
			t.Errorf("candidate %v for a product without vec4 loads", c)
		}
	}
	// A direct tiling keeps no tiles: no shared memory however large, and
	// none of the tiles' options (which a table could name).
	direct := gemmTiles{m: 512, n: 512, k: 1, lx: 16, ly: 16, direct: true}
	if !d.fits(direct) {
		t.Errorf("%v: does not fit, want it to (no shared memory)", direct)
	}
	for _, c := range []gemmTiles{
		{m: 16, n: 16, k: 8, lx: 16, ly: 16, direct: true},
		{m: 16, n: 16, k: 1, lx: 16, ly: 16, direct: true, vec: true},
		{m: 16, n: 16, k: 1, lx: 16, ly: 16, direct: true, db: true},
		{m: 16, n: 16, k: 1, lx: 16, ly: 16, direct: true, pad: true},
		{m: 16, n: 16, k: 1, lx: 16, ly: 16, direct: true, gvec: true},
		{m: 2, n: 4, k: 1, lx: 64, ly: 1, sliced: true},               // sliced but not direct
		{m: 8, n: 8, k: 1, lx: 64, ly: 1, direct: true, sliced: true}, // 512 slices of 72 sums
	} {
		if d.fits(c) {
			t.Errorf("%v fits, want it refused", c)
		}
	}
	small := &Device{info: device.Info{Limits: device.Limits{MaxInvocations: 128, MaxWorkGroupSize: [3]int{128, 128, 64}, MaxSharedMemory: 32768}}}
	for _, c := range small.tuneCandidates(hardwareTiles, 1, 0, true)[1:] {
		if c.lx*c.ly > 128 {
			t.Errorf("candidate %v has %d invocations, the device allows 128", c, c.lx*c.ly)
		}
	}
}

func TestTuneEnv(t *testing.T) {
	for v, want := range map[string]tuneMode{"": tuneKnown, "0": tuneOff, "1": tuneOn, "log": tuneLog} {
		t.Setenv(TuneEnv, v)
		if got, err := tuneSetting(); err != nil || got != want {
			t.Errorf("%s=%q: %v, %v; want %v", TuneEnv, v, got, err, want)
		}
	}
	t.Setenv(TuneEnv, "yes")
	if _, err := Open(); err == nil || !strings.Contains(err.Error(), `TENSORGL_GL_TUNE="yes": want 0, 1 or log`) {
		t.Errorf("Open with %s=yes: %v", TuneEnv, err)
	}
}

// TestParseTiles: every candidate's name reads back as the candidate, and
// malformed names are refused.
func TestParseTiles(t *testing.T) {
	for _, c := range allCandidates() {
		got, err := parseTiles(c.String())
		if err != nil || got != c {
			t.Errorf("parseTiles(%q) = %v, %v; want %v", c.String(), got, err, c)
		}
	}
	for _, s := range []string{"", "64×64×16", "64x64x16/8x8", "64×64×16/8×8+", "64×64×16/8×8+vec8", "0×64×16/8×8"} {
		if _, err := parseTiles(s); err == nil {
			t.Errorf("parseTiles(%q) accepted", s)
		}
	}
}

// TestTuneFile: a tuned device writes its choices to the TuneFileEnv file
// under its renderer, keeping other renderers' entries; a device opened
// later reads them and runs those products with no trials, with the same
// results; a malformed file fails Open with the reason.
func TestTuneFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tune.json")
	other := `{"Another GPU": {"matmul [] 1×1×1×1": "128×128×8/16×16"}}`
	if err := os.WriteFile(path, []byte(other), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv(TuneEnv, "1")
	t.Setenv(TuneFileEnv, path)
	p := device.MatMulParams{Batch: 1, M: 24, N: 20, K: 36, Alpha: 1}
	run := func(d *Device) ([]float32, int64) {
		a, b, c := d.Alloc(device.Float32, p.M*p.K), d.Alloc(device.Float32, p.K*p.N), d.Alloc(device.Float32, p.M*p.N)
		d.Random(a, device.RandomParams{Dist: device.Normal, A: 0, B: 1, Seed: 1})
		d.Random(b, device.RandomParams{Dist: device.Normal, A: 0, B: 1, Seed: 2})
		if err := d.Sync(); err != nil {
			t.Fatal(err)
		}
		before := d.Stats().Dispatches
		d.MatMul(c, a, b, device.Epilogue{}, p)
		out := make([]float32, p.M*p.N)
		if err := d.Read(c, out); err != nil {
			t.Fatal(err)
		}
		return out, d.Stats().Dispatches - before
	}
	first := openOrSkip(t)
	want, n1 := run(first)
	first.Close()
	var tab tuneTable
	b, err := os.ReadFile(path)
	if err == nil {
		err = json.Unmarshal(b, &tab)
	}
	key := gemmKey("matmul", "", p.Batch, p.M, p.N, p.K)
	r := first.Info().Renderer
	if err != nil || tab[r][key] == "" || tab["Another GPU"]["matmul [] 1×1×1×1"] != "128×128×8/16×16" {
		t.Fatalf("the table after tuning: %s (%v); want %q under %q and the other renderer's entry kept", b, err, key, r)
	}
	second := openOrSkip(t)
	defer second.Close()
	got, n2 := run(second)
	if n1 <= 1 || n2 != 1 {
		t.Errorf("dispatches: %d tuning, %d from the table; want trials, then 1", n1, n2)
	}
	for i := range want {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
			t.Fatalf("C[%d] = %v from the table, %v when tuned", i, got[i], want[i])
		}
	}
	for _, c := range []struct{ contents, want string }{
		{"{", "want a JSON object of renderers"},
		{`{"` + r + `": {"` + key + `": "7×7×7/2×2"}}`, "does not fit"},
		{`{"` + r + `": {"` + key + `": "big"}}`, `tiling "big": want M×N×K/LX×LY`},
	} {
		if err := os.WriteFile(path, []byte(c.contents), 0o644); err != nil {
			t.Fatal(err)
		}
		if d, err := Open(); err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), TuneFileEnv) {
			if d != nil {
				d.Close()
			}
			t.Errorf("Open with the table %s: %v; want an error naming %s and saying %q", c.contents, err, TuneFileEnv, c.want)
		}
	}
}

// TestKnownTunings: the built-in table parses, names products as the
// tuner does, and holds tilings that fit any GL 4.3 device (1 024
// invocations, 32 KiB of shared memory), all of which a device of a listed
// renderer takes (useKnown) and one of another renderer none; knownTiles
// serves a listed product its tiling, and the default tiling to a product
// not listed or to one whose split chunk the listed tiling's K step does
// not divide.
func TestKnownTunings(t *testing.T) {
	tab, err := knownTable()
	if err != nil {
		t.Fatal(err)
	}
	if len(tab) == 0 {
		t.Fatal("the built-in table lists no renderer")
	}
	key := regexp.MustCompile(`^(matmul|conv) \[[A-Z_,]*\] [0-9]+×[0-9]+×[0-9]+×[0-9]+$`)
	gl43 := &Device{}
	gl43.info.Limits.MaxInvocations, gl43.info.Limits.MaxWorkGroupSize, gl43.info.Limits.MaxSharedMemory = 1024, [3]int{1024, 1024, 64}, 32768
	for r, products := range tab {
		if len(products) == 0 {
			t.Errorf("%q: no products", r)
		}
		// A device of that renderer takes every choice.
		d := &Device{}
		d.info.Renderer, d.info.Limits = r, gl43.info.Limits
		if err := d.useKnown(); err != nil || !d.knownHere || len(d.tuned) != len(products) {
			t.Errorf("%q: useKnown: %v, listed %v, %d of %d choices", r, err, d.knownHere, len(d.tuned), len(products))
		}
		for k, v := range products {
			tiles, err := parseTiles(v)
			if err != nil || !key.MatchString(k) || !gl43.fits(tiles) || tiles.String() != v {
				t.Errorf("%q: %q: %q (%v): want a product as gemmKey names it and a tiling that fits GL 4.3", r, k, v, err)
			}
		}
	}
	other := &Device{}
	other.info.Renderer = "llvmpipe (LLVM 15.0.6, 256 bits)"
	if err := other.useKnown(); err != nil || other.knownHere || len(other.tuned) != 0 {
		t.Errorf("a renderer not listed: useKnown: %v, listed %v, %d choices", err, other.knownHere, len(other.tuned))
	}
	def := hardwareTiles
	choice := gemmTiles{m: 64, n: 64, k: 16, lx: 8, ly: 8, vec: true, db: true}
	d := &Device{tuned: map[string]gemmTiles{"listed": choice}}
	for _, c := range []struct {
		key           string
		splits, chunk int
		want          gemmTiles
	}{
		{"listed", 1, 1000, choice},
		{"listed", 3, 64, choice},
		{"listed", 3, 72, def}, // 72 is no multiple of 16
		{"not listed", 1, 1000, def},
	} {
		if got := d.knownTiles(c.key, def, c.splits, c.chunk); got != c.want {
			t.Errorf("knownTiles(%q, %d splits of %d): %v, want %v", c.key, c.splits, c.chunk, got, c.want)
		}
	}
}

// TestDirectSameBits: each direct tiling (gemmTiles.direct) taken from the
// tuner's table gives the default tiling's bits on the convolutions'
// products as on MatMul's (TestTuneCandidatesSameBits): the forward pass
// with a bias and an activation, the input gradient as one implicit GEMM
// and by columns, with a residual, and the weight gradient with its bias
// sums, on odd shapes, strides, groups and dilations, with K split as a
// GPU splits it, each split product in one dispatch instead of two.
func TestDirectSameBits(t *testing.T) {
	d := openOrSkip(t)
	defer d.Close()
	d.convDirect, d.winogradMin, d.splitTarget = false, -1, hardwareSplitTarget
	rng := rand.New(rand.NewPCG(11, 3))
	upload := func(n int, scale float64) device.Buffer {
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(scale * rng.NormFloat64())
		}
		b := d.Alloc(device.Float32, n)
		d.Write(b, v)
		return b
	}
	var direct []gemmTiles
	for _, c := range allCandidates() {
		if c.direct && !slices.Contains(direct, c) {
			direct = append(direct, c)
		}
	}
	if len(direct) < 2 {
		t.Fatalf("%d direct candidates, want several", len(direct))
	}
	for _, c := range []struct {
		name     string
		p        device.Conv2dParams
		scale    float64
		products int  // the GEMM core's: 4, 3 where the input gradient takes no columns
		split    bool // whether a GPU's split target splits one
	}{
		{"lenet2", device.Conv2dParams{N: 3, C: 6, H: 14, W: 13, K: 16, R: 5, S: 5}, 1, 4, true},
		{"padded strided", device.Conv2dParams{N: 2, C: 3, H: 11, W: 9, K: 5, R: 3, S: 3, StrideH: 2, StrideW: 2, PadH: 1, PadW: 1}, 1, 4, false},
		{"groups dilated", device.Conv2dParams{N: 2, C: 4, H: 9, W: 8, K: 6, R: 3, S: 2, PadH: 2, PadW: 1, DilH: 2, DilW: 2, Groups: 2}, 1e3, 4, false},
		{"1x1 1-sized, 20 channels", device.Conv2dParams{N: 1, C: 20, H: 1, W: 7, K: 3, R: 1, S: 1}, 1, 3, false},
		{"long K", device.Conv2dParams{N: 4, C: 2, H: 17, W: 16, K: 3, R: 2, S: 3, PadW: 1}, 1, 4, true},
	} {
		p := c.p
		p.StrideH, p.StrideW = max(p.StrideH, 1), max(p.StrideW, 1)
		p.DilH, p.DilW, p.Groups = max(p.DilH, 1), max(p.DilW, 1), max(p.Groups, 1)
		nx, nw, ny := p.N*p.C*p.H*p.W, p.K*p.C/p.Groups*p.R*p.S, p.N*p.K*p.OutH()*p.OutW()
		x, w, dy := upload(nx, c.scale), upload(nw, c.scale), upload(ny, 1)
		bias, res := upload(p.K, 1), upload(nx, 1)
		// run runs the passes; the outputs in order and the dispatches.
		run := func() ([]float32, int64) {
			y, dx, dxc, dw, db := d.Alloc(device.Float32, ny), d.Alloc(device.Float32, nx), d.Alloc(device.Float32, nx),
				d.Alloc(device.Float32, nw), d.Alloc(device.Float32, p.K)
			before := d.Stats().Dispatches
			d.Conv2d(y, x, w, device.Epilogue{Bias: bias, Act: device.ActTanh}, p)
			d.convCols = false
			d.Conv2dBackwardInput(dx, dy, w, device.Epilogue{Residual: res}, p)
			d.convCols = true
			d.Conv2dBackwardInput(dxc, dy, w, device.Epilogue{Residual: res}, p)
			d.Conv2dBackwardWeight(dw, db, x, dy, p)
			var out []float32
			for _, b := range []device.Buffer{y, dx, dxc, dw, db} {
				v := make([]float32, b.Len())
				if err := d.Read(b, v); err != nil {
					t.Fatal(err)
				}
				out = append(out, v...)
				d.Free(b)
			}
			return out, d.Stats().Dispatches - before
		}
		// The tuner names the products (its table's keys).
		d.tune, d.tuned, d.knownHere = tuneOn, nil, false
		run()
		keys := slices.Collect(maps.Keys(d.tuned))
		if len(keys) != c.products {
			t.Fatalf("%s: %d products tuned (%v), want %d", c.name, len(keys), keys, c.products)
		}
		d.tune, d.tuned = tuneOff, nil
		want, wantN := run()
		for _, dt := range direct {
			d.tune, d.tuned, d.knownHere = tuneKnown, map[string]gemmTiles{}, true
			for _, k := range keys {
				d.tuned[k] = dt
			}
			got, n := run()
			for i := range want {
				if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
					t.Fatalf("%s: %v: output %d of %d = %v, want %v", c.name, dt, i, len(want), got[i], want[i])
				}
			}
			if n > wantN || c.split && n == wantN || !c.split && n != wantN {
				t.Errorf("%s: %v: %d dispatches, the default %d: want fewer where it splits a product (the split in one), else as many", c.name, dt, n, wantN)
			}
		}
	}
}

// TestDirectEnv: DirectEnv's values, an error naming what was expected for
// any other (Open fails with it), and, set, the products of at most that
// many multiply-adds (MatMul's, a convolution's weight gradient with its
// bias sums, the fused LSTM and GRU steps' both ways, storing runs of 4
// columns) on a direct tiling, sliced where split: the default tiling's
// bits, a split product in one dispatch instead of two; the larger
// products as before.
func TestDirectEnv(t *testing.T) {
	for _, c := range []struct {
		v    string
		want int
	}{{"", 0}, {"0", 0}, {"4096", 4096}} {
		t.Setenv(DirectEnv, c.v)
		if got, err := directSetting(); got != c.want || err != nil {
			t.Errorf("%s=%q: %d, %v; want %d", DirectEnv, c.v, got, err, c.want)
		}
	}
	for _, v := range []string{"-1", "many", "1e6"} {
		t.Setenv(DirectEnv, v)
		if _, err := directSetting(); err == nil || !strings.Contains(err.Error(), "want a count of multiply-adds") {
			t.Errorf("%s=%q: error %v", DirectEnv, v, err)
		}
	}
	t.Setenv(DirectEnv, "many")
	if _, err := Open(); err == nil || !strings.Contains(err.Error(), `TENSORGL_GL_DIRECT="many"`) {
		t.Errorf("Open with %s=many: %v", DirectEnv, err)
	}
	t.Setenv(DirectEnv, "")
	d := openOrSkip(t)
	defer d.Close()
	// A GPU's tiles and split target: each product below splits K.
	d.tiles, d.splitTarget, d.steps, d.convDirect = hardwareTiles, hardwareSplitTarget, rnnSteps{true, true, true, true}, false
	d.tune, d.tuned, d.knownHere = tuneOff, nil, false
	r := stepRig{t, d, rand.New(rand.NewPCG(4, 4))}
	const batch, hidden = 20, 150 // the steps split K under the hardware target
	n := batch * hidden
	mm := device.MatMulParams{Batch: 1, M: 5, N: 9, K: 3000, Alpha: 1}
	conv := device.Conv2dParams{N: 3, C: 6, H: 14, W: 13, K: 16, R: 5, S: 5, StrideH: 1, StrideW: 1, DilH: 1, DilW: 1, Groups: 1}
	// Inputs drawn once; each run writes fresh outputs from the same
	// starting values.
	a, b := r.draw(mm.M*mm.K, 1), r.draw(mm.K*mm.N, 1)
	x, w, dy := r.draw(conv.N*conv.C*conv.H*conv.W, 1), r.draw(conv.K*conv.C*25, 1), r.draw(conv.N*conv.K*10*9, 1)
	xw, whh := r.draw(8*n, 1.5), r.draw(4*hidden*hidden, 1/math.Sqrt(hidden))
	seq0, dc0, dnext := append(r.draw(2*n, 0.8), r.draw(2*n, 1)...), r.draw(n, 1), r.draw(4*n, 0.5)
	gx, gwhh, gbhh := r.draw(6*n, 1.5), r.draw(3*hidden*hidden, 1/math.Sqrt(hidden)), r.draw(3*hidden, 0.3)
	run := func(max int) ([][]float32, int64) {
		d.directMax = max
		c, dw, db := d.Alloc(device.Float32, mm.M*mm.N), d.Alloc(device.Float32, len(w)), d.Alloc(device.Float32, conv.K)
		lp := device.LSTMCellParams{Batch: batch, Hidden: hidden, OffH: n, OffC: 3 * n, OffGates: 4 * n, OffCPrev: 2 * n, OffX: 4 * n, OffDNext: 4 * n}
		seq, gates := r.up(seq0), d.Alloc(device.Float32, 8*n)
		dg, dcs, gs := r.up(append(make([]float32, 4*n), dnext...)), r.up(dc0), r.up(dc0)
		gp := device.GRUCellParams{Batch: batch, Hidden: hidden, OffH: n, OffGates: 4 * n, OffX: 3 * n, OffDNext: 3 * n, OffG: n}
		gseq, ggates, gdx := r.up(seq0[:2*n]), d.Alloc(device.Float32, 8*n), d.Alloc(device.Float32, 3*n)
		dhh, dh, gg := r.up(append(make([]float32, 3*n), dnext[:3*n]...)), r.up(dc0), r.up(seq0[:2*n])
		d.Fill(gates, 0, 8*n, 0)
		d.Fill(ggates, 0, 8*n, 0)
		d.Fill(gdx, 0, 3*n, 0)
		before := r.dispatches()
		d.MatMul(c, r.up(a), r.up(b), device.Epilogue{}, mm)
		d.Conv2dBackwardWeight(dw, db, r.up(x), r.up(dy), conv)
		d.LSTMStep(seq, seq, gates, r.up(xw), seq, r.up(whh), seq, lp)
		d.LSTMStepBackward(dg, dcs, gs, r.up(whh), gates, seq, seq, lp)
		d.GRUStep(gseq, ggates, r.up(gx), gseq, r.up(gwhh), r.up(gbhh), gp)
		d.GRUStepBackward(gdx, dhh, dh, gg, r.up(gwhh), ggates, gseq, gp)
		n := r.dispatches() - before
		return r.read(c, dw, db, seq, gates, dg, dcs, gseq, ggates, gdx, dhh, dh), n
	}
	want, wantN := run(0)
	got, gotN := run(1 << 40)
	for o := range want {
		for i := range want[o] {
			if math.Float32bits(got[o][i]) != math.Float32bits(want[o][i]) {
				t.Fatalf("output %d [%d]: direct %v, the default tiling %v", o, i, got[o][i], want[o][i])
			}
		}
	}
	// The MatMul, the weight gradient and both LSTM and GRU steps split K
	// here: six second passes fewer.
	if gotN != wantN-6 {
		t.Errorf("direct: %d dispatches, want %d (the default's %d, six split products in one each)", gotN, wantN-6, wantN)
	}
	if _, n := run(1); n != wantN {
		t.Errorf("direct for products of at most 1 multiply-add: %d dispatches, want the default's %d", n, wantN)
	}
}
