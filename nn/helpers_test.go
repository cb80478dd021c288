package nn

import (
	"math"
	"testing"

	"github.com/tensorgl/tensorgl/tensor"
)

// host returns t's values as float64.
func host(t *tensor.Tensor) []float64 {
	d := t.Data()
	out := make([]float64, len(d))
	for i, v := range d {
		out[i] = float64(v)
	}
	return out
}

// randData returns n values drawn from g (uniform on [-2, 2)) as a tensor of
// the given shape and as float64.
func randData(g *tensor.Generator, shape ...int) (*tensor.Tensor, []float64) {
	t := tensor.Uniform(g, -2, 2, shape...)
	return t, host(t)
}

// assertClose fails unless got matches want element-wise within
// tol·(1+|want|).
func assertClose(t *testing.T, what string, got *tensor.Tensor, want []float64, tol float64) {
	t.Helper()
	g := host(got)
	if len(g) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(g), len(want))
	}
	for i := range g {
		if !(math.Abs(g[i]-want[i]) <= tol*(1+math.Abs(want[i]))) {
			t.Fatalf("%s: element %d = %.7g, want %.7g (tol %g)", what, i, g[i], want[i], tol)
		}
	}
}
