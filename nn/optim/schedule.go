package optim

import (
	"fmt"
	"math"
)

// A Scheduler sets an optimizer's learning rate epoch by epoch from a
// closed-form schedule of the initial rate, as PyTorch's lr_scheduler
// classes do. Call Step once at the end of each epoch.
type Scheduler struct {
	opt   Optimizer
	base  float64
	epoch int
	rate  func(base float64, epoch int) float64
}

// NewStepLR multiplies the learning rate by gamma every stepSize epochs
// (torch.optim.lr_scheduler.StepLR):
//
//	lr(epoch) = lr₀ · gamma^⌊epoch/stepSize⌋
func NewStepLR(opt Optimizer, stepSize int, gamma float32) (*Scheduler, error) {
	if stepSize < 1 {
		return nil, fmt.Errorf("optim: StepLR: step size %d, want ≥ 1", stepSize)
	}
	if !(gamma >= 0) {
		return nil, fmt.Errorf("optim: StepLR: gamma %v, want ≥ 0", gamma)
	}
	g := float64(gamma)
	return newScheduler(opt, func(base float64, epoch int) float64 {
		return base * math.Pow(g, float64(epoch/stepSize))
	}), nil
}

// NewCosineAnnealingLR anneals the learning rate from its initial value to
// etaMin over tMax epochs along a half cosine
// (torch.optim.lr_scheduler.CosineAnnealingLR, closed form):
//
//	lr(epoch) = etaMin + (lr₀ − etaMin) · (1 + cos(π·epoch/tMax)) / 2
func NewCosineAnnealingLR(opt Optimizer, tMax int, etaMin float32) (*Scheduler, error) {
	if tMax < 1 {
		return nil, fmt.Errorf("optim: CosineAnnealingLR: tMax %d, want ≥ 1", tMax)
	}
	if !(etaMin >= 0) {
		return nil, fmt.Errorf("optim: CosineAnnealingLR: etaMin %v, want ≥ 0", etaMin)
	}
	eta := float64(etaMin)
	return newScheduler(opt, func(base float64, epoch int) float64 {
		return eta + (base-eta)*(1+math.Cos(math.Pi*float64(epoch)/float64(tMax)))/2
	}), nil
}

func newScheduler(opt Optimizer, rate func(float64, int) float64) *Scheduler {
	return &Scheduler{opt: opt, base: float64(opt.LR()), rate: rate}
}

// Step ends an epoch: it advances the epoch count and sets the optimizer's
// learning rate for the next one.
func (s *Scheduler) Step() { s.SetEpoch(s.epoch + 1) }

// SetEpoch jumps to the given epoch (0 is the start), e.g. when resuming,
// and sets the optimizer's learning rate for it.
func (s *Scheduler) SetEpoch(epoch int) {
	s.epoch = epoch
	s.opt.SetLR(float32(s.rate(s.base, epoch)))
}

// Epoch returns the number of epochs stepped through.
func (s *Scheduler) Epoch() int { return s.epoch }

// LR returns the learning rate the schedule gives for epoch, without
// changing anything.
func (s *Scheduler) LR(epoch int) float32 { return float32(s.rate(s.base, epoch)) }
