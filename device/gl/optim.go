//go:build cgo && !nogl

package gl

import (
	"math"

	"github.com/tensorgl/tensorgl/device"
)

// SGDStep applies one fused SGD update in place.
func (d *Device) SGDStep(param, grad, buf device.Buffer, p device.SGDParams) {
	gp, gg, n := d.buf(param), d.buf(grad), param.Len()
	var gb *glBuffer
	if buf != nil {
		gb = d.buf(buf)
	}
	d.enqueue("sgd", func() {
		prog := d.program(variant{family: "optim", defs: []string{"SGD", localDef(elemLocal)}})
		if prog == nil {
			return
		}
		bind(gp, gg, gb)
		prog.setUint("u_n", n)
		prog.setFloat("u_lr", p.LR)
		prog.setFloat("u_wd", p.WeightDecay)
		prog.setFloat("u_momentum", p.Momentum)
		prog.setFloat("u_dampening", p.Dampening)
		prog.setInt("u_nesterov", b2i(p.Nesterov))
		prog.setInt("u_first", b2i(p.FirstStep))
		d.dispatch1(prog, n, elemLocal)
	})
}

// AdamStep applies one fused Adam/AdamW update in place; the bias
// corrections are computed on the host in float64.
func (d *Device) AdamStep(param, grad, m, v device.Buffer, p device.AdamParams) {
	gp, gg, gm, gv, n := d.buf(param), d.buf(grad), d.buf(m), d.buf(v), param.Len()
	bc1 := float32(1 - math.Pow(float64(p.Beta1), float64(p.Step)))
	bc2 := float32(1 - math.Pow(float64(p.Beta2), float64(p.Step)))
	d.enqueue("adam", func() {
		prog := d.program(variant{family: "optim", defs: []string{"ADAM", localDef(elemLocal)}})
		if prog == nil {
			return
		}
		bind(gp, gg, gm, gv)
		prog.setUint("u_n", n)
		prog.setFloat("u_lr", p.LR)
		prog.setFloat("u_wd", p.WeightDecay)
		prog.setFloat("u_beta1", p.Beta1)
		prog.setFloat("u_beta2", p.Beta2)
		prog.setFloat("u_eps", p.Eps)
		prog.setFloat("u_bc1", bc1)
		prog.setFloat("u_bc2", bc2)
		prog.setInt("u_decoupled", b2i(p.Decoupled))
		d.dispatch1(prog, n, elemLocal)
	})
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
