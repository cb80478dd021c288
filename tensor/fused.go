package tensor

import (
	"runtime"
	"slices"

	"github.com/tensorgl/tensorgl/device"
)

// Activation is an activation function that Linear and Conv2d apply in the
// same kernel as their product (a fused epilogue), saving a kernel and a
// pass over the output in the forward pass. Its gradient is formed from the
// layer's output, so a LeakyRelu of negative slope, whose output is
// positive on both sides of zero and so does not tell which side its
// input was on, is not fused: Linear and Conv2d apply it as a separate op
// (with its gradient from its input, as LeakyRelu's), and Recurrence
// rejects it. The zero value is the identity.
type Activation struct {
	fn    device.Activation
	slope float32
}

// The activations a layer can fuse.
var (
	ActRelu    = Activation{fn: device.ActRelu}
	ActSigmoid = Activation{fn: device.ActSigmoid}
	ActTanh    = Activation{fn: device.ActTanh}
)

// ActLeakyRelu is LeakyRelu(slope) as a fused activation (applied as a
// separate op where slope is negative, see Activation).
func ActLeakyRelu(slope float32) Activation { return Activation{fn: device.ActLeakyRelu, slope: slope} }

// IsIdentity reports whether a is the zero Activation.
func (a Activation) IsIdentity() bool { return a.fn == device.NoActivation }

// fromOutput reports whether a's derivative can be taken from its output:
// every activation but a LeakyRelu whose slope is negative (or NaN).
func (a Activation) fromOutput() bool { return a.fn != device.ActLeakyRelu || a.slope >= 0 }

func (a Activation) String() string { return a.fn.String() }

// Apply runs a on t as a separate op (Relu, LeakyRelu, Sigmoid or Tanh).
func (a Activation) Apply(t *Tensor) *Tensor {
	switch a.fn {
	case device.NoActivation:
		return t
	case device.ActRelu:
		return t.Relu()
	case device.ActLeakyRelu:
		return t.LeakyRelu(a.slope)
	case device.ActSigmoid:
		return t.Sigmoid()
	case device.ActTanh:
		return t.Tanh()
	}
	fail("Activation", "unknown activation %d", a.fn)
	return nil
}

// epilogue is the device epilogue adding bias b (nil: none) and applying a.
func (a Activation) epilogue(b *Tensor) device.Epilogue {
	e := device.Epilogue{Act: a.fn, Slope: a.slope}
	if b != nil {
		e.Bias, e.OffBias = b.st.buf, b.offset
	}
	return e
}

// grad returns the gradient through a of upstream g, given a's output y.
func (a Activation) grad(g, y *Tensor) *Tensor {
	if a.fn == device.NoActivation {
		return g
	}
	return g.binary("Activation grad", y, device.BinaryParams{Op: a.fn.Grad(), A: a.slope}, nil)
}

// biasGradInProduct lets Linear's weight-gradient product sum its bias
// gradient (Epilogue.BiasGrad); tests switch it off to compare with the
// separate sum.
var biasGradInProduct = true

// Linear returns act(x·wᵀ + b) for x [..., in], weight w [out, in] and
// bias b [out] (nil for none) as one matrix product whose epilogue adds the
// bias and applies act: PyTorch's F.linear followed by the activation, in
// one kernel instead of three. Results equal the separate ops'.
func Linear(x, w, b *Tensor, act Activation) *Tensor { return linear("Linear", x, w, b, nil, act) }

// LinearBiasSum returns act(x·wᵀ + (b1 + b2)) for x [..., in], weight w
// [out, in] and biases b1 and b2 [out], the biases' sum rounded as Add
// rounds it: Linear with b1.Add(b2) for its bias, the bits of those two
// ops, with the sum made by the product's epilogue (device.Epilogue's
// Bias2) instead of a kernel of its own. It is a recurrent layer's input
// projection, whose bias is b_ih + b_hh. Each bias's gradient is the sum
// of the output gradient's rows, as through the Add.
func LinearBiasSum(x, w, b1, b2 *Tensor, act Activation) *Tensor {
	if b1 == nil || b2 == nil {
		fail("LinearBiasSum", "want two biases, got %v and %v", shapeOf(b1), shapeOf(b2))
	}
	return linear("LinearBiasSum", x, w, b1, b2, act)
}

// linear is Linear, with the bias b + b2 where b2 is not nil.
func linear(op string, x, w, b, b2 *Tensor, act Activation) *Tensor {
	if !act.fromOutput() {
		return act.Apply(linear(op, x, w, b, b2, Activation{}))
	}
	ins := []*Tensor{x, w}
	for _, t := range []*Tensor{b, b2} {
		if t != nil {
			ins = append(ins, t)
		}
	}
	wantFloat(op, ins...)
	dev := sameDevice(op, ins...)
	if len(x.shape) == 0 || len(w.shape) != 2 || x.shape[len(x.shape)-1] != w.shape[1] {
		fail(op, "want input [... in] and weight [out in], got %v and %v", x.shape, w.shape)
	}
	in, out := w.shape[1], w.shape[0]
	checkBias(op, b, out)
	checkBias(op, b2, out)
	// The epilogue reads a bias from an offset (a slice of a larger bias,
	// as attention's projections take, is read in place), but not strided.
	if b != nil && !b.IsContiguous() {
		b = b.Contiguous()
	}
	if b2 != nil && !b2.IsContiguous() {
		b2 = b2.Contiguous()
	}
	// The product reads x as rows (a view where x is contiguous, else a
	// copy) without recording the reshape: Linear's own rule reshapes its
	// input gradient, so that a gradient x has received already (the
	// residual stream of a Transformer) reaches the rule and is added by the
	// product's epilogue (recordInto).
	x2 := x
	if len(x.shape) != 2 {
		x2 = x.Detach().Reshape(-1, in)
	}
	rows := x2.shape[0]
	if rows == 0 || in == 0 || out == 0 { // nothing for the kernel to do: the plain ops handle it
		z := x.MatMul(w.T())
		if b2 != nil {
			z = z.Add(b.Add(b2))
		} else if b != nil {
			z = z.Add(b)
		}
		return act.Apply(z)
	}
	shape := append(slices.Clone(x.shape[:len(x.shape)-1]), out)
	y := newTensor(ScopeOf(ins...), dev, device.Float32, []int{rows, out})
	a, wt := matOperand(x2, nil), matOperand(w, nil)
	wt.trans = !wt.trans // wᵀ
	e := act.epilogue(b)
	if b2 != nil {
		e.Bias2, e.OffBias2 = b2.st.buf, b2.offset
	}
	dev.MatMul(y.st.buf, a.t.st.buf, wt.t.st.buf, e, device.MatMulParams{
		Batch: 1, M: rows, N: out, K: in, TransA: a.trans, TransB: wt.trans, Alpha: 1,
		OffA: a.t.offset, OffB: wt.t.offset, StrideC: rows * out, LdA: a.ld, LdB: wt.ld,
	})
	runtime.KeepAlive(a.t) // see MatMul
	runtime.KeepAlive(wt.t)
	y = recordInto(op, y, []*Tensor{x, w, b, b2}, func(g *Tensor, prev []*Tensor) []*Tensor {
		gz := g
		if g.actApplied != y { // marked only for an output readerAct lets a reader take
			gz = act.grad(g, y)
		}
		var gx, gw, gb *Tensor
		if x.requiresGrad {
			px := priorAt(prev, 0)
			if px != nil {
				px = px.Reshape(rows, in) // a view, or a copy in place of the Add
			}
			// x's activation derivative (a ReLU's mask), applied by the
			// product (x2 is x's storage then); where x is a dropout's
			// output read by this layer alone, its mask and then the
			// derivative of the activation the dropout read.
			o := plus{prev: px}
			xa, ok := readerAct(x)
			if ok {
				o.actOut, o.act = x2, xa
			}
			mask, x0 := dropoutOf(x)
			if mask != nil {
				o.scale, o.actOut = mask, nil
				if xa, ok = readerAct(x0); ok {
					o.actOut, o.act = x0, xa
				}
			}
			g2, _, applied := matMulPlus(gz, w, o)
			gx = g2.Reshape(x.shape...)
			switch {
			case !applied:
			case mask != nil:
				gx.scaleApplied = x
				if o.actOut != nil {
					gx.actApplied = x0
				}
			case o.actOut != nil:
				gx.actApplied = x
			}
		}
		wantB := b != nil && b.requiresGrad || b2 != nil && b2.requiresGrad
		if w.requiresGrad {
			// The weight gradient's product gzᵀ·x sums gzᵀ's rows too:
			// b's gradient, added to the one b has received already.
			// Both into their parts of larger gradients where w and b
			// are slices (an attention's projections, see gradDest).
			// With two biases, each gets the sums, added to its own; where
			// both take them as they are, the kernel writes them twice,
			// one tensor each (sums2), so that neither is a copy.
			o := plus{prev: priorAt(prev, 1), sums: wantB && biasGradInProduct}
			if o.prev == nil {
				o.dest = gradDest(w, ScopeOf(gz))
			}
			switch {
			case !o.sums:
			case b2 == nil:
				if o.sumsPrev = priorAt(prev, 2); o.sumsPrev == nil {
					o.sumsDest = gradDest(b, ScopeOf(gz))
				}
			case b.requiresGrad && b2.requiresGrad && priorAt(prev, 2) == nil && priorAt(prev, 3) == nil:
				o.sums2 = newTensor(ScopeOf(gz), dev, device.Float32, []int{out})
			}
			gw, gb, _ = matMulPlus(gz.Transpose(0, 1), x2, o)
			if gb != nil && o.sums2 != nil {
				return []*Tensor{gx, gw, gb, o.sums2}
			}
		}
		if wantB && gb == nil {
			gb = sumTo(gz, []int{out})
			if b2 == nil {
				gb = plusPrior(priorAt(prev, 2), gb)
			}
		}
		if b2 == nil {
			return []*Tensor{gx, gw, gb, nil}
		}
		var gb1, gb2 *Tensor
		if b.requiresGrad {
			gb1 = plusPrior(priorAt(prev, 2), gb)
		}
		if b2.requiresGrad {
			gb2 = plusPrior(priorAt(prev, 3), gb)
		}
		return []*Tensor{gx, gw, gb1, gb2}
	})
	markOutAct(y, act)
	if len(shape) == 2 {
		return y
	}
	return y.Reshape(shape...)
}
