//go:build cgo && !nogl

package gl

import "github.com/tensorgl/tensorgl/device"

// LSTMCell runs one invocation per unit of the step.
func (d *Device) LSTMCell(h, c, gates, cPrev device.Buffer, p device.LSTMCellParams) {
	d.cell("lstm cell", "LSTM", p.Batch, p.Hidden, writes(0, 1, 2), []device.Buffer{h, c, gates, cPrev},
		map[string]int{"u_offH": p.OffH, "u_offC": p.OffC, "u_offGates": p.OffGates, "u_offCPrev": p.OffCPrev})
}

// LSTMCellBackward runs one invocation per unit of the step.
func (d *Device) LSTMCellBackward(dgates, dcPrev, dh, dc, gates, c, cPrev device.Buffer, p device.LSTMCellParams) {
	d.cell("lstm cell backward", "LSTM_BACKWARD", p.Batch, p.Hidden, writes(0, 1, 3), []device.Buffer{dgates, dcPrev, dh, dc, gates, c, cPrev},
		map[string]int{"u_offDGates": p.OffDGates, "u_offDCPrev": p.OffDCPrev, "u_offDH": p.OffDH, "u_offDC": p.OffDC,
			"u_offGates": p.OffGates, "u_offC": p.OffC, "u_offCPrev": p.OffCPrev})
}

// GRUCell runs one invocation per unit of the step.
func (d *Device) GRUCell(h, gates, x, hh, hPrev device.Buffer, p device.GRUCellParams) {
	d.cell("gru cell", "GRU", p.Batch, p.Hidden, writes(0, 1), []device.Buffer{h, gates, x, hh, hPrev},
		map[string]int{"u_offH": p.OffH, "u_offGates": p.OffGates, "u_offX": p.OffX, "u_offHH": p.OffHH, "u_offHPrev": p.OffHPrev})
}

// GRUCellBackward runs one invocation per unit of the step.
func (d *Device) GRUCellBackward(dx, dhh, dhPrev, dh, gates, hPrev device.Buffer, p device.GRUCellParams) {
	d.cell("gru cell backward", "GRU_BACKWARD", p.Batch, p.Hidden, writes(0, 1, 2, 3), []device.Buffer{dx, dhh, dhPrev, dh, gates, hPrev},
		map[string]int{"u_offDX": p.OffDX, "u_offDHH": p.OffDHH, "u_offDHPrev": p.OffDHPrev, "u_offDH": p.OffDH,
			"u_offGates": p.OffGates, "u_offHPrev": p.OffHPrev})
}

// cell enqueues the recurrent-cell variant def over batch×hidden units,
// the buffers bound in order from binding 0 (it writes those set in w) and
// each offset uniform set.
func (d *Device) cell(name, def string, batch, hidden int, w uint32, bufs []device.Buffer, offs map[string]int) {
	gs := make([]*glBuffer, len(bufs))
	for i, b := range bufs {
		gs[i] = d.buf(b)
	}
	n := batch * hidden
	d.enqueue(name, func() {
		p := d.program(variant{family: "recurrent", defs: []string{def, localDef(elemLocal)}})
		if p == nil {
			return
		}
		d.bind(w, gs...)
		p.setUint("u_n", n)
		p.setInt("u_hidden", hidden)
		for u, v := range offs {
			p.setInt(u, v)
		}
		d.dispatch1(p, n, elemLocal)
	})
}
