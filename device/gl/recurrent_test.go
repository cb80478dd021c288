//go:build cgo && !nogl

package gl

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/tensorgl/tensorgl/device"
)

// TestLSTMStepOneDispatch: LSTMStep and LSTMStepBackward give the results
// of MatMul followed by LSTMCell (LSTMCellBackward) to the bit, under every
// built-in tiling, with K whole and split, in one dispatch fewer than the
// pair (one, or two when K is split); and a tiling whose invocations hold
// their columns apart runs the forward pair itself.
func TestLSTMStepOneDispatch(t *testing.T) {
	d := openOrSkip(t)
	defer d.Close()
	rng := rand.New(rand.NewPCG(5, 9))
	draw := func(n int, scale float64) []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(rng.NormFloat64() * scale)
		}
		return v
	}
	up := func(v []float32) device.Buffer {
		b := d.Alloc(device.Float32, len(v))
		d.Write(b, v)
		return b
	}
	// dispatches counts on the GL thread: after a Sync.
	dispatches := func() int64 {
		if err := d.Sync(); err != nil {
			t.Fatal(err)
		}
		return d.Stats().Dispatches
	}
	read := func(b device.Buffer, n int) []float32 {
		v := make([]float32, n)
		if err := d.Read(b, v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	// runs4 is false for the last tiling: 32 columns over 16 invocations.
	odd := gemmTiles{m: 16, n: 32, k: 16, lx: 16, ly: 8}
	tilings := []gemmTiles{softwareTiles, *softwareTiles.thin, hardwareTiles, *hardwareTiles.thin, hardwareTiles.withVec(), odd}
	splitFwd, splitBwd := 0, 0 // cases whose pair split K
	for ti, tiles := range tilings {
		for _, split := range []int{0, hardwareSplitTarget} {
			// 20 rows of 150 units split K both ways under the hardware
			// target (on its wide tiles: 5 rows take the thin ones); 37
			// spans several tiles with a remainder.
			for _, sz := range [][2]int{{5, 37}, {20, 150}} {
				batch, hidden := sz[0], sz[1]
				name := fmt.Sprintf("tiles%dx%d-vec%v-split%d-%dx%d", tiles.m, tiles.n, tiles.vec, split, batch, hidden)
				t.Run(name, func(t *testing.T) {
					d.tiles, d.splitTarget = tiles, split
					n := batch * hidden
					// A sequence of two steps: state slots in one buffer, as
					// tensor.LSTM lays them out.
					xw, whh := draw(8*n, 1.5), draw(4*hidden*hidden, 1/math.Sqrt(float64(hidden)))
					seq0 := append(draw(2*n, 0.8), draw(2*n, 1)...) // h0, h1, c0, c1
					g, dc, dnext := draw(n, 1), draw(n, 1), draw(4*n, 0.5)
					p := device.LSTMCellParams{Batch: batch, Hidden: hidden, OffH: n, OffC: 3 * n, OffGates: 4 * n, OffCPrev: 2 * n,
						OffX: 4 * n, OffHPrev: 0, OffDGates: 0, OffDNext: 4 * n, OffDH: 0, OffDC: 0}
					type result struct {
						seq, gates, dgates, dc []float32
						fwd, bwd               int64
					}
					run := func(fused bool) result {
						seq, x, w := up(seq0), up(xw), up(whh)
						gates := d.Alloc(device.Float32, 8*n)
						d.Fill(gates, 0, 8*n, 0)
						before := dispatches()
						if fused {
							d.LSTMStep(seq, seq, gates, x, seq, w, seq, p)
						} else {
							d.MatMul(gates, seq, w, device.Epilogue{Residual: x, OffResidual: p.OffX},
								device.MatMulParams{Batch: 1, M: batch, N: 4 * hidden, K: hidden, TransB: true, Alpha: 1, OffA: p.OffHPrev, OffC: p.OffGates})
							d.LSTMCell(seq, seq, gates, seq, p)
						}
						mid := dispatches()
						dg, dcs, gs := up(append(make([]float32, 4*n), dnext...)), up(dc), up(g)
						if fused {
							d.LSTMStepBackward(dg, dcs, gs, w, gates, seq, seq, p)
						} else {
							dh := d.Alloc(device.Float32, n)
							d.MatMul(dh, dg, w, device.Epilogue{Residual: gs},
								device.MatMulParams{Batch: 1, M: batch, N: hidden, K: 4 * hidden, Alpha: 1, OffA: p.OffDNext})
							q := p
							q.OffDH, q.OffDCPrev = 0, p.OffDC
							d.LSTMCellBackward(dg, dcs, dh, dcs, gates, seq, seq, q)
						}
						end := dispatches()
						return result{read(seq, 4*n), read(gates, 8*n), read(dg, 8*n), read(dcs, n), mid - before, end - mid}
					}
					want, got := run(false), run(true)
					for _, c := range []struct {
						what      string
						got, want []float32
					}{{"h and c", got.seq, want.seq}, {"gates", got.gates, want.gates}, {"dgates", got.dgates, want.dgates}, {"dc", got.dc, want.dc}} {
						for i := range c.want {
							if math.Float32bits(c.got[i]) != math.Float32bits(c.want[i]) {
								t.Fatalf("%s[%d]: the fused step gives %v, the two kernels %v", c.what, i, c.got[i], c.want[i])
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
