package nn

import (
	"slices"

	"github.com/tensorgl/tensorgl/tensor"
)

// LayerNorm normalises each sample over its last dimensions (Shape) to
// zero mean and unit variance and applies an element-wise affine map
// (PyTorch's nn.LayerNorm): y = (x − E[x]) / √(Var[x] + Eps) · Weight +
// Bias, with the biased variance. Weight and Bias have shape Shape; both
// are nil without the affine map.
type LayerNorm struct {
	Weight, Bias *tensor.Tensor
	Shape        []int
	Eps          float32
}

// NewLayerNorm returns a LayerNorm over the trailing dimensions shape, with
// PyTorch's defaults: eps 1e-5, weight ones and bias zeros.
func NewLayerNorm(shape ...int) *LayerNorm {
	if len(shape) == 0 || slices.Min(shape) < 1 {
		misuse("nn.NewLayerNorm", "normalized shape %v: want one or more positive sizes", shape)
	}
	return &LayerNorm{
		Weight: newParam(tensor.Ones(shape...)), Bias: newParam(tensor.Zeros(shape...)),
		Shape: slices.Clone(shape), Eps: 1e-5,
	}
}

// Forward normalises x [..., Shape...] in one kernel (tensor.LayerNorm).
func (l *LayerNorm) Forward(x *tensor.Tensor) *tensor.Tensor {
	sh := x.Shape()
	if k := len(l.Shape); len(sh) < k || !slices.Equal(sh[len(sh)-k:], l.Shape) {
		misuse("nn.LayerNorm", "input %v does not end in the normalized shape %v", sh, l.Shape)
	}
	return tensor.LayerNorm(x, l.Shape, l.Weight, l.Bias, l.Eps)
}

// State lists weight and bias.
func (l *LayerNorm) State() []Entry {
	if l.Weight == nil {
		return nil
	}
	return weightBias(l.Weight, l.Bias)
}

// Train does nothing: LayerNorm uses each sample's own statistics in both
// modes.
func (l *LayerNorm) Train(bool) {}
