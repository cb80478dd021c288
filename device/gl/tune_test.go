//go:build cgo && !nogl

package gl

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
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
		run := func(def gemmTiles, choice *gemmTiles, mode tuneMode) []float32 {
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
			got := make([]float32, nc)
			if err := d.Read(out, got); err != nil {
				t.Fatal(err)
			}
			if c.epi { // the row sums after C
				got = append(got, make([]float32, sums)...)
				if err := d.Read(e.BiasGrad, got[nc:]); err != nil {
					t.Fatal(err)
				}
			}
			if n := d.Stats().Dispatches - before; choice != nil && n > 2 {
				t.Fatalf("%s: %d dispatches with the choice in the table, want no trials", c.name, n)
			}
			return got
		}
		if want := map[bool]int{true: 2, false: 1}[c.target == 0]; len(vecLoads(p)) != want {
			t.Fatalf("%s: loads as vec4 %v, want %d operands", c.name, vecLoads(p), want)
		}
		// The default matters where K is split (the split is its).
		defaults := []gemmTiles{softwareTiles}
		if c.target != 0 {
			defaults = append(defaults, hardwareTiles)
		}
		// compiled: which tilings' programs this case has built. A tiling
		// taken from a table is built the first time it runs, so the
		// programs grow then (d.progs, read after run's Read waited for the
		// GL thread).
		compiled := map[string]bool{}
		for i, def := range defaults {
			def = def.plain()
			want := run(def, nil, tuneOff)
			compiled[def.String()] = true
			splits, chunk := def.splitK(c.target, p.Batch, p.M, p.N, p.K)
			if c.target != 0 && splits == 1 {
				t.Fatalf("%s: K not split under %v", c.name, def)
			}
			tried := 0
			for _, cand := range allCandidates() {
				if splits > 1 && chunk%cand.k != 0 {
					continue
				}
				tried++
				mode := []tuneMode{tuneOn, tuneKnown}[tried%2]
				before := len(d.progs)
				got := run(def, &cand, mode)
				if fresh := !compiled[cand.String()]; i == 0 && fresh && mode == tuneKnown && len(d.progs) == before {
					t.Errorf("%s: %v from the built-in table did not run (no program built)", c.name, cand)
				}
				compiled[cand.String()] = true
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
	if got := d.tuneCandidates(hardwareTiles, 1, 0, true); len(got) != len(hardwareCandidates) || got[0] != hardwareCandidates[0] {
		t.Errorf("hardware candidates for the default tiling: %v, want the default first and then the %d others", got, len(hardwareCandidates)-1)
	}
	// A split chunk of 8·8 elements leaves out the tilings stepping 16.
	for _, c := range d.tuneCandidates(hardwareTiles, 3, 64, true) {
		if 64%c.k != 0 {
			t.Errorf("candidate %v steps K by %d, the chunk is 64", c, c.k)
		}
	}
	// A product without vec4 loads (a convolution) does not time the
	// tilings that differ only by them.
	for _, c := range d.tuneCandidates(hardwareTiles, 1, 0, false) {
		if c.gvec {
			t.Errorf("candidate %v for a product without vec4 loads", c)
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
