//go:build cgo && !nogl

package gl

import (
	"fmt"
	"math"

	"github.com/tensorgl/tensorgl/device"
)

// optimSlots is how many tensors one multi-tensor dispatch binds when each
// needs perTensor storage blocks and reserved more are bound besides: as
// many as the context's limit allows, capped so that the per-tensor uniform
// arrays (and the search of a work group's tensor) stay small.
func (d *Device) optimSlots(perTensor, reserved int) int {
	return max(1, min((d.info.Limits.MaxStorageBlocks-reserved)/perTensor, maxOptimSlots))
}

// maxOptimSlots caps the tensors per optimizer dispatch: 16 storage blocks
// (llvmpipe's and NVIDIA's limit) allow 15 tensors to a gradient norm's
// kernels, 8 to plain SGD, 5 with momentum and 4 to Adam.
const maxOptimSlots = 32

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
	d.optimStep("sgd", defs, []string{"B_GRAD", "B_BUF"}, ots, updateOpts, func(prog *program, chunk []optimTensor) {
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
	d.optimStep("adam", []string{"ADAM"}, []string{"B_GRAD", "B_M", "B_V"}, ots, updateOpts, func(prog *program, chunk []optimTensor) {
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

// multiOpts is how a multi-tensor kernel of shaders/optim.comp binds and
// splits its tensors: perGroup elements of a tensor per work group; reads,
// the operands (by index in optimTensor.bufs) it only reads; extra, a
// buffer bound after the operand arrays (at B_EXTRA), which it writes when
// extraWrites is set.
type multiOpts struct {
	perGroup    int
	reads       uint32
	extra       *glBuffer
	extraWrites bool
}

// updateOpts are the optimizers': an invocation per element, the gradient
// (operand 1) read, every other operand written.
var updateOpts = multiOpts{perGroup: elemLocal, reads: 1 << 1}

// optimStep enqueues a multi-tensor kernel over ts: the variant defs, with
// SLOTS tensors per dispatch and the binding macros (one per operand after
// the first: bindingNames[j] is operand j+1's first binding), run over
// chunks of up to SLOTS tensors. set sets the chunk's other uniforms.
func (d *Device) optimStep(name string, defs, bindingNames []string, ts []optimTensor, o multiOpts, set func(*program, []optimTensor)) {
	if len(ts) == 0 {
		return
	}
	operands := len(ts[0].bufs)
	reserved := 0
	if o.extra != nil {
		reserved = 1
	}
	slots := d.optimSlots(operands, reserved)
	defs = append(defs, localDef(elemLocal), fmt.Sprintf("SLOTS=%d", slots))
	for j, b := range bindingNames {
		defs = append(defs, fmt.Sprintf("%s=%d", b, (j+1)*slots))
	}
	if o.extra != nil {
		defs = append(defs, fmt.Sprintf("B_EXTRA=%d", operands*slots))
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
			start, n := make([]uint32, slots+1), make([]uint32, slots)
			bufs := make([]*glBuffer, operands*slots, operands*slots+1)
			var w uint32
			groups := 0
			for k := range slots {
				t := chunk[min(k, len(chunk)-1)]
				for j, g := range t.bufs {
					bufs[j*slots+k] = g
					if o.reads&(1<<j) == 0 {
						w |= writes(j*slots + k)
					}
				}
				if k < len(chunk) {
					start[k], n[k] = uint32(groups), uint32(t.n)
					groups += (t.n + o.perGroup - 1) / o.perGroup
				}
			}
			if o.extra != nil {
				bufs = append(bufs, o.extra)
				if o.extraWrites {
					w |= writes(operands * slots)
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

// normPer is how many elements of a tensor each invocation of SumSquares
// squares and adds.
const normPer = 64

// SumSquares sums each group's share of the squares into a pooled buffer of
// partial sums (one per group, as few dispatches as the storage-block limit
// allows), then adds them in one work group, which writes the norm too.
func (d *Device) SumSquares(dst, norm device.Buffer, ts []device.Span) {
	var ots []optimTensor
	parts := 0
	for _, t := range ts {
		if t.N > 0 {
			ots = append(ots, optimTensor{bufs: []*glBuffer{d.buf(t.Buf)}, n: t.N})
			parts += (t.N + elemLocal*normPer - 1) / (elemLocal * normPer)
		}
	}
	if parts == 0 {
		d.Fill(dst, 0, 1, 0)
		if norm != nil {
			d.Fill(norm, 0, 1, 0)
		}
		return
	}
	partial := d.Alloc(device.Float32, parts)
	pb, out := d.buf(partial), d.buf(dst)
	base := 0 // the first partial sum of the chunk being dispatched
	d.optimStep("sum squares", []string{"SUM_SQUARES", fmt.Sprintf("NORM_PER=%d", normPer)}, nil, ots,
		multiOpts{perGroup: elemLocal * normPer, reads: 1, extra: pb, extraWrites: true}, func(prog *program, chunk []optimTensor) {
			prog.setUint("u_partBase", base)
			for _, t := range chunk {
				base += (t.n + elemLocal*normPer - 1) / (elemLocal * normPer)
			}
		})
	defs, w, nb := []string{"SUM_PARTIALS", localDef(elemLocal)}, writes(0), (*glBuffer)(nil)
	if norm != nil {
		defs, w, nb = append(defs, "NORM"), writes(0, 2), d.buf(norm)
	}
	d.enqueue("sum partials", func() {
		prog := d.program(variant{family: "optim", defs: defs})
		if prog == nil {
			return
		}
		d.bind(w, out, pb, nb)
		prog.setUint("u_parts", parts)
		d.dispatch(prog, 1, 1, 1)
	})
	d.Free(partial) // commands run in order: a reuse comes after the sum
}

// ClipScale scales in as few dispatches as the storage-block limit allows.
func (d *Device) ClipScale(ts []device.Span, sq device.Buffer, maxNorm float32) {
	var ots []optimTensor
	for _, t := range ts {
		if t.N > 0 {
			ots = append(ots, optimTensor{bufs: []*glBuffer{d.buf(t.Buf)}, n: t.N})
		}
	}
	d.optimStep("clip scale", []string{"CLIP_SCALE"}, nil, ots, multiOpts{perGroup: elemLocal, extra: d.buf(sq)},
		func(prog *program, _ []optimTensor) { prog.setFloat("u_maxNorm", maxNorm) })
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
