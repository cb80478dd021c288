package devicetest

import (
	"fmt"
	"math"
	"strings"
	"testing"
)

// ulp is one unit in the last place of a float32 in [1, 2): a relative error
// of n ULP is n·ulp·|value|.
const ulp = 0x1p-23

// underflow is float32's smallest normal number. Every inexact comparison
// allows it as absolute slack, because GPUs flush subnormal results to zero.
const underflow = 0x1p-126

// tolerance bounds the error of a float32 result against the float64
// reference:
//
//	|got − want| ≤ Abs + (ULP + ArgULP·|arg|)·ulp·scale + underflow
//
// where the test supplies scale (|want| for a single rounded operation,
// n·Σ|term| for a sum of n terms) and arg (the argument whose size widens
// GLSL's error bounds, such as x in eˣ).
type tolerance struct {
	Abs, ULP, ArgULP float64
	Why              string
}

// tolerances states every inexact comparison of the suite once. The GLSL
// bounds are those of the GLSL 4.30 specification, §4.7.1 (“Range and
// Precision”); a backend computing in float64 and rounding once is well
// inside all of them.
var tolerances = map[string]tolerance{
	"round":       {ULP: 1, Why: "one correctly rounded operation (+, −, ·, x², A·x; GLSL rounds these correctly too)"},
	"affine":      {ULP: 1, Why: "A·x+B rounds twice (or once when fused), relative to |A·x|+|B|"},
	"div":         {ULP: 3, Why: "GLSL division and 1/x are within 2.5 ULP"},
	"exp":         {ULP: 3, ArgULP: 2, Why: "GLSL exp is within 3+2·|x| ULP"},
	"log":         {Abs: 0x1p-21, ULP: 3, Why: "GLSL log is within 3 ULP outside [0.5, 2] and 2⁻²¹ absolute inside"},
	"sqrt":        {ULP: 5, Why: "GLSL sqrt is 1/inversesqrt: 2 ULP then a 2.5-ULP reciprocal"},
	"rsqrt":       {ULP: 2, Why: "GLSL inversesqrt is within 2 ULP"},
	"sincos":      {Abs: 4e-6, Why: "GLSL leaves sin/cos precision open; GPU hardware sin/cos is good to about 2⁻²⁰ absolute for |x| ≤ 8"},
	"pow":         {ULP: 16, ArgULP: 3, Why: "GLSL pow is exp2(y·log2 x): exp2's 3+2|arg| ULP plus log2's 3 ULP (2⁻²¹ absolute near 1) times |y| ≤ 3, arg = y·log2 x"},
	"sigmoid":     {ULP: 6, ArgULP: 2, Why: "1/(1+e⁻ˣ) or eˣ/(1+eˣ): exp's 3+2|x| ULP (felt fully only for x < 0, so arg is min(x, 0)), an add and a 2.5-ULP division"},
	"tanh":        {Abs: 5e-7, ULP: 8, Why: "GLSL leaves tanh open; GPUs form it from e²ˣ as 1−2/(e²ˣ+1), good to a few ULP of 1 near 0 and a few ULP of the result elsewhere"},
	"softplus":    {Abs: 6e-7, ULP: 4, ArgULP: 2, Why: "max(x,0)+ln(1+e^−|x|): log is only 2⁻²¹ absolute near 1, exp is 3+2|x| ULP (relative to the result only for x < 0, so arg is 0 for x > 0)"},
	"sigmoidgrad": {ULP: 4, Why: "x·y·(1−y): three roundings"},
	"tanhgrad":    {ULP: 3, Why: "x·(1−y²): y² rounds before the cancellation in 1−y², so the error is relative to |x|·(1+y²)"},
	"accumulate":  {ULP: 1, Why: "a float32 sum of n terms in any order (sequential, tree, blocked, fused) is within n·2⁻²⁴·Σ|term| (Higham's γₙ); tests pass scale n·Σ|term|"},
	"softmax":     {ULP: 8, ArgULP: 2, Why: "e^(x−max) within 3+2|x−max| ULP in numerator and sum, then a 2.5-ULP division; arg is the row's largest |x−max|"},
	"logsoftmax":  {Abs: 0x1p-21, ULP: 4, ArgULP: 2, Why: "x−max−ln Σ: log's 2⁻²¹ absolute (3 ULP of ln Σ) plus the sum's relative error from exp's 3+2|x−max| ULP"},
	"adam":        {ULP: 24, Why: "the update m̂/(√v̂+ε) has a 2.5-ULP division, a 4.5-ULP sqrt and bias corrections 1−βᵗ a GPU may form in float32 (1−0.99ᵗ loses up to ~13 ULP)"},
	"uniform":     {ULP: 2, Why: "A+(B−A)·u rounds B−A, the product and the sum (or fuses the last two), relative to |A|+|B|"},
}

// tol returns the named tolerance; a missing name is a bug in this suite.
func tol(name string) tolerance {
	tl, ok := tolerances[name]
	if !ok {
		panic("devicetest: no tolerance named " + name)
	}
	return tl
}

// bound returns the largest error tl allows for a result of the given scale
// and argument.
func (tl tolerance) bound(scale, arg float64) float64 {
	return tl.Abs + (tl.ULP+tl.ArgULP*math.Abs(arg))*ulp*math.Abs(scale) + underflow
}

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
		b[i] = tol("accumulate").bound(float64(a.n[i]+extra)*a.abs[i], 0)
	}
	return b
}

// maxReported is how many mismatching elements a failure lists.
const maxReported = 5

// expectClose fails t unless every got[i] is within bound[i] of want[i]. A
// NaN want requires a NaN; an infinite want requires the same infinity.
func expectClose(t *testing.T, what string, got []float32, want, bound []float64) {
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
func expectEqual(t *testing.T, what string, got, want []float32) {
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
func expectInts(t *testing.T, what string, got, want []int32) {
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
