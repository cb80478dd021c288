//go:build cgo && !nogl

package gl

import "github.com/tensorgl/tensorgl/device"

// Gather copies src rows picked by idx; any dtype (bit copy).
func (d *Device) Gather(dst, src device.Buffer, idx device.Strided, p device.GatherParams) {
	d.gather("gather", "GATHER", p.Outer*p.M*p.Inner, d.buf(dst), d.buf(src), capture(idx), p)
}

// ScatterAdd adds src into dst rows picked by idx, one invocation per dst
// element summing in increasing m (deterministic).
func (d *Device) ScatterAdd(dst, src device.Buffer, idx device.Strided, p device.GatherParams) {
	d.gather("scatter-add", "SCATTER", p.Outer*p.N*p.Inner, d.buf(dst), d.buf(src), capture(idx), p)
}

func (d *Device) gather(name, mode string, total int, dst, src *glBuffer, ix strided, p device.GatherParams) {
	st := append(ix.strides, 0, 0, 0)[:3]
	d.enqueue(name, func() {
		prog := d.program(variant{family: "gather", defs: []string{mode, localDef(elemLocal)}})
		if prog == nil {
			return
		}
		bind(dst, src, ix.g)
		prog.setUint("u_total", total)
		prog.setInt("u_n", p.N)
		prog.setInt("u_m", p.M)
		prog.setInt("u_inner", p.Inner)
		prog.setInt("u_ixOff", ix.off)
		prog.setInt("u_ixS0", st[0])
		prog.setInt("u_ixS1", st[1])
		prog.setInt("u_ixS2", st[2])
		d.dispatch1(prog, total, elemLocal)
	})
}
