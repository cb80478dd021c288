package devicetest

import (
	"math"

	"github.com/tensorgl/tensorgl/device"
)

// powSpecials are the pairs (x, y) where C's pow (and Go's math.Pow, and
// PyTorch) define a result that a pow built from exp2(y·log2 x) misses:
// a base of 1 (whatever the exponent, NaN included), infinite exponents,
// a base of −∞ under integer and non-integer exponents, zero bases.
var powSpecials = [][2]float64{
	{1, math.NaN()}, {1, math.Inf(1)}, {1, math.Inf(-1)}, {1, -2.5},
	{-1, math.Inf(1)}, {-1, math.Inf(-1)}, {-1, 3}, {-1, 2},
	{0.5, math.Inf(1)}, {0.5, math.Inf(-1)}, {-0.5, math.Inf(1)}, {-0.5, math.Inf(-1)},
	{2, math.Inf(1)}, {2, math.Inf(-1)}, {-2, math.Inf(1)}, {-2, math.Inf(-1)},
	{math.Inf(-1), 1.0 / 3}, {math.Inf(-1), -1.0 / 3}, {math.Inf(-1), 3}, {math.Inf(-1), -3},
	{math.Inf(-1), 2}, {math.Inf(-1), -2}, {math.Inf(-1), 0}, {math.Inf(-1), math.Inf(1)}, {math.Inf(-1), math.Inf(-1)},
	{math.Inf(1), 0.5}, {math.Inf(1), -0.5}, {math.Inf(1), 0}, {math.NaN(), 0}, {math.NaN(), 1},
	{0, 3}, {math.Copysign(0, -1), 3}, {0, -3}, {math.Copysign(0, -1), -3}, {0, 0.5}, {0, -0.5}, {0, 0},
	{-8, 1.0 / 3}, {-8, 3},
}

// testPowSpecials checks Pow and PowScalar on powSpecials bit for bit
// against math.Pow (signs of zeros and infinities included; any NaN for
// NaN).
func testPowSpecials(t tb, d device.Device) {
	xs, ys, want := make([]float32, len(powSpecials)), make([]float32, len(powSpecials)), make([]float32, len(powSpecials))
	for i, c := range powSpecials {
		xs[i], ys[i] = float32(c[0]), float32(c[1])
		want[i] = float32(math.Pow(float64(xs[i]), float64(ys[i])))
	}
	n := len(xs)
	shape := []int{n}
	dst := upload(t, d, filled(n, sentinel))
	d.Binary(dst, device.Strided{Buf: upload(t, d, xs), Strides: device.Contiguous(shape)}, device.Strided{Buf: upload(t, d, ys), Strides: device.Contiguous(shape)}, device.BinaryParams{Op: device.Pow, Shape: shape})
	expectEqual(t, "Pow of special values (x, y) = "+describePairs(xs, ys), download(t, d, dst, n), want)
	for i := range xs {
		one := upload(t, d, filled(1, sentinel))
		d.Unary(one, device.Strided{Buf: upload(t, d, xs[i:i+1]), Strides: device.Contiguous([]int{1})}, device.UnaryParams{Op: device.PowScalar, A: ys[i], Shape: []int{1}})
		expectEqual(t, "PowScalar of special values "+describePairs(xs[i:i+1], ys[i:i+1]), download(t, d, one, 1), want[i:i+1])
	}
}

// testClampNaNBounds checks that a NaN bound makes every element NaN, as
// C's fmin(fmax(x, lo), hi) does not but PyTorch's clamp does.
func testClampNaNBounds(t tb, d device.Device) {
	nan := float32(math.NaN())
	xs := []float32{-2, 0, 2, float32(math.Inf(1))}
	shape := []int{len(xs)}
	for _, b := range [][2]float32{{nan, 1}, {-1, nan}, {nan, nan}} {
		dst := upload(t, d, filled(len(xs), sentinel))
		d.Unary(dst, device.Strided{Buf: upload(t, d, xs), Strides: device.Contiguous(shape)}, device.UnaryParams{Op: device.Clamp, A: b[0], B: b[1], Shape: shape})
		expectEqual(t, describe(b)+": Clamp with a NaN bound", download(t, d, dst, len(xs)), filled(len(xs), nan))
	}
}

func describePairs(xs, ys []float32) string {
	s := ""
	for i := range xs {
		if i > 0 {
			s += " "
		}
		s += describe([2]float32{xs[i], ys[i]})
	}
	return s
}
