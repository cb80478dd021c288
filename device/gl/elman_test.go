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

// TestElmanOneDispatch: the one-dispatch recurrence gives the results of
// one GEMM a step (the path llvmpipe takes by default, and any device
// where the state does not fit shared memory) to the bit, forward and backward, for every activation and both
// directions, in one dispatch each way where the other takes one or more a
// step; each of the renderer's and hardware's work groups with the weights
// read from memory each step and held in registers (ElmanRegsEnv).
func TestElmanOneDispatch(t *testing.T) {
	fused, hw, steps := recurrenceDevices(t)
	regs, hwMem := openOrSkip(t), openOrSkip(t)
	t.Cleanup(func() {
		regs.Close()
		hwMem.Close()
	})
	regs.recurrenceFused, regs.elmanRegs = true, true
	hwMem.recurrenceFused, hwMem.softDefaults, hwMem.elmanRegs = true, false, false
	hw.elmanRegs = true // hardware's default
	rng := rand.New(rand.NewPCG(3, 8))
	acts := append([]device.Activation{device.NoActivation}, device.Activations()...)
	for i, act := range acts {
		p := device.ElmanParams{Steps: 5, Batch: 6, Hidden: 37, Act: act, Reverse: i%2 == 1}
		if act == device.ActLeakyRelu {
			p.Slope = 0.1
		}
		if act == device.ActRelu {
			// The most units whose weights registers hold.
			p.Steps, p.Batch, p.Hidden = 4, 5, elmanRegsMaxHidden
		}
		if act == device.ActTanh {
			// More units than a work group has invocations: each owns two.
			p.Steps, p.Batch, p.Hidden = 3, 3, 300
		}
		if act == device.ActSigmoid {
			// Eight rows of 600 units would take 18.75 KiB of shared
			// memory: llvmpipe's groups take four (recurrenceMaxShared);
			// hardware runs this width a step at a time (recurrenceMaxHidden).
			p.Steps, p.Batch, p.Hidden = 3, 8, 600
		}
		bh := p.Batch * p.Hidden
		draw := func(n int, scale float64) []float32 { return normals(rng, n, scale) }
		xw, whh, h0, g := draw(p.Steps*bh, 1), draw(p.Hidden*p.Hidden, 1/math.Sqrt(float64(p.Hidden))), draw(bh, 1), draw(p.Steps*bh, 1)
		run := func(d *Device) (y, dz []float32, fwd, bwd int64) {
			up := func(v []float32) device.Buffer {
				b := d.Alloc(device.Float32, len(v))
				d.Write(b, v)
				return b
			}
			yb, dzb, w := d.Alloc(device.Float32, p.Steps*bh), d.Alloc(device.Float32, p.Steps*bh), up(whh)
			count := func() int64 {
				if err := d.Sync(); err != nil { // the GL thread counts as it runs them
					t.Fatal(err)
				}
				return d.Stats().Dispatches
			}
			before := count()
			d.Elman(yb, up(xw), w, up(h0), p)
			mid := count()
			d.ElmanBackward(dzb, up(g), w, yb, p)
			y, dz = make([]float32, p.Steps*bh), make([]float32, p.Steps*bh)
			if err := d.Read(yb, y); err != nil {
				t.Fatal(err)
			}
			if err := d.Read(dzb, dz); err != nil {
				t.Fatal(err)
			}
			end := count()
			return y, dz, mid - before, end - mid
		}
		name := fmt.Sprintf("%+v", p)
		y2, dz2, f2, b2 := run(steps)
		if f2 < int64(p.Steps) || b2 < int64(p.Steps) {
			t.Errorf("%s: dispatches forward/backward %d/%d a step at a time", name, f2, b2)
		}
		for _, d := range []*Device{fused, regs, hw, hwMem} {
			rows := d.elmanRows(p)
			y1, dz1, f1, b1 := run(d)
			inRegs := false // a program of this width with the weights in registers
			for key := range d.progs {
				inRegs = inRegs || strings.Contains(key, fmt.Sprintf(" HIDDEN=%d ", p.Hidden)) && strings.Contains(key, "ELMAN_REGS")
			}
			// The rule written out, not elmanInRegs: a wrong bound there fails.
			want := rows > 0 && d.elmanRegs && p.Hidden <= elmanRegsMaxHidden
			if inRegs != want {
				t.Errorf("%s, %d rows a group, registers %v: a program with the weights in registers built %v, want %v", name, rows, d.elmanRegs, inRegs, want)
			}
			// A transpose of whh before the forward, unless its kernel
			// reads whh's rows into registers.
			if wantF := int64(2 - b2i(want)); rows > 0 && (f1 != wantF || b1 != 1) {
				t.Errorf("%s, %d rows a group, registers %v: dispatches forward/backward %d/%d, want %d/1", name, rows, d.elmanRegs, f1, b1, wantF)
			}
			for i := range y1 {
				if math.Float32bits(y1[i]) != math.Float32bits(y2[i]) {
					t.Fatalf("%s, %d rows a group, registers %v: y[%d] = %v in one dispatch, %v a step at a time", name, rows, d.elmanRegs, i, y1[i], y2[i])
				}
				if math.Float32bits(dz1[i]) != math.Float32bits(dz2[i]) {
					t.Fatalf("%s, %d rows a group, registers %v: dz[%d] = %v in one dispatch, %v a step at a time", name, rows, d.elmanRegs, i, dz1[i], dz2[i])
				}
			}
		}
	}
}

// recurrenceDevices opens the three devices the one-dispatch recurrences'
// tests compare, closed when t ends: fused (one dispatch, the work groups
// of this renderer), hw (one dispatch, the work groups a hardware device
// runs, one row each, whatever the renderer) and steps (a step at a time).
func recurrenceDevices(t *testing.T) (fused, hw, steps *Device) {
	fused, hw, steps = openOrSkip(t), openOrSkip(t), openOrSkip(t)
	t.Cleanup(func() {
		fused.Close()
		hw.Close()
		steps.Close()
	})
	fused.recurrenceFused, hw.recurrenceFused, steps.recurrenceFused = true, true, false
	hw.softDefaults = false
	// The same bits need the same order of each sum: a step's product
	// whose K a device splits into slices (a GPU's, for few rows) sums in
	// another, so the steps here sum whole (split products: TestSplitK,
	// TestLSTMStepOneDispatch).
	steps.splitTarget = 0
	return fused, hw, steps
}

// normals returns n normal draws of rng scaled by scale.
func normals(rng *rand.Rand, n int, scale float64) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(rng.NormFloat64() * scale)
	}
	return v
}

func TestRecurrenceEnv(t *testing.T) {
	for _, c := range []struct {
		v              string
		software, want bool
	}{{"", false, true}, {"", true, false}, {"fused", true, true}, {"steps", false, false}} {
		t.Setenv(RecurrenceEnv, c.v)
		if got, err := recurrenceSetting(c.software); err != nil || got != c.want {
			t.Errorf("%s=%q on software=%v: fused %v, %v; want %v", RecurrenceEnv, c.v, c.software, got, err, c.want)
		}
	}
	t.Setenv(RecurrenceEnv, "loop")
	if _, err := Open(); err == nil || !strings.Contains(err.Error(), `TENSORGL_GL_RECURRENCE="loop": want fused or steps`) {
		t.Errorf("Open with %s=loop: %v", RecurrenceEnv, err)
	}
	t.Setenv(RecurrenceEnv, "")
	t.Setenv("TENSORGL_GL_ELMAN", "steps")
	if _, err := Open(); err == nil || !strings.Contains(err.Error(), `TENSORGL_GL_ELMAN="steps": the setting is now TENSORGL_GL_RECURRENCE`) {
		t.Errorf("Open with the setting's old name: %v", err)
	}
}

func TestElmanRows(t *testing.T) {
	// The state of too many units for shared memory runs a step at a time.
	d := &Device{recurrenceFused: true, info: device.Info{Limits: device.Limits{MaxSharedMemory: 32768}}}
	if r := d.elmanRows(device.ElmanParams{Steps: 2, Batch: 4, Hidden: 512}); r != 1 {
		t.Errorf("hardware, 512 units: %d rows a group, want 1", r)
	}
	if r := d.elmanRows(device.ElmanParams{Steps: 2, Batch: 4, Hidden: 513}); r != 0 {
		t.Errorf("hardware, 513 units: %d rows a group, want 0 (a step at a time)", r)
	}
	// Batch × hidden² up to 2²⁴ as one dispatch, beyond a step at a time.
	if r := d.elmanRows(device.ElmanParams{Steps: 2, Batch: 64, Hidden: 512}); r != 1 {
		t.Errorf("hardware, batch 64 of 512 units: %d rows a group, want 1", r)
	}
	if r := d.elmanRows(device.ElmanParams{Steps: 2, Batch: 65, Hidden: 512}); r != 0 {
		t.Errorf("hardware, batch 65 of 512 units: %d rows a group, want 0 (a step at a time)", r)
	}
	if r := d.elmanRows(device.ElmanParams{Steps: 16, Batch: 256, Hidden: 512}); r != 0 {
		t.Errorf("hardware, batch 256 of 512 units: %d rows a group, want 0 (a step at a time)", r)
	}
	d.softDefaults = true
	if r := d.elmanRows(device.ElmanParams{Steps: 2, Batch: 64, Hidden: 1024}); r != 4 {
		t.Errorf("llvmpipe, 1024 units: %d rows a group, want 4 (16 KiB of state)", r)
	}
	if r := d.elmanRows(device.ElmanParams{Steps: 2, Batch: 64, Hidden: 4097}); r != 0 {
		t.Errorf("llvmpipe, 4097 units: %d rows a group, want 0 (one row takes more than 16 KiB)", r)
	}
}

// TestElmanRegsEnv: ElmanRegsEnv unset leaves the weights in memory on a
// software renderer (in registers on hardware: !Software), 1 and 0 choose,
// anything else fails Open naming the setting.
func TestElmanRegsEnv(t *testing.T) {
	for _, c := range []struct {
		v    string
		want func(d *Device) bool
	}{{"", func(d *Device) bool { return !d.softDefaults }}, {"1", func(*Device) bool { return true }}, {"0", func(*Device) bool { return false }}} {
		t.Setenv(ElmanRegsEnv, c.v)
		d := openOrSkip(t)
		if want := c.want(d); d.elmanRegs != want {
			t.Errorf("%s=%q on %s: registers %v, want %v", ElmanRegsEnv, c.v, d.info.Renderer, d.elmanRegs, want)
		}
		d.Close()
	}
	t.Setenv(ElmanRegsEnv, "yes")
	if _, err := Open(); err == nil || !strings.Contains(err.Error(), `TENSORGL_GL_ELMANREGS="yes": want 0 or 1`) {
		t.Errorf("Open with %s=yes: %v", ElmanRegsEnv, err)
	}
}
