package nn

import "github.com/tensorgl/tensorgl/tensor"

// LSTM is a multi-layer long short-term memory network (PyTorch's
// nn.LSTM). Layer k computes, for t = 1…T, with σ the logistic sigmoid and
// ⊙ the element-wise product,
//
//	i, f, g, o = σ, σ, tanh, σ of the four blocks of x_t·W_ihᵀ + b_ih + h_{t−1}·W_hhᵀ + b_hh
//	c_t = f ⊙ c_{t−1} + i ⊙ g
//	h_t = o ⊙ tanh(c_t)
//
// W_ih is [4·hidden, input] and W_hh [4·hidden, hidden], their rows the
// blocks of the input, forget, cell and output gates in that order, as
// PyTorch lays them out, so checkpoints interchange. Forward, ForwardState,
// State and Train are those of every recurrent layer (see Recurrent); the
// state is h and c, both [layers·directions B hidden].
type LSTM struct{ recurrent }

// NewLSTM returns an LSTM from input features to hidden features with every
// weight and bias drawn from g as PyTorch does: U(−1/√hidden, 1/√hidden).
func NewLSTM(input, hidden int, o RNNOpts, g *tensor.Generator) *LSTM {
	return &LSTM{newRecurrent("nn.LSTM", lstmCell{}, input, hidden, o, g)}
}

type lstmCell struct{}

func (lstmCell) gates() int  { return 4 }
func (lstmCell) states() int { return 2 }

// biases adds both biases to the input projection once.
func (lstmCell) biases(bih, bhh *tensor.Tensor) (input, input2, step *tensor.Tensor) {
	return elman{}.biases(bih, bhh)
}

// sequence runs the whole sequence as one fused op.
func (lstmCell) sequence(xw, whh, _ *tensor.Tensor, s0 state, reverse bool) (*tensor.Tensor, state) {
	hs, c := tensor.LSTM(xw, whh, s0.h, s0.c, reverse)
	return hs, state{h: lastRun(hs, reverse), c: c}
}
