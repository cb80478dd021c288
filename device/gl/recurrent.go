//go:build cgo && !nogl

package gl

import (
	"fmt"
	"os"

	"github.com/tensorgl/tensorgl/device"
)

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

// RNNStepEnv names the environment variable that chooses, when a device is
// opened, how LSTMStep, GRUStep and their backwards run: fused (one
// dispatch each, the cell as the product's store), pair (MatMul and the
// cell kernel, two dispatches) or, unset, the default: the backwards
// fused, the forward steps as pairs, but the LSTM's fused on a software
// renderer. The results are the same to the bit.
//
// The fused forward steps lay each unit's gates out in runs of 4 columns,
// which takes vec4 shared-memory tiles, on the H200 the slower (see
// GEMMEnv): there LSTMStep at batch 64 took 36 µs as a pair against 43
// fused (512 units; 33 against 40 for 128) and GRUStep 33 against 42 (31
// against 38), while the fused backwards took 32 µs against 36 (LSTM, 512
// units) and 31 against 35 (GRU); the LSTM language model's step ran in
// 14.5 ms with every step a pair against 15.0 ms fused, the GRU's 13.1
// against 13.3 (bench/results/h200-run-2026-12-04-first/rnnstep-ab.txt).
// On llvmpipe a dispatch costs little and the arithmetic much: the GRU's
// fused forward's wasted column made it the slower (see GRUStep).
const RNNStepEnv = "TENSORGL_GL_RNNSTEP"

// rnnSteps says which recurrent steps run fused (see RNNStepEnv).
type rnnSteps struct{ lstm, lstmBackward, gru, gruBackward bool }

// rnnStepSetting reads RNNStepEnv for a device that is software or not.
func rnnStepSetting(software bool) (rnnSteps, error) {
	switch v := os.Getenv(RNNStepEnv); v {
	case "":
		return rnnSteps{lstm: software, lstmBackward: true, gru: false, gruBackward: true}, nil
	case "fused":
		return rnnSteps{true, true, true, true}, nil
	case "pair":
		return rnnSteps{}, nil
	default:
		return rnnSteps{}, fmt.Errorf("%s=%q: want fused or pair", RNNStepEnv, v)
	}
}

// LSTMStep runs the step's product on the tiled GEMM core with the cell as
// its store (shaders/rnnstep.comp): one dispatch, two when K is split. Not
// fused (RNNStepEnv), or under a tiling whose invocations do not hold their
// columns in runs of 4, it runs MatMul and then LSTMCell.
func (d *Device) LSTMStep(h, c, gates, xw, hPrev, whh, cPrev device.Buffer, p device.LSTMCellParams) {
	hd := p.Hidden
	if !d.steps.lstm || !d.tiles.pickFor("rnnstep", 1, p.Batch, 4*hd).runs4() {
		d.MatMul(gates, hPrev, whh, device.Epilogue{Residual: xw, OffResidual: p.OffX},
			device.MatMulParams{Batch: 1, M: p.Batch, N: 4 * hd, K: hd, TransB: true, Alpha: 1, OffA: p.OffHPrev, OffC: p.OffGates})
		d.LSTMCell(h, c, gates, cPrev, p)
		return
	}
	store := &gemmStore{bufs: []*glBuffer{d.buf(xw), d.buf(h), d.buf(c), d.buf(cPrev)}, writes: writes(5, 6), runs4: true}
	d.gemm("lstm step", "rnnstep", "matmul", []string{"LSTM_STEP", "B_K_FAST"}, stepLoads(p.OffHPrev, hd),
		[]*glBuffer{d.buf(gates), d.buf(hPrev), d.buf(whh)}, device.Epilogue{}, store, func(prog *program) {
			prog.setInt("u_hidden", hd)
			setInts(prog, intUniform{"u_offGates", p.OffGates}, intUniform{"u_offHPrev", p.OffHPrev}, intUniform{"u_offX", p.OffX},
				intUniform{"u_offH", p.OffH}, intUniform{"u_offC", p.OffC}, intUniform{"u_offCPrev", p.OffCPrev})
		}, 1, p.Batch, 4*hd, hd)
}

// LSTMStepBackward runs the product giving dh on the tiled GEMM core with
// the cell's backward as its store: one dispatch, two when K is split; not
// fused (RNNStepEnv), MatMul into a pooled dh, then LSTMCellBackward.
func (d *Device) LSTMStepBackward(dgates, dc, g, whh, gates, c, cPrev device.Buffer, p device.LSTMCellParams) {
	hd := p.Hidden
	if !d.steps.lstmBackward {
		dh := d.Alloc(device.Float32, p.Batch*hd)
		d.MatMul(dh, dgates, whh, device.Epilogue{Residual: g, OffResidual: p.OffDH},
			device.MatMulParams{Batch: 1, M: p.Batch, N: hd, K: 4 * hd, Alpha: 1, OffA: p.OffDNext})
		q := p
		q.OffDH, q.OffDCPrev = 0, p.OffDC
		d.LSTMCellBackward(dgates, dc, dh, dc, gates, c, cPrev, q)
		d.Free(dh) // commands run in order: a reuse comes after the cell
		return
	}
	store := &gemmStore{bufs: []*glBuffer{d.buf(gates), d.buf(c), d.buf(cPrev), d.buf(dc)}, writes: writes(7)}
	d.gemm("lstm step backward", "rnnstep", "matmul", []string{"LSTM_STEP_BACKWARD"}, stepLoads(p.OffDNext, hd),
		[]*glBuffer{d.buf(dgates), d.buf(g), d.buf(whh)}, device.Epilogue{}, store, func(prog *program) {
			prog.setInt("u_hidden", hd)
			setInts(prog, intUniform{"u_offDGates", p.OffDGates}, intUniform{"u_offDNext", p.OffDNext}, intUniform{"u_offDH", p.OffDH},
				intUniform{"u_offDC", p.OffDC}, intUniform{"u_offGates", p.OffGates}, intUniform{"u_offC", p.OffC},
				intUniform{"u_offCPrev", p.OffCPrev})
		}, 1, p.Batch, hd, 4*hd)
}

// GRUStep runs the step's product on the tiled GEMM core with the cell as
// its store, as LSTMStep does, each unit's run of 4 columns holding its 3
// gates and a zero: a third more multiply-adds for one dispatch fewer. By
// default (RNNStepEnv) it runs MatMul and GRUCell instead: on llvmpipe,
// for which a dispatch costs little and the arithmetic much, the fused
// forward took 1.04–1.20 times as long
// (bench/results/gru-step-kernels-llvmpipe-2026-12-01.txt), on the H200
// 1.24–1.26 times; so does a tiling that cannot hold a unit's gates in a run.
func (d *Device) GRUStep(h, gates, xw, hPrev, whh, bhh device.Buffer, p device.GRUCellParams) {
	hd := p.Hidden
	if !d.steps.gru || !d.tiles.pickFor("rnnstep", 1, p.Batch, 4*hd).runs4() {
		hh := d.Alloc(device.Float32, 3*p.Batch*hd)
		d.MatMul(hh, hPrev, whh, device.Epilogue{Bias: bhh},
			device.MatMulParams{Batch: 1, M: p.Batch, N: 3 * hd, K: hd, TransB: true, Alpha: 1, OffA: p.OffHPrev})
		q := p
		q.OffHH = 0
		d.GRUCell(h, gates, xw, hh, hPrev, q)
		d.Free(hh) // commands run in order: a reuse comes after the cell
		return
	}
	defs := []string{"GRU_STEP", "B_K_FAST"}
	store := &gemmStore{bufs: []*glBuffer{d.buf(xw), d.buf(h)}, writes: writes(5), runs4: true}
	if bhh != nil {
		defs = append(defs, "HAS_BIAS")
		store.bufs = append(store.bufs, d.buf(bhh))
	}
	d.gemm("gru step", "rnnstep", "matmul", defs, stepLoads(p.OffHPrev, hd),
		[]*glBuffer{d.buf(gates), d.buf(hPrev), d.buf(whh)}, device.Epilogue{}, store, func(prog *program) {
			prog.setInt("u_hidden", hd)
			setInts(prog, intUniform{"u_offGates", p.OffGates}, intUniform{"u_offHPrev", p.OffHPrev}, intUniform{"u_offX", p.OffX},
				intUniform{"u_offH", p.OffH})
		}, 1, p.Batch, 4*hd, hd)
}

// GRUStepBackward runs the product giving dh on the tiled GEMM core with
// the cell's backward as its store: one dispatch, two when K is split; not
// fused (RNNStepEnv), MatMul adding to dh, then GRUCellBackward.
func (d *Device) GRUStepBackward(dx, dhh, dh, g, whh, gates, hPrev device.Buffer, p device.GRUCellParams) {
	hd := p.Hidden
	if !d.steps.gruBackward {
		d.MatMul(dh, dhh, whh, device.Epilogue{Residual: g, OffResidual: p.OffG},
			device.MatMulParams{Batch: 1, M: p.Batch, N: hd, K: 3 * hd, Alpha: 1, Beta: 1, OffA: p.OffDNext, OffC: p.OffDH})
		q := p
		q.OffDHPrev = p.OffDH
		d.GRUCellBackward(dx, dhh, dh, dh, gates, hPrev, q)
		return
	}
	store := &gemmStore{bufs: []*glBuffer{d.buf(dx), d.buf(gates), d.buf(hPrev), d.buf(dh)}, writes: writes(4, 7)}
	d.gemm("gru step backward", "rnnstep", "matmul", []string{"GRU_STEP_BACKWARD"}, stepLoads(p.OffDNext, hd),
		[]*glBuffer{d.buf(dhh), d.buf(g), d.buf(whh)}, device.Epilogue{}, store, func(prog *program) {
			prog.setInt("u_hidden", hd)
			setInts(prog, intUniform{"u_offDX", p.OffDX}, intUniform{"u_offDHH", p.OffDHH}, intUniform{"u_offDNext", p.OffDNext},
				intUniform{"u_offDH", p.OffDH}, intUniform{"u_offG", p.OffG}, intUniform{"u_offGates", p.OffGates},
				intUniform{"u_offHPrev", p.OffHPrev})
		}, 1, p.Batch, hd, 3*hd)
}

// intUniform is an int uniform's name and value.
type intUniform struct {
	name string
	v    int
}

// setInts sets int uniforms.
func setInts(prog *program, us ...intUniform) {
	for _, u := range us {
		prog.setInt(u.name, u.v)
	}
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
	gs := d.bufs(bufs)
	n := batch * hidden
	mh := divMagic(hidden)
	d.enqueue(name, func() {
		p := d.program(variant{family: "recurrent", defs: []string{def, localDef(elemLocal)}})
		if p == nil {
			return
		}
		d.bind(w, gs...)
		p.setUint("u_n", n)
		p.setInt("u_hidden", hidden)
		p.setPair("u_dHidden", mh)
		for u, v := range offs {
			p.setInt(u, v)
		}
		d.dispatch1(p, n, elemLocal)
	})
}
