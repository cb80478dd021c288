//go:build cgo && !nogl

package gl

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/tensorgl/tensorgl/device"
)

// TestSequenceOneDispatch: the one-dispatch LSTM and GRU recurrences give
// the results of one step at a time (the path llvmpipe takes by default,
// and any device where the state does not fit) to the bit, forward and
// backward, in both directions, with and without the GRU's bias, with the
// groups llvmpipe runs and those hardware runs: one dispatch each way
// (and one transposing whh forward) where the other takes one or more a
// step.
func TestSequenceOneDispatch(t *testing.T) {
	fused, hw, steps := recurrenceDevices(t)
	rng := rand.New(rand.NewPCG(5, 9))
	draw := func(n int, scale float64) []float32 { return normals(rng, n, scale) }
	for _, p := range []device.RecurrenceParams{
		{Steps: 5, Batch: 6, Hidden: 37},
		{Steps: 4, Batch: 3, Hidden: 37, Reverse: true},
		{Steps: 1, Batch: 2, Hidden: 5},                // the step run last is the only one
		{Steps: 3, Batch: 1, Hidden: 1, Reverse: true}, // one unit
		// More columns than a hardware group has invocations (1 200 and
		// 900 of 1 024), more units than llvmpipe's 32: each owns several.
		{Steps: 3, Batch: 9, Hidden: 300},
	} {
		bh, sbh, h := p.Batch*p.Hidden, p.Steps*p.Batch*p.Hidden, p.Hidden
		scale := 1 / math.Sqrt(float64(h))
		lx, lw, lh0, lc0 := draw(4*sbh, 1.5), draw(4*h*h, scale), draw(bh, 0.8), draw(bh, 1)
		lg := draw(2*sbh, 1)
		gx, gw, gb, gh0, gg := draw(3*sbh, 1.5), draw(3*h*h, scale), draw(3*h, 0.3), draw(bh, 0.8), draw(sbh, 1)
		// run returns what the LSTM, the GRU with its bias and the GRU
		// without wrote, forward and backward, and the dispatches each
		// call took.
		run := func(d *Device) (out [][]float32, counts []int64) {
			up := func(v []float32) device.Buffer {
				b := d.Alloc(device.Float32, len(v))
				d.Write(b, v)
				return b
			}
			count := func() int64 {
				if err := d.Sync(); err != nil { // the GL thread counts as it runs them
					t.Fatal(err)
				}
				return d.Stats().Dispatches
			}
			read := func(bs ...device.Buffer) {
				for _, b := range bs {
					v := make([]float32, b.Len())
					if err := d.Read(b, v); err != nil {
						t.Fatal(err)
					}
					out = append(out, v)
				}
			}
			timed := func(f func()) {
				before := count()
				f()
				counts = append(counts, count()-before)
			}
			y, gates, w := d.Alloc(device.Float32, 2*sbh), d.Alloc(device.Float32, 4*sbh), up(lw)
			timed(func() { d.LSTM(y, gates, up(lx), w, up(lh0), up(lc0), p) })
			dgates, dc := d.Alloc(device.Float32, 4*sbh), d.Alloc(device.Float32, bh)
			timed(func() { d.LSTMBackward(dgates, dc, up(lg), w, gates, y, up(lc0), p) })
			read(y, gates, dgates, dc)
			for _, bias := range []bool{true, false} {
				var b device.Buffer
				if bias {
					b = up(gb)
				}
				y, gates, w := d.Alloc(device.Float32, sbh), d.Alloc(device.Float32, 4*sbh), up(gw)
				timed(func() { d.GRU(y, gates, up(gx), w, b, up(gh0), p) })
				dx, dhh, dh := d.Alloc(device.Float32, 3*sbh), d.Alloc(device.Float32, 3*sbh), d.Alloc(device.Float32, bh)
				timed(func() { d.GRUBackward(dx, dhh, dh, up(gg), w, gates, y, up(gh0), p) })
				read(y, gates, dx, dhh, dh)
			}
			return out, counts
		}
		names := []string{"lstm y", "lstm gates", "lstm dgates", "lstm dc"}
		for _, bias := range []string{"gru+bias", "gru"} {
			for _, o := range []string{"y", "gates", "dx", "dhh", "dh"} {
				names = append(names, bias+" "+o)
			}
		}
		want, stepCounts := run(steps)
		for i, n := range stepCounts {
			if n < int64(p.Steps) {
				t.Errorf("%+v: call %d took %d dispatches a step at a time, want at least %d", p, i, n, p.Steps)
			}
		}
		for _, d := range []*Device{fused, hw} {
			rows := []int{d.recurrenceRows(p.Batch, h, 4, 5*h), d.recurrenceRows(p.Batch, h, 4, 4*h),
				d.recurrenceRows(p.Batch, h, 3, 4*h), d.recurrenceRows(p.Batch, h, 3, 3*h)}
			name := fmt.Sprintf("%+v, %v rows a group", p, rows)
			for _, r := range rows {
				if r == 0 {
					t.Fatalf("%s: a recurrence does not run as one dispatch", name)
				}
			}
			got, counts := run(d)
			for i, n := range counts {
				if want := []int64{2, 1}[i%2]; n != want {
					t.Errorf("%s: call %d took %d dispatches, want %d (a transpose and the recurrence forward, one backward)", name, i, n, want)
				}
			}
			for i := range want {
				for j := range want[i] {
					if math.Float32bits(got[i][j]) != math.Float32bits(want[i][j]) {
						t.Fatalf("%s: %s[%d] = %v in one dispatch, %v a step at a time", name, names[i], j, got[i][j], want[i][j])
					}
				}
			}
		}
	}
}

// TestSequenceRows: the one-dispatch LSTM and GRU take the rows the
// shared memory holds on llvmpipe, one on hardware up to the bounds on
// the hidden size and the work.
func TestSequenceRows(t *testing.T) {
	d := &Device{recurrenceFused: true, info: device.Info{Limits: device.Limits{MaxSharedMemory: 32768}}}
	for _, c := range []struct {
		software                    bool
		batch, hidden, gates, state int
		want                        int
	}{
		{false, 64, 128, 4, 5 * 128, 1},  // the rows model's width: 2²² multiply-adds a step
		{false, 64, 256, 4, 5 * 256, 1},  // 2²⁴
		{false, 65, 256, 4, 5 * 256, 0},  // past recurrenceMaxWork
		{false, 64, 512, 4, 5 * 512, 0},  // the language model's: 2²⁶
		{false, 2, 513, 3, 4 * 513, 0},   // past recurrenceMaxHidden
		{false, 64, 512, 3, 4 * 512, 0},  // 3·2²⁴
		{true, 64, 128, 4, 5 * 128, 4},   // 2.5 KiB a row: four in 16 KiB
		{true, 64, 128, 4, 4 * 128, 8},   // 2 KiB a row
		{true, 6, 64, 3, 3 * 64, 6},      // the batch's rows
		{true, 64, 1024, 4, 5 * 1024, 0}, // 20 KiB a row
	} {
		d.softDefaults = c.software
		if got := d.recurrenceRows(c.batch, c.hidden, c.gates, c.state); got != c.want {
			t.Errorf("software %v, batch %d, %d gates of %d units, %d floats a row: %d rows a group, want %d",
				c.software, c.batch, c.gates, c.hidden, c.state, got, c.want)
		}
	}
	d.recurrenceFused = false
	if got := d.recurrenceRows(4, 8, 4, 40); got != 0 {
		t.Errorf("steps: %d rows a group, want 0", got)
	}
}
