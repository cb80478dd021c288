//go:build cgo && !nogl

package gl

import (
	"fmt"
	"math"
	"slices"

	"github.com/tensorgl/tensorgl/device"
)

// elemLocal is the work-group size of the 1-D element-wise kernels.
const elemLocal = 64

// Fill sets n elements of dst from offset to v, converted to dst's dtype on
// the host so one bit-pattern kernel serves both dtypes.
func (d *Device) Fill(dst device.Buffer, offset, n int, v float32) {
	bits := math.Float32bits(v)
	if dst.DType() == device.Int32 {
		bits = uint32(int32(v))
	}
	g := d.buf(dst)
	d.enqueue("fill", func() {
		p := d.program(fillVariant)
		if p == nil {
			return
		}
		d.bind(writes(0), g)
		p.setUint("u_n", n)
		p.setUint("u_off", offset)
		p.set("u_bits", uint1, bits)
		d.dispatch1(p, n, elemLocal)
	})
}

// fillVariant is Fill's one program.
var fillVariant = variant{family: "fill", defs: []string{localDef(elemLocal)}}

// localDef returns the define of a work group n invocations wide.
func localDef(n int) string {
	if s, ok := localDefs[n]; ok {
		return s
	}
	return fmt.Sprintf("LOCAL_X=%d", n)
}

// localDefs holds the defines of the power-of-two widths, so that queuing
// a kernel does not format one.
var localDefs = func() map[int]string {
	m := map[int]string{}
	for n := 1; n <= 1024; n *= 2 {
		m[n] = fmt.Sprintf("LOCAL_X=%d", n)
	}
	return m
}()

// strided is a Strided operand captured for the GL thread.
type strided struct {
	g       *glBuffer
	off     int
	strides []int
}

func capture(s device.Strided) strided {
	return strided{g: s.Buf.(*Buffer).g, off: s.Offset, strides: slices.Clone(s.Strides)}
}

// elemOperand is an operand of the element-wise kernel, held by value.
type elemOperand struct {
	g   *glBuffer
	off int
	st  [device.MaxRank]int
}

// elemJob is an element-wise kernel's shape and operands after collapse,
// in arrays, so that queuing the kernel allocates only its closure.
type elemJob struct {
	rank  int
	shape [device.MaxRank]int
	magic [2 * device.MaxRank]uint32 // divMagic of each dimension, in pairs (rank ≥ 2)
	nops  int
	ops   [3]elemOperand
}

// len is the number of elements the job walks.
func (j *elemJob) len() int {
	n := 1
	for _, m := range j.shape[:j.rank] {
		n *= m
	}
	return n
}

// collapse returns the job over shape with the operands srcs: it drops
// size-1 dimensions and merges each pair of adjacent dimensions that every
// operand walks as one (stride[d] = stride[d+1]·shape[d+1]), so contiguous
// operands become rank 1 and the shader's per-element index arithmetic
// shrinks.
func collapse(shape []int, srcs ...device.Strided) elemJob {
	j := elemJob{nops: len(srcs)}
	for k, s := range srcs {
		j.ops[k].off = s.Offset
		if s.Buf != nil {
			j.ops[k].g = s.Buf.(*Buffer).g
		}
	}
	for d, n := range shape {
		if n == 1 {
			continue
		}
		merge := j.rank > 0
		for k, s := range srcs {
			merge = merge && j.ops[k].st[j.rank-1] == s.Strides[d]*n
		}
		if merge {
			j.shape[j.rank-1] *= n
			for k, s := range srcs {
				j.ops[k].st[j.rank-1] = s.Strides[d]
			}
			continue
		}
		j.shape[j.rank] = n
		for k, s := range srcs {
			j.ops[k].st[j.rank] = s.Strides[d]
		}
		j.rank++
	}
	if j.rank > 1 { // one dimension is walked without dividing
		for d, n := range j.shape[:j.rank] {
			m := divMagic(n)
			j.magic[2*d], j.magic[2*d+1] = m[0], m[1]
		}
	}
	return j
}

// operandUniforms names the strides and offset uniforms of the element-wise
// kernel's operands s0, s1, s2.
var operandUniforms = [...]struct{ strides, off string }{{"u_st0", "u_off0"}, {"u_st1", "u_off1"}, {"u_st2", "u_off2"}}

// elemKernel is one variant of the strided element-wise program and the
// name its commands carry, built once.
type elemKernel struct {
	name string
	v    variant
}

func newElemKernel(name string, v variant) elemKernel {
	v.defs = append(v.defs, localDef(elemLocal))
	return elemKernel{name: name, v: v}
}

// The element-wise kernels, by op.
var (
	copyKernel    = newElemKernel("copy", variant{family: "elementwise", defs: []string{"MODE_COPY"}})
	whereKernels  = [2]elemKernel{newElemKernel("where", variant{family: "elementwise", defs: []string{"MODE_WHERE"}}), newElemKernel("where", variant{family: "elementwise", defs: []string{"MODE_WHERE", "COND_INT"}})}
	bceGradKernel = newElemKernel("bce with logits backward", variant{family: "elementwise", defs: []string{"MODE_BCEGRAD"}})
	unaryKernels  = opKernels("unary", "MODE_UNARY", unaryOps, device.UnaryOps())
	binaryKernels = opKernels("binary", "MODE_BINARY", binaryOps, device.BinaryOps())
)

type catalogued interface {
	comparable
	Info() device.OpInfo
	String() string
}

func opKernels[Op catalogued](kind, mode string, infos []device.OpInfo, ops []Op) map[Op]elemKernel {
	m := make(map[Op]elemKernel, len(ops))
	for _, op := range ops {
		m[op] = opKernel(kind, mode, infos, op)
	}
	return m
}

func opKernel[Op catalogued](kind, mode string, infos []device.OpInfo, op Op) elemKernel {
	return newElemKernel(kind+" "+op.String(), opVariant("elementwise", "OP", infos, op.Info(), mode))
}

// kernelOf returns op's kernel from table, or builds one for an op outside
// the catalogue, whose shader then fails to compile with an error naming
// it.
func kernelOf[Op catalogued](table map[Op]elemKernel, kind, mode string, infos []device.OpInfo, op Op) elemKernel {
	if k, ok := table[op]; ok {
		return k
	}
	return opKernel(kind, mode, infos, op)
}

// elementwise runs k over job and writes dst contiguously from dstOff.
func (d *Device) elementwise(k elemKernel, dst *glBuffer, dstOff int, job elemJob, a, b float32) {
	n := job.len()
	d.enqueue(k.name, func() {
		p := d.program(k.v)
		if p == nil {
			return
		}
		bufs := [1 + len(operandUniforms)]*glBuffer{dst}
		for i, o := range job.ops[:job.nops] {
			bufs[1+i] = o.g
		}
		d.bind(writes(0), bufs[:1+job.nops]...)
		p.setUint("u_n", n)
		p.setInt("u_rank", job.rank)
		p.setInts("u_shape", job.shape[:job.rank])
		if job.rank > 1 {
			p.set("u_shapeMagic", uint2Array, job.magic[:2*job.rank]...)
		}
		for i := range job.nops {
			o := &job.ops[i]
			p.setInts(operandUniforms[i].strides, o.st[:job.rank])
			p.setInt(operandUniforms[i].off, o.off)
		}
		p.setInt("u_dstOff", dstOff)
		p.setFloat("u_a", a)
		p.setFloat("u_b", b)
		d.dispatch1(p, n, elemLocal)
	})
}

// Copy gathers src over shape into contiguous dst at dstOffset, copying bit
// patterns so it serves both dtypes.
func (d *Device) Copy(dst device.Buffer, dstOffset int, src device.Strided, shape []int) {
	d.elementwise(copyKernel, d.buf(dst), dstOffset, collapse(shape, src), 0, 0)
}

// Unary applies p.Op element-wise.
func (d *Device) Unary(dst device.Buffer, src device.Strided, p device.UnaryParams) {
	k := kernelOf(unaryKernels, "unary", "MODE_UNARY", unaryOps, p.Op)
	d.elementwise(k, d.buf(dst), 0, collapse(p.Shape, src), p.A, p.B)
}

// Binary applies p.Op element-wise with broadcasting by strides.
func (d *Device) Binary(dst device.Buffer, x, y device.Strided, p device.BinaryParams) {
	k := kernelOf(binaryKernels, "binary", "MODE_BINARY", binaryOps, p.Op)
	d.elementwise(k, d.buf(dst), 0, collapse(p.Shape, x, y), p.A, 0)
}

// Where selects x where cond ≠ 0, else y; cond may be Float32 or Int32.
func (d *Device) Where(dst device.Buffer, cond, x, y device.Strided, shape []int) {
	k := whereKernels[0]
	if cond.Buf.DType() == device.Int32 {
		k = whereKernels[1]
	}
	d.elementwise(k, d.buf(dst), 0, collapse(shape, cond, x, y), 0, 0)
}

// BCEWithLogitsBackward writes a·g·(σ(x) − y), the three operands walked by
// their strides.
func (d *Device) BCEWithLogitsBackward(dx device.Buffer, x, y, g device.Strided, shape []int, a float32) {
	d.elementwise(bceGradKernel, d.buf(dx), 0, collapse(shape, x, y, g), a, 0)
}
