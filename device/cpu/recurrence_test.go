package cpu_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/tensorgl/tensorgl/device"
	"github.com/tensorgl/tensorgl/device/cpu"
)

// TestRecurrencesSameBits runs the whole-sequence recurrences (LSTM, GRU,
// Elman, forward and backward) at sizes whose steps the CPU backend runs
// in row blocks side by side, with batches that are not whole blocks, on
// 1, 2 and 3 threads: every output has the same bits on each, and the
// LSTM's and GRU's those of their step-by-step forms (LSTMSteps, GRUSteps
// and their backwards) on one thread.
func TestRecurrencesSameBits(t *testing.T) {
	d := cpu.New()
	defer d.Close()
	rng := rand.New(rand.NewPCG(71, 72))
	upload := func(n int) device.Buffer {
		v := make([]float32, n)
		for i := range v {
			v[i] = rng.Float32()*2 - 1
		}
		b := d.Alloc(device.Float32, n)
		d.Write(b, v)
		return b
	}
	read := func(b device.Buffer) []float32 {
		v := make([]float32, b.Len())
		if err := d.Read(b, v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	type run func(steps bool) [][]float32
	cases := map[string]run{}
	for _, c := range []struct {
		batch, hidden, steps int
		reverse              bool
	}{{64, 128, 24, false}, {37, 96, 24, true}} {
		p := device.RecurrenceParams{Steps: c.steps, Batch: c.batch, Hidden: c.hidden, Reverse: c.reverse}
		bh := c.batch * c.hidden
		xw4, whh4, h0, c0, g2 := upload(4*c.steps*bh), upload(4*c.hidden*c.hidden), upload(bh), upload(bh), upload(2*c.steps*bh)
		cases[fmt.Sprintf("lstm/%+v", p)] = func(steps bool) [][]float32 {
			y, gates, dgates, dc := d.Alloc(device.Float32, 2*c.steps*bh), d.Alloc(device.Float32, 4*c.steps*bh), d.Alloc(device.Float32, 4*c.steps*bh), d.Alloc(device.Float32, bh)
			if steps {
				device.LSTMSteps(d, y, gates, xw4, whh4, h0, c0, p)
				device.LSTMBackwardSteps(d, dgates, dc, g2, whh4, gates, y, c0, p)
			} else {
				d.LSTM(y, gates, xw4, whh4, h0, c0, p)
				d.LSTMBackward(dgates, dc, g2, whh4, gates, y, c0, p)
			}
			return [][]float32{read(y), read(gates), read(dgates), read(dc)}
		}
		xw3, whh3, bhh, g1 := upload(3*c.steps*bh), upload(3*c.hidden*c.hidden), upload(3*c.hidden), upload(c.steps*bh)
		cases[fmt.Sprintf("gru/%+v", p)] = func(steps bool) [][]float32 {
			y, gates := d.Alloc(device.Float32, c.steps*bh), d.Alloc(device.Float32, 4*c.steps*bh)
			dx, dhh, dh := d.Alloc(device.Float32, 3*c.steps*bh), d.Alloc(device.Float32, 3*c.steps*bh), d.Alloc(device.Float32, bh)
			if steps {
				device.GRUSteps(d, y, gates, xw3, whh3, bhh, h0, p)
				device.GRUBackwardSteps(d, dx, dhh, dh, g1, whh3, gates, y, h0, p)
			} else {
				d.GRU(y, gates, xw3, whh3, bhh, h0, p)
				d.GRUBackward(dx, dhh, dh, g1, whh3, gates, y, h0, p)
			}
			return [][]float32{read(y), read(gates), read(dx), read(dhh), read(dh)}
		}
		ep := device.ElmanParams{Steps: 3 * c.steps, Batch: c.batch, Hidden: c.hidden, Act: device.ActTanh, Reverse: c.reverse}
		xw, whh, g := upload(ep.Steps*bh), upload(c.hidden*c.hidden), upload(ep.Steps*bh)
		cases[fmt.Sprintf("elman/%+v", ep)] = func(steps bool) [][]float32 {
			if steps {
				return nil
			}
			y, dz := d.Alloc(device.Float32, ep.Steps*bh), d.Alloc(device.Float32, ep.Steps*bh)
			d.Elman(y, xw, whh, h0, ep)
			d.ElmanBackward(dz, g, whh, y, ep)
			return [][]float32{read(y), read(dz)}
		}
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	for name, r := range cases {
		runtime.GOMAXPROCS(1)
		want := r(true)
		if want == nil {
			want = r(false)
		}
		for _, procs := range []int{1, 2, 3} {
			runtime.GOMAXPROCS(procs)
			got := r(false)
			for o := range want {
				for i := range want[o] {
					if math.Float32bits(got[o][i]) != math.Float32bits(want[o][i]) {
						t.Fatalf("%s on %d threads: output %d [%d] = %g, want %g", name, procs, o, i, got[o][i], want[o][i])
					}
				}
			}
		}
	}
}
