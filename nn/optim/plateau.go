package optim

import (
	"fmt"
	"math"
	"strconv"
)

// PlateauConfig holds the parameters of NewReduceLROnPlateau, with the
// meaning of torch.optim.lr_scheduler.ReduceLROnPlateau's. Start from
// DefaultPlateau, which has PyTorch's defaults.
type PlateauConfig struct {
	// Mode is "min" (the metric should fall, as a loss) or "max" (rise, as
	// an accuracy).
	Mode string
	// Factor multiplies the learning rate on a plateau.
	Factor float64
	// Patience is how many epochs without improvement are ignored: the
	// rate falls at the Patience+1st.
	Patience int
	// Threshold is how much better than the best a metric must be to
	// count as an improvement: relatively (best·(1∓Threshold)) when
	// ThresholdMode is "rel", by Threshold when it is "abs".
	Threshold     float64
	ThresholdMode string
	// Cooldown is how many epochs after a reduction pass before bad
	// epochs count again.
	Cooldown int
	// MinLR is the lowest learning rate a reduction goes to.
	MinLR float32
	// Eps is the smallest reduction made: a smaller one is skipped.
	Eps float64
}

// DefaultPlateau returns PyTorch's defaults: mode "min", factor 0.1,
// patience 10, threshold 1e-4 relative, no cooldown, no minimum rate, eps
// 1e-8.
func DefaultPlateau() PlateauConfig {
	return PlateauConfig{Mode: "min", Factor: 0.1, Patience: 10, Threshold: 1e-4, ThresholdMode: "rel", Eps: 1e-8}
}

// ReduceLROnPlateau lowers the learning rate when a metric stops improving
// (torch.optim.lr_scheduler.ReduceLROnPlateau). Call Step with the metric
// (e.g. the validation loss) at the end of each epoch.
//
// Its state (the best metric, the epochs without improvement, the
// cooldown left) is not a function of the epoch: State and LoadState carry
// it over to a resumed run, e.g. as metadata of the optimizer's file (Save's
// meta; nn.ReadMeta reads it back).
type ReduceLROnPlateau struct {
	opt    Optimizer
	cfg    PlateauConfig
	better func(metric, best float64) bool

	// lr is the learning rate set last, in float64 as PyTorch keeps it,
	// so that repeated reductions round once.
	lr       float64
	best     float64
	bad      int // epochs without improvement (num_bad_epochs)
	cooldown int // epochs of cooldown left (cooldown_counter)
	epoch    int // last_epoch
}

// NewReduceLROnPlateau returns a schedule that lowers opt's learning rate
// on plateaus of a metric. It refuses what PyTorch refuses (a factor ≥ 1,
// an unknown mode) and what PyTorch would misuse silently: a negative
// factor, patience, threshold, cooldown, minimum rate or eps.
func NewReduceLROnPlateau(opt Optimizer, cfg PlateauConfig) (*ReduceLROnPlateau, error) {
	rel := cfg.ThresholdMode == "rel"
	th := cfg.Threshold
	var better func(a, best float64) bool
	switch {
	case cfg.Mode != "min" && cfg.Mode != "max":
		return nil, fmt.Errorf("optim: ReduceLROnPlateau: mode %q, want \"min\" or \"max\"", cfg.Mode)
	case cfg.ThresholdMode != "rel" && cfg.ThresholdMode != "abs":
		return nil, fmt.Errorf("optim: ReduceLROnPlateau: threshold mode %q, want \"rel\" or \"abs\"", cfg.ThresholdMode)
	case !(cfg.Factor >= 0 && cfg.Factor < 1):
		return nil, fmt.Errorf("optim: ReduceLROnPlateau: factor %v, want in [0, 1)", cfg.Factor)
	case cfg.Patience < 0:
		return nil, fmt.Errorf("optim: ReduceLROnPlateau: patience %d, want ≥ 0", cfg.Patience)
	case !(th >= 0 && th <= math.MaxFloat64):
		return nil, fmt.Errorf("optim: ReduceLROnPlateau: threshold %v, want a finite number ≥ 0", th)
	case cfg.Cooldown < 0:
		return nil, fmt.Errorf("optim: ReduceLROnPlateau: cooldown %d, want ≥ 0", cfg.Cooldown)
	case !(cfg.MinLR >= 0):
		return nil, fmt.Errorf("optim: ReduceLROnPlateau: minimum learning rate %v, want ≥ 0", cfg.MinLR)
	case !(cfg.Eps >= 0):
		return nil, fmt.Errorf("optim: ReduceLROnPlateau: eps %v, want ≥ 0", cfg.Eps)
	case cfg.Mode == "min" && rel:
		better = func(a, best float64) bool { return a < best*(1-th) }
	case cfg.Mode == "min":
		better = func(a, best float64) bool { return a < best-th }
	case rel:
		better = func(a, best float64) bool { return a > best*(th+1) }
	default:
		better = func(a, best float64) bool { return a > best+th }
	}
	return &ReduceLROnPlateau{opt: opt, cfg: cfg, better: better, lr: float64(opt.LR()), best: worst(cfg.Mode)}, nil
}

// worst returns the metric every other betters in mode.
func worst(mode string) float64 {
	if mode == "min" {
		return math.Inf(1)
	}
	return math.Inf(-1)
}

// Step ends an epoch whose metric was metric: it counts the epoch as an
// improvement or not, and multiplies the learning rate by Factor (not below
// MinLR) after more than Patience epochs without improvement outside a
// cooldown. A NaN metric is never an improvement.
func (s *ReduceLROnPlateau) Step(metric float64) {
	s.epoch++
	if s.better(metric, s.best) {
		s.best, s.bad = metric, 0
	} else {
		s.bad++
	}
	if s.cooldown > 0 {
		s.cooldown--
		s.bad = 0
	}
	if s.bad <= s.cfg.Patience {
		return
	}
	old := s.lr
	if float32(old) != s.opt.LR() {
		// Set by someone else since: PyTorch reduces the optimizer's rate.
		old = float64(s.opt.LR())
	}
	if lr := max(old*s.cfg.Factor, float64(s.cfg.MinLR)); old-lr > s.cfg.Eps {
		s.lr = lr
		s.opt.SetLR(float32(lr))
	}
	s.cooldown, s.bad = s.cfg.Cooldown, 0
}

// Epoch returns the number of epochs stepped through.
func (s *ReduceLROnPlateau) Epoch() int { return s.epoch }

// Best returns the best metric seen (+Inf in mode "min" before any, −Inf
// in mode "max").
func (s *ReduceLROnPlateau) Best() float64 { return s.best }

// Plateau state keys, named after PyTorch's state_dict; the prefix keeps
// them apart from an optimizer's own metadata.
const (
	plateauKind = "reduce_lr_on_plateau"
	keyKind     = "scheduler"
	keyMode     = "scheduler.mode"
	keyBest     = "scheduler.best"
	keyBad      = "scheduler.num_bad_epochs"
	keyCooldown = "scheduler.cooldown_counter"
	keyEpoch    = "scheduler.last_epoch"
	keyLR       = "scheduler.lr"
)

// State returns the schedule's resumable state as strings: its kind
// ("scheduler": "reduce_lr_on_plateau"), mode, and the values PyTorch's
// state_dict names best, num_bad_epochs, cooldown_counter and last_epoch,
// with the learning rate it set last, each under "scheduler.". The other
// parameters come from the constructor, as an optimizer's do.
func (s *ReduceLROnPlateau) State() map[string]string {
	return map[string]string{
		keyKind:     plateauKind,
		keyMode:     s.cfg.Mode,
		keyBest:     strconv.FormatFloat(s.best, 'g', -1, 64),
		keyBad:      strconv.Itoa(s.bad),
		keyCooldown: strconv.Itoa(s.cooldown),
		keyEpoch:    strconv.Itoa(s.epoch),
		keyLR:       strconv.FormatFloat(s.lr, 'g', -1, 64),
	}
}

// LoadState restores the state State returned, from a map that may hold
// other entries too (such as an optimizer file's metadata, which Load has
// restored the optimizer from). It changes nothing on an error.
func (s *ReduceLROnPlateau) LoadState(meta map[string]string) error {
	if got := meta[keyKind]; got != plateauKind {
		return fmt.Errorf("optim: state of scheduler %q, want %q", got, plateauKind)
	}
	if got := meta[keyMode]; got != s.cfg.Mode {
		return fmt.Errorf("optim: ReduceLROnPlateau state: mode %q, want %q as this schedule's", got, s.cfg.Mode)
	}
	count := func(key string) (int, error) {
		n, err := strconv.Atoi(meta[key])
		if err != nil || n < 0 {
			return 0, fmt.Errorf("optim: ReduceLROnPlateau state: %s = %q, want a count ≥ 0", key, meta[key])
		}
		return n, nil
	}
	bad, err := count(keyBad)
	if err != nil {
		return err
	}
	cooldown, err := count(keyCooldown)
	if err != nil {
		return err
	}
	epoch, err := count(keyEpoch)
	if err != nil {
		return err
	}
	best, err := strconv.ParseFloat(meta[keyBest], 64)
	if err != nil || math.IsNaN(best) || math.IsInf(best, 0) && best != worst(s.cfg.Mode) {
		return fmt.Errorf("optim: ReduceLROnPlateau state: %s = %q, want a number (or %v before any epoch)", keyBest, meta[keyBest], worst(s.cfg.Mode))
	}
	lr, err := strconv.ParseFloat(meta[keyLR], 64)
	if err != nil || !(lr >= 0 && lr <= math.MaxFloat32) {
		return fmt.Errorf("optim: ReduceLROnPlateau state: %s = %q, want a finite number ≥ 0", keyLR, meta[keyLR])
	}
	s.best, s.bad, s.cooldown, s.epoch, s.lr = best, bad, cooldown, epoch, lr
	return nil
}
