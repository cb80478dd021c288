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

// Forward normalises x [..., Shape...].
func (l *LayerNorm) Forward(x *tensor.Tensor) *tensor.Tensor {
	k, sh := len(l.Shape), x.Shape()
	if len(sh) < k || !slices.Equal(sh[len(sh)-k:], l.Shape) {
		misuse("nn.LayerNorm", "input %v does not end in the normalized shape %v", sh, l.Shape)
	}
	dims := make([]int, k)
	for i := range dims {
		dims[i] = len(sh) - k + i
	}
	// NOTE: two passes (mean, then the mean of squared deviations) rather
	// than E[x²] − E[x]², which cancels when the mean is large.
	d := x.Sub(x.MeanKeep(dims...))
	y := d.Mul(d.Square().MeanKeep(dims...).AddScalar(l.Eps).Rsqrt())
	if l.Weight != nil {
		y = y.Mul(l.Weight).Add(l.Bias)
	}
	return y
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
