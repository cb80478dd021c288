//go:build cgo && !nogl

package gl

import "github.com/tensorgl/tensorgl/device"

// LayerNorm gives each row as many invocations as rowGroup does a softmax's.
func (d *Device) LayerNorm(y, mean, rstd, x, w, b device.Buffer, p device.LayerNormParams) {
	defs := append([]string{"FORWARD"}, rowDefs(p.Cols)...)
	if w != nil {
		defs = append(defs, "HAS_W")
	}
	if b != nil {
		defs = append(defs, "HAS_B")
	}
	d.layerNorm("layer norm", defs, writes(0, 1, 2), []device.Buffer{y, mean, rstd, x, w, b}, p, rowGroups(p.Rows, p.Cols))
}

// LayerNormBackward runs dx as LayerNorm runs y (rows by rowGroup), then,
// for dw and db, one work group per 32 columns (each invocation a column's
// every 8th row).
func (d *Device) LayerNormBackward(dx, dw, db, dy, x, mean, rstd, w device.Buffer, p device.LayerNormParams) {
	defs := append([]string{"BACKWARD"}, rowDefs(p.Cols)...)
	if w != nil {
		defs = append(defs, "HAS_W")
	}
	d.layerNorm("layer-norm backward", defs, writes(0), []device.Buffer{dx, dy, x, mean, rstd, w}, p, rowGroups(p.Rows, p.Cols))
	if dw == nil && db == nil {
		return
	}
	defs = []string{"GRADS", localDef(lnGradsLocal)}
	if dw != nil {
		defs = append(defs, "HAS_DW")
	}
	if db != nil {
		defs = append(defs, "HAS_DB")
	}
	d.layerNorm("layer-norm weight gradients", defs, writes(0, 1), []device.Buffer{dw, db, dy, x, mean, rstd}, p, (p.Cols+31)/32)
}

// lnGradsLocal is the work group of the weight gradients' kernel: 32
// columns × 8 lanes of rows (layernorm.comp's GRADS relies on it).
const lnGradsLocal = 256

// layerNorm enqueues the layer-norm variant defs on the buffers bound in
// order from binding 0 (nil ones left unbound; it writes those set in w):
// groups work groups.
func (d *Device) layerNorm(name string, defs []string, w uint32, bufs []device.Buffer, p device.LayerNormParams, groups int) {
	gs := d.bufs(bufs)
	d.enqueue(name, func() {
		prog := d.program(variant{family: "layernorm", defs: defs})
		if prog == nil {
			return
		}
		d.bind(w, gs...)
		prog.setInt("u_rows", p.Rows)
		prog.setInt("u_cols", p.Cols)
		prog.setFloat("u_eps", p.Eps)
		d.dispatch(prog, groups, 1, 1)
	})
}
