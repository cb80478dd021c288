package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
)

// TestBinarySpanVector checks binarySpan's Add, Sub, Mul, Div, TanhGrad and
// SigmoidGrad (vector code where the CPU has it) against the operation
// element by element, bit for bit, on lengths across whole vectors,
// unrolled steps and ragged tails, with signed zeros, NaNs, infinities and
// subnormals, and in place.
func TestBinarySpanVector(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 2))
	draw := func(n int) []float32 { return withSpecials(rng, n, 4, 9) }
	ops := []struct {
		op BinaryOp
		f  func(x, y float32) float32
	}{
		{Add, func(x, y float32) float32 { return x + y }},
		{Sub, func(x, y float32) float32 { return x - y }},
		{Mul, func(x, y float32) float32 { return x * y }},
		{Div, func(x, y float32) float32 { return x / y }},
		{TanhGrad, func(x, y float32) float32 { return x * (1 - y*y) }},
		{SigmoidGrad, func(x, y float32) float32 { return x * y * (1 - y) }},
	}
	for _, o := range ops {
		for _, n := range []int{1, 7, 8, 9, 15, 16, 17, 31, 63, 64, 65, 100, 257} {
			x, y := draw(n), draw(n)
			d := make([]float32, n+1)
			d[n] = 42
			binarySpan(o.op, 0, d[:n], x, y)
			for i := range n {
				if want := o.f(x[i], y[i]); !sameFloat(d[i], want) {
					t.Fatalf("%v, n=%d: element %d of %v and %v = %v, want %v", o.op, n, i, x[i], y[i], d[i], want)
				}
			}
			if d[n] != 42 {
				t.Fatalf("%v, n=%d: wrote past the end", o.op, n)
			}
			in := append([]float32(nil), x...)
			binarySpan(o.op, 0, in, in, y)
			for i := range n {
				if want := o.f(x[i], y[i]); !sameFloat(in[i], want) {
					t.Fatalf("%v in place, n=%d: element %d = %v, want %v", o.op, n, i, in[i], want)
				}
			}
		}
	}
}

// withSpecials returns n values, one in every of them (on average) a
// signed zero, NaN, infinity, subnormal or the largest float32, the rest
// normal draws scaled by 10^(−k/2 … k/2).
func withSpecials(rng *rand.Rand, n, every, k int) []float32 {
	specials := []float32{0, float32(math.Copysign(0, -1)), float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)), 1e-40, -3e-39, math.MaxFloat32}
	v := make([]float32, n)
	for i := range v {
		if rng.IntN(every) == 0 {
			v[i] = specials[rng.IntN(len(specials))]
		} else {
			v[i] = float32(rng.NormFloat64() * math.Pow(10, float64(rng.IntN(k)-k/2)))
		}
	}
	return v
}

// sameFloat reports whether a and b have the same bits, or are both NaN.
func sameFloat(a, b float32) bool {
	return math.Float32bits(a) == math.Float32bits(b) || a != a && b != b
}

// TestElementwiseNoGarbage checks that Binary (contiguous and broadcast
// operands, each vector op and one without vector code) allocates nothing
// on one thread, and Random only its closure: their span and word buffers
// live on the stack (called through a function value, the vector kernels
// let them escape: two 2 KiB allocations every Binary call).
func TestElementwiseNoGarbage(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	n := 3*spanLen + 5
	x, y, d := make([]float32, n), make([]float32, n), make([]float32, n)
	for i := range x {
		x[i], y[i] = float32(i), float32(n-i)
	}
	shape, unit := []int{n}, []int{1}
	for _, op := range []BinaryOp{Add, Sub, Mul, Div, Maximum} {
		for _, ys := range [][]int{{1}, {0}} {
			allocs := testing.AllocsPerRun(10, func() {
				Binary(op, 0, d, Strided[float32]{Data: x, Strides: unit}, Strided[float32]{Data: y, Strides: ys}, shape)
			})
			if allocs != 0 {
				t.Errorf("Binary op %d, y strides %v: %v allocations a call, want 0", op, ys, allocs)
			}
		}
	}
	// Random hands its work to ParallelFor as a closure: one allocation.
	for _, dist := range []Distribution{Uniform, Bernoulli, ScaledBernoulli} {
		if allocs := testing.AllocsPerRun(10, func() { Random(d, dist, 0.5, 2, 7, 3) }); allocs > 1 {
			t.Errorf("Random dist %d: %v allocations a call, want at most 1 (its closure)", dist, allocs)
		}
	}
}

// TestElementwiseVector checks the element-wise ops with vector code of
// their own (elementwise_amd64.s: the affine map, square, |x|, 1/x, √x,
// 1/√x, sign, clamp, the comparisons, maximum and minimum) against the same
// spans taken one element at a time, which the Go loops compute, bit for
// bit: lengths across whole vectors and ragged ends, signed zeros, NaNs,
// infinities and subnormals, operands equal to each other or to the
// scalar, and in place.
func TestElementwiseVector(t *testing.T) { checkElementwiseVector(t) }

func checkElementwiseVector(t *testing.T) {
	t.Helper()
	rng := rand.New(rand.NewPCG(6, 1))
	draw := func(n int) []float32 {
		v := withSpecials(rng, n, 4, 9)
		for i := range v {
			switch rng.IntN(8) {
			case 0:
				v[i] = 0.5 // the scalar of the comparisons and a clamp bound
			case 1:
				v[i] = -2
			}
		}
		return v
	}
	one := func(f func(d, s []float32), s []float32) []float32 {
		d := make([]float32, len(s))
		for i := range s {
			f(d[i:i+1], s[i:i+1]) // too short for a vector
		}
		return d
	}
	check := func(name string, n int, s, got, want []float32) {
		t.Helper()
		for i := range want {
			if !sameFloat(got[i], want[i]) {
				t.Fatalf("%s, n=%d: element %d of %v = %v, want %v", name, n, i, s[i], got[i], want[i])
			}
		}
	}
	lengths := []int{1, 7, 8, 9, 15, 16, 17, 33, 64, 100, 257}
	for _, u := range []struct {
		op   UnaryOp
		a, b float32
	}{
		{Affine, 1.5, -0.25}, {Affine, -3, 0}, {Square, 0, 0}, {Abs, 0, 0}, {Recip, 0, 0}, {Sqrt, 0, 0},
		{Rsqrt, 0, 0}, {Sign, 0, 0}, {Clamp, -2, 0.5}, {Clamp, 0, 0}, {Clamp, float32(math.Copysign(0, -1)), 1e30},
		{Clamp, float32(math.Copysign(0, -1)), 0}, {Clamp, -1, float32(math.Copysign(0, -1))},
		{Clamp, 1, -1}, {Clamp, float32(math.NaN()), 1}, {GtScalar, 0.5, 0}, {LtScalar, 0.5, 0}, {EqScalar, 0.5, 0},
		{GtScalar, float32(math.NaN()), 0}, {EqScalar, 0, 0},
	} {
		f := func(d, s []float32) { unarySpan(u.op, u.a, u.b, d, s) }
		for _, n := range lengths {
			s := draw(n)
			want := one(f, s)
			got := make([]float32, n)
			f(got, s)
			name := fmt.Sprintf("unary %d (%v, %v)", u.op, u.a, u.b)
			check(name, n, s, got, want)
			in := append([]float32(nil), s...)
			f(in, in)
			check(name+" in place", n, s, in, want)
		}
	}
	for _, op := range []BinaryOp{Eq, Ne, Lt, Le, Gt, Ge, Maximum, Minimum} {
		for _, n := range lengths {
			x, y := draw(n), draw(n)
			for i := range y {
				switch rng.IntN(6) {
				case 0:
					y[i] = x[i]
				case 1:
					x[i], y[i] = 0, float32(math.Copysign(0, -1))
				case 2:
					x[i], y[i] = float32(math.Copysign(0, -1)), 0
				}
			}
			want := make([]float32, n)
			for i := range x {
				binarySpan(op, 0, want[i:i+1], x[i:i+1], y[i:i+1])
			}
			got := make([]float32, n)
			binarySpan(op, 0, got, x, y)
			name := fmt.Sprintf("binary %d", op)
			check(name, n, x, got, want)
			in := append([]float32(nil), x...)
			binarySpan(op, 0, in, in, y)
			check(name+" in place", n, x, in, want)
		}
	}
}
