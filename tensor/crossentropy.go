package tensor

import (
	"runtime"

	"github.com/tensorgl/tensorgl/device"
)

// CrossEntropyOpts configures CrossEntropy.
type CrossEntropyOpts struct {
	// Weight [C] rescales each class's loss; nil means all ones. It
	// receives no gradient (nor does it in PyTorch).
	Weight *Tensor
	// LabelSmoothing ε in [0, 1] mixes the target with the uniform
	// distribution over the C classes.
	LabelSmoothing float32
	// Mean divides each row's loss by Σ_b Weight[target[b]] (by B without
	// weights), so that the sum of the rows is PyTorch's mean reduction.
	Mean bool
	// Total returns the rows' sum, a scalar (with Mean PyTorch's mean
	// reduction, without it its sum), computed by the same op rather than
	// by a Sum after it.
	Total bool
}

// CrossEntropy returns the softmax cross-entropy of each row of logits
// [B, C] against int32 class indices target [B], a tensor [B]: with
// t = target[b], lse the row's log-sum-exp and w the class weights,
//
//	loss[b] = ((1−ε)·w[t]·(lse − x[b,t]) + ε/C·Σ_c w[c]·(lse − x[b,c])) / D
//
// (D as in CrossEntropyOpts.Mean, else 1), or with Total their sum, a
// scalar. It runs as one fused kernel, and
// so does its gradient with respect to the logits, (Σ_c a_c·softmax − a)/D
// times the upstream gradient, where a_c = (1−ε)·w[t]·[c = t] + ε/C·w[c]
// (softmax minus the smoothed one-hot target without weights).
func CrossEntropy(logits, target *Tensor, o CrossEntropyOpts) *Tensor {
	const op = "CrossEntropy"
	wantFloat(op, logits)
	ins := []*Tensor{logits, target}
	if o.Weight != nil {
		wantFloat(op, o.Weight)
		ins = append(ins, o.Weight)
	}
	dev := sameDevice(op, ins...)
	logits.live(op)
	if len(logits.shape) != 2 || len(target.shape) != 1 || target.shape[0] != logits.shape[0] {
		fail(op, "want logits [B C] and target [B], got %v and %v", logits.shape, target.shape)
	}
	b, c := logits.shape[0], logits.shape[1]
	if o.Weight != nil {
		if len(o.Weight.shape) != 1 || o.Weight.shape[0] != c {
			fail(op, "class weight %v for logits %v", o.Weight.shape, logits.shape)
		}
		if o.Weight.requiresGrad {
			fail(op, "the class weight %v requires gradients; the loss has none for it (detach it)", o.Weight.shape)
		}
	}
	if eps := o.LabelSmoothing; !(eps >= 0 && eps <= 1) {
		fail(op, "label smoothing %g outside [0, 1]", eps)
	}
	checkIndex(op, target, c, logits.shape)
	p := device.CrossEntropyParams{Rows: b, N: c, Smoothing: o.LabelSmoothing, Weighted: o.Weight != nil, Mean: o.Mean, Total: o.Total}
	x, t := logits.Contiguous(), target.Contiguous()
	// The backward closure holds the weight as a tensor: a bare buffer
	// would not keep storage outside every scope from being freed.
	var wt *Tensor
	var w device.Buffer
	if o.Weight != nil {
		wt = o.Weight.Contiguous()
		w = wt.st.buf
	}
	shape := []int{b}
	if o.Total {
		shape = []int{}
	}
	out := newTensor(ScopeOf(logits, target), dev, device.Float32, shape)
	switch {
	case b > 0:
		dev.CrossEntropy(out.st.buf, x.st.buf, t.st.buf, w, p)
	case o.Total: // the sum of no rows
		dev.Fill(out.st.buf, 0, 1, 0)
	}
	return record(op, out, []*Tensor{logits}, func(g *Tensor) []*Tensor {
		gx := newTensor(ScopeOf(g), dev, device.Float32, logits.shape)
		if b > 0 {
			// g may be a broadcast view (a sum's gradient): the kernel
			// walks it by its stride, so it is never copied. The total's
			// scalar gradient is every row's.
			dl := device.Strided{Buf: g.st.buf, Offset: g.offset, Strides: g.strides}
			if o.Total {
				dl.Strides = []int{0}
			}
			dev.CrossEntropyBackward(gx.st.buf, x.st.buf, t.st.buf, w, dl, p)
			runtime.KeepAlive(wt)
		}
		return []*Tensor{gx}
	})
}

// BCEWithLogits returns the binary cross-entropy of logits x and targets y
// (broadcast together) element by element, each loss scaled by scale:
//
//	scale·(softplus(x) − x·y)
//
// (1/n makes the Sum of n losses their mean), formed without cancellation
// for targets in [0, 1] (see device.BCEWithLogits). One kernel forward and
// one back: the gradient scale·g·(σ(x) − y) of the logits runs as
// device.BCEWithLogitsBackward; the targets' −scale·g·x, where they
// require it, by products.
func BCEWithLogits(x, y *Tensor, scale float32) *Tensor {
	p := device.BinaryParams{Op: device.BCEWithLogits, A: scale}
	return x.binary("BCEWithLogits", y, p, func(a, b, out, g *Tensor) (*Tensor, *Tensor) {
		return gradIf(a, func() *Tensor {
				gx := newTensor(ScopeOf(g), g.st.dev, device.Float32, out.shape)
				if gx.NumEl() > 0 {
					g.st.dev.BCEWithLogitsBackward(gx.st.buf, a.stridedAs(out.shape), b.stridedAs(out.shape), g.stridedAs(out.shape), out.shape, scale)
				}
				return gx
			}),
			gradIf(b, func() *Tensor { return g.Mul(a).MulScalar(-scale) })
	})
}
