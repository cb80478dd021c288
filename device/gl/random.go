//go:build cgo && !nogl

package gl

import (
	"github.com/tensorgl/tensorgl/device"
)

// Random fills dst with elements Offset … Offset+Len−1 of the
// Philox4x32-10 stream keyed by Seed (device.RandomParams).
func (d *Device) Random(dst device.Buffer, p device.RandomParams) {
	d.random("random", nil, writes(0), []device.Buffer{dst}, dst.Len(), nil, p)
}

// RandomMul is Random's kernel multiplying src (strided over shape,
// collapsed as the element-wise kernels' operands) by each draw (MUL),
// writing the draw to mask too (MASK) when there is one, and adding
// residual (RESIDUAL) when there is one.
func (d *Device) RandomMul(dst, mask device.Buffer, src, residual device.Strided, shape []int, p device.RandomParams) {
	ops := []device.Strided{src}
	if residual.Buf != nil {
		ops = append(ops, residual)
	}
	job := collapse(shape, ops...)
	n := job.len()
	defs := []string{"MUL"}
	contig := job.rank <= 1 // and every operand steps by 1
	for _, op := range job.ops[:job.nops] {
		contig = contig && (job.rank == 0 || op.st[0] == 1)
	}
	if contig {
		defs = append(defs, "SRC_CONTIG")
	}
	bufs, w := []device.Buffer{dst, src.Buf, nil, nil}, writes(0)
	if mask != nil {
		defs, bufs[2], w = append(defs, "MASK"), mask, writes(0, 2)
	}
	if residual.Buf != nil {
		defs, bufs[3] = append(defs, "RESIDUAL"), residual.Buf
	}
	d.random("random multiply", defs, w, bufs, n, &job, p)
}

// random enqueues random.comp with the defines defs on bufs (bound from 0,
// dst first): an invocation for each Philox counter the n elements span,
// each writing the elements its words serve, src walked as job says where
// there is one (MUL; nil for Random).
func (d *Device) random(name string, defs []string, w uint32, bufs []device.Buffer, n int, job *elemJob, p device.RandomParams) {
	gs := d.bufs(bufs)
	defs = append(defs, localDef(elemLocal))
	d.enqueue(name, func() {
		prog := d.program(opVariant("random", "DIST", distributions, p.Dist.Info(), defs...))
		if prog == nil {
			return
		}
		d.bind(w, gs...)
		prog.setUint("u_n", n)
		prog.set("u_seed", uint2, uint32(p.Seed), uint32(p.Seed>>32))
		base, skip := p.Offset/4, int(p.Offset%4) // a counter serves four elements
		prog.set("u_base", uint2, uint32(base), uint32(base>>32))
		prog.setUint("u_skip", skip)
		prog.setFloat("u_a", p.A)
		prog.setFloat("u_b", p.B)
		if job != nil {
			prog.setInt("u_rank", job.rank)
			prog.setInts("u_shape", job.shape[:job.rank])
			for k := range job.nops {
				prog.setInts(operandUniforms[k].strides, job.ops[k].st[:job.rank])
				prog.setInt(operandUniforms[k].off, job.ops[k].off)
			}
		}
		d.dispatch1(prog, (skip+n+3)/4, elemLocal)
	})
}
