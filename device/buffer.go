package device

// DType is the element type of a Buffer. Both types are four bytes wide.
type DType uint8

const (
	Float32 DType = iota // IEEE-754 single precision: tensor data
	Int32                // signed 32-bit integers: indices and labels
)

func (d DType) String() string {
	switch d {
	case Float32:
		return "float32"
	case Int32:
		return "int32"
	}
	return "dtype(?)"
}

// Buffer is a device allocation of Len elements of one DType. Its contents
// are reached only through the Device that allocated it.
type Buffer interface {
	Len() int
	DType() DType
}

// Strided describes how a kernel walks an operand: element i of the
// kernel's logical index space (row-major over the kernel's shape) is read at
// Offset + Σ idx[d]·Strides[d]. A stride of 0 broadcasts that dimension.
// len(Strides) always equals the rank of the kernel's shape.
type Strided struct {
	Buf     Buffer
	Offset  int
	Strides []int
}

// Contiguous returns the row-major strides of shape.
func Contiguous(shape []int) []int {
	st := make([]int, len(shape))
	s := 1
	for d := len(shape) - 1; d >= 0; d-- {
		st[d] = s
		s *= shape[d]
	}
	return st
}

// NumElements returns the product of shape (1 for a scalar).
func NumElements(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

// MaxRank is the largest rank a strided operand may have.
const MaxRank = 8
