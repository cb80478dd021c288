//go:build cgo && !nogl

package gl

import (
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/go-gl/gl/v4.3-core/gl"

	"github.com/tensorgl/tensorgl/device"
	"github.com/tensorgl/tensorgl/internal/atomicfile"
)

// TuneEnv names the environment variable that, set to 1 when a device is
// opened (unset, a device takes only the choices of the built-in table,
// knownTunings, timing nothing; 0, the default tiling everywhere), has the
// GEMM core (MatMul and the three convolution passes) pick its tiling per
// product by timing, as PyTorch's cudnn.benchmark picks
// convolution algorithms: the first product of each layout and shape runs
// once under every candidate tiling (tuneCandidates) on scratch output,
// timed by the GPU (GL_TIME_ELAPSED; by the wall clock around glFinish
// where the driver's timer is not real, as on llvmpipe), the best of
// tuneReps runs after an untimed one that also compiles it, and the fastest
// serves that shape from then on. Set to log, it also prints each choice with every
// candidate's time to stderr.
//
// The results do not depend on the choice: every tiling sums each output's
// products in the same order, and whether and where K is split is decided
// by the default tiling whichever runs, so tuned and untuned runs (and
// processes that tuned differently) agree to the bit. The cost is the
// trials, once per shape, and their dispatches count in Stats.
const TuneEnv = "TENSORGL_GL_TUNE"

// TuneFileEnv names the environment variable that, with TuneEnv set, keeps
// the tuner's choices in a JSON file: read when a device opens (the
// choices made on the same renderer), and rewritten whole, through a
// temporary file renamed over it, after each new choice. A process that
// finds a product there times nothing for it, so the file is the per-shape
// table of a GPU: bench/gpu/run.sh brings one back from each run. Its
// contents: {"<renderer>": {"<product>": "<tiling>", …}, …}, products as
// the log names them, tilings as gemmTiles.String writes them. Processes
// writing one file at the same time keep the last one's choices.
const TuneFileEnv = "TENSORGL_GL_TUNE_FILE"

// tuneTable is a TuneFileEnv file: tilings by product, by renderer.
type tuneTable map[string]map[string]string

// loadTuneFile reads the choices for this device's renderer from path
// into the tuner's table and remembers path for saving; a missing file is
// an empty table.
func (d *Device) loadTuneFile(path string) error {
	d.tuneFile, d.tuneTab = path, tuneTable{}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("%s: %w", TuneFileEnv, err)
	}
	if err := json.Unmarshal(b, &d.tuneTab); err != nil {
		return fmt.Errorf("%s=%q: want a JSON object of renderers, each an object of products and their tilings: %w", TuneFileEnv, path, err)
	}
	if d.tuneTab == nil {
		d.tuneTab = tuneTable{}
	}
	if err := d.useTable(d.tuneTab); err != nil {
		return fmt.Errorf("%s=%q: %w", TuneFileEnv, path, err)
	}
	return nil
}

// useTable adds the choices tab lists for this device's renderer to the
// tuner's, over those already there.
func (d *Device) useTable(tab tuneTable) error {
	d.tuneMu.Lock()
	defer d.tuneMu.Unlock()
	if d.tuned == nil {
		d.tuned = map[string]gemmTiles{}
	}
	for key, v := range tab[d.info.Renderer] {
		t, err := parseTiles(v)
		if err == nil && !d.fits(t) {
			err = fmt.Errorf("tiling %s does not fit this device's work-group limits", v)
		}
		if err != nil {
			return fmt.Errorf("renderer %q, product %q: %w", d.info.Renderer, key, err)
		}
		d.tuned[key] = t
	}
	return nil
}

// knownTunings is the tuner's table of the GPUs it ran on (TuneFileEnv's
// format, as bench/gpu/run.sh brings it back from the GEMM step): a device
// whose renderer it lists runs those products under those tilings while
// TuneEnv is unset (set, it is 0 or the tuner times every product anew),
// timing nothing, with the same bits as the default tiling
// (see TuneEnv). On the NVIDIA H200, against the default tiling,
// alternated: MatMul 4096³ 7.78 → 5.54 ms, the ResNet-18 training step at
// batch 128 34.0 → 26.6 ms, LeNet's at batch 64 1.27 → 1.17 ms
// (bench/results/h200-run-2026-12-04-first/gemm-ab.txt.gz).
//
//go:embed tuned.json
var knownTunings []byte

// knownTable parses knownTunings.
func knownTable() (tuneTable, error) {
	var tab tuneTable
	if err := json.Unmarshal(knownTunings, &tab); err != nil {
		return nil, err
	}
	return tab, nil
}

// useKnown adds the built-in table's choices for this device's renderer to
// the tuner's and notes whether it lists the renderer (knownHere).
func (d *Device) useKnown() error {
	tab, err := knownTable()
	if err == nil {
		err = d.useTable(tab)
	}
	if err != nil {
		return err
	}
	d.knownHere = len(tab[d.info.Renderer]) > 0
	return nil
}

// saveTuneFile rewrites the TuneFileEnv file with the choice t for key
// added (tuneMu held). A failure is reported on stderr, not to the
// device's user: the choice still serves this process.
func (d *Device) saveTuneFile(key string, t gemmTiles) {
	if d.tuneFile == "" {
		return
	}
	r := d.info.Renderer
	if d.tuneTab[r] == nil {
		d.tuneTab[r] = map[string]string{}
	}
	d.tuneTab[r][key] = t.String()
	b, err := json.MarshalIndent(d.tuneTab, "", "\t")
	if err == nil {
		err = atomicfile.WriteFile(d.tuneFile, append(b, '\n'), 0o644)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "tensorgl: gl: the tuner's table was not saved: %v\n", err)
	}
}

// parseTiles reads a tiling as gemmTiles.String writes it:
// M×N×K/LX×LY, then +vec4, +db, +gvec4, +pad, +direct or +sliced as set.
func parseTiles(s string) (gemmTiles, error) {
	var t gemmTiles
	base, flags, found := strings.Cut(s, "+")
	if n, err := fmt.Sscanf(base, "%d×%d×%d/%d×%d", &t.m, &t.n, &t.k, &t.lx, &t.ly); err != nil || n != 5 || t.m < 1 || t.n < 1 || t.k < 1 || t.lx < 1 || t.ly < 1 {
		return t, fmt.Errorf("tiling %q: want M×N×K/LX×LY, then +vec4, +db, +gvec4, +pad, +direct, +sliced or +unroll", s)
	}
	if !found {
		return t, nil
	}
	for f := range strings.SplitSeq(flags, "+") {
		switch f {
		case "vec4":
			t.vec = true
		case "db":
			t.db = true
		case "gvec4":
			t.gvec = true
		case "pad":
			t.pad = true
		case "direct":
			t.direct = true
		case "sliced":
			t.direct, t.sliced = true, true
		case "unroll":
			t.unroll = true
		default: // "" too: a + with nothing after it
			return t, fmt.Errorf("tiling %q: %q is none of vec4, db, gvec4, pad, direct, sliced, unroll", s, f)
		}
	}
	return t, nil
}

type tuneMode int

const (
	tuneOff   tuneMode = iota
	tuneKnown          // the built-in table's choices (knownTunings), no timing
	tuneOn
	tuneLog
)

// tuneSetting reads TuneEnv.
func tuneSetting() (tuneMode, error) {
	switch v := os.Getenv(TuneEnv); v {
	case "":
		return tuneKnown, nil
	case "0":
		return tuneOff, nil
	case "1":
		return tuneOn, nil
	case "log":
		return tuneLog, nil
	default:
		return tuneOff, fmt.Errorf("%s=%q: want 0, 1 or log", TuneEnv, v)
	}
}

// tuneReps is how many timed runs each candidate gets; the best counts.
const tuneReps = 3

// The candidate tilings besides the device's default. On hardware: the
// 128×128 tile of 8×8 outputs per invocation (K steps of 8 or 16) and its
// halves and quarters (fewer, larger work groups against more, smaller
// ones), with scalar (rows padded or not) or vec4 shared memory, single or
// double buffered, operands loaded from memory one value or four at a
// time, some with every loop unrolled (gemmTiles.unroll: the
// double-buffered vec4 tiles ran 8–120 times as long as scalar ones on the
// H200), the default scalar tiles double buffered (is it the vec4 tiles or
// the double buffer that was slow?), and thin tiles for products of few rows; and direct tilings
// (gemmTiles.direct: no shared memory, a split K summed in registers, one
// dispatch) of 1 to 16 outputs an invocation, and, for split products,
// sliced ones (gemmTiles.sliced: 4 to 8 outputs a group whose 64 to 256
// invocations share the slices), for the small products whose
// tiles wait on each K step's loads and barriers (on the H200 a LeNet
// product of 64×120×400 took 21–35 µs under every tiling, the split one's
// second pass among them; bench/results/h200-run-2026-12-04-first/
// gemm-ab.txt.gz). On llvmpipe, fewer: its work groups run one per core.
var (
	hardwareCandidates = []gemmTiles{
		{m: 128, n: 128, k: 8, lx: 16, ly: 16, gvec: true},
		{m: 128, n: 128, k: 8, lx: 16, ly: 16, gvec: true, pad: true},
		{m: 128, n: 128, k: 8, lx: 16, ly: 16},
		{m: 128, n: 128, k: 8, lx: 16, ly: 16, vec: true},
		{m: 128, n: 128, k: 8, lx: 16, ly: 16, vec: true, db: true},
		{m: 128, n: 128, k: 8, lx: 16, ly: 16, vec: true, db: true, gvec: true},
		{m: 128, n: 128, k: 8, lx: 16, ly: 16, gvec: true, unroll: true},
		{m: 128, n: 128, k: 8, lx: 16, ly: 16, vec: true, unroll: true},
		{m: 128, n: 128, k: 8, lx: 16, ly: 16, vec: true, db: true, gvec: true, unroll: true},
		{m: 128, n: 128, k: 8, lx: 16, ly: 16, db: true, gvec: true},
		{m: 128, n: 128, k: 8, lx: 16, ly: 16, db: true, gvec: true, unroll: true},
		{m: 128, n: 128, k: 16, lx: 16, ly: 16},
		{m: 128, n: 128, k: 16, lx: 16, ly: 16, gvec: true},
		{m: 128, n: 128, k: 16, lx: 16, ly: 16, gvec: true, pad: true},
		{m: 128, n: 64, k: 8, lx: 16, ly: 16, vec: true, db: true},
		{m: 128, n: 64, k: 8, lx: 16, ly: 16, vec: true, db: true, gvec: true},
		{m: 64, n: 128, k: 8, lx: 16, ly: 16, vec: true, db: true},
		{m: 64, n: 64, k: 8, lx: 16, ly: 16},
		{m: 64, n: 64, k: 8, lx: 16, ly: 16, gvec: true},
		{m: 64, n: 64, k: 8, lx: 16, ly: 16, gvec: true, pad: true},
		{m: 64, n: 64, k: 8, lx: 16, ly: 16, vec: true, db: true},
		{m: 64, n: 64, k: 8, lx: 16, ly: 16, vec: true, db: true, gvec: true},
		{m: 64, n: 64, k: 8, lx: 16, ly: 16, vec: true, db: true, gvec: true, unroll: true},
		{m: 64, n: 64, k: 16, lx: 8, ly: 8, vec: true, db: true},
		{m: 32, n: 128, k: 8, lx: 32, ly: 8, vec: true, db: true},
		{m: 32, n: 64, k: 8, lx: 16, ly: 8},
		{m: 32, n: 32, k: 8, lx: 8, ly: 8},
		{m: 16, n: 128, k: 16, lx: 32, ly: 8},
		{m: 16, n: 64, k: 16, lx: 16, ly: 8},
		{m: 16, n: 16, k: 1, lx: 16, ly: 16, direct: true},
		{m: 16, n: 16, k: 1, lx: 8, ly: 8, direct: true},
		{m: 8, n: 64, k: 1, lx: 32, ly: 8, direct: true},
		{m: 32, n: 32, k: 1, lx: 16, ly: 16, direct: true},
		{m: 16, n: 64, k: 1, lx: 16, ly: 16, direct: true},
		{m: 64, n: 64, k: 1, lx: 16, ly: 16, direct: true},
		{m: 2, n: 4, k: 1, lx: 64, ly: 1, direct: true, sliced: true},
		{m: 2, n: 4, k: 1, lx: 256, ly: 1, direct: true, sliced: true},
		{m: 1, n: 4, k: 1, lx: 128, ly: 1, direct: true, sliced: true},
		{m: 1, n: 8, k: 1, lx: 128, ly: 1, direct: true, sliced: true},
		{m: 4, n: 2, k: 1, lx: 128, ly: 1, direct: true, sliced: true},
	}
	softwareCandidates = []gemmTiles{
		{m: 64, n: 64, k: 16, lx: 8, ly: 8},
		{m: 64, n: 64, k: 16, lx: 8, ly: 8, gvec: true},
		{m: 64, n: 64, k: 16, lx: 8, ly: 8, vec: true, db: true},
		{m: 64, n: 64, k: 16, lx: 8, ly: 8, vec: true, db: true, gvec: true},
		{m: 32, n: 32, k: 16, lx: 8, ly: 8},
		{m: 16, n: 64, k: 16, lx: 8, ly: 8},
		{m: 32, n: 32, k: 1, lx: 8, ly: 8, direct: true},
		{m: 2, n: 4, k: 1, lx: 8, ly: 1, direct: true, sliced: true},
	}
)

// String names a tiling as the tuner's log prints it.
func (t gemmTiles) String() string {
	s := fmt.Sprintf("%d×%d×%d/%d×%d", t.m, t.n, t.k, t.lx, t.ly)
	if t.vec {
		s += "+vec4"
	}
	if t.db {
		s += "+db"
	}
	if t.gvec {
		s += "+gvec4"
	}
	if t.pad {
		s += "+pad"
	}
	if t.sliced {
		s += "+sliced"
	} else if t.direct {
		s += "+direct"
	}
	if t.unroll {
		s += "+unroll"
	}
	return s
}

// tuneCandidates returns the tilings to time for a product whose default
// tiling is def (first: a tie keeps it), split into splits slices of chunk
// elements of K: a tiling whose K step does not divide the chunk, or that
// does not fit the device's work-group limits, is left out, and so are
// those loading operands as vec4 when the product has no such loads (gvec
// false: a convolution, or a MatMul whose layout does not allow them).
func (d *Device) tuneCandidates(def gemmTiles, splits, chunk int, gvec bool) []gemmTiles {
	def = def.plain()
	if !gvec {
		def.gvec = false
	}
	out := []gemmTiles{def}
	base := hardwareCandidates
	if d.softDefaults {
		base = softwareCandidates
	}
	for _, c := range base {
		if !gvec && c.gvec || slices.Contains(out, c) || splits > 1 && chunk%c.k != 0 || c.sliced && !slicedFits(splits) || !d.fits(c) {
			continue
		}
		out = append(out, c)
	}
	return out
}

// fits reports whether tiling t is valid on the device: whole register
// blocks, runs of 4 for vec4, no tiles or vec4 loads for a direct one, and
// the work-group size and shared memory within the limits.
func (d *Device) fits(t gemmTiles) bool {
	l := d.info.Limits
	bufs := 1
	if t.db {
		bufs = 2
	}
	// A sliced tiling's invocations share its outputs rather than lay
	// them out.
	whole := t.sliced || t.m%t.ly == 0 && t.n%t.lx == 0
	if !whole || t.vec && !t.vecRuns() || t.direct && (t.vec || t.db || t.pad || t.gvec || t.unroll || t.k != 1) || t.sliced && !t.direct {
		return false
	}
	pad := 0
	if t.pad && !t.vec {
		pad = 8 // 4 floats on each tile's rows
	}
	shared := 4 * bufs * t.k * (t.m + t.n + pad)
	switch {
	case t.sliced: // each slice's outputs and row sums
		shared = 4 * slicesMax(maxSlices) * (t.m*t.n + t.m)
	case t.direct:
		shared = 0
	}
	return t.lx*t.ly <= l.MaxInvocations && t.lx <= l.MaxWorkGroupSize[0] && t.ly <= l.MaxWorkGroupSize[1] &&
		shared <= l.MaxSharedMemory
}

// timeTrial returns the nanoseconds f's dispatches take on the GPU, by the
// timer query q; on a driver whose timer reports less than
// minPlausibleNanos (llvmpipe runs a dispatch before the query ends and
// reports 1 ns), by the wall clock around f and glFinish, from then on
// (GL thread).
func (d *Device) timeTrial(q uint32, f func()) uint64 {
	if !d.wallTimer {
		gl.BeginQuery(gl.TIME_ELAPSED, q)
		f()
		gl.EndQuery(gl.TIME_ELAPSED)
		var ns uint64
		gl.GetQueryObjectui64v(q, gl.QUERY_RESULT, &ns)
		if ns >= minPlausibleNanos {
			return ns
		}
		d.wallTimer = true
	}
	gl.Finish()
	start := time.Now()
	f()
	gl.Finish()
	return uint64(time.Since(start))
}

// minPlausibleNanos is less than any dispatch takes on a GPU.
const minPlausibleNanos = 100

// gemmKey names a product for the tuner: the kernel family, the operands'
// layout (the defines before the epilogue's) and the batch×M×N×K shape.
func gemmKey(family, layout string, batch, m, n, k int) string {
	return fmt.Sprintf("%s [%s] %d×%d×%d×%d", family, layout, batch, m, n, k)
}

// knownTiles returns the tiling the tuner's table holds for the product
// key, or def where it holds none, or one whose K step does not divide
// the split's chunk.
func (d *Device) knownTiles(key string, def gemmTiles, splits, chunk int) gemmTiles {
	d.tuneMu.Lock()
	t, ok := d.tuned[key]
	d.tuneMu.Unlock()
	if !ok || splits > 1 && chunk%t.k != 0 {
		return def
	}
	return t
}

// tunedTiles returns the tiling for the product key, timing the
// candidates on first sight (see TuneEnv): trial runs the product under a
// tiling with c as its output and p as its split scratch, and reports
// false when that tiling does not build. cSize and partials are the
// elements of those two (partials 0 when K is not split).
func (d *Device) tunedTiles(name, key string, def gemmTiles, splits, chunk int, gvec bool, cSize, partials int, trial func(t gemmTiles, c, p *glBuffer) bool) gemmTiles {
	d.tuneMu.Lock()
	t, ok := d.tuned[key]
	d.tuneMu.Unlock()
	if ok {
		return t
	}
	cands := d.tuneCandidates(def, splits, chunk, gvec)
	c := d.Alloc(device.Float32, cSize)
	var p device.Buffer
	var gp *glBuffer
	if partials > 0 {
		p = d.Alloc(device.Float32, partials)
		gp = d.buf(p)
	}
	gc := d.buf(c)
	times := make([]uint64, len(cands))
	d.wait("tune "+name, func() {
		var q uint32
		gl.GenQueries(1, &q)
		defer gl.DeleteQueries(1, &q)
		for i, t := range cands {
			times[i] = math.MaxUint64
			if !trial(t, gc, gp) { // compiles it; the first launch is not timed
				continue
			}
			for range tuneReps {
				times[i] = min(times[i], d.timeTrial(q, func() { trial(t, gc, gp) }))
			}
		}
	})
	d.Free(c)
	if p != nil {
		d.Free(p)
	}
	best := 0
	for i := range cands {
		if times[i] < times[best] {
			best = i
		}
	}
	t = cands[best]
	if d.tune == tuneLog {
		var all []string
		for i, c := range cands {
			if times[i] == math.MaxUint64 {
				all = append(all, c.String()+" did not build")
				continue
			}
			all = append(all, fmt.Sprintf("%v %v", c, time.Duration(times[i])))
		}
		fmt.Fprintf(os.Stderr, "tensorgl: gl: tuned %s %s: %v (%s)\n", name, key, t, strings.Join(all, ", "))
	}
	d.tuneMu.Lock()
	if d.tuned == nil {
		d.tuned = map[string]gemmTiles{}
	}
	d.tuned[key] = t
	d.saveTuneFile(key, t)
	d.tuneMu.Unlock()
	return t
}
