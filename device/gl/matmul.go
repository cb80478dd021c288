//go:build cgo && !nogl

package gl

import (
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"

	"github.com/tensorgl/tensorgl/device"
)

// gemmTiles is the tiling of the GEMM core shared by MatMul and the
// convolutions: an m×n tile of C per work group of lx×ly invocations, each
// holding (m/ly)×(n/lx) outputs in registers, with K streamed k at a time
// through shared memory.
//
// splitTarget is the work-group count below which a long K is split into
// slices run in parallel (see splitK); 0 never splits.
//
// thin, when set, is the tiling used instead for products of at most thin.m
// rows: a convolution with few channels (LeNet's 1 → 6 → 16) fills a
// 128-row tile one row in twenty, and such products are common.
//
// small, when set, is the tiling MatMul uses instead for products of at
// most small.m rows or small.n columns, or where the tiles give fewer than
// smallGroups work groups (see pickFor).
type gemmTiles struct {
	m, n, k, lx, ly, splitTarget int
	thin, small                  *gemmTiles
	// vec keeps the tiles in shared memory as vec4 (VEC_SMEM in
	// shaders/matmul.comp): 16-byte reads of 4 adjacent rows or columns.
	// db double-buffers them (DOUBLE_BUFFER): the next K step's loads are
	// in flight while the group computes on the current one.
	vec, db bool
	// gvec reads MatMul's operands from memory four values at a time
	// (A_VEC4, B_VEC4) where their layout allows (see vecLoads).
	gvec bool
	// pad lengthens each K step's row of scalar tiles by 4 floats
	// (PAD_SMEM): a tile loaded along K (A not transposed, B transposed)
	// stores a warp's values TILE_M or TILE_N floats apart, in one bank of
	// a GPU's shared memory (8 of them a store, 2 with gvec), and 4 more
	// spread them over the banks. vec4 tiles ignore it.
	pad bool
	// direct runs the product without shared memory (GEMM_DIRECT in
	// shaders/matmul.comp): each of the lx×ly invocations reads its
	// (m/ly)×(n/lx) outputs' rows and columns of the operands itself, one
	// K index at a time, and a K split is summed in its registers, so the
	// product is one dispatch whether split or not. k is 1 (no K steps).
	direct bool
	// sliced (with direct; DIRECT_SLICED) spreads a split product's slices
	// of K over the group's lx·ly invocations, which share its m×n outputs
	// and add the slices in shared memory: K as parallel as the split's two
	// passes, in one. Only for split products (see slicedFits).
	sliced bool
	// unroll asks the driver to unroll every loop of constant trip count
	// (GEMM_UNROLL: NVIDIA's optionNV pragma, which other drivers ignore),
	// keeping the register tile in registers where its own heuristics
	// would not. Tiled tilings only.
	unroll bool
}

// maxSlices bounds the slices of K a sliced tiling takes (its shared
// memory holds each output's): the hardware split target.
const maxSlices = hardwareSplitTarget

// slicesMax returns the slots a sliced tiling keeps for splits slices (the
// SLICES_MAX of its program): the power of two at or above.
func slicesMax(splits int) int {
	n := 1
	for n < splits {
		n *= 2
	}
	return n
}

// slicedFits reports whether a sliced tiling runs a product split into
// splits slices: split, and within maxSlices.
func slicedFits(splits int) bool { return splits > 1 && splits <= maxSlices }

// GEMMEnv names the environment variable that chooses, when a device is
// opened, how the GEMM core's wide tiles live in shared memory and are
// loaded, and whether MatMuls of few rows, columns or work groups take
// smaller ones (see pickFor): a comma-separated list of vec4 (read as
// vec4, see gemmTiles.vec), db (double-buffered, gemmTiles.db), gvec4
// (MatMul's operands loaded from memory as vec4, gemmTiles.gvec), pad
// (scalar tiles' rows padded, gemmTiles.pad), unroll (every loop of
// constant trip count unrolled, where the driver takes NVIDIA's pragma,
// gemmTiles.unroll) and small (the device's small
// tiling, where it has one: gemmTiles.small), or scalar (none of them).
// Unset, the device's default: vec4, db and gvec4 on llvmpipe, gvec4 and
// small on hardware (see hardwareTiles). The results are the same to the
// bit whichever is chosen. It exists so that a GPU can time them.
const GEMMEnv = "TENSORGL_GL_GEMM"

// withGEMMEnv returns t as the value of GEMMEnv asks: t itself where it is
// empty, else t with exactly the choices it lists.
func (t gemmTiles) withGEMMEnv(v string) (gemmTiles, error) {
	if v == "" {
		return t, nil
	}
	small := t.small
	t.vec, t.db, t.gvec, t.pad, t.unroll, t.small = false, false, false, false, false, nil
	for _, f := range strings.Split(v, ",") {
		switch strings.TrimSpace(f) {
		case "", "scalar":
		case "vec4":
			t = t.withVec()
		case "db":
			t.db = true
		case "gvec4":
			t.gvec = true
		case "pad":
			t.pad = true
		case "unroll":
			t.unroll = !t.direct
		case "small":
			t.small = small
		default:
			return t, fmt.Errorf("%s=%q: want scalar, or any of vec4, db, gvec4, pad, unroll and small separated by commas", GEMMEnv, v)
		}
	}
	return t, nil
}

// withVec returns t reading its tiles as vec4 where its shape allows (each
// invocation's rows and columns in runs of 4); thin tiles stay scalar.
func (t gemmTiles) withVec() gemmTiles {
	t.vec = !t.direct && t.vecRuns()
	return t
}

// vecRuns reports whether each invocation's rows and columns of t come in
// runs of 4, as vec4 tiles need.
func (t gemmTiles) vecRuns() bool { return (t.m/t.ly)%4 == 0 && t.runs4() }

// runs4 reports whether each invocation of t holds its columns in runs of
// 4, as a GEMM storing through storeC4 (STORE_RUNS4) needs.
func (t gemmTiles) runs4() bool {
	if t.sliced { // an invocation stores whole runs of the tile
		return t.n%4 == 0
	}
	return (t.n/t.lx)%4 == 0
}

// pick returns the tiling for products of m rows.
func (t gemmTiles) pick(m int) gemmTiles {
	if t.thin != nil && m <= t.thin.m {
		return *t.thin
	}
	return t
}

// smallGroups is the work-group count below which MatMul takes the small
// tiling where there is one (gemmTiles.small).
const smallGroups = 16

// pickFor returns the tiling for the batch M×N products of family: pick's,
// or for MatMul the small tiling where its tiles would be filled at least as
// far (at most small.m rows or small.n columns) or pick's would give fewer
// than smallGroups work groups.
func (t gemmTiles) pickFor(family string, batch, m, n int) gemmTiles {
	t = t.pick(m)
	if s := t.small; family == "matmul" && s != nil && (m <= s.m || n <= s.n || t.groups(batch, m, n) < smallGroups) {
		return *s
	}
	return t
}

// groups returns how many work groups tiling t gives the batch M×N
// products, K whole.
func (t gemmTiles) groups(batch, m, n int) int {
	return batch * ((m + t.m - 1) / t.m) * ((n + t.n - 1) / t.n)
}

// plain returns t without its thin and small tilings: one tiling, as the
// tuner's candidates are.
func (t gemmTiles) plain() gemmTiles {
	t.thin, t.small = nil, nil
	return t
}

var (
	// softwareTiles suit llvmpipe, which runs a work group's invocations as
	// coroutines on one core: few invocations doing 8×8 outputs each were the
	// fastest of the shapes measured (64×64×16 with 8×8 or 16×16 threads,
	// 32×32 with 8×8, 64×64×32 with 16×16).
	//
	// Their tiles live in shared memory as vec4, double-buffered, and
	// MatMul loads its operands as vec4 where it can: against scalar tiles
	// and loads, an MLP training step ran at 1.31× the rate and a GAN step
	// at 1.50× (medians of 5 alternated rounds,
	// bench/results/gl-gemm-vec-ab-llvmpipe-2026-11-30.txt).
	softwareTiles = gemmTiles{m: 64, n: 64, k: 16, lx: 8, ly: 8, vec: true, db: true, gvec: true,
		thin: &gemmTiles{m: 16, n: 64, k: 16, lx: 8, ly: 8, gvec: true}}
	// hardwareTiles are the classic 2-D register-blocked SGEMM shape
	// (128×128×8 tile, 256 invocations, 8×8 outputs each, 8 KiB of shared
	// memory), MatMul loading its operands as vec4 where their layout
	// allows, and 64×64 tiles of 4×4 outputs an invocation for MatMuls of
	// at most 64 rows or columns or fewer than smallGroups 128×128 tiles.
	// On the H200 the tuner timed every tiling on 74 products
	// (bench/results/h200-tune-defaults-2026-12-04.txt, from
	// h200-run-2026-12-04-first/gemm-ab.txt.gz): on 128×128 tiles the vec4
	// loads ran 31 of its 32 MatMuls faster (0.58–0.97 of the time; 1.03
	// on one); 64×64 tiles ran each of the 15 MatMuls of more than 16 rows
	// that the rule gives them faster than the vec4-loaded 128×128 ones
	// (LeNet's, ResNet-18's classifier, the Winograd products of 64 channels:
	// 0.53–0.85 of the time), and each of the other 12 slower (1.08–1.53).
	// The convolutions' products were mixed between the two sizes and keep
	// 128×128.
	hardwareTiles = gemmTiles{m: 128, n: 128, k: 8, lx: 16, ly: 16, gvec: true,
		thin:  &gemmTiles{m: 16, n: 128, k: 16, lx: 32, ly: 8},
		small: &gemmTiles{m: 64, n: 64, k: 8, lx: 16, ly: 16}}
)

// Split-K targets: the work-group count below which a GEMM with a long K
// is split into K slices run in parallel (Device.splitTarget; 0 never
// splits). On a GPU 512 is a few groups per multiprocessor of a large card
// (an H200 has 132): LeNet's weight gradient, a 6×25 output summing 50176
// terms, took 24.8 ms there as one work group. llvmpipe runs one work
// group per thread, one thread per core: its target, 2 per core, splits
// when fewer than half the cores would have a group.
const hardwareSplitTarget = 512

func softwareSplitTarget() int { return 2 * runtime.NumCPU() }

// SplitFuseEnv names the environment variable that chooses, when a device
// is opened, whether a GEMM split into K slices adds them in its own
// dispatch (1: the last work group of each output tile to finish sums
// the tile's slices, in slice order, taking a ticket from a counter per
// tile; see SPLIT_FUSED in shaders/matmul.comp) or in a second one (0, the
// default). The results are the same to the bit. On the H200 the second
// passes were nearly half of the LSTM language model's dispatches (565 a
// step against llvmpipe's 302, bench/results/h200-run-2026-12-04-first/
// trainstep-large-gl.txt); the one pass relies on coherent buffers and
// memoryBarrierBuffer to make the slices visible across work groups, so
// it stays off until a GPU has run the conformance suite and timed it
// (bench/gpu/run.sh). It needs a ninth storage binding (GL 4.3 promises
// 8); with fewer, or a grid of more than one dispatch, the two passes run.
const SplitFuseEnv = "TENSORGL_GL_SPLITFUSE"

// DirectEnv names the environment variable that, set to a count of
// multiply-adds when a device is opened, runs every product of the GEMM
// core of at most that many (batch·M·N·K: MatMul's, the convolution
// passes', the recurrent steps') on a direct tiling (gemmTiles.direct,
// directTiles) in place of the default or tuned one: no shared memory but
// a split product's slices, spread over a work group's invocations
// (gemmTiles.sliced) and added in the same dispatch; the default tiling's
// bits. Unset or 0, none: a GPU has not timed it yet (bench/gpu/run.sh's
// direct-ab does, on whole training steps; the tuner times direct tilings
// product by product, see TuneEnv). On llvmpipe the tuner found them
// slower but for products of at most 10 columns or a K of 1
// (bench/results/gl-direct-tune-llvmpipe-2026-12-05.txt).
const DirectEnv = "TENSORGL_GL_DIRECT"

// directSetting reads DirectEnv.
func directSetting() (int, error) {
	v := os.Getenv(DirectEnv)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%s=%q: want a count of multiply-adds (0 or more), the largest product to run on a direct tiling", DirectEnv, v)
	}
	return n, nil
}

// directTiles returns the direct tiling of DirectEnv for a product split
// into splits slices: split, 2×4 outputs a work group whose invocations
// share the slices (sliced), as many as the slices' power of two but at
// least a warp of 32 and at most 256; else 16×16 outputs a group, one an
// invocation, or, for a family storing runs of 4 columns, 16×64, a run an
// invocation.
func directTiles(runs4 bool, splits int) gemmTiles {
	if slicedFits(splits) {
		return gemmTiles{m: 2, n: 4, k: 1, lx: min(256, max(32, slicesMax(splits))), ly: 1, direct: true, sliced: true}
	}
	if runs4 {
		return gemmTiles{m: 16, n: 64, k: 1, lx: 16, ly: 16, direct: true}
	}
	return gemmTiles{m: 16, n: 16, k: 1, lx: 16, ly: 16, direct: true}
}

// ticketBinding is the binding of the fused split's tickets.
const ticketBinding = 8

// minTileSide bounds every tiling's sides from below: a product's tiles
// number at most batch·⌈M/8⌉·⌈N/8⌉, the tickets ticketsFor provides.
const minTileSide = 8

// ticketsFor returns the device's ticket counters, at least n of them,
// all zero before the next command (each fused split leaves its own zero).
func (d *Device) ticketsFor(n int) *glBuffer {
	d.ticketsMu.Lock()
	defer d.ticketsMu.Unlock()
	if d.tickets == nil || d.tickets.Len() < n {
		size := max(n, 1024)
		if d.tickets != nil {
			size = max(n, 2*d.tickets.Len())
			d.Free(d.tickets) // commands run in order: a reuse comes after the GEMMs before
		}
		d.tickets = d.Alloc(device.Float32, size)
		d.Fill(d.tickets, 0, size, 0) // +0's bits: zero counters
	}
	return d.buf(d.tickets)
}

func (t gemmTiles) defs() []string {
	defs := []string{
		fmt.Sprintf("TILE_M=%d", t.m), fmt.Sprintf("TILE_N=%d", t.n), fmt.Sprintf("TILE_K=%d", t.k),
		localDef(t.lx), fmt.Sprintf("LOCAL_Y=%d", t.ly),
	}
	if t.vec {
		defs = append(defs, "VEC_SMEM")
	} else if t.pad {
		defs = append(defs, "PAD_SMEM")
	}
	if t.db {
		defs = append(defs, "DOUBLE_BUFFER")
	}
	if t.direct {
		defs = append(defs, "GEMM_DIRECT")
	}
	if t.sliced {
		defs = append(defs, "DIRECT_SLICED")
	}
	if t.unroll {
		defs = append(defs, "GEMM_UNROLL")
	}
	return defs
}

// splitK returns how many slices of K, of chunk elements each, the batch
// M×N×K products are computed in: 1 and k when the tiles alone give more
// than a quarter of target work groups (or K is short), else enough slices
// of at least 8 tile steps each to bring the group count up to target.
// On the H200 a ResNet-sized backward-input pass of 256 groups split in
// two took 830 µs against 573 µs whole, hence the quarter.
func (t gemmTiles) splitK(target, batch, m, n, k int) (splits, chunk int) {
	groups := t.groups(batch, m, n)
	minChunk := 8 * t.k
	if target == 0 || 4*groups > target || k < 2*minChunk {
		return 1, k
	}
	splits = min((target+groups-1)/groups, k/minChunk)
	chunk = (k + splits - 1) / splits
	chunk = (chunk + t.k - 1) / t.k * t.k
	return (k + chunk - 1) / chunk, chunk
}

// gemmStore describes a family whose storeC (or storeC4) does more than
// the epilogue: its own buffers, bound from binding 4 on, of which it
// writes those whose bits are set in writes, and, with runs4, whether it
// stores runs of 4 columns (STORE_RUNS4 in shaders/matmul.comp).
type gemmStore struct {
	bufs   []*glBuffer
	writes uint32
	runs4  bool
}

// gemm runs the tiled GEMM core of family (with tail appended) over batch
// M×N×K products: bufs are its bindings 0–2, defs its mode, set its own
// uniforms, e the epilogue its storeC applies (bias, residual and saved
// activation at bindings 4–6), or store, when not nil, the family's own
// store in place of the epilogue's. A long K
// over few output tiles runs as split slices written to a pooled scratch
// buffer (binding 3), then a second pass that sums the slices in order and
// stores the result through the epilogue.
func (d *Device) gemm(name string, family, tail string, defs, vecDefs []string, bufs []*glBuffer, e device.Epilogue, store *gemmStore, set func(*program), batch, m, n, k int) {
	t := d.tiles.pickFor(family, batch, m, n)
	all := []*glBuffer{bufs[0], bufs[1], bufs[2], nil, nil, nil, nil, nil}
	w := writes(0)
	reduceN := batch * m * n
	rowSums := 0 // op(A)'s row sums (Epilogue.BiasGrad)
	e.CheckMatMul()
	if e.BiasGrad != nil {
		// op(A) is a matrix of MatMul's, or dy in a convolution's weight
		// gradient, whose row sums are the bias gradient.
		if family != "matmul" && (family != "conv" || !slices.Contains(defs, "BACKWARD_W")) {
			panic("gl: only MatMul and the convolutions' weight gradient sum op(A)'s rows")
		}
		rowSums = batch * m
		w |= writes(7)
		if e.BiasGrad2 != nil {
			if family != "matmul" {
				panic("gl: only MatMul writes op(A)'s row sums twice")
			}
			w |= writes(6)
		}
	}
	if store != nil {
		if !e.Plain() || e.BiasGrad != nil {
			panic("gl: a GEMM with its own store takes no epilogue")
		}
		all = append(all[:4], store.bufs...)
		w |= store.writes
		if store.runs4 {
			reduceN /= 4
			// Scalar tiles would lay each invocation's columns out in runs
			// of 4 (STORE_RUNS4), 4 floats apart between invocations: a
			// bank conflict on a GPU's shared memory. vec4 tiles read the
			// runs whole, with the same sums.
			t = t.withVec()
		}
	}
	defs = defs[:len(defs):len(defs)]
	// The operands' layout (transposes, convolution pass) is defs before
	// the epilogue's: with the shape, what a tuned tiling is kept for.
	nLayout := len(defs)
	defs = d.epilogueDefs(defs, all, e)
	mMN, mN := divMagic(m*n), divMagic(n) // the split-K sum's index split
	shape := func(p *program, splits, chunk int) {
		set(p)
		setEpilogue(p, e)
		p.setUint("u_M", m)
		p.setUint("u_N", n)
		p.setUint("u_K", k)
		p.setUint("u_batch", batch)
		p.setUint("u_splits", splits)
		p.setUint("u_kChunk", chunk)
		if splits > 1 {
			p.setPair("u_dMN", mMN)
			p.setPair("u_dN", mN)
		}
	}
	// The split comes from the default tiling whatever tiling runs, so
	// that tuning never changes the order of a sum (see tunedTiles).
	splits, chunk := t.splitK(d.splitTarget, batch, m, n, k)
	var reduce variant
	var tickets *glBuffer // the fused split's (SplitFuseEnv)
	if splits > 1 {
		reduce = variant{family: family, tail: tail, defs: append(defs[:len(defs):len(defs)], "SPLIT_REDUCE", localDef(elemLocal)), ops: unaryOps}
		if d.splitFused && d.info.Limits.MaxStorageBlocks > ticketBinding {
			tickets = d.ticketsFor(batch * ((m + minTileSide - 1) / minTileSide) * ((n + minTileSide - 1) / minTileSide))
		}
	}
	// fused reports whether the split product runs in one pass under
	// tiling t: its grid one dispatch, so that every slice's writes are
	// one command's (see SPLIT_FUSED in shaders/matmul.comp).
	fused := func(t gemmTiles) bool {
		return tickets != nil && !t.direct && (n+t.n-1)/t.n <= d.groupCap[0] && (m+t.m-1)/t.m <= d.groupCap[1] && batch*splits <= d.groupCap[2]
	}
	// coreFor returns the program of the product's first pass under
	// tiling t (built by the caller, off the GL thread).
	coreFor := func(t gemmTiles) variant {
		// The epilogue names unary ops: every GEMM variant gets their defines.
		core := variant{family: family, tail: tail, defs: append(t.defs(), defs...), ops: unaryOps}
		if t.gvec {
			core.defs = append(core.defs, vecDefs...)
		}
		if splits > 1 && !t.direct {
			core.defs = append(core.defs, "SPLIT_K")
		}
		if t.sliced {
			core.defs = append(core.defs, fmt.Sprintf("SLICES_MAX=%d", slicesMax(splits)))
		}
		if fused(t) {
			core.defs = append(core.defs, "SPLIT_FUSED")
		}
		return core
	}
	// run dispatches the product under tiling t, whose first pass is core,
	// on the GL thread, with binding 0 (C) and 3 (the split partial sums)
	// taken from all; get fetches programs (d.program, or d.tryProgram for
	// a trial).
	run := func(t gemmTiles, core variant, all []*glBuffer, get func(variant) *program) bool {
		// get makes its result the current program: set uniforms only on
		// the one fetched last.
		prog := get(core)
		if prog == nil {
			return false
		}
		// C (binding 0) is read too when β ≠ 0; split, the first pass
		// writes only the partial sums (binding 3), the second C; fused,
		// the one pass writes both and the tickets; direct, the one pass
		// sums the slices itself.
		whole := splits == 1 || t.direct
		groupsZ := batch * splits
		if t.direct {
			groupsZ = batch
		}
		switch {
		case whole:
			d.bind(w, all...)
		case fused(t):
			withTickets := make([]*glBuffer, ticketBinding+1)
			copy(withTickets, all)
			withTickets[ticketBinding] = tickets
			d.bind(w|writes(3, ticketBinding), withTickets...)
			prog.setInt("u_offTicket", 0)
		default:
			d.bind(writes(3), all...) // the row sums' slices too
		}
		shape(prog, splits, chunk)
		d.dispatch(prog, (n+t.n-1)/t.n, (m+t.m-1)/t.m, groupsZ)
		if whole || fused(t) {
			return true
		}
		sum := get(reduce)
		if sum == nil {
			return false
		}
		d.bind(w, all...)
		shape(sum, splits, chunk)
		d.dispatch1(sum, reduceN+rowSums, elemLocal)
		return true
	}
	partials := 0
	if splits > 1 {
		partials = splits * (batch*m*n + rowSums)
	}
	// DirectEnv's tiling, else the table's or the tuner's. A trial of a
	// family with its own store would run the store's writes twice (an
	// update in place among them): those run on the default tiling.
	def := t
	if d.directMax > 0 && batch*m*n*k <= d.directMax {
		t = directTiles(store != nil && store.runs4, splits)
	} else if known := d.tune == tuneKnown && d.knownHere; (known || d.tune >= tuneOn) && store == nil {
		key := gemmKey(family, strings.Join(defs[:nLayout], ","), batch, m, n, k)
		if known {
			t = d.knownTiles(key, t, splits, chunk)
		} else {
			t = d.tunedTiles(name, key, t, splits, chunk, len(vecDefs) > 0, all[0].size, partials, func(t gemmTiles, c, p *glBuffer) bool {
				trial := slices.Clone(all)
				trial[0], trial[3] = c, p
				return run(t, coreFor(t), trial, d.tryProgram)
			})
		}
	}
	if t.sliced && !slicedFits(splits) {
		// A table's sliced choice for a product this device does not
		// split (another split target): the default.
		t = def
	}
	var scratch device.Buffer
	if partials > 0 && !t.direct {
		scratch = d.Alloc(device.Float32, partials)
		all[3] = d.buf(scratch)
	}
	core := coreFor(t)
	if d.profiling.Load() { // a profile tells products apart by their shape
		name = fmt.Sprintf("%s %d×%d×%d×%d", name, batch, m, n, k)
	}
	d.enqueue(name, func() { run(t, core, all, d.program) })
	if scratch != nil {
		// Commands run in order: whatever reuses the scratch storage next
		// is queued after this pass.
		d.Free(scratch)
	}
}

// epilogueOperand is a buffer an epilogue binds in the GEMM core: its
// define, binding and offset uniform.
type epilogueOperand struct {
	buf     device.Buffer
	off     int
	def     string
	binding int
	uniform string
}

// epilogueOperands lists the buffers e binds (nil where it binds none), at
// 4 (bias, scale or the row sums' residual: one of them, see
// device.Epilogue.CheckMatMul), 5 (residual), 6 (the saved activation) and
// 7 (the row sums, or the second bias), and 6 for the row sums' second copy
// where there is no saved activation, with common.glsl's EPI_* and
// matmul.comp's ROW_SUM defines.
func epilogueOperands(e device.Epilogue) [8]epilogueOperand {
	actOut, rowSumRes, rowSum2 := e.ActOut, e.BiasGradResidual, e.BiasGrad2
	if e.Act == device.NoActivation {
		actOut = nil
	}
	if e.BiasGrad == nil {
		rowSumRes, rowSum2 = nil, nil
	}
	return [8]epilogueOperand{
		{e.Bias, e.OffBias, "EPI_BIAS", 4, "u_offBias"},
		{e.Bias2, e.OffBias2, "EPI_BIAS2", 7, "u_offBias2"},
		{e.Residual, e.OffResidual, "EPI_RESIDUAL", 5, "u_offRes"},
		{e.Scale, e.OffScale, "EPI_SCALE", 4, "u_offScale"},
		{actOut, e.OffActOut, "EPI_ACT_OUT", 6, "u_offActOut"},
		{e.BiasGrad, e.OffBiasGrad, "ROW_SUM", 7, "u_offRowSum"},
		{rowSumRes, e.OffBiasGradResidual, "ROW_SUM_RESIDUAL", 4, "u_offRowSumRes"},
		{rowSum2, e.OffBiasGrad2, "ROW_SUM2", 6, "u_offRowSum2"},
	}
}

// epilogueDefs returns defs with the defines of e appended (EPI_ACT naming
// its activation, and those of epilogueOperands), and binds e's buffers in
// all.
func (d *Device) epilogueDefs(defs []string, all []*glBuffer, e device.Epilogue) []string {
	if e.Act != device.NoActivation {
		defs = append(defs, "EPI_ACT="+e.Act.Unary().Info().Define)
	}
	for _, o := range epilogueOperands(e) {
		if o.buf != nil {
			defs = append(defs, o.def)
			all[o.binding] = d.buf(o.buf)
		}
	}
	return defs
}

// setEpilogue sets the uniforms of e's defines (epilogueDefs) on p.
func setEpilogue(p *program, e device.Epilogue) {
	if e.Act != device.NoActivation {
		p.setFloat("u_slope", e.Slope)
	}
	for _, o := range epilogueOperands(e) {
		if o.buf != nil {
			p.setInt(o.uniform, o.off)
		}
	}
}

// MatMul computes C[b] = α·op(A[b])·op(B[b]) + β·C[b] for every batch and
// applies e.
func (d *Device) MatMul(c, a, b device.Buffer, e device.Epilogue, p device.MatMulParams) {
	d.matMul("matmul", c, a, b, e, p)
}

// matMul is MatMul, its commands named name.
func (d *Device) matMul(name string, c, a, b device.Buffer, e device.Epilogue, p device.MatMulParams) {
	var defs []string
	if p.TransA {
		defs = append(defs, "A_M_FAST")
	}
	if p.TransB {
		defs = append(defs, "B_K_FAST")
	}
	bufs := []*glBuffer{d.buf(c), d.buf(a), d.buf(b)}
	lda, ldb, ldc := p.Lds()
	d.gemm(name, "matmul", "", defs, vecLoads(p), bufs, e, nil, func(prog *program) {
		prog.setInt("u_offA", p.OffA)
		prog.setInt("u_offB", p.OffB)
		prog.setInt("u_offC", p.OffC)
		prog.setInt("u_strideA", p.StrideA)
		prog.setInt("u_strideB", p.StrideB)
		prog.setInt("u_strideC", p.StrideC)
		prog.setInt("u_ldA", lda)
		prog.setInt("u_ldB", ldb)
		prog.setInt("u_ldC", ldc)
		prog.setFloat("u_alpha", p.Alpha)
		prog.setFloat("u_beta", p.Beta)
	}, p.Batch, p.M, p.N, p.K)
}

// vecLoads returns the defines that load MatMul's operands from memory as
// vec4 (A_VEC4, B_VEC4 in shaders/matmul.comp) where every run of four
// values along memory starts at a multiple of 4 and lies in its matrix:
// the operand's offset, batch stride and leading dimension are multiples
// of 4, and so is its side along memory (K, or M with TransA; N, or K
// with TransB).
func vecLoads(p device.MatMulParams) []string {
	aligned := func(off, stride, ld, along int) bool {
		return off%4 == 0 && (p.Batch == 1 || stride%4 == 0) && ld%4 == 0 && along%4 == 0
	}
	aAlong, bAlong := p.K, p.N
	if p.TransA {
		aAlong = p.M
	}
	if p.TransB {
		bAlong = p.K
	}
	lda, ldb, _ := p.Lds()
	a, b := aligned(p.OffA, p.StrideA, lda, aAlong), aligned(p.OffB, p.StrideB, ldb, bAlong)
	switch {
	case a && b:
		return vecBoth
	case a:
		return vecBoth[:1:1]
	case b:
		return vecBoth[1:]
	}
	return nil
}

// vecBoth are both operands' vec4-load defines; vecLoads returns it or a
// part, so that a MatMul allocates none.
var vecBoth = []string{"A_VEC4", "B_VEC4"}
