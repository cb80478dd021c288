package optim

import (
	"fmt"
	"strconv"

	"github.com/tensorgl/tensorgl/device"
	"github.com/tensorgl/tensorgl/tensor"
)

// AdamConfig holds the hyper-parameters of Adam and AdamW, with PyTorch's
// meaning (see device.AdamParams for the update).
type AdamConfig struct {
	LR           float32
	Beta1, Beta2 float32
	Eps          float32
	WeightDecay  float32
}

// DefaultAdam returns PyTorch's defaults for Adam: learning rate 1e-3,
// betas (0.9, 0.999), eps 1e-8, no weight decay. (PyTorch's AdamW defaults
// to weight decay 1e-2; set it explicitly.)
func DefaultAdam() AdamConfig {
	return AdamConfig{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}
}

// Adam is the Adam optimizer (torch.optim.Adam), or AdamW
// (torch.optim.AdamW) with decoupled weight decay.
type Adam struct {
	params    []*tensor.Tensor
	cfg       AdamConfig
	decoupled bool
	kind      string
	m, v      []*tensor.Tensor // first and second moments; nil until a parameter's first step
	steps     []int            // steps taken per parameter, for the bias corrections
	updates   []tensor.AdamUpdate
}

// NewAdam returns an Adam optimizer over params, whose weight decay adds
// WeightDecay·p to the gradient (L2 regularisation).
func NewAdam(params []*tensor.Tensor, cfg AdamConfig) (*Adam, error) {
	return newAdam("adam", params, cfg, false)
}

// NewAdamW returns an AdamW optimizer over params, whose weight decay
// shrinks each parameter by a factor 1−LR·WeightDecay before the Adam
// update, apart from the gradient (Loshchilov & Hutter).
func NewAdamW(params []*tensor.Tensor, cfg AdamConfig) (*Adam, error) {
	return newAdam("adamw", params, cfg, true)
}

func newAdam(kind string, params []*tensor.Tensor, cfg AdamConfig, decoupled bool) (*Adam, error) {
	if err := checkParams(kind, params); err != nil {
		return nil, err
	}
	switch {
	case !(cfg.LR >= 0):
		return nil, fmt.Errorf("optim: %s: learning rate %v, want ≥ 0", kind, cfg.LR)
	case !(cfg.Eps >= 0):
		return nil, fmt.Errorf("optim: %s: eps %v, want ≥ 0", kind, cfg.Eps)
	case !(cfg.Beta1 >= 0 && cfg.Beta1 < 1), !(cfg.Beta2 >= 0 && cfg.Beta2 < 1):
		return nil, fmt.Errorf("optim: %s: betas (%v, %v), want each in [0, 1)", kind, cfg.Beta1, cfg.Beta2)
	case !(cfg.WeightDecay >= 0):
		return nil, fmt.Errorf("optim: %s: weight decay %v, want ≥ 0", kind, cfg.WeightDecay)
	}
	n := len(params)
	return &Adam{params: params, cfg: cfg, decoupled: decoupled, kind: kind,
		m: make([]*tensor.Tensor, n), v: make([]*tensor.Tensor, n), steps: make([]int, n)}, nil
}

// Step applies one Adam update to every parameter that has a gradient, in
// one fused kernel for all of them (one per device when the parameters
// live on several).
func (o *Adam) Step() {
	us := o.updates[:0]
	for i, p := range o.params {
		g := p.Grad()
		if g == nil {
			continue
		}
		if o.m[i] == nil {
			o.m[i], o.v[i] = newBuffer(p), newBuffer(p)
		}
		o.steps[i]++
		us = append(us, tensor.AdamUpdate{Param: p, Grad: g, M: o.m[i], V: o.v[i], Step: o.steps[i]})
	}
	p := device.AdamParams{
		LR: o.cfg.LR, Beta1: o.cfg.Beta1, Beta2: o.cfg.Beta2, Eps: o.cfg.Eps,
		WeightDecay: o.cfg.WeightDecay, Decoupled: o.decoupled,
	}
	byDevice(us, func(u tensor.AdamUpdate) *tensor.Tensor { return u.Param }, func(us []tensor.AdamUpdate) { tensor.AdamStep(us, p) })
	clear(us)
	o.updates = us
}

// ZeroGrad releases the parameters' gradients.
func (o *Adam) ZeroGrad() { zeroGrad(o.params) }

// LR returns the learning rate.
func (o *Adam) LR() float32 { return o.cfg.LR }

// SetLR sets the learning rate.
func (o *Adam) SetLR(lr float32) { o.cfg.LR = lr }

// Momentum returns β₁, the decay of the first moment.
func (o *Adam) Momentum() float32 { return o.cfg.Beta1 }

// SetMomentum sets β₁, the decay of the first moment; the bias correction
// of later steps uses the new value (1−β₁ᵗ), as PyTorch's does.
func (o *Adam) SetMomentum(beta1 float32) { o.cfg.Beta1 = beta1 }

// State returns the learning rate, both moments and the step count of
// every parameter that has taken a step.
func (o *Adam) State() State {
	s := newState(o.kind, o.cfg.LR, len(o.params))
	for i := range o.params {
		if o.m[i] == nil {
			continue
		}
		s.Tensors[stateKey(i, "exp_avg")] = o.m[i]
		s.Tensors[stateKey(i, "exp_avg_sq")] = o.v[i]
		s.Meta[stateKey(i, "step")] = strconv.Itoa(o.steps[i])
	}
	return s
}

// LoadState restores the state saved by State of an optimizer of the same
// kind (Adam or AdamW).
func (o *Adam) LoadState(s State) error {
	lr, err := s.check(o.kind, len(o.params), "exp_avg", "exp_avg_sq")
	if err != nil {
		return err
	}
	m, err := s.buffers(o.params, "exp_avg")
	if err != nil {
		return err
	}
	v, err := s.buffers(o.params, "exp_avg_sq")
	if err == nil {
		err = o.checkSteps(s, m, v)
	}
	if err != nil {
		release(m, v)
		return err
	}
	steps := make([]int, len(o.params))
	for i := range steps {
		if m[i] != nil {
			steps[i], _ = strconv.Atoi(s.Meta[stateKey(i, "step")])
		}
	}
	release(o.m, o.v)
	o.m, o.v, o.steps, o.cfg.LR = m, v, steps, lr
	return nil
}

// checkSteps checks that each parameter has both moments and a positive
// step count, or none of them.
func (o *Adam) checkSteps(s State, m, v []*tensor.Tensor) error {
	for i := range o.params {
		str, ok := s.Meta[stateKey(i, "step")]
		if (m[i] == nil) != (v[i] == nil) || (m[i] == nil) == ok {
			return fmt.Errorf("optim: %s state: parameter %d has an incomplete state (want exp_avg, exp_avg_sq and step, or none)", o.kind, i)
		}
		if !ok {
			continue
		}
		if n, err := strconv.Atoi(str); err != nil || n < 1 {
			return fmt.Errorf("optim: %s state: %s = %q, want a step count ≥ 1", o.kind, stateKey(i, "step"), str)
		}
	}
	return nil
}

// release frees every non-nil tensor in the lists.
func release(lists ...[]*tensor.Tensor) {
	for _, l := range lists {
		for _, t := range l {
			t.Release()
		}
	}
}
