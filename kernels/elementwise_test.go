package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

// stridedCase is a shape with an operand layout: contiguous, transposed,
// broadcast or offset, so the walker's coalescing and fast paths are all hit.
type stridedCase struct {
	name    string
	shape   []int
	strides []int
	off     int
}

var stridedCases = []stridedCase{
	{"scalar", nil, nil, 3},
	{"contiguous", []int{3, 4, 5}, []int{20, 5, 1}, 0},
	{"offset", []int{7}, []int{1}, 5},
	{"transposed", []int{5, 3}, []int{1, 5}, 0},
	{"broadcast-row", []int{4, 6}, []int{0, 1}, 2},
	{"broadcast-col", []int{4, 6}, []int{1, 0}, 0},
	{"broadcast-all", []int{3, 1, 700}, []int{0, 0, 0}, 4},
	{"sliced", []int{2, 3, 2}, []int{24, 4, 2}, 1},
	{"ones", []int{1, 5, 1, 2}, []int{9, 2, 9, 1}, 0},
	{"long", []int{3, 1100}, []int{1, 3}, 0},
	{"empty", []int{3, 0}, []int{1, 1}, 0},
	// Whole contiguous runs along the next dimension (Copy copies them a
	// run at a time): attention heads laid out, and rows of a slice long
	// enough to be split between threads mid-run.
	{"heads", []int{6, 10, 3, 64}, []int{1920, 64, 640, 1}, 0},
	{"rows", []int{520, 4, 130}, []int{1000, 200, 1}, 7},
	// Batches of transposes (Copy goes by tiles): ragged tiles, a
	// broadcast batch, and one split between threads.
	{"transposes", []int{3, 20, 37}, []int{740, 1, 20}, 2},
	{"transposes-broadcast", []int{2, 17, 33}, []int{0, 1, 17}, 1},
	{"transposes-long", []int{2, 300, 500}, []int{150000, 1, 300}, 0},
}

// refAt returns the offset of linear index i walked by strides over shape.
func refAt(shape, strides []int, off, i int) int {
	for d := len(shape) - 1; d >= 0; d-- {
		off += (i % shape[d]) * strides[d]
		i /= shape[d]
	}
	return off
}

// span returns the length a buffer needs to hold the case's operand.
func (c stridedCase) span() int {
	n := c.off + 1
	for d, s := range c.shape {
		if s > 0 {
			n += (s - 1) * c.strides[d]
		}
	}
	return n
}

func TestCopy(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, c := range stridedCases {
		src := make([]int32, c.span())
		for i := range src {
			src[i] = rng.Int32()
		}
		n := numElements(c.shape)
		dst := make([]int32, n+1)
		dst[n] = -7
		Copy(dst, Strided[int32]{src, c.off, c.strides}, c.shape)
		for i := 0; i < n; i++ {
			if want := src[refAt(c.shape, c.strides, c.off, i)]; dst[i] != want {
				t.Fatalf("%s: dst[%d] = %d, want %d", c.name, i, dst[i], want)
			}
		}
		if dst[n] != -7 {
			t.Fatalf("%s: wrote past the end", c.name)
		}
	}
}

// unaryRef is each UnaryOp in float64 with a = 0.3, b = 1.5.
var unaryRef = []func(x float64) float64{
	Affine:    func(x float64) float64 { return 0.3*x + 1.5 },
	Exp:       math.Exp,
	Log:       math.Log,
	Sqrt:      math.Sqrt,
	Rsqrt:     func(x float64) float64 { return 1 / math.Sqrt(x) },
	Abs:       math.Abs,
	Relu:      func(x float64) float64 { return math.Max(x, 0) },
	LeakyRelu: func(x float64) float64 { return map[bool]float64{true: x, false: 0.3 * x}[x > 0] },
	Sigmoid:   func(x float64) float64 { return 1 / (1 + math.Exp(-x)) },
	Tanh:      math.Tanh,
	Sin:       math.Sin,
	Cos:       math.Cos,
	Square:    func(x float64) float64 { return x * x },
	Recip:     func(x float64) float64 { return 1 / x },
	Sign: func(x float64) float64 {
		if x == 0 {
			return 0
		}
		return math.Copysign(1, x)
	},
	PowScalar: func(x float64) float64 { return math.Pow(x, 0.3) },
	Clamp:     func(x float64) float64 { return math.Min(math.Max(x, 0.3), 1.5) },
	GtScalar:  func(x float64) float64 { return f64(x > float64(float32(0.3))) },
	LtScalar:  func(x float64) float64 { return f64(x < float64(float32(0.3))) },
	EqScalar:  func(x float64) float64 { return f64(x == float64(float32(0.3))) },
	Softplus:  func(x float64) float64 { return math.Log1p(math.Exp(x)) },
	Erf:       math.Erf,
}

func f64(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// closeTo reports whether got is within a relative 2⁻²⁰ of want (a few
// float32 ulps); equal infinities and NaNs match.
func closeTo(got float32, want float64) bool {
	g := float64(got)
	if math.IsNaN(want) || math.IsInf(want, 0) {
		return math.IsNaN(g) == math.IsNaN(want) && (math.IsNaN(g) || g == want)
	}
	return math.Abs(g-want) <= 1.0/(1<<20)*math.Max(1, math.Abs(want))
}

func TestUnary(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	for op, ref := range unaryRef {
		for _, c := range stridedCases {
			src := make([]float32, c.span())
			for i := range src {
				src[i] = rng.Float32()*8 - 4
			}
			src[0], src[len(src)-1] = 0, 0.3
			n := numElements(c.shape)
			dst := make([]float32, n)
			Unary(UnaryOp(op), 0.3, 1.5, dst, Strided[float32]{src, c.off, c.strides}, c.shape)
			for i, got := range dst {
				x := src[refAt(c.shape, c.strides, c.off, i)]
				if want := ref(float64(x)); !closeTo(got, want) {
					t.Fatalf("op %d, %s: f(%g) = %g, want %g", op, c.name, x, got, want)
				}
			}
		}
	}
}

// TestUnaryExtremes checks the ops documented as stable at large |x|.
func TestUnaryExtremes(t *testing.T) {
	src := []float32{-1000, -90, 90, 1000}
	dst := make([]float32, 4)
	Unary(Sigmoid, 0, 0, dst, Strided[float32]{src, 0, []int{1}}, []int{4})
	if dst[0] != 0 || dst[3] != 1 || dst[1] <= 0 || math.IsNaN(float64(dst[1])) {
		t.Errorf("sigmoid(%v) = %v", src, dst)
	}
	Unary(Softplus, 0, 0, dst, Strided[float32]{src, 0, []int{1}}, []int{4})
	if dst[0] != 0 || dst[3] != 1000 || dst[2] != 90 {
		t.Errorf("softplus(%v) = %v", src, dst)
	}
}

// binaryRef is each BinaryOp in float64 with a = 0.1.
var binaryRef = []func(x, y float64) float64{
	Add:           func(x, y float64) float64 { return x + y },
	Sub:           func(x, y float64) float64 { return x - y },
	Mul:           func(x, y float64) float64 { return x * y },
	Div:           func(x, y float64) float64 { return x / y },
	Pow:           math.Pow,
	Maximum:       math.Max,
	Minimum:       math.Min,
	Eq:            func(x, y float64) float64 { return f64(x == y) },
	Ne:            func(x, y float64) float64 { return f64(x != y) },
	Lt:            func(x, y float64) float64 { return f64(x < y) },
	Le:            func(x, y float64) float64 { return f64(x <= y) },
	Gt:            func(x, y float64) float64 { return f64(x > y) },
	Ge:            func(x, y float64) float64 { return f64(x >= y) },
	ReluGrad:      func(x, y float64) float64 { return x * f64(y > 0) },
	SigmoidGrad:   func(x, y float64) float64 { return x * y * (1 - y) },
	TanhGrad:      func(x, y float64) float64 { return x * (1 - y*y) },
	LeakyReluGrad: func(x, y float64) float64 { return map[bool]float64{true: x, false: float64(float32(0.1)) * x}[y > 0] },
}

func TestBinary(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	for op, ref := range binaryRef {
		for i, cx := range stridedCases {
			// Pair each layout with another of the same shape, or with itself.
			cy := cx
			for _, c := range stridedCases[i+1:] {
				if equalInts(c.shape, cx.shape) {
					cy = c
				}
			}
			x, y := make([]float32, cx.span()), make([]float32, cy.span())
			for i := range x {
				x[i] = float32(rng.IntN(9)) / 2 // small halves: equal pairs happen
			}
			for i := range y {
				y[i] = float32(rng.IntN(9))/2 - 1
			}
			n := numElements(cx.shape)
			dst := make([]float32, n)
			Binary(BinaryOp(op), 0.1, dst, Strided[float32]{x, cx.off, cx.strides}, Strided[float32]{y, cy.off, cy.strides}, cx.shape)
			for i, got := range dst {
				a, b := x[refAt(cx.shape, cx.strides, cx.off, i)], y[refAt(cy.shape, cy.strides, cy.off, i)]
				if want := ref(float64(a), float64(b)); !closeTo(got, want) {
					t.Fatalf("op %d, %s×%s: f(%g, %g) = %g, want %g", op, cx.name, cy.name, a, b, got, want)
				}
			}
		}
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestWhere(t *testing.T) {
	shape := []int{3, 4}
	cond := []int32{1, 0, 0, -2} // the same for every row
	x := []float32{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}
	y := []float32{-1, -2, -3} // one per row
	dst := make([]float32, 12)
	Where(dst, Strided[int32]{cond, 0, []int{0, 1}}, Strided[float32]{x, 0, []int{4, 1}}, Strided[float32]{y, 0, []int{1, 0}}, shape)
	want := []float32{1, -1, -1, 4, 5, -2, -2, 8, 9, -3, -3, 12}
	for i := range want {
		if dst[i] != want[i] {
			t.Fatalf("Where = %v, want %v", dst, want)
		}
	}
}

// TestElementwiseParallel runs a large broadcast Binary across many
// goroutines' worth of elements and checks every element.
func TestElementwiseParallel(t *testing.T) {
	const rows, cols = 300, 1001
	x := make([]float32, rows*cols)
	for i := range x {
		x[i] = float32(i % 97)
	}
	y := make([]float32, cols)
	for i := range y {
		y[i] = float32(i)
	}
	dst := make([]float32, rows*cols)
	Binary(Sub, 0, dst, Strided[float32]{x, 0, []int{cols, 1}}, Strided[float32]{y, 0, []int{0, 1}}, []int{rows, cols})
	for i, v := range dst {
		if want := float32(i%97) - float32(i%cols); v != want {
			t.Fatalf("dst[%d] = %g, want %g", i, v, want)
		}
	}
}

// TestUnaryTranscendentalSweep checks Tanh and Sigmoid, which do not call
// their math counterparts, to within one float32 ulp of them over
// magnitudes from 2⁻³⁰ to 2⁷, both signs.
func TestUnaryTranscendentalSweep(t *testing.T) {
	var src []float32
	for e := -30.0; e <= 7; e += 1.0 / 16 {
		v := float32(math.Exp2(e))
		src = append(src, v, -v, math.Nextafter32(v, 0))
	}
	dst := make([]float32, len(src))
	for _, c := range []struct {
		op  UnaryOp
		ref func(float64) float64
	}{
		{Tanh, math.Tanh},
		{Sigmoid, func(x float64) float64 { return 1 / (1 + math.Exp(-x)) }},
	} {
		Unary(c.op, 0, 0, dst, Strided[float32]{src, 0, []int{1}}, []int{len(src)})
		for i, x := range src {
			want := float32(c.ref(float64(x)))
			if got := dst[i]; got != want && math.Nextafter32(got, want) != want {
				t.Errorf("op %d: f(%g) = %g, want %g", c.op, x, got, want)
			}
		}
	}
}

// TestFill checks Fill's every element, bit for bit, for zero (by clear),
// negative zero, NaN and other values, and int32, on lengths around its
// single stores, its largest copy and across parallel parts.
func TestFill(t *testing.T) {
	for _, n := range []int{0, 1, 7, fillStores - 1, fillStores, fillStores + 1, 3*fillStores + 5, fillBlock - 1, fillBlock, fillBlock + 1, 3*fillBlock + 5, 1 << 20} {
		for _, v := range []float32{0, float32(math.Copysign(0, -1)), 1.5, float32(math.NaN()), float32(math.Inf(-1))} {
			d := make([]float32, n+1)
			for i := range d {
				d[i] = 42
			}
			Fill(d[:n], v)
			for i := range n {
				if math.Float32bits(d[i]) != math.Float32bits(v) {
					t.Fatalf("Fill(%d values, %v): element %d = %v", n, v, i, d[i])
				}
			}
			if d[n] != 42 {
				t.Fatalf("Fill(%d values, %v) wrote past the end", n, v)
			}
		}
		for _, v := range []int32{0, -1, 7} {
			d := make([]int32, n)
			for i := range d {
				d[i] = 42
			}
			Fill(d, v)
			for i, x := range d {
				if x != v {
					t.Fatalf("Fill(%d int32s, %d): element %d = %d", n, v, i, x)
				}
			}
		}
	}
}

// TestWhereVector checks Where's selection on contiguous operands (the
// vector kernel where the CPU has one) against c ≠ 0 element by element,
// bit for bit: float32 conditions with ±0, NaN, subnormals and
// infinities, int32 ones with 0, −1 and the sign bit alone, NaN payloads
// in the values, lengths across whole vectors and ragged ends.
func TestWhereVector(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 6))
	fconds := []float32{0, float32(math.Copysign(0, -1)), float32(math.NaN()), 1e-45, -2, float32(math.Inf(-1))}
	iconds := []int32{0, -1, math.MinInt32, 1}
	for _, n := range []int{1, 7, 8, 9, 15, 16, 17, 33, 100, 5000} {
		a := withSpecials(rng, n, 3, 5)
		b := withSpecials(rng, n, 3, 5)
		fc, ic := make([]float32, n), make([]int32, n)
		for i := range n {
			fc[i], ic[i] = fconds[rng.IntN(len(fconds))], iconds[rng.IntN(len(iconds))]
		}
		shape := []int{n}
		got := make([]float32, n+1)
		got[n] = 42
		check := func(what string, cond func(i int) bool) {
			t.Helper()
			for i := range n {
				want := b[i]
				if cond(i) {
					want = a[i]
				}
				if math.Float32bits(got[i]) != math.Float32bits(want) {
					t.Fatalf("n=%d, %s condition: [%d] = %v, want %v", n, what, i, got[i], want)
				}
			}
		}
		x, y := Strided[float32]{a, 0, []int{1}}, Strided[float32]{b, 0, []int{1}}
		Where(got[:n], Strided[float32]{fc, 0, []int{1}}, x, y, shape)
		check("float32", func(i int) bool { return fc[i] != 0 })
		Where(got[:n], Strided[int32]{ic, 0, []int{1}}, x, y, shape)
		check("int32", func(i int) bool { return ic[i] != 0 })
		if got[n] != 42 {
			t.Fatalf("n=%d: wrote past the end", n)
		}
	}
}
