package optim

import (
	"math"
	"strings"
	"testing"

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

// TestSchedules steps each schedule through its epochs and compares the
// optimizer's learning rate with the rate PyTorch 1.13 reported
// (optimizer.param_groups[0]["lr"]) at the start of each epoch.
func TestSchedules(t *testing.T) {
	for _, tc := range []struct {
		name string
		make func(Optimizer) (*Scheduler, error)
		want []float64
	}{
		{"StepLR(step_size=3, gamma=0.5)",
			func(o Optimizer) (*Scheduler, error) { return NewStepLR(o, 3, 0.5) },
			[]float64{0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025, 0.025}},
		{"CosineAnnealingLR(T_max=5, eta_min=0.01)",
			func(o Optimizer) (*Scheduler, error) { return NewCosineAnnealingLR(o, 5, 0.01) },
			[]float64{0.1, 0.09140576474687263, 0.06890576474687263, 0.04109423525312736, 0.018594235253127367,
				0.01, 0.018594235253127367, 0.04109423525312739, 0.06890576474687267, 0.09140576474687269,
				0.10000000000000006, 0.09140576474687272, 0.06890576474687268}},
	} {
		o := newTestSGD(t, 0.1)
		s, err := tc.make(o)
		if err != nil {
			t.Fatal(err)
		}
		for e, want := range tc.want {
			if s.Epoch() != e {
				t.Fatalf("%s: Epoch() = %d, want %d", tc.name, s.Epoch(), e)
			}
			if got := o.LR(); !(math.Abs(float64(got)-want) <= 1e-8) {
				t.Errorf("%s: epoch %d: lr %.9g, PyTorch %.9g", tc.name, e, got, want)
			}
			if got := s.LR(e); got != o.LR() && e > 0 {
				t.Errorf("%s: LR(%d) = %v, optimizer has %v", tc.name, e, got, o.LR())
			}
			s.Step()
		}
		// Jumping straight to an epoch, as a resumed run does, gives the
		// same rate as stepping there.
		s.SetEpoch(4)
		if got := o.LR(); !(math.Abs(float64(got)-tc.want[4]) <= 1e-8) {
			t.Errorf("%s: SetEpoch(4): lr %v, want %v", tc.name, got, tc.want[4])
		}
	}
}

func TestScheduleErrors(t *testing.T) {
	o := newTestSGD(t, 0.1)
	for _, tc := range []struct {
		err  error
		want string
	}{
		{second(NewStepLR(o, 0, 0.5)), "step size 0, want ≥ 1"},
		{second(NewStepLR(o, 2, -0.5)), "gamma -0.5, want ≥ 0"},
		{second(NewCosineAnnealingLR(o, 0, 0)), "tMax 0, want ≥ 1"},
		{second(NewCosineAnnealingLR(o, 10, -1)), "etaMin -1, want ≥ 0"},
	} {
		if tc.err == nil || !strings.Contains(tc.err.Error(), tc.want) {
			t.Errorf("got error %v, want one containing %q", tc.err, tc.want)
		}
	}
}
