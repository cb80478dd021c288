//go:build cgo && !nogl

package gl

import "github.com/tensorgl/tensorgl/device"

// BatchNormStats runs one work group per channel.
func (d *Device) BatchNormStats(mean, invstd, runMean, runVar, x device.Buffer, p device.BatchNormParams) {
	bufs := []device.Buffer{mean, invstd, nil, nil, x}
	if p.Track {
		bufs[2], bufs[3] = runMean, runVar
	}
	d.batchNorm("batch-norm statistics", "STATS", true, writes(0, 1, 2, 3), bufs, p)
}

// BatchNorm runs one invocation per element.
func (d *Device) BatchNorm(y, x, mean, invstd, w, b, r device.Buffer, p device.BatchNormParams) {
	if r != nil {
		d.batchNorm("batch norm", "NORMALISE", false, writes(0), []device.Buffer{y, x, mean, invstd, w, b, r}, p)
		return
	}
	d.batchNorm("batch norm", "NORMALISE", false, writes(0), []device.Buffer{y, x, mean, invstd, w, b}, p)
}

// BatchNormBackwardReduce runs one work group per channel; with p.Relu it
// binds y and writes dz as well (8 storage blocks, GL 4.3's minimum).
func (d *Device) BatchNormBackwardReduce(dw, db, dy, x, mean, invstd, y, dz device.Buffer, p device.BatchNormParams) {
	if p.Relu {
		d.batchNorm("batch-norm backward reduce", "BACKWARD_REDUCE", true, writes(0, 1, 7), []device.Buffer{dw, db, dy, x, mean, invstd, y, dz}, p)
		return
	}
	d.batchNorm("batch-norm backward reduce", "BACKWARD_REDUCE", true, writes(0, 1), []device.Buffer{dw, db, dy, x, mean, invstd}, p)
}

// BatchNormBackward runs one invocation per element.
func (d *Device) BatchNormBackward(dx, dy, x, mean, invstd, w, dw, db device.Buffer, p device.BatchNormParams) {
	d.batchNorm("batch-norm backward", "BACKWARD", false, writes(0), []device.Buffer{dx, dy, x, mean, invstd, w, dw, db}, p)
}

// batchNorm enqueues the batch-norm variant def, the buffers bound in order
// from binding 0 (nil ones left unbound; it writes those set in w): one work
// group per channel when perChannel, else one invocation per element.
func (d *Device) batchNorm(name, def string, perChannel bool, w uint32, bufs []device.Buffer, p device.BatchNormParams) {
	gs := d.bufs(bufs)
	local := elemLocal
	if perChannel {
		local = rowLocal(p.N * p.Inner)
	}
	defs := []string{def, localDef(local)}
	if p.Track && def == "STATS" {
		defs = append(defs, "TRACK")
	}
	if p.Eval {
		defs = append(defs, "EVAL")
	}
	if p.Relu && (def == "NORMALISE" || def == "BACKWARD_REDUCE") {
		defs = append(defs, "RELU")
	}
	if def == "NORMALISE" && len(bufs) == 7 {
		defs = append(defs, "RESIDUAL")
	}
	mInner, mC := divMagic(p.Inner), divMagic(p.C)
	d.enqueue(name, func() {
		prog := d.program(variant{family: "batchnorm", defs: defs})
		if prog == nil {
			return
		}
		d.bind(w, gs...)
		prog.setInt("u_n", p.N)
		prog.setInt("u_c", p.C)
		prog.setInt("u_inner", p.Inner)
		prog.setFloat("u_eps", p.Eps)
		prog.setPair("u_dInner", mInner)
		prog.setPair("u_dC", mC)
		if perChannel {
			if def == "STATS" {
				prog.setFloat("u_momentum", p.Momentum)
			}
			d.dispatch(prog, p.C, 1, 1)
			return
		}
		d.dispatch1(prog, p.N*p.C*p.Inner, local)
	})
}
