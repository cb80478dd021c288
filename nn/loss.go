package nn

import (
	"math"
	"slices"

	"github.com/tensorgl/tensorgl/device"
	"github.com/tensorgl/tensorgl/tensor"
)

// Reduction says how a loss combines its per-element values. The zero
// value is ReduceMean, PyTorch's default.
type Reduction int

const (
	ReduceMean Reduction = iota // the mean (weighted by class weights where given)
	ReduceSum                   // the sum
	ReduceNone                  // no reduction: one loss per element or sample
)

func (r Reduction) apply(l *tensor.Tensor) *tensor.Tensor {
	switch r {
	case ReduceMean:
		return l.Mean()
	case ReduceSum:
		return l.Sum()
	case ReduceNone:
		return l
	}
	misuse("nn.Reduction", "unknown reduction %d", r)
	return nil
}

// MSELoss is the squared error (pred − target)², reduced.
func MSELoss(pred, target *tensor.Tensor, r Reduction) *tensor.Tensor {
	sameShape("nn.MSELoss", pred, target)
	return r.apply(pred.Sub(target).Square())
}

// sameShape panics unless input and target have equal shapes. PyTorch
// broadcasts them with a warning; Go has no warnings, and broadcasting [B]
// against [B, 1] silently computes a [B, B] loss, so it is refused.
func sameShape(op string, input, target *tensor.Tensor) {
	if !slices.Equal(input.Shape(), target.Shape()) {
		misuse(op, "input %v and target %v differ in shape", input.Shape(), target.Shape())
	}
}

// NLLOpts configures NLLLoss.
type NLLOpts struct {
	// Weight [C] rescales each class's loss; nil means all ones.
	Weight    *tensor.Tensor
	Reduction Reduction
}

// NLLLoss is the negative log-likelihood −logp[i, target[i]] of
// log-probabilities logp [B, C] and int32 class indices target [B]. With
// Weight, sample i's loss is multiplied by Weight[target[i]] and the mean
// divides by the sum of those weights, as in PyTorch.
func NLLLoss(logp, target *tensor.Tensor, o NLLOpts) *tensor.Tensor {
	checkClassTarget("nn.NLLLoss", logp, target, o.Weight)
	return nll(logp, target, o.Weight, o.Reduction)
}

func checkClassTarget(op string, x, target, weight *tensor.Tensor) {
	if x.Dim() != 2 || target.Dim() != 1 || target.Size(0) != x.Size(0) || target.DType() != device.Int32 {
		misuse(op, "want input [B C] and int32 target [B], got %v and %s %v", x.Shape(), target.DType(), target.Shape())
	}
	if weight != nil && (weight.Dim() != 1 || weight.Size(0) != x.Size(1)) {
		misuse(op, "class weight %v for input %v", weight.Shape(), x.Shape())
	}
}

func nll(logp, target, weight *tensor.Tensor, r Reduction) *tensor.Tensor {
	l := logp.Gather(1, target.Unsqueeze(1)).Squeeze(1).Neg()
	if weight == nil {
		return r.apply(l)
	}
	w := weight.IndexSelect(0, target)
	l = l.Mul(w)
	if r == ReduceMean {
		return l.Sum().Div(w.Sum())
	}
	return r.apply(l)
}

// CrossEntropyOpts configures CrossEntropyLoss.
type CrossEntropyOpts struct {
	// LabelSmoothing ε in [0, 1] mixes the target with the uniform
	// distribution over the C classes.
	LabelSmoothing float32
	// Weight [C] rescales each class's loss; nil means all ones.
	Weight    *tensor.Tensor
	Reduction Reduction
}

// CrossEntropyLoss is PyTorch's cross_entropy of logits [B, C] and int32
// class indices target [B]: NLLLoss of LogSoftmax(logits). With label
// smoothing ε it is (1−ε)·nll + ε/C·Σ_c −w[c]·logp[i,c], where the smooth
// term is reduced like nll (its mean divides by Σ w[target[i]] when
// weighted). Its gradient with respect to the logits is softmax minus the
// (smoothed) one-hot target. It runs as tensor.CrossEntropy, one fused
// kernel each way, which sums the rows for the mean and sum reductions
// itself (tensor.CrossEntropyOpts.Total); the class weight receives no
// gradient, as in PyTorch.
func CrossEntropyLoss(logits, target *tensor.Tensor, o CrossEntropyOpts) *tensor.Tensor {
	checkClassTarget("nn.CrossEntropyLoss", logits, target, o.Weight)
	eps := o.LabelSmoothing
	if !(eps >= 0 && eps <= 1) {
		misuse("nn.CrossEntropyLoss", "label smoothing %g outside [0, 1]", eps)
	}
	if o.Reduction < ReduceMean || o.Reduction > ReduceNone {
		misuse("nn.Reduction", "unknown reduction %d", o.Reduction)
	}
	return tensor.CrossEntropy(logits, target, tensor.CrossEntropyOpts{Weight: o.Weight, LabelSmoothing: eps, Mean: o.Reduction == ReduceMean, Total: o.Reduction != ReduceNone})
}

// BCELoss is the binary cross-entropy −(y·log p + (1−y)·log(1−p)) of
// probabilities p and targets y, with each log clamped at −100 as PyTorch
// does so that p = 0 or 1 gives a finite loss. Its gradient with respect
// to p is PyTorch's, (p − y)/max(p·(1−p), 10⁻¹²): finite at p = 0 and 1,
// and large there when the prediction is wrong.
func BCELoss(p, y *tensor.Tensor, r Reduction) *tensor.Tensor {
	sameShape("nn.BCELoss", p, y)
	pd := p.Detach()
	l := y.Mul(clampedLog(pd)).Add(y.Neg().AddScalar(1).Mul(clampedLog(pd.Neg().AddScalar(1)))).Neg()
	if p.RequiresGrad() {
		// The loss computed from p detached (y's gradient flows through
		// it), plus (p − p)·c: zero, whose gradient with respect to p is
		// c, the derivative above.
		c := pd.Sub(y.Detach()).Div(pd.Mul(pd.Neg().AddScalar(1)).Clamp(1e-12, math.MaxFloat32))
		l = l.Add(p.Sub(pd).Mul(c))
	}
	return r.apply(l)
}

// clampedLog is max(log x, −100). The log is taken of 1 where x = 0, and
// the selection then drops it, so no −Inf or NaN reaches the gradient.
func clampedLog(x *tensor.Tensor) *tensor.Tensor {
	pos := x.GtScalar(0)
	sc := tensor.ScopeOf(x)
	one := sc.Own(tensor.Scalar(1).To(x.Device()))
	floor := sc.Own(tensor.Scalar(-100).To(x.Device()))
	return tensor.Where(pos, tensor.Where(pos, x, one).Log(), floor).Clamp(-100, math.MaxFloat32)
}

// BCEWithLogitsLoss is BCELoss of sigmoid(x) computed stably from the
// logits x: max(x,0) − x·y + log(1+e^−|x|), which is softplus(x) − x·y. Its
// gradient is sigmoid(x) − y. It runs as tensor.BCEWithLogits, one kernel
// each way, each loss scaled by 1/n for the mean, plus one sum for the mean
// and sum reductions.
func BCEWithLogitsLoss(x, y *tensor.Tensor, r Reduction) *tensor.Tensor {
	sameShape("nn.BCEWithLogitsLoss", x, y)
	n := x.NumEl()
	if r < ReduceMean || r > ReduceNone || n == 0 {
		return r.apply(tensor.BCEWithLogits(x, y, 1)) // the mean of none is NaN, as in PyTorch
	}
	scale := float32(1)
	if r == ReduceMean {
		scale = 1 / float32(n)
	}
	l := tensor.BCEWithLogits(x, y, scale)
	if r == ReduceNone {
		return l
	}
	return l.Sum()
}
