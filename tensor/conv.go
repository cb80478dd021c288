package tensor

import (
	"runtime"

	"github.com/tensorgl/tensorgl/device"
)

// ConvOpts configures Conv2d. Zero values mean stride 1, padding 0,
// dilation 1, one group and no activation, as in PyTorch.
type ConvOpts struct {
	Stride, Padding, Dilation [2]int
	Groups                    int
	// Act is applied to the output (after the bias); Conv2d applies it,
	// with the bias, in the convolution kernel itself.
	Act Activation
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

func (o ConvOpts) valid() bool {
	return o.Stride[0] >= 1 && o.Stride[1] >= 1 && o.Dilation[0] >= 1 && o.Dilation[1] >= 1 &&
		o.Padding[0] >= 0 && o.Padding[1] >= 0 && o.Groups >= 1
}

// params describes the convolution of an [n, c, h, w] input with weight w
// [K, c/groups, R, S] under o (normalised).
func (o ConvOpts) params(n, c, h, wd int, w *Tensor) device.Conv2dParams {
	return device.Conv2dParams{
		N: n, C: c, H: h, W: wd, K: w.shape[0], R: w.shape[2], S: w.shape[3],
		StrideH: o.Stride[0], StrideW: o.Stride[1], PadH: o.Padding[0], PadW: o.Padding[1],
		DilH: o.Dilation[0], DilW: o.Dilation[1], Groups: o.Groups,
	}
}

func checkBias(op string, b *Tensor, k int) {
	if b != nil && (len(b.shape) != 1 || b.shape[0] != k) {
		fail(op, "bias %v for %d output channels", b.shape, k)
	}
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
	p := o.params(x.shape[0], x.shape[1], x.shape[2], x.shape[3], w)
	switch {
	case !o.valid():
		fail("Conv2d", "invalid options %+v", opts)
	case p.C%p.Groups != 0 || p.K%p.Groups != 0:
		fail("Conv2d", "%d groups do not divide %d input and %d output channels", p.Groups, p.C, p.K)
	case w.shape[1] != p.C/p.Groups:
		fail("Conv2d", "weight %v wants %d input channels per group, input %v has %d", w.shape, w.shape[1], x.shape, p.C/p.Groups)
	case p.OutH() < 1 || p.OutW() < 1:
		fail("Conv2d", "kernel %dx%d (dilation %v, padding %v) larger than input %v", p.R, p.S, o.Dilation, o.Padding, x.shape)
	}
	checkBias("Conv2d", b, p.K)
	xc, wc := x.Contiguous(), w.Contiguous()
	if b != nil {
		b = b.Contiguous()
	}
	return convOp("Conv2d", xc, wc, b, o.Act, []int{p.N, p.K, p.OutH(), p.OutW()},
		func(y, x, w device.Buffer, e device.Epilogue) { dev.Conv2d(y, x, w, e, p) },
		func(gx, g, w device.Buffer, e device.Epilogue) { dev.Conv2dBackwardInput(gx, g, w, e, p) },
		func(gw, gb, x, g device.Buffer) { dev.Conv2dBackwardWeight(gw, gb, x, g, p) })
}

// convOp runs forward(y, x, w, e) into a new y of the given shape, with
// the epilogue e adding the contiguous bias b [shape[1]] (nil: none) and
// applying act, and records the gradients for the contiguous x and w
// (gradX(gx, g, w, e) and gradW(gw, gb, x, g)) and for b: when both w and
// b want gradients, gradW writes b's gb as well (a convolution's bias
// gradient is the sum of the output gradient, which its weight gradient's
// kernel reads anyway), else gb is nil. gradX's epilogue
// adds the gradient x has received already in the same Backward, if any
// (a tensor read by a convolution and a shortcut, as a residual block's
// input is), so that no Add sums them.
func convOp(op string, x, w, b *Tensor, act Activation, shape []int, forward func(y, x, w device.Buffer, e device.Epilogue), gradX func(dst, a, b device.Buffer, e device.Epilogue), gradW func(dw, db, a, b device.Buffer)) *Tensor {
	if !act.fromOutput() {
		return act.Apply(convOp(op, x, w, b, Activation{}, shape, forward, gradX, gradW))
	}
	dev := x.st.dev
	ins := []*Tensor{x, w}
	if b != nil {
		ins = append(ins, b)
	}
	y := newTensor(ScopeOf(ins...), dev, device.Float32, shape)
	if y.NumEl() > 0 {
		forward(y.st.buf, x.st.buf, w.st.buf, act.epilogue(b))
	}
	recordInto(op, y, []*Tensor{x, w, b}, func(g *Tensor, prev []*Tensor) []*Tensor {
		gc := g
		if g.actApplied != y { // marked only for an output readerAct lets a reader take
			gc = act.grad(g, y)
		}
		gc = gc.Contiguous()
		var gx, gw, gb *Tensor
		if y.NumEl() == 0 || x.NumEl() == 0 || w.NumEl() == 0 {
			// An empty batch, channel or output: nothing for the kernels
			// to sum; the gradients are zeros, the bias's the output
			// gradient's sum.
			if x.requiresGrad {
				gx = plusPrior(priorAt(prev, 0), fullOn(ScopeOf(g), dev, 0, x.shape))
			}
			if w.requiresGrad {
				gw = plusPrior(priorAt(prev, 1), fullOn(ScopeOf(g), dev, 0, w.shape))
			}
			if b != nil && b.requiresGrad {
				gb = plusPrior(priorAt(prev, 2), sumTo(gc, []int{1, shape[1], 1, 1}).Reshape(shape[1]))
			}
			return []*Tensor{gx, gw, gb}
		}
		if x.requiresGrad {
			gx = newTensor(ScopeOf(g), dev, device.Float32, x.shape)
			px := priorAt(prev, 0)
			e, added := residualOf(px)
			// x's activation derivative (a ReLU's mask) in the epilogue,
			// where the whole sum gets it.
			xa, ok := readerAct(x)
			masked := ok && (added || px == nil)
			if masked { // then px, if any, is the residual: gx stays the sum
				e.Act, e.Slope, e.ActOut, e.OffActOut = xa.fn, xa.slope, x.st.buf, x.offset
				gx.actApplied = x
			}
			gradX(gx.st.buf, gc.st.buf, w.st.buf, e)
			runtime.KeepAlive(px) // read by the kernel
			if !added {
				gx = plusPrior(px, gx)
			}
		}
		wantB := b != nil && b.requiresGrad
		if w.requiresGrad {
			gw = newTensor(ScopeOf(g), dev, device.Float32, w.shape)
			var db device.Buffer
			if wantB {
				gb = newTensor(ScopeOf(g), dev, device.Float32, []int{shape[1]})
				db = gb.st.buf
			}
			gradW(gw.st.buf, db, x.st.buf, gc.st.buf)
			gw = plusPrior(priorAt(prev, 1), gw)
		}
		if wantB {
			if gb == nil {
				gb = sumTo(gc, []int{1, shape[1], 1, 1}).Reshape(shape[1])
			}
			gb = plusPrior(priorAt(prev, 2), gb)
		}
		return []*Tensor{gx, gw, gb}
	})
	markOutAct(y, act)
	return y
}

// ConvTransposeOpts configures ConvTranspose2d: the options of the
// convolution it transposes, and OutputPadding, extra rows and columns
// added at the bottom and right of the output (PyTorch's output_padding),
// which must be smaller than the stride or the dilation of its dimension.
type ConvTransposeOpts struct {
	ConvOpts
	OutputPadding [2]int
}

// ConvTranspose2d is the transposed 2-D convolution of x [N, Cin, H, W]
// with weight w [Cin, Cout/Groups, R, S], plus bias [Cout] when b is not
// nil (PyTorch's conv_transpose2d): the gradient of Conv2d with respect to
// its input, whose output is [N, Cout, OutH, OutW] with
//
//	OutH = (H−1)·Stride − 2·Padding + Dilation·(R−1) + OutputPadding + 1
//
// and likewise OutW. Its forward pass is the device's Conv2dBackwardInput,
// its input gradient Conv2d and its weight gradient Conv2dBackwardWeight,
// each for the convolution from [N, Cout, OutH, OutW] to x.
func ConvTranspose2d(x, w, b *Tensor, opts ConvTransposeOpts) *Tensor {
	const op = "ConvTranspose2d"
	o := opts.ConvOpts.norm()
	ins := []*Tensor{x, w}
	if b != nil {
		ins = append(ins, b)
	}
	wantFloat(op, ins...)
	dev := sameDevice(op, ins...)
	if len(x.shape) != 4 || len(w.shape) != 4 {
		fail(op, "want input [N Cin H W] and weight [Cin Cout/groups R S], got %v and %v", x.shape, w.shape)
	}
	out := [2]int{}
	for i := range 2 {
		out[i] = (x.shape[2+i]-1)*o.Stride[i] - 2*o.Padding[i] + o.Dilation[i]*(w.shape[2+i]-1) + opts.OutputPadding[i] + 1
	}
	cin, cout := w.shape[0], w.shape[1]*o.Groups
	switch {
	case !o.valid() || opts.OutputPadding[0] < 0 || opts.OutputPadding[1] < 0:
		fail(op, "invalid options %+v", opts)
	case opts.OutputPadding[0] >= max(o.Stride[0], o.Dilation[0]) || opts.OutputPadding[1] >= max(o.Stride[1], o.Dilation[1]):
		fail(op, "output padding %v must be smaller than either stride %v or dilation %v", opts.OutputPadding, o.Stride, o.Dilation)
	case cin%o.Groups != 0:
		fail(op, "%d groups do not divide %d input channels", o.Groups, cin)
	case x.shape[1] != cin:
		fail(op, "weight %v wants %d input channels, input %v has %d", w.shape, cin, x.shape, x.shape[1])
	case out[0] < 1 || out[1] < 1:
		fail(op, "output size %dx%d for input %v, weight %v and options %+v is too small", out[0], out[1], x.shape, w.shape, opts)
	}
	checkBias(op, b, cout)
	// p is the convolution from the output back to x. An output padding of
	// a stride or more (allowed below the dilation) makes that convolution
	// one or more rows longer than x: zero rows, which add nothing, fill
	// the difference.
	p := o.params(x.shape[0], cout, out[0], out[1], w)
	xp := x
	if extra := p.OutH() - x.shape[2]; extra > 0 {
		xp = Cat(2, xp, fullOn(ScopeOf(x), dev, 0, []int{x.shape[0], cin, extra, x.shape[3]}))
	}
	if extra := p.OutW() - x.shape[3]; extra > 0 {
		xp = Cat(3, xp, fullOn(ScopeOf(x), dev, 0, []int{x.shape[0], cin, xp.shape[2], extra}))
	}
	// Forward is the convolution's input gradient, the input gradient its
	// forward pass, and the weight gradient its weight gradient with the
	// roles of input and output gradient swapped. The bias and the
	// activation are the forward kernel's epilogue.
	if b != nil {
		b = b.Contiguous()
	}
	return convOp(op, xp.Contiguous(), w.Contiguous(), b, o.Act, []int{p.N, cout, out[0], out[1]},
		func(y, x, w device.Buffer, e device.Epilogue) { dev.Conv2dBackwardInput(y, x, w, e, p) },
		func(gx, g, w device.Buffer, e device.Epilogue) { dev.Conv2d(gx, g, w, e, p) },
		func(gw, gb, x, g device.Buffer) {
			// The bias is over the convolution's input channels here: g's
			// sum, not the kernel's.
			dev.Conv2dBackwardWeight(gw, nil, g, x, p)
			if gb != nil {
				dev.Reduce(gb, g, device.ReduceParams{Op: device.Sum, Shape: []int{p.N, p.C, p.H, p.W}, Axes: []int{0, 2, 3}})
			}
		})
}
