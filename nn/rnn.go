package nn

import (
	"fmt"
	"math"

	"github.com/tensorgl/tensorgl/tensor"
)

// RNNOpts configures an RNN; the zero value is PyTorch's default: one
// layer, tanh, biases, time-major input, no dropout.
type RNNOpts struct {
	// NumLayers stacks recurrent layers, each taking the previous one's
	// output sequence as input; 0 means 1.
	NumLayers int
	// ReLU uses max(x, 0) instead of tanh as the nonlinearity
	// (nonlinearity='relu').
	ReLU bool
	// BatchFirst takes and returns sequences as [B T F] instead of [T B F].
	BatchFirst bool
	// NoBias drops bias_ih and bias_hh (bias=False).
	NoBias bool
	// Dropout in [0, 1) is applied, in training mode, to the output of
	// every layer but the last, drawn from the constructor's generator.
	Dropout float32
}

// RNN is a multi-layer Elman recurrent network (PyTorch's nn.RNN). Layer k
// computes, for t = 1…T,
//
//	h_t = act(x_t·W_ih[k]ᵀ + b_ih[k] + h_{t−1}·W_hh[k]ᵀ + b_hh[k])
//
// where x_t is the input at time t for k = 0 and layer k−1's h_t above it,
// and act is tanh or ReLU. W_ih[0] is [hidden, input], the other weights
// [hidden, hidden], the biases [hidden].
//
// The recurrence is unrolled into tensor operations, one time step at a
// time, so autograd differentiates through time (BPTT) and the network runs
// on any device. Truncated BPTT is the caller's: detach the returned hidden
// state before passing it to the next ForwardHidden.
type RNN struct {
	InputSize, HiddenSize int
	WeightIH, WeightHH    []*tensor.Tensor // per layer
	BiasIH, BiasHH        []*tensor.Tensor // per layer; nil without biases
	opts                  RNNOpts
	dropout               *Dropout // nil without dropout
}

// NewRNN returns an RNN from input features to hidden features with every
// weight and bias drawn from g as PyTorch does: U(−1/√hidden, 1/√hidden).
func NewRNN(input, hidden int, o RNNOpts, g *tensor.Generator) *RNN {
	if o.NumLayers == 0 {
		o.NumLayers = 1
	}
	if input < 1 || hidden < 1 || o.NumLayers < 1 || !(o.Dropout >= 0 && o.Dropout < 1) {
		misuse("nn.NewRNN", "input %d, hidden %d, %d layers, dropout %g: want sizes ≥ 1 and dropout in [0, 1)",
			input, hidden, o.NumLayers, o.Dropout)
	}
	r := &RNN{InputSize: input, HiddenSize: hidden, opts: o}
	bound := float32(1 / math.Sqrt(float64(hidden)))
	param := func(shape ...int) *tensor.Tensor { return newParam(tensor.Uniform(g, -bound, bound, shape...)) }
	for k := range o.NumLayers {
		in := hidden
		if k == 0 {
			in = input
		}
		// PyTorch's parameter order within a layer, which is also its
		// initialisation order.
		r.WeightIH = append(r.WeightIH, param(hidden, in))
		r.WeightHH = append(r.WeightHH, param(hidden, hidden))
		if !o.NoBias {
			r.BiasIH = append(r.BiasIH, param(hidden))
			r.BiasHH = append(r.BiasHH, param(hidden))
		}
	}
	if o.Dropout > 0 && o.NumLayers > 1 {
		r.dropout = NewDropout(o.Dropout, g)
	}
	return r
}

// Forward returns the last layer's output sequence for x with a zero
// initial hidden state; it is ForwardHidden(x, nil) without h_n.
func (r *RNN) Forward(x *tensor.Tensor) *tensor.Tensor {
	out, _ := r.ForwardHidden(x, nil)
	return out
}

// ForwardHidden runs the network over the sequence x, [T B input] (or
// [B T input] with BatchFirst), from the initial hidden state h0
// [layers B hidden], or zeros when h0 is nil. It returns the last layer's
// hidden state at every step, [T B hidden] (or [B T hidden]), and every
// layer's state after the last step, hN [layers B hidden].
func (r *RNN) ForwardHidden(x, h0 *tensor.Tensor) (out, hN *tensor.Tensor) {
	layers := len(r.WeightIH)
	timeAxis := 0
	if r.opts.BatchFirst {
		timeAxis = 1
	}
	if x.Dim() != 3 || x.Size(2) != r.InputSize {
		layout := "[T B %d]"
		if r.opts.BatchFirst {
			layout = "[B T %d]"
		}
		misuse("nn.RNN", "input %v, want "+layout, x.Shape(), r.InputSize)
	}
	steps, batch := x.Size(timeAxis), x.Size(1-timeAxis)
	if h0 != nil && (h0.Dim() != 3 || h0.Size(0) != layers || h0.Size(1) != batch || h0.Size(2) != r.HiddenSize) {
		misuse("nn.RNN", "initial state %v for input %v, want [%d %d %d]", h0.Shape(), x.Shape(), layers, batch, r.HiddenSize)
	}
	if steps == 0 {
		misuse("nn.RNN", "input %v has no time steps", x.Shape())
	}

	// The sequence travels between layers as one tensor per time step:
	// slicing a stacked [T B H] tensor T times would make backward build
	// and add T gradients of the full sequence's size.
	seq := make([]*tensor.Tensor, steps)
	for t := range seq {
		seq[t] = x.Select(timeAxis, t)
	}
	last := make([]*tensor.Tensor, layers)
	for k := range layers {
		if k > 0 && r.dropout != nil {
			for t := range seq {
				seq[t] = r.dropout.Forward(seq[t])
			}
		}
		var h *tensor.Tensor
		if h0 != nil {
			h = h0.Select(0, k)
		}
		wih, whh := r.WeightIH[k].T(), r.WeightHH[k].T()
		var bias *tensor.Tensor
		if r.BiasIH != nil {
			bias = r.BiasIH[k].Add(r.BiasHH[k])
		}
		for t, xt := range seq {
			a := xt.MatMul(wih)
			if bias != nil {
				a = a.Add(bias)
			}
			if h != nil { // h_{−1} = 0 contributes nothing
				a = a.Add(h.MatMul(whh))
			}
			if r.opts.ReLU {
				h = a.Relu()
			} else {
				h = a.Tanh()
			}
			seq[t] = h
		}
		last[k] = h
	}
	return tensor.Stack(timeAxis, seq...), tensor.Stack(0, last...)
}

// State lists weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0,
// weight_ih_l1, … as PyTorch names them.
func (r *RNN) State() []Entry {
	var es []Entry
	for k := range r.WeightIH {
		add := func(name string, t *tensor.Tensor) {
			es = append(es, Entry{Name: fmt.Sprintf("%s_l%d", name, k), Tensor: t, Param: true})
		}
		add("weight_ih", r.WeightIH[k])
		add("weight_hh", r.WeightHH[k])
		if r.BiasIH != nil {
			add("bias_ih", r.BiasIH[k])
			add("bias_hh", r.BiasHH[k])
		}
	}
	return es
}

// Train switches the dropout between layers on (training) or off.
func (r *RNN) Train(on bool) {
	if r.dropout != nil {
		r.dropout.Train(on)
	}
}
