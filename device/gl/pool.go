//go:build cgo && !nogl

package gl

import "github.com/tensorgl/tensorgl/device"

// Pool2d pools each output element with one invocation; max pooling also
// records the argmax index h·W + w within the input plane.
func (d *Device) Pool2d(y, idx, x device.Buffer, p device.Pool2dParams) {
	var gi *glBuffer
	if idx != nil {
		gi = d.buf(idx)
	}
	d.pool2d("pool2d", nil, p.OutH(), p.OutW(), p, writes(0, 1), d.buf(y), gi, d.buf(x))
}

// Pool2dBackward writes dx with one invocation per input element, summing
// the gradients of the windows that cover it in a fixed order.
func (d *Device) Pool2dBackward(dx, dy, idx device.Buffer, p device.Pool2dParams) {
	var gi *glBuffer
	if idx != nil {
		gi = d.buf(idx)
	}
	d.pool2d("pool2d backward", []string{"BACKWARD"}, p.H, p.W, p, writes(0), d.buf(dx), d.buf(dy), gi)
}

// pool2d enqueues the pooling variant defs with one invocation per element
// of the planes it walks, h×w each (the output's forward, the input's
// back), with b0–b2 at bindings 0–2, of which it writes those set in w.
func (d *Device) pool2d(name string, defs []string, h, wd int, p device.Pool2dParams, w uint32, b0, b1, b2 *glBuffer) {
	total := p.N * p.C * h * wd
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
	mw, mh := divMagic(wd), divMagic(h) // the walk's divisors
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
		prog.setPair("u_dW", mw)
		prog.setPair("u_dH", mh)
		prog.setPair("u_dSH", msh)
		prog.setPair("u_dSW", msw)
		d.dispatch1(prog, total, elemLocal)
	})
}
