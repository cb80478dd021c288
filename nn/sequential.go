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

// Forward passes x through every layer. A Linear or Conv2d followed by a
// ReLU, LeakyReLU, Sigmoid or Tanh runs as one layer whose kernel applies
// the activation (see tensor.Linear), as does a BatchNorm followed by a
// ReLU; the result is the same.
func (s *Sequential) Forward(x *tensor.Tensor) *tensor.Tensor {
	for i := 0; i < len(s.Layers); i++ {
		if f, ok := s.Layers[i].(fuser); ok && i+1 < len(s.Layers) {
			if a, ok := s.Layers[i+1].(activation); ok {
				x = f.forwardAct(x, a.fused())
				i++
				continue
			}
		}
		x = s.Layers[i].Forward(x)
	}
	return x
}

// fuser is a layer whose kernel can apply an activation to its output.
type fuser interface {
	forwardAct(x *tensor.Tensor, act tensor.Activation) *tensor.Tensor
}

// activation is an activation module a fuser can apply.
type activation interface {
	fused() tensor.Activation
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
