package nn

import "github.com/tensorgl/tensorgl/tensor"

// ReLU is max(x, 0).
type ReLU struct{ stateless }

// NewReLU returns a ReLU module.
func NewReLU() *ReLU { return &ReLU{} }

// Forward applies ReLU element-wise.
func (*ReLU) Forward(x *tensor.Tensor) *tensor.Tensor { return x.Relu() }

// LeakyReLU is x for x > 0, else Slope·x.
type LeakyReLU struct {
	stateless
	Slope float32
}

// NewLeakyReLU returns a LeakyReLU with the given negative slope (PyTorch's
// default is 0.01).
func NewLeakyReLU(slope float32) *LeakyReLU { return &LeakyReLU{Slope: slope} }

// Forward applies LeakyReLU element-wise.
func (l *LeakyReLU) Forward(x *tensor.Tensor) *tensor.Tensor { return x.LeakyRelu(l.Slope) }

// Sigmoid is 1/(1+e⁻ˣ).
type Sigmoid struct{ stateless }

// NewSigmoid returns a Sigmoid module.
func NewSigmoid() *Sigmoid { return &Sigmoid{} }

// Forward applies the logistic function element-wise.
func (*Sigmoid) Forward(x *tensor.Tensor) *tensor.Tensor { return x.Sigmoid() }

// Tanh is the hyperbolic tangent.
type Tanh struct{ stateless }

// NewTanh returns a Tanh module.
func NewTanh() *Tanh { return &Tanh{} }

// Forward applies tanh element-wise.
func (*Tanh) Forward(x *tensor.Tensor) *tensor.Tensor { return x.Tanh() }

// Softmax normalises along Dim.
type Softmax struct {
	stateless
	Dim int
}

// NewSoftmax returns a Softmax over dimension dim (negative counts from the
// end).
func NewSoftmax(dim int) *Softmax { return &Softmax{Dim: dim} }

// Forward applies softmax along Dim.
func (s *Softmax) Forward(x *tensor.Tensor) *tensor.Tensor { return x.Softmax(s.Dim) }

// Flatten merges dimensions Start..End (inclusive) into one.
type Flatten struct {
	stateless
	Start, End int
}

// NewFlatten returns PyTorch's default nn.Flatten(): every dimension but
// the batch dimension merged, [N, ...] → [N, prod(...)].
func NewFlatten() *Flatten { return &Flatten{Start: 1, End: -1} }

// Forward flattens x.
func (f *Flatten) Forward(x *tensor.Tensor) *tensor.Tensor { return x.Flatten(f.Start, f.End) }
