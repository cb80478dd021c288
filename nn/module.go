package nn

import (
	"fmt"

	"github.com/tensorgl/tensorgl/tensor"
)

// Module is a layer or a network of layers.
//
// Forward computes the module's output; it records autograd operations when
// parameters require gradients, as they do from construction.
//
// State lists the module's tensors in PyTorch state_dict order and naming:
// a module's own parameters, then its own buffers, then each child's entries
// with the child's name and a dot prepended ("features.3.bias"). Entries are
// the live tensors, not copies: writing to them changes the module.
//
// Train switches between training mode (true, the initial mode) and
// evaluation mode, as PyTorch's module.train(mode); it changes Dropout and
// BatchNorm and must be passed on to every child.
//
// A module written outside this package implements the three methods by
// calling its children, e.g. State as
//
//	return slices.Concat(nn.Prefixed("enc", m.enc.State()), nn.Prefixed("dec", m.dec.State()))
type Module interface {
	Forward(x *tensor.Tensor) *tensor.Tensor
	State() []Entry
	Train(on bool)
}

// Entry is one named tensor of a module's state.
type Entry struct {
	Name string
	// Tensor holds the values; nil for a counter.
	Tensor *tensor.Tensor
	// Param marks a trainable parameter; other entries are buffers
	// (running statistics) that are saved but not optimised.
	Param bool
	// Count is a host-side counter saved as an int64 scalar, such as
	// BatchNorm's num_batches_tracked; Tensor is nil when it is set.
	Count *int64
}

// Prefixed returns entries with prefix and a dot prepended to each name.
func Prefixed(prefix string, entries []Entry) []Entry {
	out := make([]Entry, len(entries))
	for i, e := range entries {
		e.Name = prefix + "." + e.Name
		out[i] = e
	}
	return out
}

// Parameters returns the trainable tensors of m in state order.
func Parameters(m Module) []*tensor.Tensor {
	var ps []*tensor.Tensor
	for _, e := range m.State() {
		if e.Param {
			ps = append(ps, e.Tensor)
		}
	}
	return ps
}

// NamedParameters returns the trainable entries of m in state order.
func NamedParameters(m Module) []Entry {
	var ps []Entry
	for _, e := range m.State() {
		if e.Param {
			ps = append(ps, e)
		}
	}
	return ps
}

// ZeroGrad clears the accumulated gradient of every parameter of m.
func ZeroGrad(m Module) {
	for _, p := range Parameters(m) {
		p.ZeroGrad()
	}
}

// Eval puts m in evaluation mode; it is m.Train(false).
func Eval(m Module) { m.Train(false) }

// NumParams returns the number of trainable scalars in m.
func NumParams(m Module) int {
	n := 0
	for _, p := range Parameters(m) {
		n += p.NumEl()
	}
	return n
}

// newParam makes t a trainable leaf that outlives every tensor.Tidy.
func newParam(t *tensor.Tensor) *tensor.Tensor {
	tensor.Persist(t)
	return t.SetRequiresGrad(true)
}

// newBuffer makes t a persistent tensor that is not trained.
func newBuffer(t *tensor.Tensor) *tensor.Tensor {
	tensor.Persist(t)
	return t
}

// stateless provides State and Train for modules without parameters or
// mode-dependent behaviour.
type stateless struct{}

func (stateless) State() []Entry { return nil }
func (stateless) Train(bool)     {}

// misuse panics as the tensor layer does for shapes that do not fit a layer.
func misuse(op, format string, args ...any) {
	panic(&tensor.ShapeError{Op: op, Msg: fmt.Sprintf(format, args...)})
}
