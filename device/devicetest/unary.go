package devicetest

import (
	"fmt"
	"math"
	"testing"

	"github.com/tensorgl/tensorgl/device"
)

// unaryCase is how Unary is tested for one op.
type unaryCase struct {
	tol    string       // name of the tolerance; "" for an exact result
	params [][2]float32 // (A, B) pairs to run with
	gen    generator    // inputs
	// ref returns the exact result for input x, the scale of its tolerance
	// and the argument that widens it.
	ref func(x, a, b float64) (want, scale, arg float64)
}

// rounded is the scale and argument of a result that is |want| accurate
// relative to itself, with x widening the bound (exp-like ops).
func rounded(want, x float64) (float64, float64, float64) { return want, want, x }

// unaryCases has a case for every device.UnaryOp; Run fails for an op
// without one.
var unaryCases = map[device.UnaryOp]unaryCase{
	device.Affine: {"affine", [][2]float32{{1, 0}, {-1, 0}, {-1.5, 0.25}, {2.5e3, -1e4}}, wide(6),
		func(x, a, b float64) (float64, float64, float64) { return a*x + b, math.Abs(a*x) + math.Abs(b), 0 }},
	device.Exp: {"exp", nil, mostly(between(-10, 10), oneOf(80, -80, 85, -85)),
		func(x, _, _ float64) (float64, float64, float64) { return rounded(math.Exp(x), x) }},
	device.Log: {"log", nil, mostly(positive(-80, 80), between(0.5, 2)),
		func(x, _, _ float64) (float64, float64, float64) { return rounded(math.Log(x), 0) }},
	device.Sqrt: {"sqrt", nil, mostly(positive(-80, 80), oneOf(0)),
		func(x, _, _ float64) (float64, float64, float64) { return rounded(math.Sqrt(x), 0) }},
	device.Rsqrt: {"rsqrt", nil, positive(-80, 80),
		func(x, _, _ float64) (float64, float64, float64) { return rounded(1/math.Sqrt(x), 0) }},
	device.Abs: {"", nil, mostly(wide(20), oneOf(0, negZero)),
		func(x, _, _ float64) (float64, float64, float64) { return math.Abs(x), 0, 0 }},
	device.Relu: {"", nil, mostly(wide(20), oneOf(0, negZero)),
		func(x, _, _ float64) (float64, float64, float64) { return math.Max(x, 0), 0, 0 }},
	device.LeakyRelu: {"round", [][2]float32{{0.01, 0}, {0.2, 0}}, mostly(wide(10), oneOf(0)),
		func(x, a, _ float64) (float64, float64, float64) {
			if x > 0 {
				return x, 0, 0
			}
			return rounded(a*x, 0)
		}},
	device.Sigmoid: {"sigmoid", nil, mostly(between(-10, 10), oneOf(80, -80, 200, -200)),
		func(x, _, _ float64) (float64, float64, float64) { return rounded(1/(1+math.Exp(-x)), min(x, 0)) }},
	device.Tanh: {"tanh", nil, mostly(between(-5, 5), oneOf(1e-3, -1e-3, 3e-5, 50, -50)),
		func(x, _, _ float64) (float64, float64, float64) { return rounded(math.Tanh(x), 0) }},
	device.Sin: {"sincos", nil, between(-8, 8),
		func(x, _, _ float64) (float64, float64, float64) { return rounded(math.Sin(x), 0) }},
	device.Cos: {"sincos", nil, between(-8, 8),
		func(x, _, _ float64) (float64, float64, float64) { return rounded(math.Cos(x), 0) }},
	device.Square: {"round", nil, wide(15),
		func(x, _, _ float64) (float64, float64, float64) { return rounded(x*x, 0) }},
	device.Recip: {"div", nil, eitherSign(positive(-80, 80)),
		func(x, _, _ float64) (float64, float64, float64) { return rounded(1/x, 0) }},
	device.Sign: {"", nil, mostly(wide(20), oneOf(0)),
		func(x, _, _ float64) (float64, float64, float64) {
			switch {
			case x > 0:
				return 1, 0, 0
			case x < 0:
				return -1, 0, 0
			}
			return 0, 0, 0
		}},
	device.PowScalar: {"pow", [][2]float32{{2, 0}, {0.5, 0}, {-1.5, 0}, {3, 0}}, positive(math.Log(0.25), math.Log(4)),
		func(x, a, _ float64) (float64, float64, float64) { return rounded(math.Pow(x, a), a*math.Log2(x)) }},
	device.Clamp: {"", [][2]float32{{-0.5, 0.75}, {0, 6}}, mostly(between(-2, 8), wide(20)),
		func(x, a, b float64) (float64, float64, float64) { return math.Min(math.Max(x, a), b), 0, 0 }},
	device.GtScalar: {"", [][2]float32{{0.5, 0}, {0, 0}}, oneOf(-1, -0.5, 0, negZero, 0.5, 1),
		func(x, a, _ float64) (float64, float64, float64) { return indicator(x > a), 0, 0 }},
	device.LtScalar: {"", [][2]float32{{0.5, 0}, {0, 0}}, oneOf(-1, -0.5, 0, negZero, 0.5, 1),
		func(x, a, _ float64) (float64, float64, float64) { return indicator(x < a), 0, 0 }},
	device.EqScalar: {"", [][2]float32{{0.5, 0}, {0, 0}}, oneOf(-1, -0.5, 0, negZero, 0.5, 1),
		func(x, a, _ float64) (float64, float64, float64) { return indicator(x == a), 0, 0 }},
	device.Softplus: {"softplus", nil, mostly(between(-20, 20), oneOf(80, -80, 200, -200)),
		func(x, _, _ float64) (float64, float64, float64) {
			if x > 0 {
				return rounded(x+math.Log1p(math.Exp(-x)), 0)
			}
			return rounded(math.Log1p(math.Exp(x)), x)
		}},
}

func indicator(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// boundOf returns the tolerance for a result: zero for an exact one.
func boundOf(name string, scale, arg float64) float64 {
	if name == "" {
		return 0
	}
	return tol(name).bound(scale, arg)
}

func testUnary(t *testing.T, d device.Device) {
	for _, op := range device.UnaryOps() {
		subtest(t, op.String(), func(t *testing.T) {
			c, ok := unaryCases[op]
			if !ok {
				t.Fatalf("devicetest has no case for unary op %v: add one to unaryCases", op)
			}
			params := c.params
			if params == nil {
				params = [][2]float32{{0, 0}}
			}
			r := newRand(t)
			for i, sc := range shapeCases(r, 400) {
				a, b := params[i%len(params)][0], params[i%len(params)][1]
				src := newOperand(r, sc.shape, sc.l, c.gen)
				n := device.NumElements(sc.shape)
				dst := upload(t, d, filled(n, sentinel))
				p := device.UnaryParams{Op: op, A: a, B: b, Shape: sc.shape}
				d.Unary(dst, src.upload(t, d), p)
				x := src.values(sc.shape)
				want, bound := make([]float64, n), make([]float64, n)
				for j, xv := range x {
					w, scale, arg := c.ref(float64(xv), float64(a), float64(b))
					want[j], bound[j] = w, boundOf(c.tol, scale, arg)
				}
				expectClose(t, fmt.Sprintf("%s: %s, src %v", sc.name, describe(p), src), download(t, d, dst, n), want, bound)
			}
		})
	}
}
