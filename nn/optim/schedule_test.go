package optim

import (
	"encoding/json"
	"maps"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/tensorgl/tensorgl/nn"
	"github.com/tensorgl/tensorgl/tensor"
)

func newTestSGD(t *testing.T, lr float32) *SGD {
	t.Helper()
	o, err := NewSGD([]*tensor.Tensor{tensor.Zeros(1).SetRequiresGrad(true)}, SGDConfig{LR: lr})
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// scheduleRef is one case of testdata/schedule_refs.json, which
// testdata/make_schedule_refs.py wrote with PyTorch.
type scheduleRef struct {
	Name     string
	LR       []float64 // param_groups[0]["lr"] at the start of each epoch
	Momentum []float64 // the momentum OneCycleLR cycles, when it does
	Param    []float64 // the parameter, stepped with gradients of 1
	Metrics  []string  // ReduceLROnPlateau's step arguments
	RaisesAt int       `json:"raises_at"` // the epoch PyTorch refused to step to (0: none)
}

func loadScheduleRefs(t *testing.T) map[string]scheduleRef {
	t.Helper()
	b, err := os.ReadFile("testdata/schedule_refs.json")
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Torch string
		Cases []scheduleRef
	}
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(f.Torch, "1.13") {
		t.Fatalf("references from torch %s, want 1.13", f.Torch)
	}
	refs := map[string]scheduleRef{}
	for _, c := range f.Cases {
		refs[c.Name] = c
	}
	return refs
}

// near reports whether the float32 got is within one float32 ulp of
// PyTorch's float64 want: the schedules compute in float64, as PyTorch
// does, and round once to the optimizer's float32.
func near(got float32, want float64) bool {
	return math.Abs(float64(got)-want) <= 0x1p-23*math.Abs(want)
}

// lr0 is the learning rate the references start from.
const lr0 = 0.1

// testAdam returns an Adam optimizer at lr0 over one parameter, 0.
func testAdam(t *testing.T) (Optimizer, *tensor.Tensor) {
	c := DefaultAdam()
	c.LR = lr0
	p := tensor.Zeros(1).SetRequiresGrad(true)
	o, err := NewAdam([]*tensor.Tensor{p}, c)
	if err != nil {
		t.Fatal(err)
	}
	return o, p
}

// testSGD returns a maker of SGD optimizers at lr0 over one parameter, 0.
func testSGD(momentum float32) func(*testing.T) (Optimizer, *tensor.Tensor) {
	return func(t *testing.T) (Optimizer, *tensor.Tensor) {
		p := tensor.Zeros(1).SetRequiresGrad(true)
		o, err := NewSGD([]*tensor.Tensor{p}, SGDConfig{LR: lr0, Momentum: momentum})
		if err != nil {
			t.Fatal(err)
		}
		return o, p
	}
}

// stepOnes takes an optimizer step with a gradient of 1 for p.
func stepOnes(opt Optimizer, p *tensor.Tensor) {
	p.SetGrad(tensor.OnesLike(p))
	opt.Step()
	opt.ZeroGrad()
}

// checkParam compares p with PyTorch's value after the same steps.
func checkParam(t *testing.T, e int, p *tensor.Tensor, want float64) {
	t.Helper()
	if got := float64(p.Item()); !(math.Abs(got-want) <= 1e-6*max(1, math.Abs(want))) {
		t.Errorf("epoch %d: parameter %.9g, PyTorch %.9g", e, got, want)
	}
}

// seq makes the schedules of a SequentialLR in order on opt.
func seq(opt Optimizer, milestones []int, makes ...func(Optimizer) (*Scheduler, error)) (*Scheduler, error) {
	var ss []*Scheduler
	for _, m := range makes {
		s, err := m(opt)
		if err != nil {
			return nil, err
		}
		ss = append(ss, s)
	}
	return NewSequentialLR(opt, ss, milestones)
}

// TestSchedulesMatchPyTorch steps each schedule through the epochs of its
// PyTorch reference, past the schedule's end, and compares the optimizer's
// learning rate (and momentum) at the start of each epoch; then jumps back
// to each epoch with SetEpoch, as a resumed run does, and compares again.
// OneCycleLR must panic at the step PyTorch raised at.
func TestSchedulesMatchPyTorch(t *testing.T) {
	refs := loadScheduleRefs(t)
	oneCycle := func(c OneCycleConfig, edit func(*OneCycleConfig)) func(Optimizer) (*Scheduler, error) {
		edit(&c)
		return func(o Optimizer) (*Scheduler, error) { return NewOneCycleLR(o, c) }
	}
	noMomentum := func(c *OneCycleConfig) { c.CycleMomentum = false }
	cases := map[string]struct {
		opt   func(*testing.T) (Optimizer, *tensor.Tensor)
		sched func(Optimizer) (*Scheduler, error)
	}{
		"StepLR(step_size=3, gamma=0.9)": {testSGD(0), func(o Optimizer) (*Scheduler, error) { return NewStepLR(o, 3, 0.9) }},
		"MultiStepLR(milestones=[5, 2, 9, 5], gamma=0.3)": {testSGD(0),
			func(o Optimizer) (*Scheduler, error) { return NewMultiStepLR(o, []int{5, 2, 9, 5}, 0.3) }},
		"MultiStepLR(milestones=[0, 3], gamma=0.5)": {testSGD(0),
			func(o Optimizer) (*Scheduler, error) { return NewMultiStepLR(o, []int{0, 3}, 0.5) }},
		"ExponentialLR(gamma=0.9)": {testSGD(0), func(o Optimizer) (*Scheduler, error) { return NewExponentialLR(o, 0.9) }},
		"LinearLR(start_factor=0.1, end_factor=1.0, total_iters=5)": {testSGD(0),
			func(o Optimizer) (*Scheduler, error) { return NewLinearLR(o, 0.1, 1, 5) }},
		"LinearLR(start_factor=1/3, end_factor=1.0, total_iters=5)": {testSGD(0),
			func(o Optimizer) (*Scheduler, error) { return NewLinearLR(o, 1.0/3, 1, 5) }},
		"LinearLR(start_factor=1.0, end_factor=0.25, total_iters=4)": {testSGD(0),
			func(o Optimizer) (*Scheduler, error) { return NewLinearLR(o, 1, 0.25, 4) }},
		"CosineAnnealingLR(T_max=7, eta_min=0.01)": {testSGD(0),
			func(o Optimizer) (*Scheduler, error) { return NewCosineAnnealingLR(o, 7, 0.01) }},
		"OneCycleLR(max_lr=0.1, total_steps=20) SGD(momentum=0.9)": {testSGD(0.9),
			oneCycle(DefaultOneCycle(0.1, 20), func(*OneCycleConfig) {})},
		"OneCycleLR(max_lr=0.1, total_steps=20) SGD(momentum=0)": {testSGD(0),
			oneCycle(DefaultOneCycle(0.1, 20), func(*OneCycleConfig) {})},
		"OneCycleLR(max_lr=0.1, total_steps=17, pct_start=0.25, anneal_strategy='linear', div_factor=10, final_div_factor=100, three_phase=True, base_momentum=0.8, max_momentum=0.9) Adam": {
			testAdam, oneCycle(DefaultOneCycle(0.1, 17), func(c *OneCycleConfig) {
				c.PctStart, c.Anneal, c.DivFactor, c.FinalDivFactor, c.ThreePhase = 0.25, "linear", 10, 100, true
				c.BaseMomentum, c.MaxMomentum = 0.8, 0.9
			})},
		"OneCycleLR(max_lr=0.1, epochs=3, steps_per_epoch=4, pct_start=0.5, cycle_momentum=False)": {testSGD(0),
			oneCycle(DefaultOneCycle(0.1, 3*4), func(c *OneCycleConfig) { noMomentum(c); c.PctStart = 0.5 })},
		"OneCycleLR(max_lr=0.1, total_steps=10, pct_start=1.0, cycle_momentum=False)": {testSGD(0),
			oneCycle(DefaultOneCycle(0.1, 10), func(c *OneCycleConfig) { noMomentum(c); c.PctStart = 1 })},
		"SequentialLR([LinearLR(0.1, 1.0, 5), CosineAnnealingLR(T_max=10, eta_min=0.001)], milestones=[5])": {testSGD(0),
			func(o Optimizer) (*Scheduler, error) {
				return seq(o, []int{5},
					func(o Optimizer) (*Scheduler, error) { return NewLinearLR(o, 0.1, 1, 5) },
					func(o Optimizer) (*Scheduler, error) { return NewCosineAnnealingLR(o, 10, 0.001) })
			}},
		"SequentialLR([ExponentialLR(0.9), StepLR(2, 0.5), MultiStepLR([1, 3], 0.1)], milestones=[3, 7])": {testSGD(0),
			func(o Optimizer) (*Scheduler, error) {
				return seq(o, []int{3, 7},
					func(o Optimizer) (*Scheduler, error) { return NewExponentialLR(o, 0.9) },
					func(o Optimizer) (*Scheduler, error) { return NewStepLR(o, 2, 0.5) },
					func(o Optimizer) (*Scheduler, error) { return NewMultiStepLR(o, []int{1, 3}, 0.1) })
			}},
	}
	for name, ref := range refs {
		if strings.HasPrefix(name, "ReduceLROnPlateau") {
			continue // TestPlateauMatchesPyTorch
		}
		tc, ok := cases[name]
		if !ok {
			t.Errorf("no Go case for PyTorch's %s", name)
			continue
		}
		delete(cases, name)
		t.Run(name, func(t *testing.T) {
			opt, p := tc.opt(t)
			s, err := tc.sched(opt)
			if err != nil {
				t.Fatal(err)
			}
			check := func(how string, e int) {
				t.Helper()
				if got := opt.LR(); !near(got, ref.LR[e]) {
					t.Errorf("%s epoch %d: lr %.9g, PyTorch %.9g", how, e, got, ref.LR[e])
				}
				if ref.Momentum != nil {
					if got := opt.(MomentumOptimizer).Momentum(); !near(got, ref.Momentum[e]) {
						t.Errorf("%s epoch %d: momentum %.9g, PyTorch %.9g", how, e, got, ref.Momentum[e])
					}
				}
				if got := s.LR(e); got != opt.LR() {
					t.Errorf("%s epoch %d: LR(%d) = %v, optimizer has %v", how, e, e, got, opt.LR())
				}
			}
			for e := range ref.LR {
				if e > 0 {
					stepOnes(opt, p)
					s.Step()
				}
				if s.Epoch() != e {
					t.Fatalf("Epoch() = %d, want %d", s.Epoch(), e)
				}
				check("stepped to", e)
				checkParam(t, e, p, ref.Param[e])
			}
			if ref.RaisesAt != 0 {
				if ref.RaisesAt != len(ref.LR) {
					t.Fatalf("reference raises at %d after %d epochs", ref.RaisesAt, len(ref.LR))
				}
				if msg := panicOf(s.Step); !strings.Contains(msg, "OneCycleLR: step "+strconv.Itoa(ref.RaisesAt)) {
					t.Errorf("step to epoch %d: panic %q, want OneCycleLR's, as PyTorch raised", ref.RaisesAt, msg)
				}
			}
			for e := len(ref.LR) - 1; e >= 0; e-- {
				s.SetEpoch(e)
				check("SetEpoch to", e)
			}
		})
	}
	for name := range cases {
		t.Errorf("no PyTorch reference for %s", name)
	}
}

func TestScheduleErrors(t *testing.T) {
	o := newTestSGD(t, 0.1)
	var custom struct{ Optimizer } // no momentum
	custom.Optimizer = o
	other := newTestSGD(t, 0.1)
	step, _ := NewStepLR(o, 2, 0.5)
	stepOther, _ := NewStepLR(other, 2, 0.5)
	cycling, _ := NewOneCycleLR(o, DefaultOneCycle(1, 10))
	oneCycle := func(edit func(*OneCycleConfig)) error {
		c := DefaultOneCycle(0.1, 10)
		edit(&c)
		return second(NewOneCycleLR(o, c))
	}
	plateau := func(edit func(*PlateauConfig)) error {
		c := DefaultPlateau()
		edit(&c)
		return second(NewReduceLROnPlateau(o, c))
	}
	for _, tc := range []struct {
		err  error
		want string
	}{
		{second(NewStepLR(o, 0, 0.5)), "StepLR: step size 0, want ≥ 1"},
		{second(NewStepLR(o, 2, -0.5)), "StepLR: gamma -0.5, want ≥ 0"},
		{second(NewCosineAnnealingLR(o, 0, 0)), "tMax 0, want ≥ 1"},
		{second(NewCosineAnnealingLR(o, 10, -1)), "etaMin -1, want ≥ 0"},
		{second(NewExponentialLR(o, math.NaN())), "ExponentialLR: gamma NaN, want ≥ 0"},
		{second(NewMultiStepLR(o, []int{3, -1}, 0.1)), "MultiStepLR: milestone -1, want epochs ≥ 0"},
		{second(NewMultiStepLR(o, []int{3}, -0.1)), "MultiStepLR: gamma -0.1, want ≥ 0"},
		{second(NewLinearLR(o, 0, 1, 5)), "LinearLR: start factor 0, want in (0, 1]"},
		{second(NewLinearLR(o, 1.5, 1, 5)), "LinearLR: start factor 1.5, want in (0, 1]"},
		{second(NewLinearLR(o, 0.1, 1.01, 5)), "LinearLR: end factor 1.01, want in [0, 1]"},
		{second(NewLinearLR(o, 0.1, -1, 5)), "LinearLR: end factor -1, want in [0, 1]"},
		{second(NewLinearLR(o, 0.1, 1, 0)), "LinearLR: total iterations 0, want ≥ 1"},
		{second(NewSequentialLR(o, nil, nil)), "SequentialLR: no schedules"},
		{second(NewSequentialLR(o, []*Scheduler{step, step}, nil)), "SequentialLR: 0 milestones for 2 schedules, want one fewer"},
		{second(NewSequentialLR(o, []*Scheduler{step, nil}, []int{3})), "SequentialLR: schedule 1 is nil"},
		{second(NewSequentialLR(o, []*Scheduler{step, stepOther}, []int{3})), "SequentialLR: schedule 1 belongs to another optimizer"},
		{second(NewSequentialLR(o, []*Scheduler{step, cycling}, []int{3})), "SequentialLR: schedule 1 cycles momentum"},
		{second(NewSequentialLR(o, []*Scheduler{step, step, step}, []int{3, 3})), "SequentialLR: milestones [3 3], want epochs ≥ 1 in increasing order"},
		{second(NewSequentialLR(o, []*Scheduler{step, step}, []int{0})), "SequentialLR: milestones [0], want epochs ≥ 1"},
		{oneCycle(func(c *OneCycleConfig) { c.MaxLR = 0 }), "OneCycleLR: max learning rate 0, want a finite number > 0"},
		{oneCycle(func(c *OneCycleConfig) { c.TotalSteps = 0 }), "OneCycleLR: total steps 0, want ≥ 1"},
		{oneCycle(func(c *OneCycleConfig) { c.PctStart = 1.2 }), "OneCycleLR: pct_start 1.2, want in [0, 1]"},
		{oneCycle(func(c *OneCycleConfig) { c.PctStart = 0.1 }), "pct_start 0.1 of 10 steps is a warmup of 1 step"},
		{oneCycle(func(c *OneCycleConfig) { c.Anneal = "" }), `OneCycleLR: anneal "", want "cos" or "linear"`},
		{oneCycle(func(c *OneCycleConfig) { c.DivFactor = 0 }), "OneCycleLR: div factor 0, want a finite number > 0"},
		{oneCycle(func(c *OneCycleConfig) { c.FinalDivFactor = math.Inf(1) }), "OneCycleLR: final div factor +Inf, want a finite number > 0"},
		{oneCycle(func(c *OneCycleConfig) { c.MaxMomentum = 1 }), "OneCycleLR: momentum from 0.85 to 1, want each in [0, 1)"},
		{second(NewOneCycleLR(custom, DefaultOneCycle(0.1, 10))), "OneCycleLR: optimizer struct { optim.Optimizer } has no momentum to cycle"},
		{plateau(func(c *PlateauConfig) { c.Mode = "minimum" }), `ReduceLROnPlateau: mode "minimum", want "min" or "max"`},
		{plateau(func(c *PlateauConfig) { c.ThresholdMode = "" }), `ReduceLROnPlateau: threshold mode "", want "rel" or "abs"`},
		{plateau(func(c *PlateauConfig) { c.Factor = 1 }), "ReduceLROnPlateau: factor 1, want in [0, 1)"},
		{plateau(func(c *PlateauConfig) { c.Patience = -1 }), "ReduceLROnPlateau: patience -1, want ≥ 0"},
		{plateau(func(c *PlateauConfig) { c.Threshold = -1e-4 }), "ReduceLROnPlateau: threshold -0.0001, want a finite number ≥ 0"},
		{plateau(func(c *PlateauConfig) { c.Cooldown = -2 }), "ReduceLROnPlateau: cooldown -2, want ≥ 0"},
		{plateau(func(c *PlateauConfig) { c.MinLR = -1 }), "ReduceLROnPlateau: minimum learning rate -1, want ≥ 0"},
		{plateau(func(c *PlateauConfig) { c.Eps = math.NaN() }), "ReduceLROnPlateau: eps NaN, want ≥ 0"},
	} {
		if tc.err == nil || !strings.Contains(tc.err.Error(), tc.want) {
			t.Errorf("got error %v, want one containing %q", tc.err, tc.want)
		}
	}
	// A failed constructor leaves the optimizer as it was; a OneCycleLR
	// that was made has set its own rate and momentum.
	if o.LR() != 0.04 || o.Momentum() != 0.95 {
		t.Errorf("optimizer left at lr %v, momentum %v; want the OneCycleLR's 1/25 and 0.95", o.LR(), o.Momentum())
	}
}

// TestScheduleDefaults: the Default configurations are PyTorch's defaults.
func TestScheduleDefaults(t *testing.T) {
	c := DefaultOneCycle(0.5, 100)
	want := OneCycleConfig{MaxLR: 0.5, TotalSteps: 100, PctStart: 0.3, Anneal: "cos", CycleMomentum: true,
		BaseMomentum: 0.85, MaxMomentum: 0.95, DivFactor: 25, FinalDivFactor: 1e4}
	if c != want {
		t.Errorf("DefaultOneCycle = %+v, want %+v", c, want)
	}
	p := DefaultPlateau()
	wantP := PlateauConfig{Mode: "min", Factor: 0.1, Patience: 10, Threshold: 1e-4, ThresholdMode: "rel", Eps: 1e-8}
	if p != wantP {
		t.Errorf("DefaultPlateau = %+v, want %+v", p, wantP)
	}
}

// plateauConfigs are the Go configurations of the ReduceLROnPlateau cases
// of the references.
var plateauConfigs = map[string]func(*PlateauConfig){
	"ReduceLROnPlateau(mode='min', factor=0.5, patience=2, cooldown=1, min_lr=0.01)": func(c *PlateauConfig) {
		c.Factor, c.Patience, c.Cooldown, c.MinLR = 0.5, 2, 1, 0.01
	},
	"ReduceLROnPlateau(mode='max', factor=0.1, patience=1, threshold=0.001, threshold_mode='abs', eps=0.005)": func(c *PlateauConfig) {
		c.Mode, c.Factor, c.Patience, c.Threshold, c.ThresholdMode, c.Eps = "max", 0.1, 1, 0.001, "abs", 0.005
	},
	"ReduceLROnPlateau(mode='min', factor=0.3, patience=0, threshold_mode='abs', threshold=0.05)": func(c *PlateauConfig) {
		c.Factor, c.Patience, c.Threshold, c.ThresholdMode = 0.3, 0, 0.05, "abs"
	},
}

func newPlateau(t *testing.T, edit func(*PlateauConfig)) (*SGD, *ReduceLROnPlateau) {
	t.Helper()
	o := newTestSGD(t, lr0)
	c := DefaultPlateau()
	edit(&c)
	s, err := NewReduceLROnPlateau(o, c)
	if err != nil {
		t.Fatal(err)
	}
	return o, s
}

func metrics(t *testing.T, ref scheduleRef) []float64 {
	t.Helper()
	ms := make([]float64, len(ref.Metrics))
	for i, m := range ref.Metrics {
		v, err := strconv.ParseFloat(m, 64)
		if err != nil {
			t.Fatal(err)
		}
		ms[i] = v
	}
	if len(ms) != len(ref.LR)-1 {
		t.Fatalf("%s: %d metrics for %d epochs", ref.Name, len(ms), len(ref.LR))
	}
	return ms
}

// TestPlateauMatchesPyTorch feeds each ReduceLROnPlateau the metrics of its
// PyTorch reference (falls, stalls, improvements below the threshold,
// NaNs) and compares the learning rate after each epoch. From halfway on, a
// second schedule is resumed each epoch from the first's State, passed
// through an optimizer file's metadata, and must take the next step as the
// first does.
func TestPlateauMatchesPyTorch(t *testing.T) {
	refs := loadScheduleRefs(t)
	n := 0
	for name, ref := range refs {
		if !strings.HasPrefix(name, "ReduceLROnPlateau") {
			continue
		}
		n++
		edit, ok := plateauConfigs[name]
		if !ok {
			t.Errorf("no Go case for PyTorch's %s", name)
			continue
		}
		t.Run(name, func(t *testing.T) {
			ms := metrics(t, ref)
			o, s := newPlateau(t, edit)
			// The rate is kept in float64 from the optimizer's float32.
			if got, want := s.State()["scheduler.lr"], "0.10000000149011612"; got != want {
				t.Errorf("initial state's lr %s, want %s", got, want)
			}
			half := len(ms) / 2
			var o2 *SGD
			var s2 *ReduceLROnPlateau
			for e, want := range ref.LR {
				if e > 0 {
					stepOnes(o, o.params[0])
					s.Step(ms[e-1])
					if s2 != nil {
						s2.Step(ms[e-1])
					}
				}
				if s.Epoch() != e {
					t.Fatalf("Epoch() = %d, want %d", s.Epoch(), e)
				}
				if got := o.LR(); !near(got, want) {
					t.Errorf("epoch %d: lr %.9g, PyTorch %.9g", e, got, want)
				}
				checkParam(t, e, o.params[0], ref.Param[e])
				if s2 != nil && (o2.LR() != o.LR() || !maps.Equal(s2.State(), s.State())) {
					t.Errorf("epoch %d: resumed schedule at lr %v, state %v; want %v, %v", e, o2.LR(), s2.State(), o.LR(), s.State())
				}
				if e >= half {
					o2, s2 = resumePlateau(t, o, s, edit)
				}
			}
		})
	}
	if n != len(plateauConfigs) {
		t.Errorf("%d ReduceLROnPlateau references, want %d", n, len(plateauConfigs))
	}
}

// resumePlateau saves o with s's state as metadata, and loads both into a
// new optimizer and schedule.
func resumePlateau(t *testing.T, o *SGD, s *ReduceLROnPlateau, edit func(*PlateauConfig)) (*SGD, *ReduceLROnPlateau) {
	t.Helper()
	path := t.TempDir() + "/opt.safetensors"
	if err := Save(path, o, s.State()); err != nil {
		t.Fatal(err)
	}
	o2, s2 := newPlateau(t, edit)
	if err := Load(path, o2); err != nil {
		t.Fatal(err)
	}
	meta, err := nn.ReadMeta(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s2.LoadState(meta); err != nil {
		t.Fatal(err)
	}
	return o2, s2
}

// TestPlateauReducesOptimizerRate: a rate set on the optimizer by someone
// else since the schedule's last reduction is the one reduced next, as
// PyTorch reduces param_groups' lr.
func TestPlateauReducesOptimizerRate(t *testing.T) {
	o, s := newPlateau(t, func(c *PlateauConfig) { c.Patience = 0 })
	s.Step(1)
	s.Step(1) // reduced to 0.01
	o.SetLR(0.5)
	s.Step(1)
	if got := o.LR(); got != 0.05 {
		t.Errorf("lr %v, want 0.05 (0.5·0.1)", got)
	}
}

func TestPlateauLoadStateErrors(t *testing.T) {
	_, s := newPlateau(t, func(*PlateauConfig) {})
	for _, v := range []float64{2, 1.5, 1.5, 1.5} {
		s.Step(v)
	}
	good := s.State()
	for _, tc := range []struct {
		key, value string // value "" deletes the key
		want       string
	}{
		{"scheduler", "", `state of scheduler "", want "reduce_lr_on_plateau"`},
		{"scheduler.mode", "max", `mode "max", want "min" as this schedule's`},
		{"scheduler.num_bad_epochs", "-1", `scheduler.num_bad_epochs = "-1", want a count ≥ 0`},
		{"scheduler.cooldown_counter", "x", `scheduler.cooldown_counter = "x", want a count ≥ 0`},
		{"scheduler.last_epoch", "", `scheduler.last_epoch = "", want a count ≥ 0`},
		{"scheduler.best", "NaN", `scheduler.best = "NaN", want a number (or +Inf before any epoch)`},
		{"scheduler.best", "-Inf", `scheduler.best = "-Inf", want a number`},
		{"scheduler.lr", "Inf", `scheduler.lr = "Inf", want a finite number ≥ 0`},
	} {
		meta := map[string]string{}
		for k, v := range good {
			meta[k] = v
		}
		if tc.value == "" {
			delete(meta, tc.key)
		} else {
			meta[tc.key] = tc.value
		}
		err := s.LoadState(meta)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s=%q: error %v, want one containing %q", tc.key, tc.value, err, tc.want)
		}
		if got := s.State(); !maps.Equal(got, good) {
			t.Errorf("%s=%q: a failed LoadState changed the state to %v", tc.key, tc.value, got)
		}
	}
	// Before any epoch, best is the mode's worst value, which loads back.
	_, fresh := newPlateau(t, func(*PlateauConfig) {})
	if err := s.LoadState(fresh.State()); err != nil || !math.IsInf(s.Best(), 1) || s.Epoch() != 0 {
		t.Errorf("loading a fresh state: error %v, best %v, epoch %d; want none, +Inf, 0", err, s.Best(), s.Epoch())
	}
}
