//go:build cgo && !nogl

package gl

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/tensorgl/tensorgl/device"
)

// stepResult is what a recurrent step test reads back: every buffer the
// step wrote, and the dispatches its forward and backward took.
type stepResult struct {
	outs     [][]float32
	fwd, bwd int64
}

// stepRig holds what the recurrent step tests need on one device.
type stepRig struct {
	t   *testing.T
	d   *Device
	rng *rand.Rand
}

func (r stepRig) draw(n int, scale float64) []float32 { return normals(r.rng, n, scale) }

func (r stepRig) up(v []float32) device.Buffer {
	b := r.d.Alloc(device.Float32, len(v))
	r.d.Write(b, v)
	return b
}

// dispatches counts on the GL thread: after a Sync.
func (r stepRig) dispatches() int64 {
	if err := r.d.Sync(); err != nil {
		r.t.Fatal(err)
	}
	return r.d.Stats().Dispatches
}

func (r stepRig) read(bs ...device.Buffer) [][]float32 {
	var out [][]float32
	for _, b := range bs {
		v := make([]float32, b.Len())
		if err := r.d.Read(b, v); err != nil {
			r.t.Fatal(err)
		}
		out = append(out, v)
	}
	return out
}

// eachStepTiling runs check under every built-in tiling, with K whole and
// split, at two sizes: 5 rows of 37 units span several tiles with a
// remainder; 20 rows of 150 split K both ways under the hardware target
// (on its wide tiles: 5 rows take the thin ones). The last tiling (32
// columns over 16 invocations) cannot hold a unit's gates in a run of 4.
// Split, K's slices are summed in a second dispatch and, where the device
// has the bindings, in the product's own (SplitFuseEnv).
// check runs the steps unfused (the device's pair of kernels) when fused
// is false, fused when true; their results must agree to the bit, and the
// fused step take one dispatch fewer each way, but forward under the last
// tiling. Some cases must split K each way.
func eachStepTiling(t *testing.T, check func(r stepRig, batch, hidden int, fused bool) stepResult) {
	d := openOrSkip(t)
	defer d.Close()
	odd := gemmTiles{m: 16, n: 32, k: 16, lx: 16, ly: 8}
	tilings := []gemmTiles{softwareTiles, *softwareTiles.thin, hardwareTiles, *hardwareTiles.thin, hardwareTiles.withVec(), odd}
	splitFwd, splitBwd := 0, 0 // cases whose pair split K
	// K whole, split in two passes, and split in one (SplitFuseEnv).
	modes := []struct {
		split int
		fused bool
	}{{0, false}, {hardwareSplitTarget, false}, {hardwareSplitTarget, true}}
	if d.info.Limits.MaxStorageBlocks <= ticketBinding {
		modes = modes[:2]
	}
	for ti, tiles := range tilings {
		for _, mode := range modes {
			split := mode.split
			for _, sz := range [][2]int{{5, 37}, {20, 150}} {
				batch, hidden := sz[0], sz[1]
				name := fmt.Sprintf("tiles%dx%d-vec%v-split%d-fused%v-%dx%d", tiles.m, tiles.n, tiles.vec, split, mode.fused, batch, hidden)
				t.Run(name, func(t *testing.T) {
					d.tiles, d.splitTarget, d.splitFused = tiles, split, mode.fused
					if mode.fused {
						d.ticketsFor(1 << 12) // allocated (and zeroed: a dispatch) before the steps count theirs
					}
					want := check(stepRig{t, d, rand.New(rand.NewPCG(5, 9))}, batch, hidden, false)
					got := check(stepRig{t, d, rand.New(rand.NewPCG(5, 9))}, batch, hidden, true)
					for o := range want.outs {
						for i := range want.outs[o] {
							if math.Float32bits(got.outs[o][i]) != math.Float32bits(want.outs[o][i]) {
								t.Fatalf("output %d [%d]: the fused step gives %v, the two kernels %v", o, i, got.outs[o][i], want.outs[o][i])
							}
						}
					}
					if want.fwd > 2 {
						splitFwd++
					}
					if want.bwd > 2 {
						splitBwd++
					}
					wantFwd, wantBwd := want.fwd-1, want.bwd-1
					if ti == len(tilings)-1 {
						wantFwd = want.fwd // the pair itself
					}
					if got.fwd != wantFwd || got.bwd != wantBwd {
						t.Errorf("fused step: %d and %d dispatches, want %d and %d (the pair took %d and %d)", got.fwd, got.bwd, wantFwd, wantBwd, want.fwd, want.bwd)
					}
				})
			}
		}
	}
	if splitFwd == 0 || splitBwd == 0 {
		t.Errorf("K was split in %d forward and %d backward cases, want some of each", splitFwd, splitBwd)
	}
	t.Logf("K split in %d forward and %d backward cases", splitFwd, splitBwd)
}

// TestLSTMStepOneDispatch: LSTMStep and LSTMStepBackward give the results
// of MatMul followed by LSTMCell (LSTMCellBackward), the steps' unfused
// form, to the bit, in one dispatch fewer (see eachStepTiling).
func TestLSTMStepOneDispatch(t *testing.T) {
	eachStepTiling(t, func(r stepRig, batch, hidden int, fused bool) stepResult {
		d, n := r.d, batch*hidden
		d.steps.lstm, d.steps.lstmBackward = fused, fused
		// A sequence of two steps: state slots in one buffer, as
		// tensor.LSTM lays them out.
		xw, whh := r.draw(8*n, 1.5), r.draw(4*hidden*hidden, 1/math.Sqrt(float64(hidden)))
		seq0 := append(r.draw(2*n, 0.8), r.draw(2*n, 1)...) // h0, h1, c0, c1
		g, dc, dnext := r.draw(n, 1), r.draw(n, 1), r.draw(4*n, 0.5)
		p := device.LSTMCellParams{Batch: batch, Hidden: hidden, OffH: n, OffC: 3 * n, OffGates: 4 * n, OffCPrev: 2 * n,
			OffX: 4 * n, OffDNext: 4 * n}
		seq, x, w := r.up(seq0), r.up(xw), r.up(whh)
		gates := d.Alloc(device.Float32, 8*n)
		d.Fill(gates, 0, 8*n, 0)
		before := r.dispatches()
		d.LSTMStep(seq, seq, gates, x, seq, w, seq, p)
		mid := r.dispatches()
		dg, dcs, gs := r.up(append(make([]float32, 4*n), dnext...)), r.up(dc), r.up(g)
		d.LSTMStepBackward(dg, dcs, gs, w, gates, seq, seq, p)
		end := r.dispatches()
		return stepResult{r.read(seq, gates, dg, dcs), mid - before, end - mid}
	})
}

// TestGRUStepOneDispatch: GRUStep and GRUStepBackward give the results of
// MatMul followed by GRUCell (GRUCellBackward, after it the product adding
// to dh), the steps' unfused form, to the bit, in one dispatch fewer (see
// eachStepTiling).
func TestGRUStepOneDispatch(t *testing.T) {
	eachStepTiling(t, func(r stepRig, batch, hidden int, fused bool) stepResult {
		d, n := r.d, batch*hidden
		d.steps.gru, d.steps.gruBackward = fused, fused
		// h0 and h1 in one buffer, the gates and gradients of two steps.
		xw, whh, bhh := r.draw(6*n, 1.5), r.draw(3*hidden*hidden, 1/math.Sqrt(float64(hidden))), r.draw(3*hidden, 0.3)
		seq0 := r.draw(2*n, 0.8)
		g, dh0, dnext := r.draw(2*n, 1), r.draw(n, 1), r.draw(3*n, 0.5)
		p := device.GRUCellParams{Batch: batch, Hidden: hidden, OffH: n, OffGates: 4 * n, OffX: 3 * n,
			OffDX: 0, OffDHH: 0, OffDNext: 3 * n, OffDH: 0, OffG: n}
		seq, x, w, b := r.up(seq0), r.up(xw), r.up(whh), r.up(bhh)
		gates, dx := d.Alloc(device.Float32, 8*n), d.Alloc(device.Float32, 3*n)
		d.Fill(gates, 0, 8*n, 0)
		d.Fill(dx, 0, 3*n, 0)
		before := r.dispatches()
		d.GRUStep(seq, gates, x, seq, w, b, p)
		mid := r.dispatches()
		dhh, dh, gs := r.up(append(make([]float32, 3*n), dnext...)), r.up(dh0), r.up(g)
		d.GRUStepBackward(dx, dhh, dh, gs, w, gates, seq, p)
		end := r.dispatches()
		return stepResult{r.read(seq, gates, dx, dhh, dh), mid - before, end - mid}
	})
}

// TestRNNStepEnv: the default, fused and pair settings of RNNStepEnv; an
// unknown one fails Open; and under pair each step takes the pair's
// dispatches (see TestLSTMStepOneDispatch for the bits).
func TestRNNStepEnv(t *testing.T) {
	for _, c := range []struct {
		v        string
		software bool
		want     rnnSteps
	}{{"", false, rnnSteps{lstmBackward: true, gruBackward: true}}, {"", true, rnnSteps{lstm: true, lstmBackward: true, gruBackward: true}},
		{"fused", true, rnnSteps{true, true, true, true}}, {"pair", false, rnnSteps{}}} {
		t.Setenv(RNNStepEnv, c.v)
		got, err := rnnStepSetting(c.software)
		if err != nil || got != c.want {
			t.Errorf("%s=%q on software=%v: %v, %v; want %v", RNNStepEnv, c.v, c.software, got, err, c.want)
		}
	}
	t.Setenv(RNNStepEnv, "twice")
	if _, err := Open(); err == nil || !strings.Contains(err.Error(), `TENSORGL_GL_RNNSTEP="twice": want fused or pair`) {
		t.Errorf("Open with %s=twice: %v", RNNStepEnv, err)
	}
	t.Setenv(RNNStepEnv, "pair")
	d := openOrSkip(t)
	defer d.Close()
	r := stepRig{t, d, rand.New(rand.NewPCG(1, 1))}
	const batch, hidden = 3, 8
	n := batch * hidden
	buf := func(k int) device.Buffer { return r.up(r.draw(k, 0.5)) }
	before := r.dispatches()
	d.LSTMStep(buf(n), buf(n), buf(4*n), buf(4*n), buf(n), buf(4*hidden*hidden), buf(n), device.LSTMCellParams{Batch: batch, Hidden: hidden})
	d.LSTMStepBackward(buf(8*n), buf(n), buf(n), buf(4*hidden*hidden), buf(4*n), buf(n), buf(n), device.LSTMCellParams{Batch: batch, Hidden: hidden, OffDNext: 4 * n})
	d.GRUStep(buf(n), buf(4*n), buf(3*n), buf(n), buf(3*hidden*hidden), buf(3*hidden), device.GRUCellParams{Batch: batch, Hidden: hidden})
	d.GRUStepBackward(buf(3*n), buf(6*n), buf(n), buf(n), buf(3*hidden*hidden), buf(4*n), buf(n), device.GRUCellParams{Batch: batch, Hidden: hidden, OffDNext: 3 * n})
	if got := r.dispatches() - before; got != 8 {
		t.Errorf("pair: %d dispatches for four steps, want 8 (two each)", got)
	}
}
