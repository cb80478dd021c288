package tensor

import (
	"fmt"
	"math"
	"os"

	"github.com/tensorgl/tensorgl/device"
)

// AnomalyError is what an operation panics with, under anomaly detection,
// when it produces a NaN or an infinity: the first op to do so, forward or
// in Backward, as torch.autograd.detect_anomaly reports it.
type AnomalyError struct {
	Op       string // the operation, e.g. "Log"
	Backward bool   // found in the gradient that Op's backward rule returned
	Input    int    // with Backward: which input's gradient
	Shape    []int  // of the offending result
	Index    int    // row-major index of the first bad element
	Value    float32
}

func (e *AnomalyError) Error() string {
	what := "forward"
	if e.Backward {
		what = fmt.Sprintf("backward (gradient of input %d)", e.Input)
	}
	return fmt.Sprintf("tensor: anomaly: %s %s produced %v at index %d of %v", e.Op, what, e.Value, e.Index, e.Shape)
}

// anomalyEverywhere switches detection on for every computation, scoped or
// not: TENSORGL_DETECT_ANOMALY=1 in the environment.
var anomalyEverywhere = os.Getenv("TENSORGL_DETECT_ANOMALY") == "1"

// DetectAnomaly switches on anomaly detection for the results that join s
// from now on, and for scopes opened in it afterwards (a Backward run there
// included): each such result is read back and checked for NaN and
// infinities, and the first op to produce one panics with an
// *AnomalyError. Reading every result back is slow; use it to find where a
// loss becomes NaN, not to train. Other scopes and goroutines are not
// affected. TENSORGL_DETECT_ANOMALY=1 switches it on for every computation.
func (s *Scope) DetectAnomaly() {
	s.anomaly.Store(true)
}

func (s *Scope) detecting() bool {
	return anomalyEverywhere || s != nil && s.anomaly.Load()
}

// checkFinite panics with an *AnomalyError when t, float32, holds a NaN or
// an infinity.
func checkFinite(op string, backward bool, input int, t *Tensor) {
	if t == nil || t.DType() != device.Float32 || t.NumEl() == 0 {
		return
	}
	for i, v := range t.Data() {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			panic(&AnomalyError{Op: op, Backward: backward, Input: input, Shape: t.Shape(), Index: i, Value: v})
		}
	}
}
