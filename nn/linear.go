package nn

import (
	"math"

	nninit "github.com/tensorgl/tensorgl/nn/init"
	"github.com/tensorgl/tensorgl/tensor"
)

// Linear applies y = x·Wᵀ + b to the last dimension of x (PyTorch's
// nn.Linear). Weight is [out, in], Bias [out] or nil.
type Linear struct {
	Weight, Bias *tensor.Tensor
}

// NewLinear returns a Linear layer with a bias, initialised as PyTorch
// does from g: weight and bias both U(−1/√in, 1/√in).
func NewLinear(in, out int, g *tensor.Generator) *Linear {
	return &Linear{Weight: kaimingWeight(g, out, in), Bias: fanInBias(g, in, out)}
}

// NewLinearNoBias returns a Linear layer without a bias.
func NewLinearNoBias(in, out int, g *tensor.Generator) *Linear {
	return &Linear{Weight: kaimingWeight(g, out, in)}
}

// kaimingWeight is PyTorch's default weight initialisation for Linear and
// Conv layers, kaiming_uniform_(a=√5), i.e. U(−1/√fan_in, 1/√fan_in).
func kaimingWeight(g *tensor.Generator, shape ...int) *tensor.Tensor {
	w := tensor.Zeros(shape...)
	nninit.KaimingUniform(w, g, nninit.KaimingOpts{A: math.Sqrt(5)})
	return newParam(w)
}

// fanInBias is PyTorch's default bias initialisation U(−1/√fan_in, 1/√fan_in).
func fanInBias(g *tensor.Generator, fanIn, n int) *tensor.Tensor {
	b := 1 / math.Sqrt(float64(fanIn))
	return newParam(tensor.Uniform(g, float32(-b), float32(b), n))
}

// Forward maps x [..., in] to [..., out].
func (l *Linear) Forward(x *tensor.Tensor) *tensor.Tensor {
	return l.forwardAct(x, tensor.Activation{})
}

// forwardAct is Forward followed by act, in one kernel.
func (l *Linear) forwardAct(x *tensor.Tensor, act tensor.Activation) *tensor.Tensor {
	return tensor.Linear(x, l.Weight, l.Bias, act)
}

// State lists weight and bias.
func (l *Linear) State() []Entry { return weightBias(l.Weight, l.Bias) }

// Train does nothing: Linear behaves the same in both modes.
func (l *Linear) Train(bool) {}

func weightBias(w, b *tensor.Tensor) []Entry {
	es := []Entry{{Name: "weight", Tensor: w, Param: true}}
	if b != nil {
		es = append(es, Entry{Name: "bias", Tensor: b, Param: true})
	}
	return es
}
