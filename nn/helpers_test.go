package nn

import (
	"math"
	"math/rand/v2"
	"strings"
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

// uniformFloats returns n values drawn from rng, uniform on [lo, hi).
func uniformFloats(rng *rand.Rand, n int, lo, hi float32) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = lo + rng.Float32()*(hi-lo)
	}
	return v
}

// assertSameData fails unless each of got's slices matches want's within
// 1e-5·(1+|want|), naming them by what.
func assertSameData(t *testing.T, what []string, got, want [][]float32) {
	t.Helper()
	for i, name := range what {
		for j := range want[i] {
			if d := math.Abs(float64(got[i][j] - want[i][j])); d > 1e-5*(1+math.Abs(float64(want[i][j]))) {
				t.Fatalf("%s[%d] = %v, the layers one by one give %v", name, j, got[i][j], want[i][j])
			}
		}
	}
}

// countDispatches returns the kernels the default device ran for fn.
func countDispatches(t *testing.T, fn func()) int64 {
	t.Helper()
	dev := tensor.DefaultDevice()
	if err := dev.Sync(); err != nil {
		t.Fatal(err)
	}
	before := dev.Stats().Dispatches
	fn()
	if err := dev.Sync(); err != nil {
		t.Fatal(err)
	}
	return dev.Stats().Dispatches - before
}

// expectPanic fails t, naming what, unless f panics with an error whose
// message contains want.
func expectPanic(t *testing.T, what, want string, f func()) {
	t.Helper()
	defer func() {
		t.Helper()
		err, _ := recover().(error)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%spanic %v, want one saying %q", what, err, want)
		}
	}()
	f()
}
