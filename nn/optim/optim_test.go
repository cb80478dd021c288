package optim

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tensorgl/tensorgl/device/cpu"
	"github.com/tensorgl/tensorgl/nn"
	"github.com/tensorgl/tensorgl/tensor"
)

// shapes of the parameters the step tests train; the second has no
// gradient on the first step, so its state starts a step later.
var shapes = [][]int{{3, 4}, {5}}

func newParams(rng *rand.Rand) ([]*tensor.Tensor, [][]float64) {
	var ps []*tensor.Tensor
	var ref [][]float64
	for _, s := range shapes {
		n := 1
		for _, d := range s {
			n *= d
		}
		v32 := make([]float32, n)
		v64 := make([]float64, n)
		for i := range v32 {
			v32[i] = float32(rng.NormFloat64())
			v64[i] = float64(v32[i])
		}
		p := tensor.FromSlice(v32, s...).SetRequiresGrad(true)
		tensor.Persist(p)
		ps = append(ps, p)
		ref = append(ref, v64)
	}
	return ps, ref
}

// grads returns the gradients of step k: nil for parameter 1 on step 0.
func grads(rng *rand.Rand, ref [][]float64, k int) [][]float32 {
	gs := make([][]float32, len(ref))
	for i, r := range ref {
		if i == 1 && k == 0 {
			continue
		}
		gs[i] = make([]float32, len(r))
		for j := range gs[i] {
			gs[i][j] = float32(rng.NormFloat64())
		}
	}
	return gs
}

// refUpdate applies one step of a float64 reference optimizer to
// parameter i.
type refUpdate func(i int, p []float64, g []float32)

// refSGD is torch.optim.SGD written out in float64.
func refSGD(c SGDConfig) refUpdate {
	bufs := map[int][]float64{}
	mom, damp, wd, lr := float64(c.Momentum), float64(c.Dampening), float64(c.WeightDecay), float64(c.LR)
	return func(i int, p []float64, g32 []float32) {
		buf, seen := bufs[i]
		if !seen {
			buf = make([]float64, len(p))
			bufs[i] = buf
		}
		for j := range p {
			d := float64(g32[j]) + wd*p[j]
			if mom != 0 {
				if seen {
					buf[j] = mom*buf[j] + (1-damp)*d
				} else {
					buf[j] = d
				}
				if c.Nesterov {
					d += mom * buf[j]
				} else {
					d = buf[j]
				}
			}
			p[j] -= lr * d
		}
	}
}

// refAdam is torch.optim.Adam (or AdamW when decoupled) in float64.
func refAdam(c AdamConfig, decoupled bool) refUpdate {
	type st struct {
		m, v []float64
		t    int
	}
	state := map[int]*st{}
	b1, b2, eps, wd, lr := float64(c.Beta1), float64(c.Beta2), float64(c.Eps), float64(c.WeightDecay), float64(c.LR)
	return func(i int, p []float64, g32 []float32) {
		s := state[i]
		if s == nil {
			s = &st{m: make([]float64, len(p)), v: make([]float64, len(p))}
			state[i] = s
		}
		s.t++
		for j := range p {
			g := float64(g32[j])
			if decoupled {
				p[j] *= 1 - lr*wd
			} else {
				g += wd * p[j]
			}
			s.m[j] = b1*s.m[j] + (1-b1)*g
			s.v[j] = b2*s.v[j] + (1-b2)*g*g
			mhat := s.m[j] / (1 - math.Pow(b1, float64(s.t)))
			vhat := s.v[j] / (1 - math.Pow(b2, float64(s.t)))
			p[j] -= lr * mhat / (math.Sqrt(vhat) + eps)
		}
	}
}

// step sets the gradients gs (nil: none), runs opt.Step inside Tidy, as a
// training loop does, and clears the gradients.
func step(opt Optimizer, ps []*tensor.Tensor, gs [][]float32) {
	tensor.Tidy(func(s *tensor.Scope) {
		for i, p := range ps {
			if gs[i] != nil {
				p.SetGrad(s.FromSlice(gs[i], p.Shape()...))
			}
		}
		opt.Step()
		opt.ZeroGrad()
	})
}

// checkClose compares parameters with the float64 reference; float32
// rounding over a few steps stays well within 2e-6 of values of order 1.
func checkClose(t *testing.T, when string, ps []*tensor.Tensor, ref [][]float64) {
	t.Helper()
	for i, p := range ps {
		for j, v := range p.Data() {
			if d := math.Abs(float64(v) - ref[i][j]); d > 2e-6*max(1, math.Abs(ref[i][j])) {
				t.Fatalf("%s: parameter %d[%d] = %.8g, reference %.8g (diff %.2g)", when, i, j, v, ref[i][j], d)
			}
		}
	}
}

// runAgainst trains for steps steps and compares with the reference after
// each one.
func runAgainst(t *testing.T, make func([]*tensor.Tensor) (Optimizer, error), upd refUpdate, steps int) {
	t.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	ps, ref := newParams(rng)
	defer release(ps)
	opt, err := make(ps)
	if err != nil {
		t.Fatal(err)
	}
	for k := range steps {
		gs := grads(rng, ref, k)
		step(opt, ps, gs)
		for i := range ref {
			if gs[i] != nil {
				upd(i, ref[i], gs[i])
			}
		}
		checkClose(t, fmt.Sprintf("step %d", k), ps, ref)
	}
}

func TestSGD(t *testing.T) {
	for _, c := range []SGDConfig{
		{LR: 0.1},
		{LR: 0.1, WeightDecay: 0.05},
		{LR: 0.05, Momentum: 0.9},
		{LR: 0.05, Momentum: 0.9, Dampening: 0.3},
		{LR: 0.05, Momentum: 0.8, Nesterov: true},
		{LR: 0.05, Momentum: 0.9, Dampening: 0.1, WeightDecay: 0.01},
		{LR: 0.05, Momentum: 0.9, Nesterov: true, WeightDecay: 0.01},
	} {
		t.Run(fmt.Sprintf("%+v", c), func(t *testing.T) {
			runAgainst(t, func(ps []*tensor.Tensor) (Optimizer, error) { return NewSGD(ps, c) }, refSGD(c), 5)
		})
	}
}

func TestAdam(t *testing.T) {
	slow := DefaultAdam()
	slow.Beta1, slow.Beta2, slow.LR = 0.5, 0.6, 0.02
	wd := DefaultAdam()
	wd.WeightDecay, wd.LR = 0.1, 0.01
	for _, tc := range []struct {
		c         AdamConfig
		decoupled bool
	}{
		{DefaultAdam(), false},
		{slow, false}, // small betas: bias correction far from 1 would show
		{wd, false},
		{wd, true},
		{slow, true},
	} {
		t.Run(fmt.Sprintf("%+v,decoupled=%v", tc.c, tc.decoupled), func(t *testing.T) {
			mk := NewAdam
			if tc.decoupled {
				mk = NewAdamW
			}
			runAgainst(t, func(ps []*tensor.Tensor) (Optimizer, error) { return mk(ps, tc.c) }, refAdam(tc.c, tc.decoupled), 5)
		})
	}
}

// TestMatchesPyTorch compares three steps with numbers printed by
// PyTorch 1.13 for p = [0.5, -1, 2, 0.25] and gradients
// [0.1(k+1), -0.2, 0.3(-1)ᵏ, 0.05k] at step k.
func TestMatchesPyTorch(t *testing.T) {
	adamw := DefaultAdam()
	adamw.LR, adamw.WeightDecay = 0.01, 0.1
	for _, tc := range []struct {
		name string
		make func([]*tensor.Tensor) (Optimizer, error)
		want []float64
	}{
		{"SGD(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01)",
			func(ps []*tensor.Tensor) (Optimizer, error) {
				return NewSGD(ps, SGDConfig{LR: 0.1, Momentum: 0.9, Nesterov: true, WeightDecay: 0.01})
			},
			[]float64{0.3505675494670868, -0.8312628865242004, 1.9052602052688599, 0.21545927226543427}},
		{"SGD(lr=0.1, momentum=0.9, dampening=0.3, weight_decay=0.01)",
			func(ps []*tensor.Tensor) (Optimizer, error) {
				return NewSGD(ps, SGDConfig{LR: 0.1, Momentum: 0.9, Dampening: 0.3, WeightDecay: 0.01})
			},
			[]float64{0.42296794056892395, -0.9005261063575745, 1.9281914234161377, 0.2351682335138321}},
		{"Adam(lr=0.01, weight_decay=0.1)",
			func(ps []*tensor.Tensor) (Optimizer, error) { return NewAdam(ps, adamw) },
			[]float64{0.4703945815563202, -0.9700032472610474, 1.977624535560608, 0.22160494327545166}},
		{"AdamW(lr=0.01, weight_decay=0.1)",
			func(ps []*tensor.Tensor) (Optimizer, error) { return NewAdamW(ps, adamw) },
			[]float64{0.4692993462085724, -0.9670330882072449, 1.981194019317627, 0.23353110253810883}},
	} {
		p := tensor.FromSlice([]float32{0.5, -1, 2, 0.25}).SetRequiresGrad(true)
		opt, err := tc.make([]*tensor.Tensor{p})
		if err != nil {
			t.Fatal(err)
		}
		for k := range 3 {
			g := []float32{0.1 * float32(k+1), -0.2, 0.3 * float32(1-2*(k%2)), 0.05 * float32(k)}
			step(opt, []*tensor.Tensor{p}, [][]float32{g})
		}
		for j, v := range p.Data() {
			if !(math.Abs(float64(v)-tc.want[j]) <= 1e-6) {
				t.Errorf("%s: p[%d] = %.9g, PyTorch %.9g", tc.name, j, v, tc.want[j])
			}
		}
	}
}

func TestConfigErrors(t *testing.T) {
	p := tensor.Zeros(2).SetRequiresGrad(true)
	ps := []*tensor.Tensor{p}
	for _, tc := range []struct {
		err  error
		want string
	}{
		{second(NewSGD(nil, SGDConfig{LR: 1})), "empty parameter list"},
		{second(NewSGD([]*tensor.Tensor{tensor.Zeros(2)}, SGDConfig{LR: 1})), "parameter 0 [2] is not a leaf that requires gradients"},
		{second(NewSGD([]*tensor.Tensor{p, tensor.Zeros(1).SetRequiresGrad(true), p}, SGDConfig{LR: 1})), "parameter 2 [2] is parameter 0 again"},
		{second(NewSGD(ps, SGDConfig{LR: -1})), "learning rate -1"},
		{second(NewSGD(ps, SGDConfig{LR: float32(math.NaN())})), "learning rate NaN"},
		{second(NewSGD(ps, SGDConfig{LR: 1, Momentum: -0.5})), "momentum -0.5"},
		{second(NewSGD(ps, SGDConfig{LR: 1, WeightDecay: -1})), "weight decay -1"},
		{second(NewSGD(ps, SGDConfig{LR: 1, Nesterov: true})), "Nesterov momentum needs momentum > 0"},
		{second(NewSGD(ps, SGDConfig{LR: 1, Momentum: 0.9, Dampening: 0.1, Nesterov: true})), "zero dampening"},
		{second(NewAdam(ps, AdamConfig{LR: 1, Beta1: 1, Beta2: 0.9})), "betas (1, 0.9)"},
		{second(NewAdamW(ps, AdamConfig{LR: 1, Beta1: 0.9, Beta2: -0.1})), "adamw: betas (0.9, -0.1)"},
		{second(NewAdam(ps, AdamConfig{LR: 1, Eps: -1})), "eps -1"},
		{second(NewAdam(ps, AdamConfig{LR: 1, WeightDecay: -1})), "weight decay -1"},
	} {
		if tc.err == nil || !strings.Contains(tc.err.Error(), tc.want) {
			t.Errorf("got error %v, want one containing %q", tc.err, tc.want)
		}
	}
}

func second[T any](_ T, err error) error { return err }

// TestResume checks that an optimizer restored from a saved state continues
// exactly as the original: two runs, one interrupted after two steps and
// resumed from a file by a fresh optimizer over copies of the parameters.
func TestResume(t *testing.T) {
	for _, tc := range []struct {
		name string
		make func([]*tensor.Tensor) (Optimizer, error)
	}{
		{"sgd", func(ps []*tensor.Tensor) (Optimizer, error) {
			return NewSGD(ps, SGDConfig{LR: 0.1, Momentum: 0.9, Nesterov: true})
		}},
		{"adamw", func(ps []*tensor.Tensor) (Optimizer, error) {
			c := DefaultAdam()
			c.WeightDecay = 0.1
			return NewAdamW(ps, c)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(3, 4))
			ps, ref := newParams(rng)
			opt, _ := tc.make(ps)
			var gs [][][]float32
			for k := range 4 {
				gs = append(gs, grads(rng, ref, k))
			}
			step(opt, ps, gs[0])
			opt.SetLR(opt.LR() / 2) // as a schedule would
			step(opt, ps, gs[1])
			path := filepath.Join(t.TempDir(), "opt.safetensors")
			if err := Save(path, opt, nil); err != nil {
				t.Fatal(err)
			}
			ps2 := make([]*tensor.Tensor, len(ps))
			for i, p := range ps {
				ps2[i] = p.Detach().Clone().SetRequiresGrad(true)
			}
			opt2, _ := tc.make(ps2)
			if err := Load(path, opt2); err != nil {
				t.Fatal(err)
			}
			if opt2.LR() != opt.LR() {
				t.Errorf("restored learning rate %v, want %v", opt2.LR(), opt.LR())
			}
			for _, g := range gs[2:] {
				step(opt, ps, g)
				step(opt2, ps2, g)
			}
			for i := range ps {
				a, b := ps[i].Data(), ps2[i].Data()
				for j := range a {
					if a[j] != b[j] {
						t.Fatalf("parameter %d[%d]: resumed %v, uninterrupted %v", i, j, b[j], a[j])
					}
				}
			}
		})
	}
}

func TestLoadStateErrors(t *testing.T) {
	mkParams := func(shapes ...[]int) []*tensor.Tensor {
		var ps []*tensor.Tensor
		for _, s := range shapes {
			ps = append(ps, tensor.Zeros(s...).SetRequiresGrad(true))
		}
		return ps
	}
	src := mkParams([]int{2, 3}, []int{4})
	sgd, _ := NewSGD(src, SGDConfig{LR: 0.1, Momentum: 0.9})
	for _, p := range src {
		p.SetGrad(tensor.OnesLike(p))
	}
	sgd.Step()
	adam, _ := NewAdam(src, DefaultAdam())
	adam.Step()

	withMeta := func(s State, k, v string) State {
		m := map[string]string{}
		for a, b := range s.Meta {
			m[a] = b
		}
		m[k] = v
		return State{s.Tensors, m}
	}
	withTensor := func(s State, k string, t *tensor.Tensor) State {
		ts := map[string]*tensor.Tensor{}
		for a, b := range s.Tensors {
			ts[a] = b
		}
		if t == nil {
			delete(ts, k)
		} else {
			ts[k] = t
		}
		return State{ts, s.Meta}
	}
	for _, tc := range []struct {
		into   func() Optimizer
		s      State
		want   string
		wantOK bool
	}{
		{func() Optimizer { o, _ := NewSGD(mkParams([]int{2, 3}, []int{4}), SGDConfig{LR: 1}); return o }, sgd.State(), "", true},
		{func() Optimizer { o, _ := NewAdam(mkParams([]int{2, 3}, []int{4}), DefaultAdam()); return o }, sgd.State(), `state of optimizer "sgd", want "adam"`, false},
		{func() Optimizer { o, _ := NewAdamW(mkParams([]int{2, 3}, []int{4}), DefaultAdam()); return o }, adam.State(), `state of optimizer "adam", want "adamw"`, false},
		{func() Optimizer { o, _ := NewSGD(mkParams([]int{2, 3}), SGDConfig{LR: 1}); return o }, sgd.State(), "sgd state for 2 parameters, optimizer has 1", false},
		{func() Optimizer { o, _ := NewSGD(mkParams([]int{3, 2}, []int{4}), SGDConfig{LR: 1}); return o }, sgd.State(), "state tensor state.0.momentum_buffer is float32 [2 3], want float32 [3 2] like parameter 0", false},
		{func() Optimizer { o, _ := NewSGD(mkParams([]int{2, 3}, []int{4}), SGDConfig{LR: 1}); return o }, withMeta(sgd.State(), "lr", "fast"), `learning rate "fast"`, false},
		{func() Optimizer { o, _ := NewSGD(mkParams([]int{2, 3}, []int{4}), SGDConfig{LR: 1}); return o }, withMeta(sgd.State(), "lr", "Inf"), `learning rate "Inf", want a finite number ≥ 0`, false},
		{func() Optimizer { o, _ := NewSGD(mkParams([]int{2, 3}, []int{4}), SGDConfig{LR: 1}); return o }, withMeta(sgd.State(), "lr", "1e39"), `learning rate "1e39", want a finite number ≥ 0`, false},
		{func() Optimizer { o, _ := NewSGD(mkParams([]int{2, 3}, []int{4}), SGDConfig{LR: 1}); return o }, withTensor(sgd.State(), "state.1.exp_avg", tensor.Zeros(4)), `unexpected tensor "state.1.exp_avg"`, false},
		{func() Optimizer { o, _ := NewSGD(mkParams([]int{2, 3}, []int{4}), SGDConfig{LR: 1}); return o }, withTensor(sgd.State(), "state.2.momentum_buffer", tensor.Zeros(4)), `unexpected tensor "state.2.momentum_buffer"`, false},
		{func() Optimizer { o, _ := NewAdam(mkParams([]int{2, 3}, []int{4}), DefaultAdam()); return o }, withTensor(adam.State(), "state.1.exp_avg_sq", nil), "parameter 1 has an incomplete state", false},
		{func() Optimizer { o, _ := NewAdam(mkParams([]int{2, 3}, []int{4}), DefaultAdam()); return o }, withMeta(adam.State(), "state.0.step", "0"), `state.0.step = "0", want a step count ≥ 1`, false},
	} {
		err := tc.into().LoadState(tc.s)
		if tc.wantOK {
			if err != nil {
				t.Errorf("LoadState: %v", err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("LoadState: got %v, want an error containing %q", err, tc.want)
		}
	}
}

func TestLoadFileErrors(t *testing.T) {
	p := tensor.Zeros(3).SetRequiresGrad(true)
	sgd, _ := NewSGD([]*tensor.Tensor{p}, SGDConfig{LR: 0.1, Momentum: 0.5})
	adam, _ := NewAdam([]*tensor.Tensor{p}, DefaultAdam())
	dir := t.TempDir()
	path := filepath.Join(dir, "sgd.safetensors")
	if err := Save(path, sgd, map[string]string{"epoch": "3"}); err != nil {
		t.Fatal(err)
	}
	if meta, err := nn.ReadMeta(path); err != nil || meta["epoch"] != "3" || meta["optimizer"] != "sgd" {
		t.Errorf("metadata saved with the state: %v (error %v), want epoch 3 beside the optimizer's own", meta, err)
	}
	if err := Save(filepath.Join(dir, "clash.safetensors"), sgd, map[string]string{"lr": "1"}); err == nil || !strings.Contains(err.Error(), `metadata "lr" is the optimizer's own`) {
		t.Errorf("Save with metadata named lr: got %v, want an error naming it", err)
	}
	for _, tc := range []struct {
		path, want string
	}{
		{filepath.Join(dir, "missing.safetensors"), "optim: loading state"},
		{path, path + `: optim: state of optimizer "sgd", want "adam"`},
	} {
		if err := Load(tc.path, adam); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Load(%s): got %v, want an error containing %q", tc.path, err, tc.want)
		}
	}
}

// TestStepPerDevice checks that a step is one kernel per device: a group
// on one device updates all its parameters in one dispatch, and a group
// spread over two devices in one per device, with the values of separate
// optimizers.
func TestStepPerDevice(t *testing.T) {
	other := cpu.New()
	defer other.Close()
	mk := []struct {
		name string
		new  func([]*tensor.Tensor) (Optimizer, error)
	}{
		{"sgd", func(ps []*tensor.Tensor) (Optimizer, error) { return NewSGD(ps, SGDConfig{LR: 0.1, Momentum: 0.9}) }},
		{"adam", func(ps []*tensor.Tensor) (Optimizer, error) { return NewAdam(ps, DefaultAdam()) }},
	}
	for _, c := range mk {
		t.Run(c.name, func(t *testing.T) {
			def := tensor.DefaultDevice()
			var mixed, here, there []*tensor.Tensor
			for i, n := range []int{3, 1, 5, 2, 7} {
				v := make([]float32, n)
				for j := range v {
					v[j] = float32(i + j)
				}
				p, q := tensor.FromSlice(v, n), tensor.FromSlice(v, n)
				if i%2 == 1 {
					p, q = p.To(other), q.To(other)
					there = append(there, q.SetRequiresGrad(true))
				} else {
					here = append(here, q.SetRequiresGrad(true))
				}
				mixed = append(mixed, p.SetRequiresGrad(true))
			}
			optMixed, err := c.new(mixed)
			if err != nil {
				t.Fatal(err)
			}
			optHere, _ := c.new(here)
			optThere, _ := c.new(there)
			grads := func(ps []*tensor.Tensor) {
				for _, p := range ps {
					p.SetGrad(tensor.OnesLike(p).MulScalar(0.5))
				}
			}
			for k := range 3 {
				grads(mixed)
				grads(here)
				grads(there)
				if err := errors.Join(def.Sync(), other.Sync()); err != nil {
					t.Fatal(err)
				}
				d0, o0 := def.Stats().Dispatches, other.Stats().Dispatches
				optMixed.Step()
				if err := errors.Join(def.Sync(), other.Sync()); err != nil {
					t.Fatal(err)
				}
				if k > 0 { // the first step also zeroes the new state buffers
					if dd, do := def.Stats().Dispatches-d0, other.Stats().Dispatches-o0; dd != 1 || do != 1 {
						t.Errorf("step %d: %d dispatches on the default device, %d on the other, want 1 each", k+1, dd, do)
					}
				}
				optHere.Step()
				optThere.Step()
				for _, o := range []Optimizer{optMixed, optHere, optThere} {
					o.ZeroGrad()
				}
			}
			hi, ti := 0, 0
			for i, p := range mixed {
				want := here
				j := &hi
				if i%2 == 1 {
					want, j = there, &ti
				}
				if got, w := p.Data(), want[*j].Data(); !slices.Equal(got, w) {
					t.Errorf("parameter %d: %v in the mixed group, %v alone", i, got, w)
				}
				*j++
			}
		})
	}
}
