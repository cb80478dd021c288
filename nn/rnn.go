package nn

import "github.com/tensorgl/tensorgl/tensor"

// RNN is a multi-layer Elman recurrent network (PyTorch's nn.RNN). Layer k
// computes, for t = 1…T,
//
//	h_t = act(x_t·W_ih[k]ᵀ + b_ih[k] + h_{t−1}·W_hh[k]ᵀ + b_hh[k])
//
// where x_t is the input at time t for k = 0 and layer k−1's h_t above it,
// and act is tanh or ReLU. W_ih[0] is [hidden, input], the other weights
// [hidden, hidden] (or [hidden, 2·hidden] above a bidirectional layer), the
// biases [hidden]. Forward, ForwardState, State and Train are those of
// every recurrent layer (see Recurrent); the state is h alone.
type RNN struct{ recurrent }

// NewRNN returns an RNN from input features to hidden features with every
// weight and bias drawn from g as PyTorch does: U(−1/√hidden, 1/√hidden).
func NewRNN(input, hidden int, o RNNOpts, g *tensor.Generator) *RNN {
	return &RNN{newRecurrent("nn.RNN", elman{relu: o.ReLU}, input, hidden, o, g)}
}

// ForwardHidden is ForwardState with the one state tensor: it runs the
// network over x from h0 [layers·directions B hidden] (nil: zeros) and
// returns the output sequence and hN, shaped as h0.
func (r *RNN) ForwardHidden(x, h0 *tensor.Tensor) (out, hN *tensor.Tensor) {
	out, final := r.ForwardState(x, h0)
	return out, final[0]
}

// elman is the RNN's step: h = act(x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh).
type elman struct{ relu bool }

func (elman) gates() int  { return 1 }
func (elman) states() int { return 1 }

// biases adds both biases to the input projection once.
func (elman) biases(bih, bhh *tensor.Tensor) (input, input2, step *tensor.Tensor) {
	return bih, bhh, nil
}

// sequence runs the whole sequence as one fused op.
func (e elman) sequence(xw, whh, _ *tensor.Tensor, s0 state, reverse bool) (*tensor.Tensor, state) {
	act := tensor.ActTanh
	if e.relu {
		act = tensor.ActRelu
	}
	hs := tensor.Recurrence(xw, whh, s0.h, act, reverse)
	return hs, state{h: lastRun(hs, reverse)}
}
