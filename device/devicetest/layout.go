package devicetest

import (
	"fmt"
	"math/rand/v2"

	"github.com/tensorgl/tensorgl/device"
)

// layout says how a strided operand is laid out in its buffer.
type layout struct {
	name      string
	permute   bool // dimensions in a shuffled memory order (a transpose or permute)
	step      bool // some dimensions stepped by 2 (a strided slice)
	broadcast bool // some dimensions with stride 0 (an expand)
	offset    bool // the operand starts past the start of its buffer
}

// layouts are the operand layouts element-wise kernels are tested with.
var layouts = []layout{
	{name: "contiguous"},
	{name: "transposed", permute: true},
	{name: "sliced", step: true, offset: true},
	{name: "broadcast", broadcast: true},
	{name: "mixed", permute: true, step: true, broadcast: true, offset: true},
}

// dimSizes are the sizes random shapes draw from: odd, even, prime and 1.
var dimSizes = []int{1, 2, 3, 4, 5, 7, 8, 13, 17}

// randomShape returns a shape of the given rank with at most maxElems
// elements.
func randomShape(r *rand.Rand, rank, maxElems int) []int {
	shape := make([]int, rank)
	n := 1
	for d := range shape {
		var fit []int
		for _, s := range dimSizes {
			if n*s <= maxElems {
				fit = append(fit, s)
			}
		}
		shape[d] = fit[r.IntN(len(fit))]
		n *= shape[d]
	}
	return shape
}

// operand is the host mirror of a strided device operand: the whole
// backing buffer and how the kernel walks it.
type operand struct {
	data    []float32
	offset  int
	strides []int
}

// newOperand lays out an operand of the given shape as l says, in a buffer
// whose every element is drawn by gen.
func newOperand(r *rand.Rand, shape []int, l layout, gen func(*rand.Rand) float32) operand {
	rank := len(shape)
	order := make([]int, rank) // memory order, outermost first
	for i := range order {
		order[i] = i
	}
	if l.permute && rank > 1 {
		r.Shuffle(rank, func(i, j int) { order[i], order[j] = order[j], order[i] })
		if sorted(order) {
			for i := range order {
				order[i] = rank - 1 - i
			}
		}
	}
	strides := make([]int, rank)
	acc := 1
	for j := rank - 1; j >= 0; j-- {
		d := order[j]
		step := 1
		if l.step && r.IntN(2) == 0 {
			step = 2
		}
		strides[d] = acc * step
		acc *= shape[d] * step
	}
	if l.broadcast && rank > 0 {
		strides[r.IntN(rank)] = 0
		for d := range strides {
			if r.IntN(3) == 0 {
				strides[d] = 0
			}
		}
	}
	op := operand{strides: strides}
	if l.offset {
		op.offset = 1 + r.IntN(7)
	}
	size := op.offset + 1
	for d := range shape {
		size += (shape[d] - 1) * strides[d]
	}
	if l.offset {
		size += r.IntN(4)
	}
	op.data = make([]float32, size)
	for i := range op.data {
		op.data[i] = gen(r)
	}
	return op
}

func sorted(s []int) bool {
	for i := 1; i < len(s); i++ {
		if s[i] < s[i-1] {
			return false
		}
	}
	return true
}

// values returns the operand's elements in the kernel's row-major order
// over shape.
func (op operand) values(shape []int) []float32 {
	addrs := addresses(shape, op.offset, op.strides)
	v := make([]float32, len(addrs))
	for i, a := range addrs {
		v[i] = op.data[a]
	}
	return v
}

// String describes the layout for failure messages.
func (op operand) String() string {
	return fmt.Sprintf("offset %d strides %v in a buffer of %d", op.offset, op.strides, len(op.data))
}

// addresses returns, in row-major order over shape, the buffer index of
// each element of an operand at offset with the given strides: the
// definition of device.Strided.
func addresses(shape []int, offset int, strides []int) []int {
	n := device.NumElements(shape)
	out := make([]int, n)
	idx := make([]int, len(shape))
	for i := range out {
		a := offset
		for d := range shape {
			a += idx[d] * strides[d]
		}
		out[i] = a
		for d := len(shape) - 1; d >= 0; d-- {
			idx[d]++
			if idx[d] < shape[d] {
				break
			}
			idx[d] = 0
		}
	}
	return out
}

// upload copies the operand's buffer to d and returns the kernel operand.
func (op operand) upload(t tb, d device.Device) device.Strided {
	t.Helper()
	return device.Strided{Buf: upload(t, d, op.data), Offset: op.offset, Strides: op.strides}
}

// shapeCase is one shape and layout an element-wise kernel is tested on.
type shapeCase struct {
	name  string
	shape []int
	l     layout
}

// shapeCases returns a random shape of rank 1 to 4 and at most maxElems
// elements for every layout, then a scalar (rank 0) and a rank-8 shape.
func shapeCases(r *rand.Rand, maxElems int) []shapeCase {
	var cases []shapeCase
	for _, l := range layouts {
		minRank := 1
		if l.permute {
			minRank = 2 // a transpose needs two dimensions
		}
		rank := minRank + r.IntN(5-minRank)
		cases = append(cases, shapeCase{l.name, randomShape(r, rank, maxElems), l})
	}
	return append(cases,
		shapeCase{"scalar", []int{}, layout{offset: true}},
		shapeCase{"rank8", []int{2, 1, 3, 1, 2, 2, 1, 3}, layouts[len(layouts)-1]})
}
