package tensor

import "github.com/tensorgl/tensorgl/device"

// ConvOpts configures Conv2d. Zero values mean stride 1, padding 0,
// dilation 1 and one group, as in PyTorch.
type ConvOpts struct {
	Stride, Padding, Dilation [2]int
	Groups                    int
}

func (o ConvOpts) norm() ConvOpts {
	for i := range 2 {
		if o.Stride[i] == 0 {
			o.Stride[i] = 1
		}
		if o.Dilation[i] == 0 {
			o.Dilation[i] = 1
		}
	}
	if o.Groups == 0 {
		o.Groups = 1
	}
	return o
}

// Conv2d is the 2-D cross-correlation of x [N, C, H, W] with weight
// w [K, C/Groups, R, S], plus bias [K] when b is not nil, giving
// [N, K, OutH, OutW] (PyTorch's conv2d).
func Conv2d(x, w, b *Tensor, opts ConvOpts) *Tensor {
	o := opts.norm()
	ins := []*Tensor{x, w}
	if b != nil {
		ins = append(ins, b)
	}
	wantFloat("Conv2d", ins...)
	dev := sameDevice("Conv2d", ins...)
	if len(x.shape) != 4 || len(w.shape) != 4 {
		fail("Conv2d", "want input [N C H W] and weight [K C/groups R S], got %v and %v", x.shape, w.shape)
	}
	p := device.Conv2dParams{
		N: x.shape[0], C: x.shape[1], H: x.shape[2], W: x.shape[3],
		K: w.shape[0], R: w.shape[2], S: w.shape[3],
		StrideH: o.Stride[0], StrideW: o.Stride[1], PadH: o.Padding[0], PadW: o.Padding[1],
		DilH: o.Dilation[0], DilW: o.Dilation[1], Groups: o.Groups,
	}
	switch {
	case o.Stride[0] < 1 || o.Stride[1] < 1 || o.Dilation[0] < 1 || o.Dilation[1] < 1 || o.Padding[0] < 0 || o.Padding[1] < 0 || o.Groups < 1:
		fail("Conv2d", "invalid options %+v", opts)
	case p.C%p.Groups != 0 || p.K%p.Groups != 0:
		fail("Conv2d", "%d groups do not divide %d input and %d output channels", p.Groups, p.C, p.K)
	case w.shape[1] != p.C/p.Groups:
		fail("Conv2d", "weight %v wants %d input channels per group, input %v has %d", w.shape, w.shape[1], x.shape, p.C/p.Groups)
	case p.OutH() < 1 || p.OutW() < 1:
		fail("Conv2d", "kernel %dx%d (dilation %v, padding %v) larger than input %v", p.R, p.S, o.Dilation, o.Padding, x.shape)
	case b != nil && (len(b.shape) != 1 || b.shape[0] != p.K):
		fail("Conv2d", "bias %v for %d output channels", b.shape, p.K)
	}
	xc, wc := x.Contiguous(), w.Contiguous()
	y := newTensor(ScopeOf(x, w), dev, device.Float32, []int{p.N, p.K, p.OutH(), p.OutW()})
	if y.NumEl() > 0 {
		dev.Conv2d(y.st.buf, xc.st.buf, wc.st.buf, p)
	}
	y = record("Conv2d", y, []*Tensor{x, w}, func(g *Tensor) []*Tensor {
		gc := g.Contiguous()
		var gx, gw *Tensor
		if x.requiresGrad {
			gx = newTensor(ScopeOf(g), dev, device.Float32, x.shape)
			dev.Conv2dBackwardInput(gx.st.buf, gc.st.buf, wc.st.buf, p)
		}
		if w.requiresGrad {
			gw = newTensor(ScopeOf(g), dev, device.Float32, w.shape)
			dev.Conv2dBackwardWeight(gw.st.buf, xc.st.buf, gc.st.buf, p)
		}
		return []*Tensor{gx, gw}
	})
	if b != nil {
		y = y.Add(b.Reshape(1, p.K, 1, 1))
	}
	return y
}
