package tensor

import (
	"errors"
	"fmt"
)

// ErrShape is matched by errors.Is for every *ShapeError.
var ErrShape = errors.New("tensor: invalid shape or argument")

// ShapeError is the value tensor operations panic with when they are called
// with shapes, axes, devices or indices that do not fit.
type ShapeError struct {
	Op  string // the operation, e.g. "MatMul"
	Msg string // what was wrong, naming the shapes
}

func (e *ShapeError) Error() string { return "tensor: " + e.Op + ": " + e.Msg }

// Is reports whether target is ErrShape.
func (e *ShapeError) Is(target error) bool { return target == ErrShape }

func fail(op, format string, args ...any) {
	panic(&ShapeError{Op: op, Msg: fmt.Sprintf(format, args...)})
}
