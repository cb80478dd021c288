package devicetest

import (
	"fmt"
	"math"
	"testing"

	"github.com/tensorgl/tensorgl/device"
)

// binaryCase is how Binary is tested for one op.
type binaryCase struct {
	tol  string  // name of the tolerance; "" for an exact result
	a    float32 // BinaryParams.A
	genX generator
	genY generator
	// ref returns the exact result, the scale of its tolerance and the
	// argument that widens it.
	ref func(x, y, a float64) (want, scale, arg float64)
}

// small draws values that are often equal to each other, for comparisons.
var small = oneOf(-1, -0.5, 0, negZero, 0.5, 1)

// binaryCases has a case for every device.BinaryOp; Run fails for an op
// without one.
var binaryCases = map[device.BinaryOp]binaryCase{
	device.Add: {"round", 0, wide(6), wide(6),
		func(x, y, _ float64) (float64, float64, float64) { return rounded(x+y, 0) }},
	device.Sub: {"round", 0, wide(6), mostly(wide(6), small),
		func(x, y, _ float64) (float64, float64, float64) { return rounded(x-y, 0) }},
	device.Mul: {"round", 0, wide(10), wide(10),
		func(x, y, _ float64) (float64, float64, float64) { return rounded(x*y, 0) }},
	device.Div: {"div", 0, wide(10), eitherSign(positive(-20, 20)),
		func(x, y, _ float64) (float64, float64, float64) { return rounded(x/y, 0) }},
	device.Pow: {"pow", 0, positive(math.Log(0.25), math.Log(4)), between(-3, 3),
		func(x, y, _ float64) (float64, float64, float64) { return rounded(math.Pow(x, y), y*math.Log2(x)) }},
	device.Maximum: {"", 0, mostly(wide(20), small), mostly(wide(20), small),
		func(x, y, _ float64) (float64, float64, float64) { return math.Max(x, y), 0, 0 }},
	device.Minimum: {"", 0, mostly(wide(20), small), mostly(wide(20), small),
		func(x, y, _ float64) (float64, float64, float64) { return math.Min(x, y), 0, 0 }},
	device.Eq: {"", 0, small, small,
		func(x, y, _ float64) (float64, float64, float64) { return indicator(x == y), 0, 0 }},
	device.Ne: {"", 0, small, small,
		func(x, y, _ float64) (float64, float64, float64) { return indicator(x != y), 0, 0 }},
	device.Lt: {"", 0, small, small,
		func(x, y, _ float64) (float64, float64, float64) { return indicator(x < y), 0, 0 }},
	device.Le: {"", 0, small, small,
		func(x, y, _ float64) (float64, float64, float64) { return indicator(x <= y), 0, 0 }},
	device.Gt: {"", 0, small, small,
		func(x, y, _ float64) (float64, float64, float64) { return indicator(x > y), 0, 0 }},
	device.Ge: {"", 0, small, small,
		func(x, y, _ float64) (float64, float64, float64) { return indicator(x >= y), 0, 0 }},
	device.ReluGrad: {"", 0, wide(6), mostly(wide(3), oneOf(0, negZero)),
		func(x, y, _ float64) (float64, float64, float64) {
			if y > 0 {
				return x, 0, 0
			}
			return 0, 0, 0
		}},
	device.SigmoidGrad: {"sigmoidgrad", 0, wide(3), between(0, 1),
		func(x, y, _ float64) (float64, float64, float64) { return rounded(x*y*(1-y), 0) }},
	device.TanhGrad: {"tanhgrad", 0, wide(3), mostly(between(-1, 1), oneOf(0.99999, -0.9999, 0)),
		func(x, y, _ float64) (float64, float64, float64) { return x * (1 - y*y), math.Abs(x) * (1 + y*y), 0 }},
	device.LeakyReluGrad: {"round", 0.02, wide(6), mostly(wide(3), oneOf(0)),
		func(x, y, a float64) (float64, float64, float64) {
			if y > 0 {
				return x, 0, 0
			}
			return rounded(a*x, 0)
		}},
}

func testBinary(t *testing.T, d device.Device) {
	for _, op := range device.BinaryOps() {
		subtest(t, op.String(), func(t *testing.T) {
			c, ok := binaryCases[op]
			if !ok {
				t.Fatalf("devicetest has no case for binary op %v: add one to binaryCases", op)
			}
			r := newRand(t)
			for _, sc := range shapeCases(r, 400) {
				x, y := newOperand(r, sc.shape, sc.l, c.genX), newOperand(r, sc.shape, sc.l, c.genY)
				n := device.NumElements(sc.shape)
				dst := upload(t, d, filled(n, sentinel))
				p := device.BinaryParams{Op: op, A: c.a, Shape: sc.shape}
				d.Binary(dst, x.upload(t, d), y.upload(t, d), p)
				xv, yv := x.values(sc.shape), y.values(sc.shape)
				want, bound := make([]float64, n), make([]float64, n)
				for j := range want {
					w, scale, arg := c.ref(float64(xv[j]), float64(yv[j]), float64(c.a))
					want[j], bound[j] = w, boundOf(c.tol, scale, arg)
				}
				expectClose(t, fmt.Sprintf("%s: %s, x %v, y %v", sc.name, describe(p), x, y), download(t, d, dst, n), want, bound)
			}
		})
	}
}
