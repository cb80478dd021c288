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

// biases adds b_hr and b_hz to the input projection with b_ih; b_hn stays
// in the step, inside r ⊙ (…).
func (gruCell) biases(bih, bhh *tensor.Tensor) (input, step *tensor.Tensor) {
	if bih == nil {
		return nil, nil
	}
	h := bih.Size(0) / 3
	rz := bih.Narrow(0, 0, 2*h).Add(bhh.Narrow(0, 0, 2*h))
	return tensor.Cat(0, rz, bih.Narrow(0, 2*h, h)), bhh.Narrow(0, 2*h, h)
}

func (gruCell) step(xw *tensor.Tensor, s state, whhT, bhn *tensor.Tensor) state {
	x3 := xw.Unbind(1)
	h3 := s.h.MatMul(whhT).Reshape(xw.Shape()...).Unbind(1)
	r := x3[0].Add(h3[0]).Sigmoid()
	z := x3[1].Add(h3[1]).Sigmoid()
	hn := h3[2]
	if bhn != nil {
		hn = hn.Add(bhn)
	}
	n := x3[2].Add(r.Mul(hn)).Tanh()
	return state{h: n.Add(z.Mul(s.h.Sub(n)))}
}
