package optim

import (
	"fmt"
	"math"
	"slices"
	"sort"
)

// A Scheduler sets an optimizer's learning rate epoch by epoch from a
// closed-form schedule of the initial rate, as PyTorch's lr_scheduler
// classes do. Making one sets the rate of epoch 0 (as PyTorch's
// constructors do); call Step once at the end of each epoch (each batch for
// OneCycleLR).
//
// Its only state is the epoch: a resumed run restores it with SetEpoch.
// The rate is computed afresh from the epoch, not multiplied into the
// optimizer's current rate, so two Schedulers on one optimizer do not
// compose as PyTorch's chainable ones do: the last to step sets the rate.
// Chain schedules one after another with NewSequentialLR.
type Scheduler struct {
	opt   Optimizer
	base  float64
	epoch int
	rate  func(base float64, epoch int) float64
	// momentum, when not nil, gives the momentum of each epoch, set on
	// mopt (the optimizer) with the rate.
	momentum func(epoch int) float64
	mopt     MomentumOptimizer
}

// NewStepLR multiplies the learning rate by gamma every stepSize epochs
// (torch.optim.lr_scheduler.StepLR):
//
//	lr(epoch) = lr₀ · gamma^⌊epoch/stepSize⌋
func NewStepLR(opt Optimizer, stepSize int, gamma float64) (*Scheduler, error) {
	if stepSize < 1 {
		return nil, fmt.Errorf("optim: StepLR: step size %d, want ≥ 1", stepSize)
	}
	if !(gamma >= 0) {
		return nil, fmt.Errorf("optim: StepLR: gamma %v, want ≥ 0", gamma)
	}
	return newScheduler(opt, float64(opt.LR()), func(base float64, epoch int) float64 {
		return base * math.Pow(gamma, float64(epoch/stepSize))
	}), nil
}

// NewMultiStepLR multiplies the learning rate by gamma at each milestone
// epoch (torch.optim.lr_scheduler.MultiStepLR): after the n milestones
// that are ≤ epoch,
//
//	lr(epoch) = lr₀ · gammaⁿ
//
// The milestones may come in any order; one listed twice counts twice, as
// in PyTorch's Counter.
func NewMultiStepLR(opt Optimizer, milestones []int, gamma float64) (*Scheduler, error) {
	for _, m := range milestones {
		if m < 0 {
			return nil, fmt.Errorf("optim: MultiStepLR: milestone %d, want epochs ≥ 0", m)
		}
	}
	if !(gamma >= 0) {
		return nil, fmt.Errorf("optim: MultiStepLR: gamma %v, want ≥ 0", gamma)
	}
	ms := slices.Sorted(slices.Values(milestones))
	return newScheduler(opt, float64(opt.LR()), func(base float64, epoch int) float64 {
		return base * math.Pow(gamma, float64(passed(ms, epoch)))
	}), nil
}

// passed returns how many of the sorted milestones are ≤ epoch (Python's
// bisect_right).
func passed(milestones []int, epoch int) int {
	return sort.Search(len(milestones), func(i int) bool { return milestones[i] > epoch })
}

// NewExponentialLR multiplies the learning rate by gamma every epoch
// (torch.optim.lr_scheduler.ExponentialLR):
//
//	lr(epoch) = lr₀ · gamma^epoch
func NewExponentialLR(opt Optimizer, gamma float64) (*Scheduler, error) {
	if !(gamma >= 0) {
		return nil, fmt.Errorf("optim: ExponentialLR: gamma %v, want ≥ 0", gamma)
	}
	return newScheduler(opt, float64(opt.LR()), func(base float64, epoch int) float64 {
		return base * math.Pow(gamma, float64(epoch))
	}), nil
}

// NewLinearLR scales the learning rate by a factor that moves linearly
// from startFactor at epoch 0 to endFactor at epoch totalIters and stays
// there (torch.optim.lr_scheduler.LinearLR; the usual warmup is
// NewLinearLR(opt, 0.1, 1, n)):
//
//	lr(epoch) = lr₀ · (start + (end − start) · min(epoch, totalIters)/totalIters)
//
// PyTorch 1.13 accepts a start factor of 0 and then divides by zero on the
// second epoch; here it is refused.
func NewLinearLR(opt Optimizer, startFactor, endFactor float64, totalIters int) (*Scheduler, error) {
	switch {
	case !(startFactor > 0 && startFactor <= 1):
		return nil, fmt.Errorf("optim: LinearLR: start factor %v, want in (0, 1]", startFactor)
	case !(endFactor >= 0 && endFactor <= 1):
		return nil, fmt.Errorf("optim: LinearLR: end factor %v, want in [0, 1]", endFactor)
	case totalIters < 1:
		return nil, fmt.Errorf("optim: LinearLR: total iterations %d, want ≥ 1", totalIters)
	}
	return newScheduler(opt, float64(opt.LR()), func(base float64, epoch int) float64 {
		e := float64(min(epoch, totalIters))
		return base * (startFactor + (endFactor-startFactor)*e/float64(totalIters))
	}), nil
}

// NewCosineAnnealingLR anneals the learning rate from its initial value to
// etaMin over tMax epochs along a half cosine
// (torch.optim.lr_scheduler.CosineAnnealingLR, closed form), and back up
// over the next tMax epochs, as PyTorch's does:
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
	return newScheduler(opt, float64(opt.LR()), func(base float64, epoch int) float64 {
		return eta + (base-eta)*(1+math.Cos(math.Pi*float64(epoch)/float64(tMax)))/2
	}), nil
}

// NewSequentialLR runs schedules one after another
// (torch.optim.lr_scheduler.SequentialLR): schedules[0] up to epoch
// milestones[0], then schedules[1] from its own epoch 0, and so on, e.g. a
// LinearLR warmup of 5 epochs then a CosineAnnealingLR:
//
//	warm, _ := optim.NewLinearLR(opt, 0.1, 1, 5)
//	cos, _ := optim.NewCosineAnnealingLR(opt, 95, 0)
//	sched, err := optim.NewSequentialLR(opt, []*optim.Scheduler{warm, cos}, []int{5})
//
// Every schedule runs from the learning rate the optimizer had when the
// first was made (PyTorch's initial_lr), so make them in order; the
// sequence takes over from them, which are not stepped on their own. The
// milestones are epochs ≥ 1 in increasing order, one fewer than the
// schedules. A schedule that cycles momentum (OneCycleLR's default) is
// refused: the sequence sets learning rates only.
func NewSequentialLR(opt Optimizer, schedules []*Scheduler, milestones []int) (*Scheduler, error) {
	if len(schedules) == 0 {
		return nil, fmt.Errorf("optim: SequentialLR: no schedules, want at least one")
	}
	if len(milestones) != len(schedules)-1 {
		return nil, fmt.Errorf("optim: SequentialLR: %d milestones for %d schedules, want one fewer milestone than schedules", len(milestones), len(schedules))
	}
	for i, s := range schedules {
		switch {
		case s == nil:
			return nil, fmt.Errorf("optim: SequentialLR: schedule %d is nil", i)
		case s.opt != opt:
			return nil, fmt.Errorf("optim: SequentialLR: schedule %d belongs to another optimizer, want all on the sequence's", i)
		case s.momentum != nil:
			return nil, fmt.Errorf("optim: SequentialLR: schedule %d cycles momentum, want learning-rate schedules only (OneCycleConfig.CycleMomentum false)", i)
		}
	}
	for i, m := range milestones {
		if m < 1 || i > 0 && m <= milestones[i-1] {
			return nil, fmt.Errorf("optim: SequentialLR: milestones %v, want epochs ≥ 1 in increasing order", milestones)
		}
	}
	ms := slices.Clone(milestones)
	rates := make([]func(float64, int) float64, len(schedules))
	for i, s := range schedules {
		rates[i] = s.rate
	}
	return newScheduler(opt, schedules[0].base, func(base float64, epoch int) float64 {
		i := passed(ms, epoch)
		if i > 0 {
			epoch -= ms[i-1]
		}
		return rates[i](base, epoch)
	}), nil
}

// newScheduler returns a schedule of rate from the initial learning rate
// base, and sets the rate of epoch 0.
func newScheduler(opt Optimizer, base float64, rate func(float64, int) float64) *Scheduler {
	s := &Scheduler{opt: opt, base: base, rate: rate}
	s.SetEpoch(0)
	return s
}

// Step ends an epoch: it advances the epoch count and sets the optimizer's
// learning rate for the next one.
func (s *Scheduler) Step() { s.SetEpoch(s.epoch + 1) }

// SetEpoch jumps to the given epoch (0 is the start), e.g. when resuming,
// and sets the optimizer's learning rate (and momentum, for a OneCycleLR
// that cycles it) for it.
func (s *Scheduler) SetEpoch(epoch int) {
	lr := s.rate(s.base, epoch)
	s.epoch = epoch
	s.opt.SetLR(float32(lr))
	if s.momentum != nil {
		s.mopt.SetMomentum(float32(s.momentum(epoch)))
	}
}

// Epoch returns the number of epochs stepped through.
func (s *Scheduler) Epoch() int { return s.epoch }

// LR returns the learning rate the schedule gives for epoch, without
// changing anything.
func (s *Scheduler) LR(epoch int) float32 { return float32(s.rate(s.base, epoch)) }
