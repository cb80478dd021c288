//go:build cgo && !nogl

package gl

import (
	"fmt"
	"os"

	"github.com/tensorgl/tensorgl/device"
)

// Elman runs the whole recurrence as one dispatch (shaders/elman.comp),
// after one that transposes whh, where a work group's rows of state fit
// (elmanRows), else as one GEMM a step whose epilogue adds xw_t and
// applies the activation.
func (d *Device) Elman(y, xw, whh, h0 device.Buffer, p device.ElmanParams) {
	if rows := d.elmanRows(p); rows > 0 {
		// The kernel reads whhᵀ, so that the invocations of a work group,
		// one unit each, read adjacent weights: a transposed copy first.
		h := p.Hidden
		wt := d.Alloc(device.Float32, h*h)
		d.Copy(wt, 0, device.Strided{Buf: whh, Strides: []int{1, h}}, []int{h, h})
		d.elman("elman", "ELMAN", rows, []*glBuffer{d.buf(y), d.buf(wt), d.buf(h0), nil, nil, d.buf(xw), nil}, p)
		d.Free(wt) // commands run in order: a reuse comes after the recurrence
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

// ElmanEnv names the environment variable that chooses, when a device is
// opened, how Elman and ElmanBackward run: fused (one dispatch each, see
// elmanRows) or steps (one GEMM a step). The results are the same to the
// bit. The default is fused on hardware, where each dispatch costs host
// time, and steps on llvmpipe, where a dispatch costs little and the tiled
// GEMM computes a step faster than the one-dispatch kernel (a character
// RNN's training step took 0.66 s against 0.38 s,
// bench/results/elman-2026-11-30.txt). bench/gpu/run.sh times both on a
// GPU.
const ElmanEnv = "TENSORGL_GL_ELMAN"

// elmanSetting reads ElmanEnv: whether the recurrences run fused on a
// device that is software or not.
func elmanSetting(software bool) (bool, error) {
	switch v := os.Getenv(ElmanEnv); v {
	case "":
		return !software, nil
	case "fused":
		return true, nil
	case "steps":
		return false, nil
	default:
		return false, fmt.Errorf("%s=%q: want fused or steps", ElmanEnv, v)
	}
}

// elmanMaxHidden bounds the hidden size run as one dispatch on hardware:
// beyond it a step's GEMM has work for many work groups, where one group
// per row would leave most of a large GPU idle.
const elmanMaxHidden = 512

// elmanMaxWork bounds batch × hidden² run as one dispatch on hardware.
// Every work group (one row) reads all of whh each step, 4·batch·hidden²
// bytes a step from the cache, where a step's GEMM reads it once. On the
// H200 (bench/results/h200-run-2026-12-04-first/elman-ab.txt) 64 steps of
// batch 64 and 128 units (2²⁰) took 0.355 ms as one dispatch against
// 1.94 ms a step at a time, 16 steps of batch 256 and 512 units (2²⁶)
// 1.54 ms against 0.574: about 30 µs a step at a time, and one dispatch
// about 2.7 TB/s of whh a step above its latency, which reach 30 µs near
// 2²⁴. Between the two, the bound is that estimate, not a timing.
const elmanMaxWork = 1 << 24

// elmanRows returns how many batch rows a work group of the one-dispatch
// recurrence runs, 0 when it does not run as one dispatch: not fused (see
// ElmanEnv), too wide or too much work on hardware, or the rows' state does not fit the shared memory
// (elmanMaxShared).
// On llvmpipe a group takes 8 rows, so a row of whh read from memory
// serves eight products; on hardware one row a group spreads the batch
// over the most multiprocessors.
func (d *Device) elmanRows(p device.ElmanParams) int {
	if !d.elmanFused {
		return 0
	}
	rows := 1
	if d.info.Software {
		rows = min(8, p.Batch)
	} else if p.Hidden > elmanMaxHidden || p.Batch*p.Hidden*p.Hidden > elmanMaxWork {
		return 0
	}
	for ; rows > 0; rows /= 2 {
		if 4*rows*p.Hidden <= min(d.info.Limits.MaxSharedMemory, elmanMaxShared) {
			return rows
		}
	}
	return 0
}

// elmanMaxShared bounds the kernel's shared memory below the 32 KiB GL
// 4.3 guarantees. On Mesa 22.3's llvmpipe, groups of 33 to 64 rows of 128
// units (16.5 to 32 KiB of state) gave wrong results after the first step,
// while every group of at most 32 rows tried was right (up to 8 rows of 600
// units, 19 KiB); the groups here take at most 8 rows, and this bound keeps
// the state within what was tried.
const elmanMaxShared = 16 << 10

// elman enqueues the one-dispatch recurrence def: one work group of
// elmanLocal invocations per rows batch rows, bufs bound from binding 0.
func (d *Device) elman(name, def string, rows int, bufs []*glBuffer, p device.ElmanParams) {
	local := elmanLocal(p.Hidden)
	if d.info.Software {
		local = 32
	}
	defs := []string{def, localDef(local), fmt.Sprintf("HIDDEN=%d", p.Hidden), fmt.Sprintf("ROWS=%d", rows), "EPI_RESIDUAL"}
	if p.Act != device.NoActivation {
		defs = append(defs, "EPI_ACT="+p.Act.Unary().Info().Define)
		if def == "ELMAN_BACKWARD" {
			defs = append(defs, "EPI_ACT_OUT")
		}
	}
	reverse := 0
	if p.Reverse {
		reverse = 1
	}
	d.enqueue(name, func() {
		prog := d.program(variant{family: "elman", defs: defs, ops: unaryOps})
		if prog == nil {
			return
		}
		d.bind(writes(0), bufs...)
		prog.setInt("u_steps", p.Steps)
		prog.setInt("u_batch", p.Batch)
		prog.setInt("u_reverse", reverse)
		prog.setInt("u_offRes", 0)
		if def == "ELMAN_BACKWARD" && p.Act != device.NoActivation {
			prog.setInt("u_offActOut", 0)
		}
		if p.Act != device.NoActivation {
			prog.setFloat("u_slope", p.Slope)
		}
		d.dispatch(prog, (p.Batch+rows-1)/rows, 1, 1)
	})
}

// elmanLocal returns the work-group size for hidden units on hardware: one
// invocation a unit, in whole warps of 32, at most 256. (On llvmpipe 32
// invocations each own several units, for several products per load.)
func elmanLocal(hidden int) int { return min((hidden+31)/32*32, 256) }
