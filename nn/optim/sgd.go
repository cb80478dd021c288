package optim

import (
	"fmt"

	"github.com/tensorgl/tensorgl/device"
	"github.com/tensorgl/tensorgl/tensor"
)

// SGDConfig holds the hyper-parameters of SGD, with PyTorch's meaning
// (see device.SGDParams for the update).
type SGDConfig struct {
	LR          float32
	Momentum    float32
	Dampening   float32
	WeightDecay float32
	Nesterov    bool
}

// SGD is stochastic gradient descent with optional momentum (torch.optim.SGD).
type SGD struct {
	params  []*tensor.Tensor
	cfg     SGDConfig
	bufs    []*tensor.Tensor // momentum buffers; nil until a parameter's first step
	updates []tensor.SGDUpdate
}

// NewSGD returns an SGD optimizer over params. It rejects the
// hyper-parameters PyTorch rejects: a negative learning rate, momentum or
// weight decay, and Nesterov momentum without momentum or with dampening.
func NewSGD(params []*tensor.Tensor, cfg SGDConfig) (*SGD, error) {
	if err := checkParams("SGD", params); err != nil {
		return nil, err
	}
	switch {
	case !(cfg.LR >= 0):
		return nil, fmt.Errorf("optim: SGD: learning rate %v, want ≥ 0", cfg.LR)
	case !(cfg.Momentum >= 0):
		return nil, fmt.Errorf("optim: SGD: momentum %v, want ≥ 0", cfg.Momentum)
	case !(cfg.WeightDecay >= 0):
		return nil, fmt.Errorf("optim: SGD: weight decay %v, want ≥ 0", cfg.WeightDecay)
	case cfg.Nesterov && (cfg.Momentum == 0 || cfg.Dampening != 0):
		return nil, fmt.Errorf("optim: SGD: Nesterov momentum needs momentum > 0 and zero dampening, have momentum %v, dampening %v", cfg.Momentum, cfg.Dampening)
	}
	return &SGD{params: params, cfg: cfg, bufs: make([]*tensor.Tensor, len(params))}, nil
}

// Step applies one SGD update to every parameter that has a gradient, in
// one fused kernel for all of them (one per device when the parameters
// live on several).
func (o *SGD) Step() {
	us := o.updates[:0]
	for i, p := range o.params {
		g := p.Grad()
		if g == nil {
			continue
		}
		first := false
		if o.cfg.Momentum != 0 && o.bufs[i] == nil {
			// The kernel sets the buffer to the gradient on the first
			// step, so its zeros are never read.
			o.bufs[i] = newBuffer(p)
			first = true
		}
		us = append(us, tensor.SGDUpdate{Param: p, Grad: g, Buf: o.bufs[i], FirstStep: first})
	}
	p := device.SGDParams{
		LR: o.cfg.LR, Momentum: o.cfg.Momentum, Dampening: o.cfg.Dampening,
		WeightDecay: o.cfg.WeightDecay, Nesterov: o.cfg.Nesterov,
	}
	byDevice(us, func(u tensor.SGDUpdate) *tensor.Tensor { return u.Param }, func(us []tensor.SGDUpdate) { tensor.SGDStep(us, p) })
	clear(us) // hold no gradient past the step
	o.updates = us
}

// ZeroGrad releases the parameters' gradients.
func (o *SGD) ZeroGrad() { zeroGrad(o.params) }

// LR returns the learning rate.
func (o *SGD) LR() float32 { return o.cfg.LR }

// SetLR sets the learning rate.
func (o *SGD) SetLR(lr float32) { o.cfg.LR = lr }

// Momentum returns the momentum factor.
func (o *SGD) Momentum() float32 { return o.cfg.Momentum }

// SetMomentum sets the momentum factor. Buffers start on the first step
// with a momentum other than 0, as with a momentum set in the constructor.
func (o *SGD) SetMomentum(m float32) { o.cfg.Momentum = m }

// State returns the learning rate and the momentum buffers.
func (o *SGD) State() State {
	s := newState("sgd", o.cfg.LR, len(o.params))
	for i, b := range o.bufs {
		if b != nil {
			s.Tensors[stateKey(i, "momentum_buffer")] = b
		}
	}
	return s
}

// LoadState restores the learning rate and momentum buffers saved by
// State.
func (o *SGD) LoadState(s State) error {
	lr, err := s.check("sgd", len(o.params), "momentum_buffer")
	if err != nil {
		return err
	}
	bufs, err := s.buffers(o.params, "momentum_buffer")
	if err != nil {
		return err
	}
	release(o.bufs)
	o.bufs = bufs
	o.cfg.LR = lr
	return nil
}
