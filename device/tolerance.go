package device

import (
	"math"
	"sort"
)

// ulp is one unit in the last place of a float32 in [1, 2): a relative error
// of n ULP is n·ulp·|value|.
const ulp = 0x1p-23

// underflow is float32's smallest normal number. Every inexact comparison
// allows it as absolute slack, because GPUs flush subnormal results to zero.
const underflow = 0x1p-126

// Tolerance bounds the error of a float32 result against a float64
// reference:
//
//	|got − want| ≤ Abs + (ULP + ArgULP·|arg|)·ulp·scale + underflow
//
// where the caller supplies scale (|want| for a single rounded operation,
// n·Σ|term| for a sum of n terms) and arg (the argument whose size widens
// GLSL's error bounds, such as x in eˣ).
type Tolerance struct {
	Abs, ULP, ArgULP float64
	Why              string
}

// tolerances states every inexact comparison of the conformance suite
// once. The GLSL bounds are those of the GLSL 4.30 specification, §4.7.1
// (“Range and Precision”); a backend computing in float64 and rounding once
// is well inside all of them.
var tolerances = map[string]Tolerance{
	"round":             {ULP: 1, Why: "one correctly rounded operation (+, −, ·, x², A·x; GLSL rounds these correctly too)"},
	"affine":            {ULP: 1, Why: "A·x+B rounds twice (or once when fused), relative to |A·x|+|B|"},
	"div":               {ULP: 3, Why: "GLSL division and 1/x are within 2.5 ULP"},
	"exp":               {ULP: 3, ArgULP: 2, Why: "GLSL exp is within 3+2·|x| ULP"},
	"log":               {Abs: 0x1p-21, ULP: 3, Why: "GLSL log is within 3 ULP outside [0.5, 2] and 2⁻²¹ absolute inside"},
	"sqrt":              {ULP: 5, Why: "GLSL sqrt is 1/inversesqrt: 2 ULP then a 2.5-ULP reciprocal"},
	"rsqrt":             {ULP: 2, Why: "GLSL inversesqrt is within 2 ULP"},
	"sincos":            {Abs: 4e-6, Why: "GLSL leaves sin/cos precision open; GPU hardware sin/cos is good to about 2⁻²⁰ absolute for |x| ≤ 8"},
	"pow":               {ULP: 16, ArgULP: 3, Why: "GLSL pow is exp2(y·log2 x): exp2's 3+2|arg| ULP plus log2's 3 ULP (2⁻²¹ absolute near 1) times |y| ≤ 3, arg = y·log2 x"},
	"sigmoid":           {ULP: 6, ArgULP: 2, Why: "1/(1+e⁻ˣ) or eˣ/(1+eˣ): exp's 3+2|x| ULP (felt fully only for x < 0, so arg is min(x, 0)), an add and a 2.5-ULP division"},
	"tanh":              {Abs: 5e-7, ULP: 8, Why: "GLSL leaves tanh open; GPUs form it from e²ˣ as 1−2/(e²ˣ+1), good to a few ULP of 1 near 0 and a few ULP of the result elsewhere"},
	"softplus":          {Abs: 6e-7, ULP: 4, ArgULP: 2, Why: "max(x,0)+ln(1+e^−|x|): log is only 2⁻²¹ absolute near 1, exp is 3+2|x| ULP (relative to the result only for x < 0, so arg is 0 for x > 0)"},
	"erf":               {ULP: 7, Why: "GLSL has no erf: shaders use a rational p(x)/q(x) on [−4, 4] (erf rounds to ±1 beyond), within 3.8 ULP in float32 arithmetic (measured at 2·10⁶ points against math.Erf), then GLSL's 2.5-ULP division"},
	"gelu":              {ULP: 5, Why: "½·x·(1+erf(x/√2)) where there is no erfc: erf's 7 ULP of 1 plus the roundings of x/√2, 1+erf and the product, times ½|x|; scale is |x|"},
	"gelutanh":          {ULP: 8, ArgULP: 8, Why: "x·σ(2u): the sigmoid's 6+2|2u| ULP (felt for u < 0), u's own rounding moving σ by up to 3|u| ULP, and the product; scale is the result, arg is min(u, 0)"},
	"gelugrad":          {ULP: 8, Why: "x·(Φ(y)+y·φ(y)): Φ from erf is 4 ULP of 1, y·φ(y) from exp(−y²/2) at most 1.7 ULP of 1 (exp's 3+2·y²/2 ULP times |y|·φ(y) ≤ 0.25), the sum and the product; scale is |x|"},
	"gelutanhgrad":      {ULP: 13, Why: "x·(s+2y·s·σ(−2u)·u′): two sigmoids of 6+2|2u| ULP (felt where they are small, so bounded against 1), u′'s roundings, the sum and the product, about 12.5 ULP of 1 at most; scale is |x|"},
	"sigmoidgrad":       {ULP: 4, Why: "x·y·(1−y): three roundings"},
	"tanhgrad":          {ULP: 3, Why: "x·(1−y²): y² rounds before the cancellation in 1−y², so the error is relative to |x|·(1+y²)"},
	"bcewithlogits":     {ULP: 6, Why: "A·(ln(1+e^−|x|) + x·(1−y) or −x·y): GLSL log is 2⁻²¹ absolute near 1 (4 ULP of 1 whatever the term), exp's 3+2|x| ULP of e^−|x| moves the term by at most 1.5 ULP of 1, Goldberg's correction divides once, and the products and sums round; scale is |A|·(1 + ln(1+e^−|x|) + |x·(1−y)| or |x·y|)"},
	"bcewithlogitsgrad": {ULP: 9, ArgULP: 2, Why: "A·g·(σ(x) − y): the sigmoid's 6+2|min(x, 0)| ULP of σ, the difference's rounding and two products; scale is |A·g|·(σ + |y|), arg min(x, 0)·σ/(σ + |y|), so exp's error counts against σ alone"},
	"accumulate":        {ULP: 1, Why: "a float32 sum of n terms in any order (sequential, tree, blocked, fused) is within n·2⁻²⁴·Σ|term| (Higham's γₙ); tests pass scale n·Σ|term|"},
	"softmax":           {ULP: 8, ArgULP: 2, Why: "e^(x−max) within 3+2|x−max| ULP in numerator and sum, then a 2.5-ULP division; arg is the row's largest |x−max|"},
	"logsoftmax":        {Abs: 0x1p-21, ULP: 4, ArgULP: 2, Why: "x−max−ln Σ: log's 2⁻²¹ absolute (3 ULP of ln Σ) plus the sum's relative error from exp's 3+2|x−max| ULP"},
	"adam":              {ULP: 24, Why: "the update m̂/(√v̂+ε) has a 2.5-ULP division, a 4.5-ULP sqrt and bias corrections 1−βᵗ a GPU may form in float32 (1−0.99ᵗ loses up to ~13 ULP)"},
	"uniform":           {ULP: 2, Why: "A+(B−A)·u rounds B−A, the product and the sum (or fuses the last two), relative to |A|+|B|"},
}

// ToleranceOf returns the named tolerance. It panics for a name that is
// not stated here, which is a bug in the caller.
func ToleranceOf(name string) Tolerance {
	tl, ok := tolerances[name]
	if !ok {
		panic("device: no tolerance named " + name)
	}
	return tl
}

// ToleranceNames lists the names of the stated tolerances, sorted.
func ToleranceNames() []string {
	names := make([]string, 0, len(tolerances))
	for n := range tolerances {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Bound returns the largest error tl allows for a result of the given scale
// and argument.
func (tl Tolerance) Bound(scale, arg float64) float64 {
	return tl.Abs + (tl.ULP+tl.ArgULP*math.Abs(arg))*ulp*math.Abs(scale) + underflow
}
