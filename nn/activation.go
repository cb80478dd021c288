package nn

import (
	"github.com/tensorgl/tensorgl/tensor"
)

// ReLU is max(x, 0).
type ReLU struct{ stateless }

// NewReLU returns a ReLU module.
func NewReLU() *ReLU { return &ReLU{} }

// Forward applies ReLU element-wise.
func (*ReLU) Forward(x *tensor.Tensor) *tensor.Tensor { return x.Relu() }

func (*ReLU) fused() tensor.Activation { return tensor.ActRelu }

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

func (l *LeakyReLU) fused() tensor.Activation { return tensor.ActLeakyRelu(l.Slope) }

// Sigmoid is 1/(1+e⁻ˣ).
type Sigmoid struct{ stateless }

// NewSigmoid returns a Sigmoid module.
func NewSigmoid() *Sigmoid { return &Sigmoid{} }

// Forward applies the logistic function element-wise.
func (*Sigmoid) Forward(x *tensor.Tensor) *tensor.Tensor { return x.Sigmoid() }

func (*Sigmoid) fused() tensor.Activation { return tensor.ActSigmoid }

// Tanh is the hyperbolic tangent.
type Tanh struct{ stateless }

// NewTanh returns a Tanh module.
func NewTanh() *Tanh { return &Tanh{} }

// Forward applies tanh element-wise.
func (*Tanh) Forward(x *tensor.Tensor) *tensor.Tensor { return x.Tanh() }

func (*Tanh) fused() tensor.Activation { return tensor.ActTanh }

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

// GELU is the Gaussian error linear unit x·Φ(x), Φ the standard normal
// distribution function (PyTorch's nn.GELU): exactly 0.5·x·(1 + erf(x/√2)),
// or with Tanh set the approximation 0.5·x·(1 + tanh(√(2/π)·(x +
// 0.044715·x³))), PyTorch's approximate='tanh'.
type GELU struct {
	stateless
	Tanh bool
}

// NewGELU returns the exact GELU (PyTorch's approximate='none').
func NewGELU() *GELU { return &GELU{} }

// NewGELUTanh returns the tanh approximation of GELU (approximate='tanh').
func NewGELUTanh() *GELU { return &GELU{Tanh: true} }

// Forward applies GELU element-wise; autograd differentiates the formula.
func (a *GELU) Forward(x *tensor.Tensor) *tensor.Tensor { return Gelu(x, a.Tanh) }

// Gelu is GELU as a function: the tanh approximation when approx is set;
// one kernel each way (tensor.Gelu, tensor.GeluTanh).
func Gelu(x *tensor.Tensor, approx bool) *tensor.Tensor {
	if approx {
		return x.GeluTanh()
	}
	return x.Gelu()
}
