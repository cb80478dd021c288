//go:build cgo && !nogl

package gl

import (
	"slices"

	"github.com/tensorgl/tensorgl/device"
)

// Pool2d pools each output element with one invocation; max pooling also
// records the argmax index h·W + w within the input plane.
func (d *Device) Pool2d(y, idx, x device.Buffer, p device.Pool2dParams) {
	var gi *glBuffer
	if idx != nil {
		gi = d.buf(idx)
	}
	d.pool2d("pool2d", nil, p.N*p.C*p.OutH()*p.OutW(), p, writes(0, 1), d.buf(y), gi, d.buf(x))
}

// Pool2dBackward writes dx with one invocation per input element, summing
// the gradients of the windows that cover it in a fixed order.
func (d *Device) Pool2dBackward(dx, dy, idx device.Buffer, p device.Pool2dParams) {
	var gi *glBuffer
	if idx != nil {
		gi = d.buf(idx)
	}
	d.pool2d("pool2d backward", []string{"BACKWARD"}, p.N*p.C*p.H*p.W, p, writes(0), d.buf(dx), d.buf(dy), gi)
}

// pool2d enqueues the pooling variant defs over total invocations with b0–b2
// at bindings 0–2, of which it writes those set in w.
func (d *Device) pool2d(name string, defs []string, total int, p device.Pool2dParams, w uint32, b0, b1, b2 *glBuffer) {
	if p.Mode == device.MaxPool {
		defs = append(defs, "MAX")
	} else {
		defs = append(defs, "AVG")
		if p.CountIncludePad {
			defs = append(defs, "COUNT_PAD")
		}
	}
	defs = append(defs, localDef(elemLocal))
	dh, dw := p.Dilation()
	// The walk's divisors: the output plane forward, the input plane back.
	mw, mh := divMagic(p.OutW()), divMagic(p.OutH())
	if slices.Contains(defs, "BACKWARD") {
		mw, mh = divMagic(p.W), divMagic(p.H)
	}
	msh, msw := divMagic(p.StrideH), divMagic(p.StrideW)
	d.enqueue(name, func() {
		prog := d.program(variant{family: "pool", defs: defs})
		if prog == nil {
			return
		}
		d.bind(w, b0, b1, b2)
		prog.setUint("u_total", total)
		for _, u := range []struct {
			name string
			v    int
		}{
			{"u_h", p.H}, {"u_w", p.W}, {"u_oh", p.OutH()}, {"u_ow", p.OutW()}, {"u_kh", p.KH}, {"u_kw", p.KW},
			{"u_strideH", p.StrideH}, {"u_strideW", p.StrideW}, {"u_padH", p.PadH}, {"u_padW", p.PadW},
			{"u_dilH", dh}, {"u_dilW", dw},
		} {
			prog.setInt(u.name, u.v)
		}
		prog.set("u_dW", uint2, mw[0], mw[1])
		prog.set("u_dH", uint2, mh[0], mh[1])
		prog.set("u_dSH", uint2, msh[0], msh[1])
		prog.set("u_dSW", uint2, msw[0], msw[1])
		d.dispatch1(prog, total, elemLocal)
	})
}
