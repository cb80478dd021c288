package kernels

import (
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
)

// TestBinarySpanVector checks binarySpan's Add, Sub, Mul and Div (vector
// code where the CPU has it) against the operation element by element, bit
// for bit, on lengths across whole vectors, unrolled steps and ragged
// tails, with signed zeros, NaNs, infinities and subnormals, and in place.
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
