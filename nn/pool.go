package nn

import (
	"github.com/tensorgl/tensorgl/tensor"
)

// MaxPool2d takes the maximum over windows of [N, C, H, W] input.
type MaxPool2d struct {
	stateless
	Opts tensor.PoolOpts
}

// NewMaxPool2d returns PyTorch's nn.MaxPool2d(kernel, stride, padding)
// with square windows; stride 0 means the kernel size, PyTorch's default.
func NewMaxPool2d(kernel, stride, padding int) *MaxPool2d {
	return NewMaxPool2dHW(square(kernel), square(stride), square(padding), [2]int{1, 1})
}

// NewMaxPool2dHW is PyTorch's nn.MaxPool2d(kernel, stride, padding,
// dilation) with (height, width) pairs, as its tuple arguments; a zero
// stride means the kernel size and a zero dilation 1.
func NewMaxPool2dHW(kernel, stride, padding, dilation [2]int) *MaxPool2d {
	return &MaxPool2d{Opts: tensor.PoolOpts{Kernel: kernel, Stride: stride, Padding: padding, Dilation: dilation}}
}

// Forward pools x.
func (p *MaxPool2d) Forward(x *tensor.Tensor) *tensor.Tensor { return tensor.MaxPool2d(x, p.Opts) }

// AvgPool2d averages over windows of [N, C, H, W] input, counting
// padding in the window size as PyTorch does by default.
type AvgPool2d struct {
	stateless
	Opts tensor.PoolOpts
}

// NewAvgPool2d returns PyTorch's nn.AvgPool2d(kernel, stride, padding)
// with square windows; stride 0 means the kernel size.
func NewAvgPool2d(kernel, stride, padding int) *AvgPool2d {
	return NewAvgPool2dHW(square(kernel), square(stride), square(padding))
}

// NewAvgPool2dHW is NewAvgPool2d with (height, width) pairs.
func NewAvgPool2dHW(kernel, stride, padding [2]int) *AvgPool2d {
	return &AvgPool2d{Opts: tensor.PoolOpts{Kernel: kernel, Stride: stride, Padding: padding}}
}

// Forward pools x.
func (p *AvgPool2d) Forward(x *tensor.Tensor) *tensor.Tensor { return tensor.AvgPool2d(x, p.Opts) }

func square(v int) [2]int { return [2]int{v, v} }

// AdaptiveAvgPool2d averages [N, C, H, W] input down to [N, C, OutH, OutW]
// with PyTorch's window rule: output i along a dimension of size n covers
// input positions floor(i·n/out) to ceil((i+1)·n/out) − 1.
type AdaptiveAvgPool2d struct {
	stateless
	OutH, OutW int
}

// NewAdaptiveAvgPool2d returns an AdaptiveAvgPool2d with output size
// outH×outW.
func NewAdaptiveAvgPool2d(outH, outW int) *AdaptiveAvgPool2d {
	return &AdaptiveAvgPool2d{OutH: outH, OutW: outW}
}

// Forward pools x. Every window of a row of outputs spans the same columns,
// so the mean over a window is the mean over its rows of the row means:
// pooling height and width one after the other is exact.
func (p *AdaptiveAvgPool2d) Forward(x *tensor.Tensor) *tensor.Tensor {
	if x.Dim() != 4 || p.OutH < 1 || p.OutW < 1 {
		misuse("nn.AdaptiveAvgPool2d", "want input [N C H W] and a positive output size, got %v and %dx%d", x.Shape(), p.OutH, p.OutW)
	}
	return adaptiveAvg(adaptiveAvg(x, 2, p.OutH), 3, p.OutW)
}

// adaptiveAvg pools dimension d (2 or 3) of x to size out.
func adaptiveAvg(x *tensor.Tensor, d, out int) *tensor.Tensor {
	n := x.Size(d)
	if n == out {
		return x
	}
	if n%out == 0 {
		// Equal, disjoint windows: one pooling kernel call.
		o := tensor.PoolOpts{Kernel: [2]int{1, 1}}
		o.Kernel[d-2] = n / out
		return tensor.AvgPool2d(x, o)
	}
	parts := make([]*tensor.Tensor, out)
	for i := range out {
		start := i * n / out
		end := ((i+1)*n + out - 1) / out
		parts[i] = x.Narrow(d, start, end-start).MeanKeep(d)
	}
	return tensor.Cat(d, parts...)
}
