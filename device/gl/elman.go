//go:build cgo && !nogl

package gl

import (
	"fmt"

	"github.com/tensorgl/tensorgl/device"
)

// Elman runs the whole recurrence as one dispatch (shaders/elman.comp)
// where a work group's rows of state fit (recurrenceRows), after one that
// transposes whh unless the kernel holds the weights in registers, else as
// one GEMM a step whose epilogue adds xw_t and applies the activation.
func (d *Device) Elman(y, xw, whh, h0 device.Buffer, p device.ElmanParams) {
	if rows := d.elmanRows(p); rows > 0 {
		w := whh // in registers, each invocation reads its unit's row once
		if !d.elmanInRegs(p) {
			// The kernel reads whhᵀ at every step, so that the invocations
			// of a work group, one unit each, read adjacent weights: a
			// transposed copy first.
			w = d.transposed(whh, p.Hidden, p.Hidden)
			defer d.Free(w) // commands run in order: a reuse comes after the recurrence
		}
		d.elman("elman", "ELMAN", rows, []*glBuffer{d.buf(y), d.buf(w), d.buf(h0), nil, nil, d.buf(xw), nil}, p)
		return
	}
	bh := p.Batch * p.Hidden
	prev, off := h0, 0
	for n := range p.Steps {
		t := p.Step(n)
		d.MatMul(y, prev, whh, device.Epilogue{Residual: xw, OffResidual: t * bh, Act: p.Act, Slope: p.Slope},
			device.MatMulParams{Batch: 1, M: p.Batch, N: p.Hidden, K: p.Hidden, TransB: true, Alpha: 1, OffA: off, OffC: t * bh, StrideC: bh})
		prev, off = y, t*bh
	}
}

// ElmanBackward runs as one dispatch, or one GEMM a step after the
// element-wise derivative of the last, as Elman does.
func (d *Device) ElmanBackward(dz, g, whh, y device.Buffer, p device.ElmanParams) {
	if rows := d.elmanRows(p); rows > 0 {
		d.elman("elman backward", "ELMAN_BACKWARD", rows, []*glBuffer{d.buf(dz), d.buf(whh), nil, nil, nil, d.buf(g), d.buf(y)}, p)
		return
	}
	bh := p.Batch * p.Hidden
	last := p.Step(p.Steps - 1)
	gLast := device.Strided{Buf: g, Offset: last * bh, Strides: []int{1}}
	if p.Act == device.NoActivation {
		d.Copy(dz, last*bh, gLast, []int{bh})
	} else {
		tmp := d.Alloc(device.Float32, bh)
		d.Binary(tmp, gLast, device.Strided{Buf: y, Offset: last * bh, Strides: []int{1}}, device.BinaryParams{Op: p.Act.Grad(), A: p.Slope, Shape: []int{bh}})
		d.Copy(dz, last*bh, device.Strided{Buf: tmp, Strides: []int{1}}, []int{bh})
		d.Free(tmp) // commands run in order: a reuse comes after the copy
	}
	for n := p.Steps - 2; n >= 0; n-- {
		t, later := p.Step(n), p.Step(n+1)
		e := device.Epilogue{Residual: g, OffResidual: t * bh, Act: p.Act, Slope: p.Slope}
		if p.Act != device.NoActivation {
			e.ActOut, e.OffActOut = y, t*bh
		}
		d.MatMul(dz, dz, whh, e, device.MatMulParams{Batch: 1, M: p.Batch, N: p.Hidden, K: p.Hidden, Alpha: 1, OffA: later * bh, OffC: t * bh, StrideC: bh})
	}
}

// elmanRows returns how many batch rows a work group of the one-dispatch
// Elman recurrence runs (recurrenceRows: one gate, the state h).
func (d *Device) elmanRows(p device.ElmanParams) int {
	return d.recurrenceRows(p.Batch, p.Hidden, 1, p.Hidden)
}

// ElmanRegsEnv names the environment variable that chooses, when a device
// is opened, whether the one-dispatch Elman recurrences (see RecurrenceEnv)
// of up to elmanRegsMaxHidden units hold each unit's weights in registers,
// read once (the forward then reads whh itself, with no transposed copy
// before it), or read them from memory at every step (shaders/elman.comp,
// ELMAN_REGS): 1 or 0. The results are the same to the bit. The default is
// 1 on hardware, where each step waited on a load per multiply-add (on the
// H200 5.5 µs a step of 128 units, bench/results/h200-run-2026-12-04-first/
// elman-ab.txt; registers are untimed on a GPU, bench/gpu/run.sh's
// elmanregs-ab times both), and 0 on llvmpipe, which runs the recurrences
// a step at a time by default and, fused, ran both ways within its noise
// (bench/results/gl-elmanregs-llvmpipe-2026-12-05.txt).
const ElmanRegsEnv = "TENSORGL_GL_ELMANREGS"

// elmanRegsMaxHidden bounds the units whose weights an invocation holds in
// registers: a unit's 128 weights, within the 255 registers an NVIDIA
// invocation may have, with room for the rest.
const elmanRegsMaxHidden = 128

// elmanInRegs reports whether the one-dispatch recurrences of p hold each
// unit's weights in registers (ElmanRegsEnv).
func (d *Device) elmanInRegs(p device.ElmanParams) bool {
	return d.elmanRegs && p.Hidden <= elmanRegsMaxHidden
}

// elman enqueues the one-dispatch recurrence def: one work group of
// elmanLocal invocations per rows batch rows, bufs bound from binding 0.
func (d *Device) elman(name, def string, rows int, bufs []*glBuffer, p device.ElmanParams) {
	regs := d.elmanInRegs(p)
	local := elmanLocal(p.Hidden)
	if d.softDefaults && !regs {
		local = 32
	}
	defs := []string{def, localDef(local), fmt.Sprintf("HIDDEN=%d", p.Hidden), fmt.Sprintf("ROWS=%d", rows), "EPI_RESIDUAL"}
	if regs {
		defs = append(defs, "ELMAN_REGS")
	}
	if p.Act != device.NoActivation {
		defs = append(defs, "EPI_ACT="+p.Act.Unary().Info().Define)
		if def == "ELMAN_BACKWARD" {
			defs = append(defs, "EPI_ACT_OUT")
		}
	}
	v := variant{family: "elman", defs: defs, ops: unaryOps}
	d.recurrence(name, v, rows, bufs, writes(0), device.RecurrenceParams{Steps: p.Steps, Batch: p.Batch, Reverse: p.Reverse}, func(prog *program) {
		prog.setInt("u_offRes", 0)
		if def == "ELMAN_BACKWARD" && p.Act != device.NoActivation {
			prog.setInt("u_offActOut", 0)
		}
		if p.Act != device.NoActivation {
			prog.setFloat("u_slope", p.Slope)
		}
	})
}

// elmanLocal returns the work-group size for hidden units on hardware: one
// invocation a unit, in whole warps of 32, at most 256. (On llvmpipe 32
// invocations each own several units, for several products per load.)
func elmanLocal(hidden int) int { return min((hidden+31)/32*32, 256) }
