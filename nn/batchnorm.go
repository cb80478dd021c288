package nn

import (
	"cmp"
	"slices"

	"github.com/tensorgl/tensorgl/tensor"
)

// BatchNorm normalises each channel (dimension 1) of its input, as
// PyTorch's nn.BatchNorm1d and nn.BatchNorm2d.
//
// In training mode it normalises with the batch mean and biased variance
// and updates the running statistics with Momentum, using the unbiased
// variance for RunningVar; in evaluation mode it normalises with the
// running statistics, or with the batch's when it keeps none. Either runs
// as one fused op (tensor.BatchNorm), which also applies a ReLU that
// follows it in a Sequential (or through ForwardReLU).
type BatchNorm struct {
	Weight, Bias            *tensor.Tensor // [C], initially 1 and 0; nil without the affine map
	RunningMean, RunningVar *tensor.Tensor // [C], initially 0 and 1; nil without running statistics
	NumBatchesTracked       int64          // training batches seen, counted with running statistics
	Momentum, Eps           float32
	// CumulativeAverage makes the running statistics the average over
	// all training batches, in place of Momentum (PyTorch's
	// momentum=None): the k-th batch counts with momentum 1/k, k being
	// NumBatchesTracked after it.
	CumulativeAverage bool
	name              string
	channels          int
	ranks             []int // input ranks accepted
	training          bool
}

// BatchNormOpts holds the options of PyTorch's BatchNorm1d and
// BatchNorm2d; the zero value is PyTorch's defaults.
type BatchNormOpts struct {
	// Momentum weighs each training batch's statistics in the running
	// ones: run = (1 − Momentum)·run + Momentum·batch. 0 means 0.1 (set
	// the layer's Momentum for a momentum of 0).
	Momentum float32
	// CumulativeAverage averages the statistics of all training batches
	// instead (PyTorch's momentum=None); Momentum must then be 0.
	CumulativeAverage bool
	// Eps is added to the variance before its square root; 0 means 1e-5.
	Eps float32
	// NoAffine leaves out Weight and Bias (PyTorch's affine=False): the
	// output is the normalised input, and State has no weight or bias.
	NoAffine bool
	// NoRunningStats keeps no running statistics (PyTorch's
	// track_running_stats=False): the batch's statistics normalise in
	// evaluation mode too, and State has no running_mean, running_var or
	// num_batches_tracked.
	NoRunningStats bool
}

// NewBatchNorm1d returns a BatchNorm over c features of [N, C] or
// [N, C, L] input, with momentum 0.1 and eps 1e-5.
func NewBatchNorm1d(c int) *BatchNorm { return NewBatchNorm1dOpts(c, BatchNormOpts{}) }

// NewBatchNorm2d returns a BatchNorm over c channels of [N, C, H, W] input,
// with momentum 0.1 and eps 1e-5.
func NewBatchNorm2d(c int) *BatchNorm { return NewBatchNorm2dOpts(c, BatchNormOpts{}) }

// NewBatchNorm1dOpts returns a BatchNorm over c features of [N, C] or
// [N, C, L] input with the options o.
func NewBatchNorm1dOpts(c int, o BatchNormOpts) *BatchNorm {
	return newBatchNorm("nn.BatchNorm1d", c, o, 2, 3)
}

// NewBatchNorm2dOpts returns a BatchNorm over c channels of [N, C, H, W]
// input with the options o.
func NewBatchNorm2dOpts(c int, o BatchNormOpts) *BatchNorm {
	return newBatchNorm("nn.BatchNorm2d", c, o, 4)
}

func newBatchNorm(name string, c int, o BatchNormOpts, ranks ...int) *BatchNorm {
	if o.CumulativeAverage && o.Momentum != 0 {
		misuse(name, "momentum %g and a cumulative average exclude each other", o.Momentum)
	}
	b := &BatchNorm{
		Momentum:          cmp.Or(o.Momentum, 0.1),
		Eps:               cmp.Or(o.Eps, 1e-5),
		CumulativeAverage: o.CumulativeAverage,
		name:              name,
		channels:          c,
		ranks:             ranks,
		training:          true,
	}
	if !o.NoAffine {
		b.Weight, b.Bias = newParam(tensor.Ones(c)), newParam(tensor.Zeros(c))
	}
	if !o.NoRunningStats {
		b.RunningMean, b.RunningVar = newBuffer(tensor.Zeros(c)), newBuffer(tensor.Ones(c))
	}
	return b
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
	c := b.channels
	if !slices.Contains(b.ranks, x.Dim()) || x.Size(1) != c {
		misuse(b.name, "want input of rank %v with %d channels in dimension 1, got %v", b.ranks, c, x.Shape())
	}
	// Without running statistics the batch's normalise in evaluation too.
	batchStats := b.training || b.RunningMean == nil
	if batchStats && x.NumEl()/c < 2 {
		misuse(b.name, "normalising with batch statistics needs more than one value per channel, got input %v", x.Shape())
	}
	track := b.training && b.RunningMean != nil
	momentum := b.Momentum
	if track && b.CumulativeAverage {
		momentum = 1 / float32(b.NumBatchesTracked+1)
	}
	y := tensor.BatchNorm(x, b.Weight, b.Bias, b.RunningMean, b.RunningVar,
		tensor.BatchNormOpts{Training: batchStats, Momentum: momentum, Eps: b.Eps, Relu: relu, Residual: r})
	if track {
		b.NumBatchesTracked++
	}
	return y
}

// State lists weight and bias (with the affine map), then running_mean,
// running_var and num_batches_tracked (with running statistics), as
// PyTorch's state_dict.
func (b *BatchNorm) State() []Entry {
	var es []Entry
	if b.Weight != nil {
		es = append(es, Entry{Name: "weight", Tensor: b.Weight, Param: true})
	}
	if b.Bias != nil {
		es = append(es, Entry{Name: "bias", Tensor: b.Bias, Param: true})
	}
	if b.RunningMean != nil {
		es = append(es,
			Entry{Name: "running_mean", Tensor: b.RunningMean},
			Entry{Name: "running_var", Tensor: b.RunningVar},
			Entry{Name: "num_batches_tracked", Count: &b.NumBatchesTracked})
	}
	return es
}

// Train sets training (batch statistics) or evaluation (running
// statistics, or the batch's without them) mode.
func (b *BatchNorm) Train(on bool) { b.training = on }
