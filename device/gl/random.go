//go:build cgo && !nogl

package gl

import (
	"github.com/tensorgl/tensorgl/device"
)

// Random fills dst from Philox4x32-10 at counters Offset … Offset+Len−1.
func (d *Device) Random(dst device.Buffer, p device.RandomParams) {
	g, n := d.buf(dst), dst.Len()
	d.enqueue("random", func() {
		prog := d.program(opVariant("random", "DIST", distributions, p.Dist.Info(), localDef(elemLocal)))
		if prog == nil {
			return
		}
		d.bind(writes(0), g)
		prog.setUint("u_n", n)
		prog.set("u_seed", uint2, uint32(p.Seed), uint32(p.Seed>>32))
		prog.set("u_offset", uint2, uint32(p.Offset), uint32(p.Offset>>32))
		prog.setFloat("u_a", p.A)
		prog.setFloat("u_b", p.B)
		d.dispatch1(prog, n, elemLocal)
	})
}
