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

// collapse drops size-1 dimensions and merges each pair of adjacent
// dimensions that every operand walks as one (stride[d] = stride[d+1]·shape[d+1]),
// so contiguous operands become rank 1 and the shader's per-element index
// arithmetic shrinks. It returns the new shape and rewrites ops' strides.
func collapse(shape []int, ops []strided) []int {
	var out []int
	outSt := make([][]int, len(ops))
	for d, n := range shape {
		if n == 1 {
			continue
		}
		merge := len(out) > 0
		for k, o := range ops {
			last := len(outSt[k]) - 1
			merge = merge && outSt[k][last] == o.strides[d]*n
		}
		if merge {
			out[len(out)-1] *= n
			for k, o := range ops {
				outSt[k][len(outSt[k])-1] = o.strides[d]
			}
			continue
		}
		out = append(out, n)
		for k, o := range ops {
			outSt[k] = append(outSt[k], o.strides[d])
		}
	}
	for k := range ops {
		ops[k].strides = outSt[k]
	}
	return out
}

// operandUniforms names the strides and offset uniforms of the element-wise
// kernel's operands s0, s1, s2.
var operandUniforms = [...]struct{ strides, off string }{{"u_st0", "u_off0"}, {"u_st1", "u_off1"}, {"u_st2", "u_off2"}}

// elementwise runs v, a variant of the strided element-wise program, over
// shape with up to three operands and writes dst contiguously from dstOff.
func (d *Device) elementwise(name string, v variant, dst *glBuffer, dstOff int, shape []int, a, b float32, ops ...strided) {
	n := device.NumElements(shape)
	shape = collapse(shape, ops)
	v.defs = append(v.defs, localDef(elemLocal))
	d.enqueue(name, func() {
		p := d.program(v)
		if p == nil {
			return
		}
		bufs := [1 + len(operandUniforms)]*glBuffer{dst}
		for k, o := range ops {
			bufs[1+k] = o.g
		}
		d.bind(writes(0), bufs[:1+len(ops)]...)
		p.setUint("u_n", n)
		p.setInt("u_rank", len(shape))
		p.setInts("u_shape", shape)
		for k, o := range ops {
			p.setInts(operandUniforms[k].strides, o.strides)
			p.setInt(operandUniforms[k].off, o.off)
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
	d.elementwise("copy", variant{family: "elementwise", defs: []string{"MODE_COPY"}}, d.buf(dst), dstOffset, shape, 0, 0, capture(src))
}

// Unary applies p.Op element-wise.
func (d *Device) Unary(dst device.Buffer, src device.Strided, p device.UnaryParams) {
	v := opVariant("elementwise", "OP", unaryOps, p.Op.Info(), "MODE_UNARY")
	d.elementwise("unary "+p.Op.String(), v, d.buf(dst), 0, p.Shape, p.A, p.B, capture(src))
}

// Binary applies p.Op element-wise with broadcasting by strides.
func (d *Device) Binary(dst device.Buffer, x, y device.Strided, p device.BinaryParams) {
	v := opVariant("elementwise", "OP", binaryOps, p.Op.Info(), "MODE_BINARY")
	d.elementwise("binary "+p.Op.String(), v, d.buf(dst), 0, p.Shape, p.A, 0, capture(x), capture(y))
}

// Where selects x where cond ≠ 0, else y; cond may be Float32 or Int32.
func (d *Device) Where(dst device.Buffer, cond, x, y device.Strided, shape []int) {
	defs := []string{"MODE_WHERE"}
	if cond.Buf.DType() == device.Int32 {
		defs = append(defs, "COND_INT")
	}
	d.elementwise("where", variant{family: "elementwise", defs: defs}, d.buf(dst), 0, shape, 0, 0, capture(cond), capture(x), capture(y))
}
