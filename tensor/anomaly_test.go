package tensor

import (
	"errors"
	"strings"
	"testing"
)

// anomalyOf runs f and returns the *AnomalyError it panics with, or nil.
func anomalyOf(f func()) (err *AnomalyError) {
	defer func() {
		if r := recover(); r != nil {
			e, ok := r.(error)
			if !ok || !errors.As(e, &err) {
				panic(r)
			}
		}
	}()
	f()
	return nil
}

func TestDetectAnomaly(t *testing.T) {
	x := FromSlice([]float32{1, 0, 4}).SetRequiresGrad(true)
	// Off: the NaN flows on silently, as without detection.
	Tidy(func(s *Scope) {
		if e := anomalyOf(func() { s.Use(x).Log().MulScalar(0).Sum().Backward() }); e != nil {
			t.Fatalf("detection off reported %v", e)
		}
	})
	x.ZeroGrad()
	// The first op to produce a non-finite value is named, not the ones
	// after it: log(0) = −Inf in Log, then 0·−Inf = NaN in Affine.
	Tidy(func(s *Scope) {
		s.DetectAnomaly()
		e := anomalyOf(func() { s.Use(x).MulScalar(2).Log().MulScalar(0).Sum() })
		if e == nil || e.Op != "Log" || e.Backward || e.Index != 1 || !strings.Contains(e.Error(), "anomaly: Log forward produced -Inf at index 1 of [3]") {
			t.Fatalf("forward anomaly: %v", e)
		}
	})
	// √ is finite at 0 but its gradient is not: Backward names the rule.
	Tidy(func(s *Scope) {
		s.DetectAnomaly()
		y := s.Use(x).Sqrt().Sum()
		e := anomalyOf(func() { y.Backward() })
		if e == nil || e.Op != "Sqrt" || !e.Backward || e.Input != 0 || e.Index != 1 ||
			!strings.Contains(e.Error(), "anomaly: Sqrt backward (gradient of input 0) produced +Inf at index 1 of [3]") {
			t.Fatalf("backward anomaly: %v", e)
		}
	})
	x.ZeroGrad()
	// Detection belongs to its scope: another scope is not checked.
	Tidy(func(s *Scope) {
		if e := anomalyOf(func() { s.Use(x).Log() }); e != nil {
			t.Fatalf("a scope without detection reported %v", e)
		}
	})
}

// TestDetectAnomalyEverywhere: with detection on for every computation
// (TENSORGL_DETECT_ANOMALY=1), ops outside any scope are checked too, and
// a finite one runs on (the check read a scope that is nil there).
func TestDetectAnomalyEverywhere(t *testing.T) {
	defer func(on bool) { anomalyEverywhere = on }(anomalyEverywhere)
	anomalyEverywhere = true
	x := FromSlice([]float32{1, 0, 4}).SetRequiresGrad(true)
	if e := anomalyOf(func() { x.MulScalar(2).Exp().Sum().Backward() }); e != nil {
		t.Fatalf("finite ops outside a scope: %v", e)
	}
	if e := anomalyOf(func() { x.Log() }); e == nil || e.Op != "Log" || e.Index != 1 {
		t.Fatalf("Log of 0 outside a scope: %v, want an anomaly in Log at index 1", e)
	}
}
