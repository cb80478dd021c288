package devicetest

import (
	"fmt"
	"math"

	"github.com/tensorgl/tensorgl/device"
)

// rounded is the scale and argument of a result that is |want| accurate
// relative to itself, with x widening the bound (exp-like ops).
func rounded(want, x float64) (float64, float64, float64) { return want, want, x }

// unaryRefs has the float64 reference of every device.UnaryOp, written from
// its doc comment; the op's catalogue entry gives its inputs, parameters and
// tolerance. Run fails for an op without one.
var unaryRefs = map[device.UnaryOp]func(x, a, b float64) (want, scale, arg float64){
	device.Affine: func(x, a, b float64) (float64, float64, float64) { return a*x + b, math.Abs(a*x) + math.Abs(b), 0 },
	device.Exp:    func(x, _, _ float64) (float64, float64, float64) { return rounded(math.Exp(x), x) },
	device.Log:    func(x, _, _ float64) (float64, float64, float64) { return rounded(math.Log(x), 0) },
	device.Sqrt:   func(x, _, _ float64) (float64, float64, float64) { return rounded(math.Sqrt(x), 0) },
	device.Rsqrt:  func(x, _, _ float64) (float64, float64, float64) { return rounded(1/math.Sqrt(x), 0) },
	device.Abs:    func(x, _, _ float64) (float64, float64, float64) { return math.Abs(x), 0, 0 },
	device.Relu:   func(x, _, _ float64) (float64, float64, float64) { return math.Max(x, 0), 0, 0 },
	device.LeakyRelu: func(x, a, _ float64) (float64, float64, float64) {
		if x > 0 {
			return x, 0, 0
		}
		return rounded(a*x, 0)
	},
	device.Sigmoid: func(x, _, _ float64) (float64, float64, float64) { return rounded(1/(1+math.Exp(-x)), min(x, 0)) },
	device.Tanh:    func(x, _, _ float64) (float64, float64, float64) { return rounded(math.Tanh(x), 0) },
	device.Sin:     func(x, _, _ float64) (float64, float64, float64) { return rounded(math.Sin(x), 0) },
	device.Cos:     func(x, _, _ float64) (float64, float64, float64) { return rounded(math.Cos(x), 0) },
	device.Square:  func(x, _, _ float64) (float64, float64, float64) { return rounded(x*x, 0) },
	device.Recip:   func(x, _, _ float64) (float64, float64, float64) { return rounded(1/x, 0) },
	device.Sign: func(x, _, _ float64) (float64, float64, float64) {
		switch {
		case x > 0:
			return 1, 0, 0
		case x < 0:
			return -1, 0, 0
		}
		return 0, 0, 0
	},
	device.PowScalar: func(x, a, _ float64) (float64, float64, float64) { return rounded(math.Pow(x, a), a*math.Log2(x)) },
	device.Clamp:     func(x, a, b float64) (float64, float64, float64) { return math.Min(math.Max(x, a), b), 0, 0 },
	device.GtScalar:  func(x, a, _ float64) (float64, float64, float64) { return indicator(x > a), 0, 0 },
	device.LtScalar:  func(x, a, _ float64) (float64, float64, float64) { return indicator(x < a), 0, 0 },
	device.EqScalar:  func(x, a, _ float64) (float64, float64, float64) { return indicator(x == a), 0, 0 },
	device.Erf:       func(x, _, _ float64) (float64, float64, float64) { return rounded(math.Erf(x), 0) },
	device.Gelu:      func(x, _, _ float64) (float64, float64, float64) { return x * normalCDF(x), math.Abs(x), 0 },
	device.GeluTanh: func(x, _, _ float64) (float64, float64, float64) {
		u := geluU(x)
		return rounded(x/(1+math.Exp(-2*u)), min(u, 0))
	},
	device.Softplus: func(x, _, _ float64) (float64, float64, float64) {
		if x > 0 {
			return rounded(x+math.Log1p(math.Exp(-x)), 0)
		}
		return rounded(math.Log1p(math.Exp(x)), x)
	},
}

// normalCDF is Φ(x) = ½·erfc(−x/√2), relative to itself for x ≪ 0.
func normalCDF(x float64) float64 { return 0.5 * math.Erfc(-x/math.Sqrt2) }

// geluU is the tanh GELU's argument √(2/π)·(x + 0.044715·x³).
func geluU(x float64) float64 { return math.Sqrt(2/math.Pi) * (x + 0.044715*x*x*x) }

func indicator(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// boundOf returns the bound of a result under the named tolerance: zero
// for an exact one ("").
func boundOf(name string, scale, arg float64) float64 {
	if name == "" {
		return 0
	}
	return tol(name).Bound(scale, arg)
}

func testUnary(t tb, d device.Device) {
	for _, op := range device.UnaryOps() {
		subtest(t, op.String(), func(t tb) {
			ref, ok := unaryRefs[op]
			if !ok {
				t.Fatalf("devicetest has no reference for unary op %v: add one to unaryRefs", op)
			}
			info := op.Info()
			params := info.ParamSets()
			r := newRand(t)
			for i, sc := range shapeCases(r, 400) {
				a, b := params[i%len(params)][0], params[i%len(params)][1]
				src := newOperand(r, sc.shape, sc.l, info.Inputs[0])
				n := device.NumElements(sc.shape)
				dst := upload(t, d, filled(n, sentinel))
				p := device.UnaryParams{Op: op, A: a, B: b, Shape: sc.shape}
				d.Unary(dst, src.upload(t, d), p)
				x := src.values(sc.shape)
				want, bound := make([]float64, n), make([]float64, n)
				for j, xv := range x {
					w, scale, arg := ref(float64(xv), float64(a), float64(b))
					want[j], bound[j] = w, boundOf(info.Tol, scale, arg)
				}
				expectClose(t, fmt.Sprintf("%s: %s, src %v", sc.name, describe(p), src), download(t, d, dst, n), want, bound)
			}
		})
	}
	subtest(t, "specials/pow", func(t tb) { testPowSpecials(t, d) })
	subtest(t, "specials/clamp-nan-bounds", func(t tb) { testClampNaNBounds(t, d) })
}
