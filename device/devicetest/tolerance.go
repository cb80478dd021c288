package devicetest

import (
	"fmt"
	"github.com/tensorgl/tensorgl/device"
	"math"
	"strings"
)

// tol returns the named tolerance of package device, where the tolerances
// of the suite are stated with their reasons.
func tol(name string) device.Tolerance { return device.ToleranceOf(name) }

// accumulator forms float64 sums and bounds the float32 error of each by the
// "accumulate" tolerance.
type accumulator struct {
	sum, abs []float64
	n        []int
}

func newAccumulator(size int) *accumulator {
	return &accumulator{make([]float64, size), make([]float64, size), make([]int, size)}
}

func (a *accumulator) add(i int, v float64) {
	a.sum[i] += v
	a.abs[i] += math.Abs(v)
	a.n[i]++
}

// bounds returns the error bound of each sum, counting extra roundings per
// term beyond the additions (such as the rounding of each product).
func (a *accumulator) bounds(extra int) []float64 {
	b := make([]float64, len(a.sum))
	for i := range b {
		b[i] = tol("accumulate").Bound(float64(a.n[i]+extra)*a.abs[i], 0)
	}
	return b
}

// maxReported is how many mismatching elements a failure lists.
const maxReported = 5

// expectClose fails t unless every got[i] is within bound[i] of want[i]. A
// NaN want requires a NaN; an infinite want requires the same infinity.
func expectClose(t tb, what string, got []float32, want, bound []float64) {
	t.Helper()
	var bad []string
	n := 0
	for i := range want {
		g := float64(got[i])
		ok := true
		switch {
		case math.IsNaN(want[i]):
			ok = math.IsNaN(g)
		case math.IsInf(want[i], 0):
			ok = g == want[i]
		default:
			ok = math.Abs(g-want[i]) <= bound[i]
		}
		if !ok {
			n++
			if len(bad) < maxReported {
				bad = append(bad, fmt.Sprintf("[%d] got %.9g, want %.9g ± %.3g (error %.3g)", i, g, want[i], bound[i], math.Abs(g-want[i])))
			}
		}
	}
	if n > 0 {
		t.Errorf("%s: %d of %d elements wrong:\n\t%s", what, n, len(want), strings.Join(bad, "\n\t"))
	}
}

// expectEqual fails t unless got and want hold the same float32 values
// (NaN matching NaN, and −0 matching only −0).
func expectEqual(t tb, what string, got, want []float32) {
	t.Helper()
	var bad []string
	n := 0
	for i := range want {
		g, w := got[i], want[i]
		same := math.Float32bits(g) == math.Float32bits(w) || (g != g && w != w)
		if !same {
			n++
			if len(bad) < maxReported {
				bad = append(bad, fmt.Sprintf("[%d] got %.9g, want %.9g", i, g, w))
			}
		}
	}
	if n > 0 {
		t.Errorf("%s: %d of %d elements wrong:\n\t%s", what, n, len(want), strings.Join(bad, "\n\t"))
	}
}

// expectInts fails t unless got equals want.
func expectInts(t tb, what string, got, want []int32) {
	t.Helper()
	var bad []string
	n := 0
	for i := range want {
		if got[i] != want[i] {
			n++
			if len(bad) < maxReported {
				bad = append(bad, fmt.Sprintf("[%d] got %d, want %d", i, got[i], want[i]))
			}
		}
	}
	if n > 0 {
		t.Errorf("%s: %d of %d elements wrong:\n\t%s", what, n, len(want), strings.Join(bad, "\n\t"))
	}
}
