//go:build cgo && !nogl

package gl

import (
	"fmt"
	"os"
	"strconv"

	"github.com/tensorgl/tensorgl/device"
)

// ConvDirectEnv names the environment variable that chooses, when a device
// is opened, whether the three passes of convolutions with few channels
// run as direct convolutions (shaders/convdirect.comp; convDirectFits,
// convDirectWgradFits): 1 where they fit (llvmpipe's default), 0 never, so
// every one runs as the implicit GEMM (the default on hardware). Forward
// and backward to the input, one invocation computes four pixels of a row
// for every output channel of its group from inputs it reads once, the
// group's weights staged in shared memory, summing in the GEMM's order
// (its bits); the weight gradient sums
// slices of output rows, one invocation per filter, input channel and
// filter row, then the slices in order. The implicit GEMM filled 6 or 16
// of its tiles' rows on such layers (a weight gradient of 6×25 outputs 7%
// of a 16×128 tile) and split each operand index it loaded.
//
// On the H200 the direct kernels were the slower (the device's timer,
// bench/results/h200-run-2026-12-04-first/profile.txt.gz): LeNet's two
// weight gradients took 660 µs a step at batch 64 and 4.26 ms of a
// 5.6 ms step at batch 1 024, where the implicit GEMM, K split into
// slices, had taken 121 µs at batch 64 on the same kind of card
// (bench/results/h200-kernels-final-gl.txt), its forward passes 70 µs
// against 104 and its input gradient 126 µs against 163: hardware runs the
// implicit GEMM unless asked.
const ConvDirectEnv = "TENSORGL_GL_CONVDIRECT"

// convDirectMaxOut is the most output channels of a group that one
// invocation of the direct convolution computes, in registers.
const convDirectMaxOut = 16

// convDirectMaxWeights is the most weights of a group (Kg·Cg·R·S) the
// direct convolution stages in shared memory: 16 KiB of the 32 KiB GL 4.3
// guarantees.
const convDirectMaxWeights = 4096

// convDirectPix is how many adjacent pixels of a row one invocation of the
// direct convolution computes, each weight it reads serving all of them.
const convDirectPix = 4

// convDirectSetting reads ConvDirectEnv: unset, direct on a software
// renderer only.
func convDirectSetting(software bool) (bool, error) {
	return switchSetting(ConvDirectEnv, software, "0 (convolutions as implicit GEMMs only) or 1 (few channels direct)")
}

// switchSetting reads the environment variable name as 0 (off) or 1 (on),
// def where it is unset; any other value is an error saying want.
func switchSetting(name string, def bool, want string) (bool, error) {
	return choiceSetting(name, def, "1", "0", want)
}

// choiceSetting reads the environment variable name as on (true) or off
// (false), def where it is unset; any other value is an error saying want.
func choiceSetting(name string, def bool, on, off, want string) (bool, error) {
	switch v := os.Getenv(name); v {
	case "":
		return def, nil
	case on:
		return true, nil
	case off:
		return false, nil
	default:
		return def, fmt.Errorf("%s=%q: want %s", name, v, want)
	}
}

// convDirectFits reports whether the forward pass of p (the input gradient,
// with backward) runs as a direct convolution: with d's setting, at most
// convDirectMaxOut output channels a group (filters forward, input channels
// backward) and convDirectMaxWeights weights a group; the input gradient
// with stride 1 only.
func (d *Device) convDirectFits(p device.Conv2dParams, backward bool) bool {
	g := max(p.Groups, 1)
	cg, kg := p.C/g, p.K/g
	out := kg
	if backward {
		if p.StrideH != 1 || p.StrideW != 1 {
			return false
		}
		out = cg
	}
	return d.convDirect && out >= 1 && out <= convDirectMaxOut && kg*cg*p.R*p.S <= convDirectMaxWeights
}

// convDirectPass runs shaders/convdirect.comp in mode (FORWARD or
// BACKWARD_X) from in0 (x or dy) and w into out, e applied, one invocation
// per convDirectPix adjacent pixels of a row of the output planes (oh×ow,
// n images), nout channels each.
func (d *Device) convDirectPass(name, mode string, out, in0, w device.Buffer, e device.Epilogue, p device.Conv2dParams, nout, oh, ow int) {
	g := max(p.Groups, 1)
	row := (ow + convDirectPix - 1) / convDirectPix // invocations along a row of the output planes
	defs := []string{mode, "NOUT=" + strconv.Itoa(nout), "PIX=" + strconv.Itoa(convDirectPix),
		"WSIZE=" + strconv.Itoa(p.K/g*p.C/g*p.R*p.S)}
	d.convElementwise(name, defs, out, in0, w, e, p, p.N*oh*row, g, divMagic(oh*row), divMagic(row))
}

// convElementwise runs a kernel of convdirect.comp of one invocation per
// item (pixels along x, groups along y) with mode defs, bindings out, in0
// and in1 (nil for none), applying e as it stores, and its divisors
// u_dPlane and u_dRow.
func (d *Device) convElementwise(name string, defs []string, out, in0, in1 device.Buffer, e device.Epilogue, p device.Conv2dParams, pixels, gy int, dPlane, dRow [2]uint32) {
	all := []*glBuffer{d.buf(out), d.buf(in0), nil, nil, nil, nil, nil}
	if in1 != nil {
		all[2] = d.buf(in1)
	}
	defs = d.epilogueDefs(append(defs, localDef(elemLocal)), all, e)
	d.enqueue(name, func() {
		prog := d.program(variant{family: "convdirect", defs: defs, ops: unaryOps})
		if prog == nil {
			return
		}
		d.bind(writes(0), all...)
		prog.setUint("u_pixels", pixels)
		setConvShape(prog, p)
		prog.setPair("u_dPlane", dPlane)
		prog.setPair("u_dRow", dRow)
		setEpilogue(prog, e)
		d.dispatch(prog, (pixels+elemLocal-1)/elemLocal, gy, 1)
	})
}

// convDirectWgradItems is how many invocations the direct weight gradient
// aims at: its output rows are cut into slices until (K·Cg·R)·slices
// reaches it, and until each invocation sums at most
// convDirectWgradMaxWork terms, each slice of at least
// convDirectWgradMinRows rows.
const convDirectWgradItems = 2048

// convDirectWgradMaxWork is the most multiply-adds one invocation of the
// direct weight gradient sums (a slice's rows × OW × S): a large input
// (16 channels of 224×224 at batch 32) would otherwise leave 2 304
// invocations of 1.6 M serial multiply-adds each.
const convDirectWgradMaxWork = 1 << 15

// convDirectWgradMinRows is the fewest output rows of a slice of the direct
// weight gradient.
const convDirectWgradMinRows = 4

// convDirectWgradFits reports whether the weight gradient of p runs direct:
// with d's setting, at most convDirectMaxOut channels a group each way, at
// most 8 taps a filter row, at most convDirectMaxWeights weights a group.
func (d *Device) convDirectWgradFits(p device.Conv2dParams) bool {
	g := max(p.Groups, 1)
	cg, kg := p.C/g, p.K/g
	return d.convDirect && cg <= convDirectMaxOut && kg <= convDirectMaxOut && p.S <= 8 && kg*cg*p.R*p.S <= convDirectMaxWeights
}

// convDirectWgradSlices returns how many slices of whole output rows the
// direct weight gradient of p sums separately, and the rows of each (the
// last may have fewer): fixed by the shape, so the sums' order is too.
func convDirectWgradSlices(p device.Conv2dParams) (slices, rows int) {
	perSlice := p.K * (p.C / max(p.Groups, 1)) * p.R
	total := p.N * p.OutH()
	if total <= 0 {
		return 1, 0 // no rows: one pass writes the zero sums
	}
	work := total * p.OutW() * p.S // one invocation's terms with one slice
	slices = max(1, min(max((convDirectWgradItems+perSlice-1)/perSlice, (work+convDirectWgradMaxWork-1)/convDirectWgradMaxWork),
		total/convDirectWgradMinRows))
	rows = (total + slices - 1) / slices
	return (total + rows - 1) / rows, rows
}

// convDirectWgrad computes dw from x and dy, and db unless it is nil, in
// one pass per slice of output rows (one invocation per slice, filter,
// input channel and filter row, and one per slice and filter for db) and,
// with more than one slice, a second that adds the slices in order.
func (d *Device) convDirectWgrad(name string, dw, db, x, dy device.Buffer, p device.Conv2dParams) {
	g := max(p.Groups, 1)
	cg := p.C / g
	slices, rows := convDirectWgradSlices(p)
	perSlice := p.K * cg * p.R
	weights := perSlice * p.S
	stride, biasItems := weights, 0
	defs := []string{"WGRAD", localDef(elemLocal), "NS=" + strconv.Itoa(p.S)}
	var gdb *glBuffer
	if db != nil {
		biasItems, gdb = slices*p.K, d.buf(db)
		defs = append(defs, "BIAS")
		if slices > 1 {
			stride += p.K
		} else {
			defs = append(defs, "BIAS_DB")
		}
	}
	out := dw
	var partial device.Buffer
	if slices > 1 {
		partial = d.Alloc(device.Float32, slices*stride)
		out = partial
	}
	all := []*glBuffer{d.buf(out), d.buf(x), d.buf(dy), nil}
	if slices == 1 {
		all[3] = gdb
	}
	dItem, dR, dCg, dOH := divMagic(perSlice), divMagic(p.R), divMagic(cg), divMagic(p.OutH())
	d.enqueue(name, func() {
		prog := d.program(variant{family: "convdirect", defs: defs})
		if prog == nil {
			return
		}
		d.bind(writes(0, 3), all...)
		setConvShape(prog, p)
		prog.setUint("u_items", slices*perSlice)
		prog.setInt("u_weights", weights)
		prog.setInt("u_stride", stride)
		prog.setInt("u_slices", slices)
		prog.setInt("u_sliceRows", rows)
		prog.setPair("u_dItem", dItem)
		prog.setPair("u_dR", dR)
		prog.setPair("u_dCg", dCg)
		prog.setPair("u_dOH", dOH)
		d.dispatch1(prog, slices*perSlice+biasItems, elemLocal)
	})
	if slices == 1 {
		return
	}
	sumBufs := []*glBuffer{d.buf(dw), nil, nil, d.buf(partial), gdb}
	sumDefs := []string{"WGRAD_SUM", localDef(elemLocal)}
	if db != nil {
		sumDefs = append(sumDefs, "BIAS")
	}
	d.enqueue(name+" sum", func() {
		prog := d.program(variant{family: "convdirect", defs: sumDefs})
		if prog == nil {
			return
		}
		d.bind(writes(0, 4), sumBufs...)
		prog.setInt("u_weights", weights)
		prog.setInt("u_stride", stride)
		prog.setInt("u_slices", slices)
		d.dispatch1(prog, stride, elemLocal)
	})
	// Commands run in order: whatever reuses it next comes after.
	d.Free(partial)
}
