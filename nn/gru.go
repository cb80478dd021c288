package nn

import "github.com/tensorgl/tensorgl/tensor"

// GRU is a multi-layer gated recurrent unit network (PyTorch's nn.GRU).
// Layer k computes, for t = 1…T, with σ the logistic sigmoid and ⊙ the
// element-wise product,
//
//	r = σ(x_t·W_irᵀ + b_ir + h_{t−1}·W_hrᵀ + b_hr)
//	z = σ(x_t·W_izᵀ + b_iz + h_{t−1}·W_hzᵀ + b_hz)
//	n = tanh(x_t·W_inᵀ + b_in + r ⊙ (h_{t−1}·W_hnᵀ + b_hn))
//	h_t = (1 − z) ⊙ n + z ⊙ h_{t−1}
//
// W_ih is [3·hidden, input] and W_hh [3·hidden, hidden], their rows the
// blocks r, z, n in that order, as PyTorch lays them out, so checkpoints
// interchange. Forward, ForwardState, State and Train are those of every
// recurrent layer (see Recurrent); the state is h alone.
type GRU struct{ recurrent }

// NewGRU returns a GRU from input features to hidden features with every
// weight and bias drawn from g as PyTorch does: U(−1/√hidden, 1/√hidden).
func NewGRU(input, hidden int, o RNNOpts, g *tensor.Generator) *GRU {
	return &GRU{newRecurrent("nn.GRU", gruCell{}, input, hidden, o, g)}
}

type gruCell struct{}

func (gruCell) gates() int  { return 3 }
func (gruCell) states() int { return 1 }

// biases leaves b_hh to the step: b_hn lies inside r ⊙ (…), and the step's
// product adds all of b_hh in its epilogue at no cost.
func (gruCell) biases(bih, bhh *tensor.Tensor) (input, input2, step *tensor.Tensor) {
	return bih, nil, bhh
}

// sequence runs the whole sequence as one fused op.
func (gruCell) sequence(xw, whh, bhh *tensor.Tensor, s0 state, reverse bool) (*tensor.Tensor, state) {
	hs := tensor.GRU(xw, whh, bhh, s0.h, reverse)
	return hs, state{h: lastRun(hs, reverse)}
}
