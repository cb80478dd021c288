package nn

import (
	"slices"

	"github.com/tensorgl/tensorgl/tensor"
)

// BatchNorm normalises each channel (dimension 1) of its input, as
// PyTorch's nn.BatchNorm1d and nn.BatchNorm2d with their defaults (affine,
// tracking running statistics).
//
// In training mode it normalises with the batch mean and biased variance
// and updates the running statistics with Momentum, using the unbiased
// variance for RunningVar; in evaluation mode it normalises with the
// running statistics. Either runs as one fused op (tensor.BatchNorm),
// which also applies a ReLU that follows it in a Sequential (or through
// ForwardReLU).
type BatchNorm struct {
	Weight, Bias            *tensor.Tensor // [C], initially 1 and 0
	RunningMean, RunningVar *tensor.Tensor // [C], initially 0 and 1
	NumBatchesTracked       int64          // training batches seen
	Momentum, Eps           float32
	name                    string
	ranks                   []int // input ranks accepted
	training                bool
}

// NewBatchNorm1d returns a BatchNorm over c features of [N, C] or
// [N, C, L] input, with momentum 0.1 and eps 1e-5.
func NewBatchNorm1d(c int) *BatchNorm { return newBatchNorm("nn.BatchNorm1d", c, 2, 3) }

// NewBatchNorm2d returns a BatchNorm over c channels of [N, C, H, W] input,
// with momentum 0.1 and eps 1e-5.
func NewBatchNorm2d(c int) *BatchNorm { return newBatchNorm("nn.BatchNorm2d", c, 4) }

func newBatchNorm(name string, c int, ranks ...int) *BatchNorm {
	return &BatchNorm{
		Weight:      newParam(tensor.Ones(c)),
		Bias:        newParam(tensor.Zeros(c)),
		RunningMean: newBuffer(tensor.Zeros(c)),
		RunningVar:  newBuffer(tensor.Ones(c)),
		Momentum:    0.1,
		Eps:         1e-5,
		name:        name,
		ranks:       ranks,
		training:    true,
	}
}

// Forward normalises x [N, C, ...].
func (b *BatchNorm) Forward(x *tensor.Tensor) *tensor.Tensor { return b.forward(x, false, nil) }

// ForwardReLU is ReLU applied to Forward, in the same kernel each way (one
// kernel fewer and one pass less over the activations forward and
// backward).
func (b *BatchNorm) ForwardReLU(x *tensor.Tensor) *tensor.Tensor { return b.forward(x, true, nil) }

// ForwardAddReLU is ReLU(Forward(x) + r), r of x's shape, in the same
// kernels: a residual block's last batch norm, its shortcut and the ReLU
// after them (two kernels fewer forward, one backward).
func (b *BatchNorm) ForwardAddReLU(x, r *tensor.Tensor) *tensor.Tensor { return b.forward(x, true, r) }

// forwardAct is Forward followed by act, fused when act is the ReLU.
func (b *BatchNorm) forwardAct(x *tensor.Tensor, act tensor.Activation) *tensor.Tensor {
	if act == tensor.ActRelu {
		return b.forward(x, true, nil)
	}
	return act.Apply(b.forward(x, false, nil))
}

func (b *BatchNorm) forward(x *tensor.Tensor, relu bool, r *tensor.Tensor) *tensor.Tensor {
	c := b.Weight.Size(0)
	if !slices.Contains(b.ranks, x.Dim()) || x.Size(1) != c {
		misuse(b.name, "want input of rank %v with %d channels in dimension 1, got %v", b.ranks, c, x.Shape())
	}
	if b.training && x.NumEl()/c < 2 {
		misuse(b.name, "training needs more than one value per channel, got input %v", x.Shape())
	}
	y := tensor.BatchNorm(x, b.Weight, b.Bias, b.RunningMean, b.RunningVar,
		tensor.BatchNormOpts{Training: b.training, Momentum: b.Momentum, Eps: b.Eps, Relu: relu, Residual: r})
	if b.training {
		b.NumBatchesTracked++
	}
	return y
}

// State lists weight, bias, running_mean, running_var and
// num_batches_tracked, in PyTorch's order.
func (b *BatchNorm) State() []Entry {
	return []Entry{
		{Name: "weight", Tensor: b.Weight, Param: true},
		{Name: "bias", Tensor: b.Bias, Param: true},
		{Name: "running_mean", Tensor: b.RunningMean},
		{Name: "running_var", Tensor: b.RunningVar},
		{Name: "num_batches_tracked", Count: &b.NumBatchesTracked},
	}
}

// Train sets training (batch statistics) or evaluation (running
// statistics) mode.
func (b *BatchNorm) Train(on bool) { b.training = on }
