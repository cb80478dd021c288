//go:build cgo && !nogl

package gl

import (
	"fmt"
	"math"

	"github.com/tensorgl/tensorgl/device"
)

// optimSlots is how many tensors one optimizer dispatch binds when each
// needs perTensor storage blocks: as many as the context's limit allows,
// capped so that the per-tensor uniform arrays stay small.
func (d *Device) optimSlots(perTensor int) int {
	return max(1, min(d.info.Limits.MaxStorageBlocks/perTensor, maxOptimSlots))
}

// maxOptimSlots caps the tensors per optimizer dispatch (16 storage blocks
// allow 8 plain SGD tensors).
const maxOptimSlots = 8

// optimTensor is one tensor of an optimizer step, captured for the GL
// thread: its buffers in binding order (parameter, gradient, then the
// state), its element count, and its per-tensor values (FirstStep for SGD;
// the bias corrections for Adam).
type optimTensor struct {
	bufs     []*glBuffer
	n        int
	first    int32
	bc1, bc2 float32
}

// SGDStep updates the list in as few dispatches as the storage-block limit
// allows: each binds up to optimSlots tensors.
func (d *Device) SGDStep(ts []device.SGDTensor, p device.SGDParams) {
	ots := make([]optimTensor, len(ts))
	for i, t := range ts {
		ots[i] = optimTensor{bufs: []*glBuffer{d.buf(t.Param), d.buf(t.Grad)}, n: t.N}
		if p.Momentum != 0 {
			ots[i].bufs = append(ots[i].bufs, d.buf(t.Buf))
		}
		if t.FirstStep {
			ots[i].first = 1
		}
	}
	defs := []string{"SGD"}
	if p.Momentum != 0 {
		defs = append(defs, "MOMENTUM")
	}
	d.optimStep("sgd", defs, []string{"B_GRAD", "B_BUF"}, ots, func(prog *program, chunk []optimTensor) {
		prog.setFloat("u_lr", p.LR)
		prog.setFloat("u_wd", p.WeightDecay)
		prog.setFloat("u_momentum", p.Momentum)
		prog.setFloat("u_dampening", p.Dampening)
		prog.setInt("u_nesterov", b2i(p.Nesterov))
		first := make([]uint32, len(chunk))
		for i, t := range chunk {
			first[i] = uint32(t.first)
		}
		prog.set("u_first", intArray, first...)
	})
}

// AdamStep updates the list in as few dispatches as the storage-block limit
// allows; each tensor's bias corrections are computed on the host in
// float64.
func (d *Device) AdamStep(ts []device.AdamTensor, p device.AdamParams) {
	ots := make([]optimTensor, len(ts))
	for i, t := range ts {
		ots[i] = optimTensor{bufs: []*glBuffer{d.buf(t.Param), d.buf(t.Grad), d.buf(t.M), d.buf(t.V)}, n: t.N,
			bc1: float32(1 - math.Pow(float64(p.Beta1), float64(t.Step))),
			bc2: float32(1 - math.Pow(float64(p.Beta2), float64(t.Step)))}
	}
	d.optimStep("adam", []string{"ADAM"}, []string{"B_GRAD", "B_M", "B_V"}, ots, func(prog *program, chunk []optimTensor) {
		prog.setFloat("u_lr", p.LR)
		prog.setFloat("u_wd", p.WeightDecay)
		prog.setFloat("u_beta1", p.Beta1)
		prog.setFloat("u_beta2", p.Beta2)
		prog.setFloat("u_eps", p.Eps)
		prog.setInt("u_decoupled", b2i(p.Decoupled))
		bc1, bc2 := make([]uint32, len(chunk)), make([]uint32, len(chunk))
		for i, t := range chunk {
			bc1[i], bc2[i] = math.Float32bits(t.bc1), math.Float32bits(t.bc2)
		}
		prog.set("u_bc1", floatArray, bc1...)
		prog.set("u_bc2", floatArray, bc2...)
	})
}

// optimStep enqueues an optimizer kernel over ts: the variant defs, with
// SLOTS tensors per dispatch and the binding macros (one per operand after
// the parameter: bindingNames[j] is operand j+1's first binding), run over
// chunks of up to SLOTS tensors. set sets the chunk's other uniforms.
func (d *Device) optimStep(name string, defs, bindingNames []string, ts []optimTensor, set func(*program, []optimTensor)) {
	if len(ts) == 0 {
		return
	}
	operands := len(ts[0].bufs)
	slots := d.optimSlots(operands)
	defs = append(defs, localDef(elemLocal), fmt.Sprintf("SLOTS=%d", slots))
	for j, b := range bindingNames {
		defs = append(defs, fmt.Sprintf("%s=%d", b, (j+1)*slots))
	}
	d.enqueue(name, func() {
		prog := d.program(variant{family: "optim", defs: defs})
		if prog == nil {
			return
		}
		for lo := 0; lo < len(ts); lo += slots {
			chunk := ts[lo:min(lo+slots, len(ts))]
			// Tensor k of the chunk is bound at slot k of every operand
			// array; unused slots get the chunk's last tensor again (no
			// work group reads them) so no binding is left stale.
			// Every operand is read and written but the gradient.
			start, n := make([]uint32, slots+1), make([]uint32, slots)
			bufs := make([]*glBuffer, operands*slots)
			var w uint32
			groups := 0
			for k := range slots {
				t := chunk[min(k, len(chunk)-1)]
				for j, g := range t.bufs {
					bufs[j*slots+k] = g
					if j != 1 {
						w |= writes(j*slots + k)
					}
				}
				if k < len(chunk) {
					start[k], n[k] = uint32(groups), uint32(t.n)
					groups += (t.n + elemLocal - 1) / elemLocal
				}
			}
			start[len(chunk)] = uint32(groups)
			d.bind(w, bufs...)
			prog.setUint("u_count", len(chunk))
			prog.set("u_start", uintArray, start...)
			prog.set("u_n", uintArray, n...)
			set(prog, chunk)
			d.dispatch(prog, groups, 1, 1)
		}
	})
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
