package nn

import "github.com/tensorgl/tensorgl/tensor"

// ConvTranspose2dOpts configures NewConvTranspose2d: the options of the
// convolution it transposes, and OutputPadding (square) or OutputPaddingHW
// (height, width; overrides OutputPadding when non-zero), PyTorch's
// output_padding.
type ConvTranspose2dOpts struct {
	Conv2dOpts
	OutputPadding   int
	OutputPaddingHW [2]int
}

// ConvTranspose2d is a transposed 2-D convolution over [N, C, H, W] input
// (PyTorch's nn.ConvTranspose2d), the gradient of a Conv2d with respect to
// its input: it upsamples by the stride. Weight is [in, out/groups, kH, kW]
// as in PyTorch, Bias [out] or nil.
type ConvTranspose2d struct {
	Weight, Bias *tensor.Tensor
	Opts         tensor.ConvTransposeOpts
}

// NewConvTranspose2d returns a ConvTranspose2d layer with square k×k
// kernels; see NewConvTranspose2dHW.
func NewConvTranspose2d(in, out, k int, o ConvTranspose2dOpts, g *tensor.Generator) *ConvTranspose2d {
	return NewConvTranspose2dHW(in, out, [2]int{k, k}, o, g)
}

// NewConvTranspose2dHW returns a ConvTranspose2d layer with kernels of
// kernel[0]×kernel[1], initialised from g as PyTorch does: weight and bias
// U(−1/√fan_in, 1/√fan_in), where PyTorch takes fan_in from the weight's
// second dimension: out/groups·kH·kW.
func NewConvTranspose2dHW(in, out int, kernel [2]int, o ConvTranspose2dOpts, g *tensor.Generator) *ConvTranspose2d {
	opts := tensor.ConvTransposeOpts{ConvOpts: o.tensorOpts(), OutputPadding: pair(o.OutputPadding, o.OutputPaddingHW)}
	groups := opts.Groups
	if in%groups != 0 || out%groups != 0 {
		misuse("nn.NewConvTranspose2d", "%d groups do not divide %d input and %d output channels", groups, in, out)
	}
	c := &ConvTranspose2d{Weight: kaimingWeight(g, in, out/groups, kernel[0], kernel[1]), Opts: opts}
	if !o.NoBias {
		c.Bias = fanInBias(g, out/groups*kernel[0]*kernel[1], out)
	}
	return c
}

// Forward maps x [N, in, H, W] to [N, out, H', W'] with
// H' = (H−1)·stride − 2·padding + dilation·(kH−1) + output_padding + 1.
func (c *ConvTranspose2d) Forward(x *tensor.Tensor) *tensor.Tensor {
	return tensor.ConvTranspose2d(x, c.Weight, c.Bias, c.Opts)
}

// State lists weight and bias.
func (c *ConvTranspose2d) State() []Entry { return weightBias(c.Weight, c.Bias) }

// Train does nothing: ConvTranspose2d behaves the same in both modes.
func (c *ConvTranspose2d) Train(bool) {}
