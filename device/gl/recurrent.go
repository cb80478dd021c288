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

// LSTMStep runs the step's product on the tiled GEMM core with the cell as
// its store (shaders/lstmstep.comp): one dispatch, two when K is split. A
// tiling whose invocations do not hold their columns in runs of 4 runs
// MatMul and then LSTMCell instead.
func (d *Device) LSTMStep(h, c, gates, xw, hPrev, whh, cPrev device.Buffer, p device.LSTMCellParams) {
	hd := p.Hidden
	if !d.tiles.pick(p.Batch).runs4() {
		d.MatMul(gates, hPrev, whh, device.Epilogue{Residual: xw, OffResidual: p.OffX},
			device.MatMulParams{Batch: 1, M: p.Batch, N: 4 * hd, K: hd, TransB: true, Alpha: 1, OffA: p.OffHPrev, OffC: p.OffGates})
		d.LSTMCell(h, c, gates, cPrev, p)
		return
	}
	store := &gemmStore{bufs: []*glBuffer{d.buf(xw), d.buf(h), d.buf(c), d.buf(cPrev)}, writes: writes(5, 6), runs4: true}
	d.gemm("lstm step", "lstmstep", "matmul", []string{"LSTM_STEP", "B_K_FAST"}, stepLoads(p.OffHPrev, hd),
		[]*glBuffer{d.buf(gates), d.buf(hPrev), d.buf(whh)}, device.Epilogue{}, store, func(prog *program) {
			prog.setInt("u_hidden", hd)
			for _, u := range []struct {
				name string
				v    int
			}{{"u_offGates", p.OffGates}, {"u_offHPrev", p.OffHPrev}, {"u_offX", p.OffX}, {"u_offH", p.OffH}, {"u_offC", p.OffC}, {"u_offCPrev", p.OffCPrev}} {
				prog.setInt(u.name, u.v)
			}
		}, 1, p.Batch, 4*hd, hd)
}

// LSTMStepBackward runs the product giving dh on the tiled GEMM core with
// the cell's backward as its store: one dispatch, two when K is split.
func (d *Device) LSTMStepBackward(dgates, dc, g, whh, gates, c, cPrev device.Buffer, p device.LSTMCellParams) {
	hd := p.Hidden
	store := &gemmStore{bufs: []*glBuffer{d.buf(gates), d.buf(c), d.buf(cPrev), d.buf(dc)}, writes: writes(7)}
	d.gemm("lstm step backward", "lstmstep", "matmul", []string{"LSTM_STEP_BACKWARD"}, stepLoads(p.OffDNext, hd),
		[]*glBuffer{d.buf(dgates), d.buf(g), d.buf(whh)}, device.Epilogue{}, store, func(prog *program) {
			prog.setInt("u_hidden", hd)
			for _, u := range []struct {
				name string
				v    int
			}{{"u_offDGates", p.OffDGates}, {"u_offDNext", p.OffDNext}, {"u_offDH", p.OffDH}, {"u_offDC", p.OffDC},
				{"u_offGates", p.OffGates}, {"u_offC", p.OffC}, {"u_offCPrev", p.OffCPrev}} {
				prog.setInt(u.name, u.v)
			}
		}, 1, p.Batch, hd, 4*hd)
}

// stepLoads returns the vec4-load defines of an LSTM step's product (see
// vecLoads): A, read from offA in rows of H or 4·H values, where offA and
// H are multiples of 4; whh, read along rows of H, where H is.
func stepLoads(offA, hidden int) []string {
	switch {
	case hidden%4 != 0:
		return nil
	case offA%4 == 0:
		return vecBoth
	}
	return vecBoth[1:]
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
