package nn

import (
	"github.com/tensorgl/tensorgl/tensor"
)

// Conv2dOpts configures NewConv2d and NewConv2dHW. Zero values are
// PyTorch's defaults: stride 1, padding 0, dilation 1, one group, with a
// bias. Stride, Padding and Dilation apply to both dimensions; a non-zero
// StrideHW, PaddingHW or DilationHW gives (height, width) separately and
// overrides them, as PyTorch's tuple arguments do.
type Conv2dOpts struct {
	Stride, Padding, Dilation       int
	StrideHW, PaddingHW, DilationHW [2]int
	Groups                          int
	NoBias                          bool
}

// pair returns hw when it is set, else (v, v).
func pair(v int, hw [2]int) [2]int {
	if hw != ([2]int{}) {
		return hw
	}
	return square(v)
}

func (o Conv2dOpts) tensorOpts() tensor.ConvOpts {
	return tensor.ConvOpts{
		Stride: pair(o.Stride, o.StrideHW), Padding: pair(o.Padding, o.PaddingHW),
		Dilation: pair(o.Dilation, o.DilationHW), Groups: max(o.Groups, 1),
	}
}

// Conv2d is a 2-D convolution over [N, C, H, W] input (PyTorch's
// nn.Conv2d). Weight is [out, in/groups, kH, kW], Bias [out] or nil.
type Conv2d struct {
	Weight, Bias *tensor.Tensor
	Opts         tensor.ConvOpts
}

// NewConv2d returns a Conv2d layer with square k×k kernels; see
// NewConv2dHW.
func NewConv2d(in, out, k int, o Conv2dOpts, g *tensor.Generator) *Conv2d {
	return NewConv2dHW(in, out, [2]int{k, k}, o, g)
}

// NewConv2dHW returns a Conv2d layer with kernels of kernel[0]×kernel[1]
// (height × width), initialised from g as PyTorch does: weight and bias
// U(−1/√fan_in, 1/√fan_in) with fan_in = in/groups·kH·kW.
func NewConv2dHW(in, out int, kernel [2]int, o Conv2dOpts, g *tensor.Generator) *Conv2d {
	opts := o.tensorOpts()
	if in%opts.Groups != 0 || out%opts.Groups != 0 {
		misuse("nn.NewConv2d", "%d groups do not divide %d input and %d output channels", opts.Groups, in, out)
	}
	c := &Conv2d{Weight: kaimingWeight(g, out, in/opts.Groups, kernel[0], kernel[1]), Opts: opts}
	if !o.NoBias {
		c.Bias = fanInBias(g, in/opts.Groups*kernel[0]*kernel[1], out)
	}
	return c
}

// Forward convolves x [N, in, H, W] to [N, out, H', W'].
func (c *Conv2d) Forward(x *tensor.Tensor) *tensor.Tensor {
	return tensor.Conv2d(x, c.Weight, c.Bias, c.Opts)
}

// forwardAct is Forward followed by act, in one kernel when the layer has
// no activation of its own (Opts.Act).
func (c *Conv2d) forwardAct(x *tensor.Tensor, act tensor.Activation) *tensor.Tensor {
	if !c.Opts.Act.IsIdentity() {
		return act.Apply(c.Forward(x))
	}
	o := c.Opts
	o.Act = act
	return tensor.Conv2d(x, c.Weight, c.Bias, o)
}

// State lists weight and bias.
func (c *Conv2d) State() []Entry { return weightBias(c.Weight, c.Bias) }

// Train does nothing: Conv2d behaves the same in both modes.
func (c *Conv2d) Train(bool) {}
