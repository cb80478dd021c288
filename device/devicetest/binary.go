package devicetest

import (
	"fmt"
	"math"

	"github.com/tensorgl/tensorgl/device"
)

// binaryRefs has the float64 reference of every device.BinaryOp (x, y and
// BinaryParams.A), written from its doc comment; the op's catalogue entry
// gives its inputs, A and tolerance. Run fails for an op without one.
var binaryRefs = map[device.BinaryOp]func(x, y, a float64) (want, scale, arg float64){
	device.Add:     func(x, y, _ float64) (float64, float64, float64) { return rounded(x+y, 0) },
	device.Sub:     func(x, y, _ float64) (float64, float64, float64) { return rounded(x-y, 0) },
	device.Mul:     func(x, y, _ float64) (float64, float64, float64) { return rounded(x*y, 0) },
	device.Div:     func(x, y, _ float64) (float64, float64, float64) { return rounded(x/y, 0) },
	device.Pow:     func(x, y, _ float64) (float64, float64, float64) { return rounded(math.Pow(x, y), y*math.Log2(x)) },
	device.Maximum: func(x, y, _ float64) (float64, float64, float64) { return math.Max(x, y), 0, 0 },
	device.Minimum: func(x, y, _ float64) (float64, float64, float64) { return math.Min(x, y), 0, 0 },
	device.Eq:      func(x, y, _ float64) (float64, float64, float64) { return indicator(x == y), 0, 0 },
	device.Ne:      func(x, y, _ float64) (float64, float64, float64) { return indicator(x != y), 0, 0 },
	device.Lt:      func(x, y, _ float64) (float64, float64, float64) { return indicator(x < y), 0, 0 },
	device.Le:      func(x, y, _ float64) (float64, float64, float64) { return indicator(x <= y), 0, 0 },
	device.Gt:      func(x, y, _ float64) (float64, float64, float64) { return indicator(x > y), 0, 0 },
	device.Ge:      func(x, y, _ float64) (float64, float64, float64) { return indicator(x >= y), 0, 0 },
	device.ReluGrad: func(x, y, _ float64) (float64, float64, float64) {
		if y > 0 {
			return x, 0, 0
		}
		return 0, 0, 0
	},
	device.SigmoidGrad: func(x, y, _ float64) (float64, float64, float64) { return rounded(x*y*(1-y), 0) },
	device.TanhGrad:    func(x, y, _ float64) (float64, float64, float64) { return x * (1 - y*y), math.Abs(x) * (1 + y*y), 0 },
	// d/dy y·Φ(y) = Φ(y) + y·φ(y).
	device.GeluGrad: func(x, y, _ float64) (float64, float64, float64) {
		return x * (normalCDF(y) + y*math.Exp(-y*y/2)/math.Sqrt(2*math.Pi)), math.Abs(x), 0
	},
	// d/dy y·σ(2u) = σ(2u) + 2y·σ(2u)·σ(−2u)·u′(y), u′ = √(2/π)·(1 + 3·0.044715·y²).
	device.GeluTanhGrad: func(x, y, _ float64) (float64, float64, float64) {
		u := geluU(y)
		s, r := 1/(1+math.Exp(-2*u)), 1/(1+math.Exp(2*u))
		return x * (s + 2*y*s*r*math.Sqrt(2/math.Pi)*(1+3*0.044715*y*y)), math.Abs(x), 0
	},
	// softplus(x) − x·y as written (float64 loses ~1e-16·|x| to its
	// cancellation, far below the bound); the bound's scale is the sum of
	// the two non-negative terms the kernels add, plus the 1 that GLSL's
	// absolute log error is measured against.
	device.BCEWithLogits: func(x, y, a float64) (float64, float64, float64) {
		l1, l2 := math.Log1p(math.Exp(-math.Abs(x))), -x*y
		if x >= 0 {
			l2 = x * (1 - y)
		}
		return a * (max(x, 0) + l1 - x*y), math.Abs(a) * (1 + l1 + math.Abs(l2)), 0
	},
	device.LeakyReluGrad: func(x, y, a float64) (float64, float64, float64) {
		if y > 0 {
			return x, 0, 0
		}
		return rounded(a*x, 0)
	},
}

func testBinary(t tb, d device.Device) {
	for _, op := range device.BinaryOps() {
		subtest(t, op.String(), func(t tb) {
			ref, ok := binaryRefs[op]
			if !ok {
				t.Fatalf("devicetest has no reference for binary op %v: add one to binaryRefs", op)
			}
			info := op.Info()
			params := info.ParamSets()
			r := newRand(t)
			for i, sc := range shapeCases(r, 400) {
				x, y := newOperand(r, sc.shape, sc.l, info.Inputs[0]), newOperand(r, sc.shape, sc.l, info.Inputs[1])
				n := device.NumElements(sc.shape)
				dst := upload(t, d, filled(n, sentinel))
				p := device.BinaryParams{Op: op, A: params[i%len(params)][0], Shape: sc.shape}
				d.Binary(dst, x.upload(t, d), y.upload(t, d), p)
				xv, yv := x.values(sc.shape), y.values(sc.shape)
				want, bound := make([]float64, n), make([]float64, n)
				for j := range want {
					w, scale, arg := ref(float64(xv[j]), float64(yv[j]), float64(p.A))
					want[j], bound[j] = w, boundOf(info.Tol, scale, arg)
				}
				expectClose(t, fmt.Sprintf("%s: %s, x %v, y %v", sc.name, describe(p), x, y), download(t, d, dst, n), want, bound)
			}
		})
	}
}

// bceGradScales are the scales BCEWithLogitsBackward is tested with: 1,
// a mean's 1/n and one that is not a power of two.
var bceGradScales = []float32{1, 1.0 / 64, -0.3}

// testBCEWithLogitsBackward checks a·g·(σ(x) − y) against float64 on
// every layout, the upstream gradient also broadcast from one value as a
// sum's gradient is.
func testBCEWithLogitsBackward(t tb, d device.Device) {
	r := newRand(t)
	in := device.BCEWithLogits.Info().Inputs
	gradGen := device.Mostly(device.Wide(3), device.OneOf(0, 1))
	for i, sc := range shapeCases(r, 400) {
		for _, bcast := range []bool{false, true} {
			name := sc.name
			if bcast {
				name += "/one-gradient"
			}
			subtest(t, name, func(t tb) {
				a := bceGradScales[i%len(bceGradScales)]
				x, y := newOperand(r, sc.shape, sc.l, in[0]), newOperand(r, sc.shape, sc.l, in[1])
				g := newOperand(r, sc.shape, sc.l, gradGen)
				if bcast {
					g = operand{strides: make([]int, len(sc.shape)), data: []float32{gradGen(r)}}
				}
				n := device.NumElements(sc.shape)
				dst := upload(t, d, filled(n, sentinel))
				d.BCEWithLogitsBackward(dst, x.upload(t, d), y.upload(t, d), g.upload(t, d), sc.shape, a)
				xv, yv, gv := x.values(sc.shape), y.values(sc.shape), g.values(sc.shape)
				want, bound := make([]float64, n), make([]float64, n)
				for j := range want {
					xj, yj, gj, aj := float64(xv[j]), float64(yv[j]), float64(gv[j]), float64(a)
					s := 1 / (1 + math.Exp(-xj))
					want[j] = aj * gj * (s - yj)
					scale, arg := math.Abs(aj*gj)*(s+math.Abs(yj)), 0.0
					if s+math.Abs(yj) > 0 {
						arg = min(xj, 0) * s / (s + math.Abs(yj))
					}
					bound[j] = boundOf("bcewithlogitsgrad", scale, arg)
				}
				expectClose(t, fmt.Sprintf("%s: a %g, x %v, y %v, g %v", sc.name, a, x, y, g), download(t, d, dst, n), want, bound)
			})
		}
	}
}
