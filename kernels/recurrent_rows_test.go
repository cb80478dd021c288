package kernels

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestRecurrentRowsSameBits runs an LSTM's and a GRU's recurrences forward
// and backward, and an Elman one with its activation's gradient, in the
// row blocks of RecurrentRows (split down to a sliver of rows a block) and
// step by step on the whole batch, as the CPU device ran them before: the
// same bits, for every GOMAXPROCS, with batches that are not whole slivers.
func TestRecurrentRowsSameBits(t *testing.T) {
	defer func(w int64) { recurrentBlockWork = w }(recurrentBlockWork)
	recurrentBlockWork = 1
	rng := rand.New(rand.NewPCG(61, 62))
	for _, batch := range []int{1, 7, 9, 17, 64, 67} {
		for _, hidden := range []int{5, 16, 33} {
			const steps = 5
			for _, kind := range []string{"lstm", "gru", "elman"} {
				name := fmt.Sprintf("%s/batch=%d/hidden=%d", kind, batch, hidden)
				run := recurrences[kind](rng, batch, hidden, steps)
				want := run(false)
				for _, procs := range []int{1, 2, 3, 8} {
					var got [][]float32
					withProcs(procs, func() { got = run(true) })
					for o := range want {
						for i := range want[o] {
							if !sameFloat(got[o][i], want[o][i]) {
								t.Fatalf("%s GOMAXPROCS=%d: output %d [%d] = %g in row blocks, %g step by step", name, procs, o, i, got[o][i], want[o][i])
							}
						}
					}
				}
			}
		}
	}
}

// recurrences build a recurrence's operands; the function returned runs it
// in RecurrentRows' blocks or step by step on the whole batch and returns
// its outputs.
var recurrences = map[string]func(rng *rand.Rand, batch, hidden, steps int) func(rows bool) [][]float32{
	"lstm": func(rng *rand.Rand, b, hd, steps int) func(bool) [][]float32 {
		xw, whh, g := randSlice(rng, steps*b*4*hd, 1), randSlice(rng, 4*hd*hd, 0.5), randSlice(rng, 2*steps*b*hd, 1)
		h0, c0 := randSlice(rng, b*hd, 1), randSlice(rng, b*hd, 1)
		return func(rows bool) [][]float32 {
			bh, b4, cOff := b*hd, 4*b*hd, steps*b*hd
			y, gates := make([]float32, 2*steps*bh), make([]float32, steps*b4)
			pb := PackB(b, 4*hd, hd, true, whh, hd, make([]float32, PackedBLen(b, 4*hd, hd)))
			forward := func(lo, hi, t int) {
				hPrev, cPrev := h0, c0
				if t > 0 {
					hPrev, cPrev = y[(t-1)*bh:], y[cOff+(t-1)*bh:]
				}
				e := &Epilogue{Residual: xw[t*b4:]}
				if rows {
					SgemmPackedRows(b, lo, hi, 1, hPrev, hd, pb, 0, gates[t*b4:], 4*hd, e)
					LSTMCellRows(y[t*bh:], y[cOff+t*bh:], gates[t*b4:], cPrev, b, lo, hi, hd)
				} else {
					SgemmPacked(false, b, 1, hPrev, hd, pb, 0, gates[t*b4:], 4*hd, e)
					LSTMCell(y[t*bh:], y[cOff+t*bh:], gates[t*b4:], cPrev, b, hd)
				}
			}
			dgates, dc, dh := make([]float32, steps*b4), make([]float32, bh), make([]float32, bh)
			pbT := PackB(b, hd, 4*hd, false, whh, hd, make([]float32, PackedBLen(b, hd, 4*hd)))
			backward := func(lo, hi, i int) {
				t := steps - 1 - i
				cPrev := c0
				if t > 0 {
					cPrev = y[cOff+(t-1)*bh:]
				}
				if i == 0 {
					lstmBackRows(rows, dgates[t*b4:], dc, g[t*bh:], g[cOff+t*bh:], gates[t*b4:], y[cOff+t*bh:], cPrev, b, lo, hi, hd)
					return
				}
				e := &Epilogue{Residual: g[t*bh:]}
				if rows {
					SgemmPackedRows(b, lo, hi, 1, dgates[(t+1)*b4:], 4*hd, pbT, 0, dh, hd, e)
				} else {
					SgemmPacked(false, b, 1, dgates[(t+1)*b4:], 4*hd, pbT, 0, dh, hd, e)
				}
				lstmBackRows(rows, dgates[t*b4:], dc, dh, dc, gates[t*b4:], y[cOff+t*bh:], cPrev, b, lo, hi, hd)
			}
			runRecurrence(rows, pb, b, steps, forward)
			runRecurrence(rows, pbT, b, steps, backward)
			return [][]float32{y, gates, dgates, dc}
		}
	},
	"gru": func(rng *rand.Rand, b, hd, steps int) func(bool) [][]float32 {
		xw, whh, bhh, g := randSlice(rng, steps*b*3*hd, 1), randSlice(rng, 3*hd*hd, 0.5), randSlice(rng, 3*hd, 1), randSlice(rng, steps*b*hd, 1)
		h0 := randSlice(rng, b*hd, 1)
		return func(rows bool) [][]float32 {
			bh := b * hd
			y, gates, hh := make([]float32, steps*bh), make([]float32, steps*4*bh), make([]float32, 3*bh)
			pb := PackB(b, 3*hd, hd, true, whh, hd, make([]float32, PackedBLen(b, 3*hd, hd)))
			e := &Epilogue{Bias: bhh}
			forward := func(lo, hi, t int) {
				prev := h0
				if t > 0 {
					prev = y[(t-1)*bh:]
				}
				if rows {
					SgemmPackedRows(b, lo, hi, 1, prev, hd, pb, 0, hh, 3*hd, e)
					GRUCellRows(y[t*bh:], gates[t*4*bh:], xw[t*3*bh:], hh, prev, b, lo, hi, hd)
				} else {
					SgemmPacked(false, b, 1, prev, hd, pb, 0, hh, 3*hd, e)
					GRUCell(y[t*bh:], gates[t*4*bh:], xw[t*3*bh:], hh, prev, b, hd)
				}
			}
			dx, dhh, dh := make([]float32, steps*3*bh), make([]float32, steps*3*bh), make([]float32, bh)
			pbT := PackB(b, hd, 3*hd, false, whh, hd, make([]float32, PackedBLen(b, hd, 3*hd)))
			backward := func(lo, hi, i int) {
				t := steps - 1 - i
				prev := h0
				if t > 0 {
					prev = y[(t-1)*bh:]
				}
				src := g[t*bh:]
				if i > 0 {
					e := &Epilogue{Residual: g[t*bh:]}
					if rows {
						SgemmPackedRows(b, lo, hi, 1, dhh[(t+1)*3*bh:], 3*hd, pbT, 1, dh, hd, e)
					} else {
						SgemmPacked(false, b, 1, dhh[(t+1)*3*bh:], 3*hd, pbT, 1, dh, hd, e)
					}
					src = dh
				}
				if rows {
					GRUCellBackwardRows(dx[t*3*bh:], dhh[t*3*bh:], dh, src, gates[t*4*bh:], prev, b, lo, hi, hd)
				} else {
					GRUCellBackward(dx[t*3*bh:], dhh[t*3*bh:], dh, src, gates[t*4*bh:], prev, b, hd)
				}
			}
			runRecurrence(rows, pb, b, steps, forward)
			runRecurrence(rows, pbT, b, steps, backward)
			return [][]float32{y, gates, dx, dhh, dh}
		}
	},
	"elman": func(rng *rand.Rand, b, hd, steps int) func(bool) [][]float32 {
		xw, whh, g := randSlice(rng, steps*b*hd, 1), randSlice(rng, hd*hd, 0.5), randSlice(rng, steps*b*hd, 1)
		h0 := randSlice(rng, b*hd, 1)
		return func(rows bool) [][]float32 {
			bh := b * hd
			y, dz := make([]float32, steps*bh), make([]float32, steps*bh)
			pb := PackB(b, hd, hd, true, whh, hd, make([]float32, PackedBLen(b, hd, hd)))
			product := func(lo, hi int, a []float32, pb *PackedB, c []float32, e *Epilogue) {
				if rows {
					SgemmPackedRows(b, lo, hi, 1, a, hd, pb, 0, c, hd, e)
				} else {
					SgemmPacked(false, b, 1, a, hd, pb, 0, c, hd, e)
				}
			}
			runRecurrence(rows, pb, b, steps, func(lo, hi, t int) {
				prev := h0
				if t > 0 {
					prev = y[(t-1)*bh:]
				}
				product(lo, hi, prev, pb, y[t*bh:], &Epilogue{Residual: xw[t*bh:], Act: Tanh, HasAct: true})
			})
			copy(dz[(steps-1)*bh:], g[(steps-1)*bh:])
			pbT := PackB(b, hd, hd, false, whh, hd, make([]float32, PackedBLen(b, hd, hd)))
			runRecurrence(rows, pbT, b, steps-1, func(lo, hi, i int) {
				t := steps - 2 - i
				product(lo, hi, dz[(t+1)*bh:], pbT, dz[t*bh:], &Epilogue{Residual: g[t*bh:], ActOut: y[t*bh:], Act: Tanh, Grad: TanhGrad, HasAct: true})
			})
			return [][]float32{y, dz}
		}
	},
}

// runRecurrence runs fn's steps in RecurrentRows' blocks, or in turn on
// the whole batch.
func runRecurrence(rows bool, pb *PackedB, batch, steps int, fn func(lo, hi, n int)) {
	if rows {
		RecurrentRows(pb, batch, steps, fn)
		return
	}
	for n := range steps {
		fn(0, batch, n)
	}
}

// lstmBackRows is LSTMCellBackwardRows, or LSTMCellBackward on the whole
// batch.
func lstmBackRows(rows bool, dgates, dcPrev, dh, dc, gates, c, cPrev []float32, batch, lo, hi, hidden int) {
	if rows {
		LSTMCellBackwardRows(dgates, dcPrev, dh, dc, gates, c, cPrev, batch, lo, hi, hidden)
		return
	}
	LSTMCellBackward(dgates, dcPrev, dh, dc, gates, c, cPrev, batch, hidden)
}

// TestRecurrentBlocks: a recurrence splits into whole slivers of rows, one
// a worker, only where one step's product runs on one worker and the
// whole is worth it; RecurrentRows covers every row once.
func TestRecurrentBlocks(t *testing.T) {
	pack := func(m, n, k int) *PackedB {
		return PackB(m, n, k, true, make([]float32, n*k), k, make([]float32, PackedBLen(m, n, k)))
	}
	for _, c := range []struct {
		name                     string
		batch, n, k, steps, want int
		workers                  int
	}{
		{"char rnn", 64, 128, 128, 64, 2, 2},
		{"char rnn, one worker", 64, 128, 128, 64, 1, 1},
		{"char rnn, 16 workers", 64, 128, 128, 256, -1, 16}, // a sliver of rows each
		{"one step", 64, 128, 128, 1, 1, 2},                 // 1 Mi multiply-adds: not worth a block
		{"lstm 2×512", 64, 2048, 512, 64, 1, 2},             // each step's product goes parallel
		{"batch of one row", 1, 128, 128, 1 << 20, 1, 2},
		{"too small to pack", 2, 4, 4, 1 << 20, 1, 2},
	} {
		pb := pack(c.batch, c.n, c.k)
		if c.want < 0 {
			c.want = min(c.workers, ceilDiv(c.batch, pb.arch.mr))
		}
		if got := recurrentBlocks(pb, c.batch, c.steps, c.workers); got != c.want {
			t.Errorf("%s: %d blocks, want %d", c.name, got, c.want)
		}
	}

	defer func(w int64) { recurrentBlockWork = w }(recurrentBlockWork)
	recurrentBlockWork = 1
	for _, procs := range []int{1, 2, 3, 8} {
		for _, batch := range []int{1, 8, 9, 23, 64} {
			pb := pack(batch, 16, 16)
			mr := pb.arch.mr
			withProcs(procs, func() {
				const steps = 7
				var mu = make(chan struct{}, 1)
				ran := make([]int, batch) // steps run, per row
				blocks := map[int]int{}
				RecurrentRows(pb, batch, steps, func(lo, hi, n int) {
					mu <- struct{}{}
					defer func() { <-mu }()
					if _, ok := blocks[lo]; !ok {
						blocks[lo] = hi
					} else if blocks[lo] != hi {
						t.Errorf("GOMAXPROCS=%d batch=%d: block at %d ends at %d and at %d", procs, batch, lo, blocks[lo], hi)
					}
					if lo%mr != 0 || (hi%mr != 0 && hi != batch) || hi <= lo {
						t.Errorf("GOMAXPROCS=%d batch=%d: block [%d, %d) is not whole slivers of %d rows", procs, batch, lo, hi, mr)
					}
					for i := lo; i < hi; i++ {
						if ran[i] != n {
							t.Errorf("GOMAXPROCS=%d batch=%d: row %d ran step %d after %d steps", procs, batch, i, n, ran[i])
						}
						ran[i]++
					}
				})
				if want := min(procs, ceilDiv(batch, mr)); len(blocks) != want {
					t.Errorf("GOMAXPROCS=%d batch=%d: %d blocks, want %d", procs, batch, len(blocks), want)
				}
				for i, n := range ran {
					if n != steps {
						t.Errorf("GOMAXPROCS=%d batch=%d: row %d ran %d steps, want %d", procs, batch, i, n, steps)
					}
				}
			})
		}
	}
}

// BenchmarkRecurrentRows times an Elman recurrence (tanh, the input
// projection added in the epilogue) of the character RNN's and the rows
// RNN's sizes, with the batch in row blocks side by side ("rows") and
// step by step on all of it ("steps"), in GFLOP/s.
func BenchmarkRecurrentRows(b *testing.B) {
	rng := rand.New(rand.NewPCG(63, 64))
	for _, s := range []struct {
		name                 string
		batch, hidden, steps int
	}{{"char-rnn", 64, 128, 64}, {"rows-rnn", 64, 128, 28}, {"batch-32", 32, 128, 64}, {"hidden-256", 64, 256, 64}} {
		bh := s.batch * s.hidden
		xw, whh, h0 := randSlice(rng, s.steps*bh, 1), randSlice(rng, s.hidden*s.hidden, 0.1), randSlice(rng, bh, 1)
		y := make([]float32, s.steps*bh)
		pb := PackB(s.batch, s.hidden, s.hidden, true, whh, s.hidden, make([]float32, PackedBLen(s.batch, s.hidden, s.hidden)))
		for _, split := range []bool{false, true} {
			b.Run(fmt.Sprintf("%s/%dx%d-%d/%s", s.name, s.batch, s.hidden, s.steps, map[bool]string{false: "steps", true: "rows"}[split]), func(b *testing.B) {
				defer func(w int64) { recurrentBlockWork = w }(recurrentBlockWork)
				if !split {
					recurrentBlockWork = 1 << 62
				}
				for b.Loop() {
					RecurrentRows(pb, s.batch, s.steps, func(lo, hi, t int) {
						prev := h0
						if t > 0 {
							prev = y[(t-1)*bh:]
						}
						SgemmPackedRows(s.batch, lo, hi, 1, prev, s.hidden, pb, 0, y[t*bh:], s.hidden, &Epilogue{Residual: xw[t*bh:], Act: Tanh, HasAct: true})
					})
				}
				b.ReportMetric(2*float64(bh*s.hidden*s.steps)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}

// TestSgemmPackedRows: the row pieces of a product, each computed by
// SgemmPackedRows, give SgemmPacked's bits on all the rows, for products
// it runs packed and too small to pack, alpha 0, beta 0 and 1, and
// epilogues that index their operands by row (a residual, a row bias, an
// activation's gradient).
func TestSgemmPackedRows(t *testing.T) {
	rng := rand.New(rand.NewPCG(65, 66))
	for _, s := range []struct{ m, n, k int }{{2, 3, 4}, {13, 40, 17}, {67, 33, 128}} {
		for _, alpha := range []float32{1, 0} {
			for _, beta := range []float32{0, 1} {
				ldc := s.n + 3
				a, whh := randSlice(rng, s.m*s.k, 1), randSlice(rng, s.n*s.k, 1)
				c0 := randSlice(rng, s.m*ldc, 1)
				e := &Epilogue{Residual: randSlice(rng, s.m*ldc, 1), ActOut: randSlice(rng, s.m*ldc, 1), Bias: randSlice(rng, s.m, 1),
					BiasRows: true, Act: Tanh, Grad: TanhGrad, HasAct: true}
				pb := PackB(s.m, s.n, s.k, true, whh, s.k, make([]float32, PackedBLen(s.m, s.n, s.k)))
				want := append([]float32(nil), c0...)
				SgemmPacked(false, s.m, alpha, a, s.k, pb, beta, want, ldc, e)
				for _, cuts := range [][]int{{0, s.m}, {0, 1, s.m}, {0, s.m / 2, s.m - 1, s.m}} {
					got := append([]float32(nil), c0...)
					for i := 1; i < len(cuts); i++ {
						SgemmPackedRows(s.m, cuts[i-1], cuts[i], alpha, a, s.k, pb, beta, got, ldc, e)
					}
					for i := range want {
						if !sameFloat(got[i], want[i]) {
							t.Fatalf("%dx%dx%d alpha=%g beta=%g rows cut at %v: C[%d] = %g, SgemmPacked %g", s.m, s.n, s.k, alpha, beta, cuts, i, got[i], want[i])
						}
					}
				}
			}
		}
	}
}
