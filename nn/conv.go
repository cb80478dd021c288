package nn

import (
	"github.com/tensorgl/tensorgl/tensor"
)

// Conv2dOpts configures NewConv2d. Zero values are PyTorch's defaults:
// stride 1, padding 0, dilation 1, one group, with a bias.
type Conv2dOpts struct {
	Stride, Padding, Dilation int
	Groups                    int
	NoBias                    bool
}

// Conv2d is a 2-D convolution over [N, C, H, W] input (PyTorch's
// nn.Conv2d). Weight is [out, in/groups, k, k], Bias [out] or nil.
type Conv2d struct {
	Weight, Bias *tensor.Tensor
	Opts         tensor.ConvOpts
}

// NewConv2d returns a Conv2d layer with square k×k kernels, initialised
// from g as PyTorch does: weight and bias U(−1/√fan_in, 1/√fan_in) with
// fan_in = in/groups·k·k.
func NewConv2d(in, out, k int, o Conv2dOpts, g *tensor.Generator) *Conv2d {
	groups := max(o.Groups, 1)
	if in%groups != 0 || out%groups != 0 {
		misuse("nn.NewConv2d", "%d groups do not divide %d input and %d output channels", groups, in, out)
	}
	c := &Conv2d{
		Weight: kaimingWeight(g, out, in/groups, k, k),
		Opts: tensor.ConvOpts{
			Stride: [2]int{o.Stride, o.Stride}, Padding: [2]int{o.Padding, o.Padding},
			Dilation: [2]int{o.Dilation, o.Dilation}, Groups: groups,
		},
	}
	if !o.NoBias {
		c.Bias = fanInBias(g, in/groups*k*k, out)
	}
	return c
}

// Forward convolves x [N, in, H, W] to [N, out, H', W'].
func (c *Conv2d) Forward(x *tensor.Tensor) *tensor.Tensor {
	return tensor.Conv2d(x, c.Weight, c.Bias, c.Opts)
}

// State lists weight and bias.
func (c *Conv2d) State() []Entry { return weightBias(c.Weight, c.Bias) }

// Train does nothing: Conv2d behaves the same in both modes.
func (c *Conv2d) Train(bool) {}
