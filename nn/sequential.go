package nn

import (
	"strconv"

	"github.com/tensorgl/tensorgl/tensor"
)

// Sequential applies its modules in order (PyTorch's nn.Sequential). Its
// children are named by position, so the state of a Conv2d at index 3 is
// "3.weight" and "3.bias".
type Sequential struct {
	Layers []Module
}

// NewSequential returns a Sequential of mods.
func NewSequential(mods ...Module) *Sequential { return &Sequential{Layers: mods} }

// Forward passes x through every layer.
func (s *Sequential) Forward(x *tensor.Tensor) *tensor.Tensor {
	for _, m := range s.Layers {
		x = m.Forward(x)
	}
	return x
}

// State lists the layers' entries prefixed with their index.
func (s *Sequential) State() []Entry {
	var es []Entry
	for i, m := range s.Layers {
		es = append(es, Prefixed(strconv.Itoa(i), m.State())...)
	}
	return es
}

// Train sets the mode of every layer.
func (s *Sequential) Train(on bool) {
	for _, m := range s.Layers {
		m.Train(on)
	}
}
