//go:build cgo && !nogl

package gl

import (
	"fmt"
	"os"
	"strings"

	"github.com/tensorgl/tensorgl/device"
)

// RecurrenceEnv names the environment variable that chooses, when a
// device is opened, how the whole recurrences run (Elman, LSTM, GRU and
// their backwards): fused (one dispatch each way, after one that
// transposes whh forward unless Elman's weights sit in registers, see
// ElmanRegsEnv, where recurrenceRows allows: shaders/elman.comp,
// shaders/sequence.comp) or steps (one GEMM a step, or LSTMStep, GRUStep
// and their backwards). The results are the same to the bit. The default
// is fused on hardware, where each dispatch costs host time, and steps on
// llvmpipe, where a dispatch costs little and the tiled GEMM computes a
// step faster than the one-dispatch kernel (a character RNN's training
// step took 0.66 s against 0.38 s, bench/results/elman-2026-11-30.txt).
// On the H200 Elman's 64 steps of batch 64 and 128 units took 0.355 ms as
// one dispatch against 1.94 ms a step at a time
// (bench/results/h200-run-2026-12-04-first/elman-ab.txt); the LSTM's and
// GRU's, which came later, are untimed on a GPU: bench/gpu/run.sh's
// recurrence-ab times both ways. It was TENSORGL_GL_ELMAN while it
// covered Elman alone; that name is refused with a note saying so.
const RecurrenceEnv = "TENSORGL_GL_RECURRENCE"

// recurrenceSetting reads RecurrenceEnv: whether the recurrences run fused
// on a device that is software or not.
func recurrenceSetting(software bool) (bool, error) {
	if v, ok := os.LookupEnv("TENSORGL_GL_ELMAN"); ok {
		return false, fmt.Errorf("TENSORGL_GL_ELMAN=%q: the setting is now %s (fused or steps), for the LSTM and GRU too", v, RecurrenceEnv)
	}
	switch v := os.Getenv(RecurrenceEnv); v {
	case "":
		return !software, nil
	case "fused":
		return true, nil
	case "steps":
		return false, nil
	default:
		return false, fmt.Errorf("%s=%q: want fused or steps", RecurrenceEnv, v)
	}
}

// recurrenceMaxHidden bounds the hidden size run as one dispatch on
// hardware: beyond it a step's GEMM has work for many work groups, where
// one group per row would leave most of a large GPU idle.
const recurrenceMaxHidden = 512

// recurrenceMaxWork bounds batch × gates·hidden × hidden (a step's
// multiply-adds) run as one dispatch on hardware. Every work group (one
// row) reads all of whh each step, 4·batch·gates·hidden² bytes a step from
// the cache, where a step's GEMM reads it once. On the H200
// (bench/results/h200-run-2026-12-04-first/elman-ab.txt) Elman's 64 steps
// of batch 64 and 128 units (2²⁰) took 0.355 ms as one dispatch against
// 1.94 ms a step at a time, 16 steps of batch 256 and 512 units (2²⁶)
// 1.54 ms against 0.574: about 30 µs a step at a time, and one dispatch
// about 2.7 TB/s of whh a step above its latency, which reach 30 µs near
// 2²⁴. Between the two, the bound is that estimate, not a timing.
const recurrenceMaxWork = 1 << 24

// recurrenceMaxShared bounds the kernels' shared memory below the 32 KiB
// GL 4.3 guarantees. On Mesa 22.3's llvmpipe, Elman's groups of 33 to 64
// rows of 128 units (16.5 to 32 KiB of state) gave wrong results after the
// first step, while every group of at most 32 rows tried was right (up to
// 8 rows of 600 units, 19 KiB); the groups here take at most 8 rows, and
// this bound keeps the state within what was tried.
const recurrenceMaxShared = 16 << 10

// recurrenceRows returns how many batch rows a work group of a
// one-dispatch recurrence of gates gates of hidden units runs, keeping
// state floats a row in shared memory; 0 when it does not run as one
// dispatch: not fused (see RecurrenceEnv), too wide or too much work on
// hardware, or one row's state does not fit recurrenceMaxShared. On
// llvmpipe a group takes up to 8 rows, so a row of whh read from memory
// serves eight products; on hardware one row a group spreads the batch
// over the most multiprocessors.
func (d *Device) recurrenceRows(batch, hidden, gates, state int) int {
	if !d.recurrenceFused {
		return 0
	}
	rows := 1
	if d.softDefaults {
		rows = min(8, batch)
	} else if hidden > recurrenceMaxHidden || batch*gates*hidden*hidden > recurrenceMaxWork {
		return 0
	}
	for ; rows > 0; rows /= 2 {
		if 4*rows*state <= min(d.info.Limits.MaxSharedMemory, recurrenceMaxShared) {
			return rows
		}
	}
	return 0
}

// LSTM runs the whole recurrence as one dispatch (shaders/sequence.comp)
// after one that transposes whh, where recurrenceRows allows (the state:
// h and the step's 4·H products a row), else one LSTMStep a step.
func (d *Device) LSTM(y, gates, xw, whh, h0, c0 device.Buffer, p device.RecurrenceParams) {
	h := p.Hidden
	rows := d.recurrenceRows(p.Batch, h, 4, 5*h)
	if rows == 0 {
		device.LSTMSteps(d, y, gates, xw, whh, h0, c0, p)
		return
	}
	wt := d.transposed(whh, 4*h, h)
	d.sequence("lstm", "SEQ_LSTM", rows, 4*h, []*glBuffer{d.buf(y), d.buf(wt), d.buf(gates), d.buf(xw), d.buf(h0), d.buf(c0)}, writes(0, 2), p)
	d.Free(wt) // commands run in order: a reuse comes after the recurrence
}

// LSTMBackward runs as one dispatch where recurrenceRows allows (the
// state: the step's 4·H gradients of the gates a row), else one
// LSTMStepBackward a step.
func (d *Device) LSTMBackward(dgates, dc, g, whh, gates, y, c0 device.Buffer, p device.RecurrenceParams) {
	h := p.Hidden
	rows := d.recurrenceRows(p.Batch, h, 4, 4*h)
	if rows == 0 {
		device.LSTMBackwardSteps(d, dgates, dc, g, whh, gates, y, c0, p)
		return
	}
	d.sequence("lstm backward", "SEQ_LSTM_BACKWARD", rows, h,
		[]*glBuffer{d.buf(dgates), d.buf(whh), d.buf(dc), d.buf(g), d.buf(gates), d.buf(y), d.buf(c0)}, writes(0, 2), p)
}

// GRU runs as one dispatch after one that transposes whh where
// recurrenceRows allows (the state: h and the step's 3·H products a
// row), else one GRUStep a step.
func (d *Device) GRU(y, gates, xw, whh, bhh, h0 device.Buffer, p device.RecurrenceParams) {
	h := p.Hidden
	rows := d.recurrenceRows(p.Batch, h, 3, 4*h)
	if rows == 0 {
		device.GRUSteps(d, y, gates, xw, whh, bhh, h0, p)
		return
	}
	wt := d.transposed(whh, 3*h, h)
	def := "SEQ_GRU"
	bufs := []*glBuffer{d.buf(y), d.buf(wt), d.buf(gates), d.buf(xw), d.buf(h0)}
	if bhh != nil {
		def += " HAS_BIAS"
		bufs = append(bufs, d.buf(bhh))
	}
	d.sequence("gru", def, rows, 3*h, bufs, writes(0, 2), p)
	d.Free(wt) // commands run in order: a reuse comes after the recurrence
}

// GRUBackward runs as one dispatch where recurrenceRows allows (the
// state: the step's 3·H gradients of hh a row), else one GRUStepBackward
// a step.
func (d *Device) GRUBackward(dx, dhh, dh, g, whh, gates, y, h0 device.Buffer, p device.RecurrenceParams) {
	h := p.Hidden
	rows := d.recurrenceRows(p.Batch, h, 3, 3*h)
	if rows == 0 {
		device.GRUBackwardSteps(d, dx, dhh, dh, g, whh, gates, y, h0, p)
		return
	}
	d.sequence("gru backward", "SEQ_GRU_BACKWARD", rows, h,
		[]*glBuffer{d.buf(dx), d.buf(whh), d.buf(dh), d.buf(g), d.buf(gates), d.buf(y), d.buf(h0), d.buf(dhh)}, writes(0, 2, 7), p)
}

// transposed returns a new buffer holding the rows×cols matrix w
// transposed (cols×rows), which the caller frees.
func (d *Device) transposed(w device.Buffer, rows, cols int) device.Buffer {
	wt := d.Alloc(device.Float32, rows*cols)
	d.Copy(wt, 0, device.Strided{Buf: w, Strides: []int{1, cols}}, []int{cols, rows})
	return wt
}

// sequence enqueues the one-dispatch recurrence def of shaders/sequence.comp
// (with its space-separated defines): one work group per rows batch rows,
// of one invocation per output of a step (outs: columns forward, units
// backward; at most 1 024) on hardware and 32 on llvmpipe, bufs bound from
// binding 0, writing those in w.
func (d *Device) sequence(name, def string, rows, outs int, bufs []*glBuffer, w uint32, p device.RecurrenceParams) {
	local := min((outs+31)/32*32, 1024)
	if d.softDefaults {
		local = 32
	}
	defs := append(strings.Fields(def), localDef(local), fmt.Sprintf("HIDDEN=%d", p.Hidden), fmt.Sprintf("ROWS=%d", rows))
	d.recurrence(name, variant{family: "sequence", defs: defs}, rows, bufs, w, p, nil)
}

// recurrence enqueues the one-dispatch recurrence v (elman.comp or
// sequence.comp): one work group per rows of p's batch rows, bufs bound
// from binding 0 (writing those in w), the steps' uniforms set, then
// set's (nil: none).
func (d *Device) recurrence(name string, v variant, rows int, bufs []*glBuffer, w uint32, p device.RecurrenceParams, set func(*program)) {
	reverse := 0
	if p.Reverse {
		reverse = 1
	}
	d.enqueue(name, func() {
		prog := d.program(v)
		if prog == nil {
			return
		}
		d.bind(w, bufs...)
		prog.setInt("u_steps", p.Steps)
		prog.setInt("u_batch", p.Batch)
		prog.setInt("u_reverse", reverse)
		if set != nil {
			set(prog)
		}
		d.dispatch(prog, (p.Batch+rows-1)/rows, 1, 1)
	})
}
