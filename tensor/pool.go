package tensor

import (
	"runtime"

	"github.com/tensorgl/tensorgl/device"
)

// PoolOpts configures MaxPool2d and AvgPool2d. A zero Stride means the
// kernel size, as in PyTorch; a zero Dilation means 1. Only max pooling
// dilates (as PyTorch's MaxPool2d; AvgPool2d has no dilation).
type PoolOpts struct {
	Kernel, Stride, Padding, Dilation [2]int
	// ExcludePad divides an average by the number of in-bounds elements
	// instead of the window size (PyTorch's count_include_pad=False).
	ExcludePad bool
}

// MaxPool2d takes the maximum over windows of x [N, C, H, W].
func MaxPool2d(x *Tensor, o PoolOpts) *Tensor { return pool2d("MaxPool2d", device.MaxPool, x, o) }

// AvgPool2d averages over windows of x [N, C, H, W].
func AvgPool2d(x *Tensor, o PoolOpts) *Tensor { return pool2d("AvgPool2d", device.AvgPool, x, o) }

func pool2d(op string, mode device.PoolMode, x *Tensor, o PoolOpts) *Tensor {
	wantFloat(op, x)
	x.live(op)
	if len(x.shape) != 4 {
		fail(op, "want input [N C H W], got %v", x.shape)
	}
	for i := range 2 {
		if o.Stride[i] == 0 {
			o.Stride[i] = o.Kernel[i]
		}
		if o.Dilation[i] == 0 {
			o.Dilation[i] = 1
		}
	}
	p := device.Pool2dParams{
		Mode: mode, N: x.shape[0], C: x.shape[1], H: x.shape[2], W: x.shape[3],
		KH: o.Kernel[0], KW: o.Kernel[1], StrideH: o.Stride[0], StrideW: o.Stride[1],
		PadH: o.Padding[0], PadW: o.Padding[1], DilH: o.Dilation[0], DilW: o.Dilation[1],
		CountIncludePad: !o.ExcludePad,
	}
	switch {
	case p.KH < 1 || p.KW < 1 || p.StrideH < 1 || p.StrideW < 1 || p.PadH < 0 || p.PadW < 0 || p.DilH < 1 || p.DilW < 1:
		fail(op, "invalid options %+v", o)
	case mode == device.AvgPool && (p.DilH != 1 || p.DilW != 1):
		fail(op, "dilation %v: average pooling has none (as PyTorch's AvgPool2d)", o.Dilation)
	case 2*p.PadH > p.KH || 2*p.PadW > p.KW:
		fail(op, "padding %v must be at most half the kernel %v", o.Padding, o.Kernel)
	case p.OutH() < 1 || p.OutW() < 1:
		fail(op, "kernel %v (dilation %v) larger than padded input %v", o.Kernel, o.Dilation, x.shape)
	}
	dev := x.st.dev
	xc := x.Contiguous()
	shape := []int{p.N, p.C, p.OutH(), p.OutW()}
	y := newTensor(ScopeOf(x), dev, device.Float32, shape)
	var idx *Tensor
	if mode == device.MaxPool {
		idx = newTensor(ScopeOf(x), dev, device.Int32, shape)
	}
	if y.NumEl() > 0 {
		dev.Pool2d(y.st.buf, bufOf(idx), xc.st.buf, p)
		runtime.KeepAlive(xc) // a copy only this call reads
	}
	y = record(op, y, []*Tensor{x}, func(g *Tensor) []*Tensor {
		// Max pooling of a ReLU's output (a convolution with the ReLU in
		// its kernel): the ReLU's mask at each window's maximum is
		// y > 0, y the pooled value, so masking g, a quarter of the
		// size for 2×2 windows, and marking the result as masked spares
		// the convolution's backward its masking pass over x. Every
		// value is the same: where the mask is 0 both give +0 (the
		// scatter adds to +0, as it does to every position no window
		// picked), and where it is 1 the same adds in the same order.
		masked := mode == device.MaxPool && reluOut(x)
		if masked && g.actApplied != y { // the reader of y may have masked it (marked below)
			g = ActRelu.grad(g, y)
		}
		gx := newTensor(ScopeOf(g), dev, device.Float32, x.shape)
		dev.Pool2dBackward(gx.st.buf, g.Contiguous().st.buf, bufOf(idx), p)
		if masked {
			gx.actApplied = x
		}
		return []*Tensor{gx}
	})
	// y's gradient is masked by y > 0 on its way back, so its reader may
	// apply the mask (readerAct).
	if mode == device.MaxPool && reluOut(x) {
		markOutAct(y, ActRelu)
	}
	return y
}

func bufOf(t *Tensor) device.Buffer {
	if t == nil {
		return nil
	}
	return t.st.buf
}
