package optim

import (
	"fmt"
	"slices"

	"github.com/tensorgl/tensorgl/device"
	"github.com/tensorgl/tensorgl/tensor"
)

// An Optimizer updates a fixed list of parameters from their gradients.
type Optimizer interface {
	// Step updates every parameter that has a gradient; parameters
	// without one are left alone, as in PyTorch.
	Step()
	// ZeroGrad releases the parameters' gradients, so the next Backward
	// starts from nothing (PyTorch's zero_grad(set_to_none=True)).
	ZeroGrad()
	// LR returns the current learning rate.
	LR() float32
	// SetLR changes the learning rate, e.g. from a Scheduler.
	SetLR(lr float32)
	// State returns the optimizer's resumable state. Its tensors are the
	// optimizer's own buffers, not copies: save them before the next Step.
	State() State
	// LoadState replaces the optimizer's state with s, which must come
	// from an optimizer of the same kind over parameters of the same
	// shapes.
	LoadState(s State) error
}

// A MomentumOptimizer is an Optimizer whose momentum a schedule may
// change, as OneCycleLR cycles it: SGD's momentum and Adam's β₁ (PyTorch's
// momentum and betas[0]).
type MomentumOptimizer interface {
	Optimizer
	// Momentum returns the current momentum.
	Momentum() float32
	// SetMomentum changes the momentum from the next Step on.
	SetMomentum(m float32)
}

// checkParams validates a parameter list for an optimizer named kind.
func checkParams(kind string, params []*tensor.Tensor) error {
	if len(params) == 0 {
		return fmt.Errorf("optim: %s: empty parameter list", kind)
	}
	seen := make(map[*tensor.Tensor]int, len(params))
	for i, p := range params {
		if p == nil {
			return fmt.Errorf("optim: %s: parameter %d is nil", kind, i)
		}
		if j, dup := seen[p]; dup {
			// It would be updated twice per step.
			return fmt.Errorf("optim: %s: parameter %d %v is parameter %d again", kind, i, p.Shape(), j)
		}
		seen[p] = i
		if !p.RequiresGrad() || !p.IsLeaf() {
			return fmt.Errorf("optim: %s: parameter %d %v is not a leaf that requires gradients", kind, i, p.Shape())
		}
	}
	return nil
}

// zeroGrad releases the gradient of every parameter.
func zeroGrad(params []*tensor.Tensor) {
	for _, p := range params {
		p.ZeroGrad()
	}
}

// newBuffer returns a zeroed state buffer shaped and placed like p that no
// Tidy will free.
func newBuffer(p *tensor.Tensor) *tensor.Tensor {
	b := tensor.ZerosLike(p)
	tensor.Persist(b)
	return b
}

// byDevice calls step with the updates of us, all of them at once when
// their parameters share a device (the usual case), else once per device in
// the order the devices first appear: a device kernel updates the tensors
// of one device only.
func byDevice[U any](us []U, param func(U) *tensor.Tensor, step func([]U)) {
	if len(us) == 0 {
		return
	}
	dev := param(us[0]).Device()
	if !slices.ContainsFunc(us, func(u U) bool { return param(u).Device() != dev }) {
		step(us)
		return
	}
	var devs []device.Device
	groups := map[device.Device][]U{}
	for _, u := range us {
		d := param(u).Device()
		if groups[d] == nil {
			devs = append(devs, d)
		}
		groups[d] = append(groups[d], u)
	}
	for _, d := range devs {
		step(groups[d])
	}
}
