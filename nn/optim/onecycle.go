package optim

import (
	"fmt"
	"math"
)

// OneCycleConfig holds the parameters of NewOneCycleLR, with the meaning
// of torch.optim.lr_scheduler.OneCycleLR's. Start from DefaultOneCycle,
// which has PyTorch's defaults.
type OneCycleConfig struct {
	// MaxLR is the peak learning rate; the cycle starts at MaxLR/DivFactor
	// and ends at MaxLR/(DivFactor·FinalDivFactor). The optimizer's own
	// learning rate is not used.
	MaxLR float32
	// TotalSteps is the number of steps in the cycle: PyTorch's
	// total_steps, or epochs·steps_per_epoch.
	TotalSteps int
	// PctStart is the fraction of the steps spent raising the rate.
	PctStart float64
	// Anneal is "cos" or "linear".
	Anneal string
	// CycleMomentum cycles the momentum (SGD's, or Adam's β₁) inversely to
	// the rate, from MaxMomentum down to BaseMomentum at the peak and back.
	// The optimizer must be a MomentumOptimizer; its own momentum is
	// replaced, even SGD's 0, as in PyTorch.
	CycleMomentum             bool
	BaseMomentum, MaxMomentum float64
	DivFactor                 float64
	FinalDivFactor            float64
	// ThreePhase brings the rate back to MaxLR/DivFactor at 2·PctStart of
	// the steps and only then anneals it to the minimum (the original
	// paper's schedule) instead of annealing from the peak to the minimum.
	ThreePhase bool
}

// DefaultOneCycle returns PyTorch's defaults for a cycle of totalSteps
// steps peaking at maxLR: PctStart 0.3, cosine annealing, momentum cycled
// between 0.85 and 0.95, DivFactor 25, FinalDivFactor 1e4, two phases.
func DefaultOneCycle(maxLR float32, totalSteps int) OneCycleConfig {
	return OneCycleConfig{MaxLR: maxLR, TotalSteps: totalSteps, PctStart: 0.3, Anneal: "cos",
		CycleMomentum: true, BaseMomentum: 0.85, MaxMomentum: 0.95, DivFactor: 25, FinalDivFactor: 1e4}
}

// onePhase is one phase of a cycle: it ends at step end (a fraction, as
// PyTorch computes it) and anneals the rate from lr0 to lr1 and the
// momentum from m0 to m1.
type onePhase struct {
	end              float64
	lr0, lr1, m0, m1 float64
}

// NewOneCycleLR returns the 1cycle policy of Smith and Topin
// (torch.optim.lr_scheduler.OneCycleLR): the learning rate rises from
// MaxLR/DivFactor to MaxLR over the first PctStart of the steps, then
// falls to MaxLR/(DivFactor·FinalDivFactor) by step TotalSteps−1. Call
// Step after each batch. As in PyTorch, one step past the cycle (epoch
// TotalSteps) carries the last phase's curve on, and a step beyond that
// panics.
func NewOneCycleLR(opt Optimizer, cfg OneCycleConfig) (*Scheduler, error) {
	var anneal func(a, b, pct float64) float64
	switch cfg.Anneal {
	case "cos":
		anneal = func(a, b, pct float64) float64 { return b + (a-b)/2*(math.Cos(math.Pi*pct)+1) }
	case "linear":
		anneal = func(a, b, pct float64) float64 { return (b-a)*pct + a }
	default:
		return nil, fmt.Errorf("optim: OneCycleLR: anneal %q, want \"cos\" or \"linear\"", cfg.Anneal)
	}
	n, p := cfg.TotalSteps, cfg.PctStart
	switch {
	case !(cfg.MaxLR > 0 && cfg.MaxLR <= math.MaxFloat32):
		return nil, fmt.Errorf("optim: OneCycleLR: max learning rate %v, want a finite number > 0", cfg.MaxLR)
	case n < 1:
		return nil, fmt.Errorf("optim: OneCycleLR: total steps %d, want ≥ 1", n)
	case !(p >= 0 && p <= 1):
		return nil, fmt.Errorf("optim: OneCycleLR: pct_start %v, want in [0, 1]", p)
	case p*float64(n) == 1:
		// The first phase would end at step 0, where it starts: PyTorch
		// divides 0 by 0 there.
		return nil, fmt.Errorf("optim: OneCycleLR: pct_start %v of %d steps is a warmup of 1 step, which PyTorch cannot anneal over; want pct_start·total steps ≠ 1", p, n)
	case !(cfg.DivFactor > 0 && cfg.DivFactor <= math.MaxFloat64):
		return nil, fmt.Errorf("optim: OneCycleLR: div factor %v, want a finite number > 0", cfg.DivFactor)
	case !(cfg.FinalDivFactor > 0 && cfg.FinalDivFactor <= math.MaxFloat64):
		return nil, fmt.Errorf("optim: OneCycleLR: final div factor %v, want a finite number > 0", cfg.FinalDivFactor)
	}
	var mopt MomentumOptimizer
	if cfg.CycleMomentum {
		var ok bool
		if mopt, ok = opt.(MomentumOptimizer); !ok {
			return nil, fmt.Errorf("optim: OneCycleLR: optimizer %T has no momentum to cycle, want a MomentumOptimizer or CycleMomentum false", opt)
		}
		if !(cfg.BaseMomentum >= 0 && cfg.BaseMomentum < 1) || !(cfg.MaxMomentum >= 0 && cfg.MaxMomentum < 1) {
			return nil, fmt.Errorf("optim: OneCycleLR: momentum from %v to %v, want each in [0, 1)", cfg.BaseMomentum, cfg.MaxMomentum)
		}
	}
	peak := float64(cfg.MaxLR)
	initial := peak / cfg.DivFactor
	floor := initial / cfg.FinalDivFactor
	lo, hi := cfg.BaseMomentum, cfg.MaxMomentum
	last := float64(n - 1)
	phases := []onePhase{{p*float64(n) - 1, initial, peak, hi, lo}, {last, peak, floor, lo, hi}}
	if cfg.ThreePhase {
		phases = []onePhase{phases[0], {2*p*float64(n) - 2, peak, initial, lo, hi}, {last, initial, floor, hi, hi}}
	}
	// phase returns the phase of step and how far through it the step is.
	phase := func(step int) (onePhase, float64) {
		if step > n {
			panic(fmt.Sprintf("optim: OneCycleLR: step %d, past the cycle's %d steps (and the one step after them that PyTorch allows)", step, n))
		}
		start := 0.0
		i := 0
		for float64(step) > phases[i].end && i < len(phases)-1 {
			start = phases[i].end
			i++
		}
		if phases[i].end == start {
			// Reached only one step past the cycle, when it ends with an
			// empty phase; PyTorch raises ZeroDivisionError.
			panic(fmt.Sprintf("optim: OneCycleLR: step %d falls in phase %d, which has no steps (pct_start %v of %d)", step, i+1, p, n))
		}
		return phases[i], (float64(step) - start) / (phases[i].end - start)
	}
	s := &Scheduler{opt: opt, rate: func(_ float64, step int) float64 {
		ph, pct := phase(step)
		return anneal(ph.lr0, ph.lr1, pct)
	}}
	if mopt != nil {
		s.mopt = mopt
		s.momentum = func(step int) float64 {
			ph, pct := phase(step)
			return anneal(ph.m0, ph.m1, pct)
		}
	}
	s.SetEpoch(0)
	return s, nil
}
