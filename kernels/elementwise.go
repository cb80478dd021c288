package kernels

import "math"

// UnaryOp selects a Unary function. Its meanings are those of the
// device.UnaryOp of the same name; the values need not match, since
// device/cpu finds each kernel op by its name (UnaryOpNamed).
type UnaryOp uint8

const (
	Affine    UnaryOp = iota // a·x + b
	Exp                      // eˣ
	Log                      // ln x
	Sqrt                     // √x
	Rsqrt                    // 1/√x
	Abs                      // |x|
	Relu                     // max(x, 0)
	LeakyRelu                // x if x > 0 else a·x
	Sigmoid                  // 1/(1+e⁻ˣ)
	Tanh                     // tanh x
	Sin                      // sin x
	Cos                      // cos x
	Square                   // x²
	Recip                    // 1/x
	Sign                     // -1, 0 or 1
	PowScalar                // xᵃ
	Clamp                    // min(max(x, a), b)
	GtScalar                 // 1 if x > a else 0
	LtScalar                 // 1 if x < a else 0
	EqScalar                 // 1 if x == a else 0
	Softplus                 // ln(1+eˣ)
	Erf                      // erf x
	Gelu                     // x·Φ(x), Φ the standard normal distribution function
	GeluTanh                 // x·σ(2u), u = √(2/π)·(x + 0.044715·x³)
	numUnaryOps
)

// unaryNames names each UnaryOp as package device's op catalogue does.
var unaryNames = map[string]UnaryOp{
	"affine": Affine, "exp": Exp, "log": Log, "sqrt": Sqrt, "rsqrt": Rsqrt, "abs": Abs, "relu": Relu,
	"leakyrelu": LeakyRelu, "sigmoid": Sigmoid, "tanh": Tanh, "sin": Sin, "cos": Cos, "square": Square,
	"recip": Recip, "sign": Sign, "powscalar": PowScalar, "clamp": Clamp, "gtscalar": GtScalar,
	"ltscalar": LtScalar, "eqscalar": EqScalar, "softplus": Softplus, "erf": Erf,
	"gelu": Gelu, "gelutanh": GeluTanh,
}

// UnaryOpNamed returns the UnaryOp with the given catalogue name.
func UnaryOpNamed(name string) (UnaryOp, bool) {
	op, ok := unaryNames[name]
	return op, ok
}

// BinaryOp selects a Binary function, that of the device.BinaryOp of the
// same name.
type BinaryOp uint8

const (
	Add           BinaryOp = iota // x + y
	Sub                           // x - y
	Mul                           // x · y
	Div                           // x / y
	Pow                           // xʸ
	Maximum                       // max(x, y), NaN-propagating
	Minimum                       // min(x, y), NaN-propagating
	Eq                            // 1 if x == y else 0
	Ne                            // 1 if x != y else 0
	Lt                            // 1 if x < y else 0
	Le                            // 1 if x <= y else 0
	Gt                            // 1 if x > y else 0
	Ge                            // 1 if x >= y else 0
	ReluGrad                      // x if y > 0 else 0
	SigmoidGrad                   // x · y · (1-y)
	TanhGrad                      // x · (1-y²)
	LeakyReluGrad                 // x if y > 0 else a·x
	GeluGrad                      // x · (Φ(y) + y·φ(y))
	GeluTanhGrad                  // x · d/dy[y·σ(2u(y))]
	BCEWithLogits                 // a·(softplus(x) − x·y), without cancellation (bce.go)
	numBinaryOps
)

// binaryNames names each BinaryOp as package device's op catalogue does.
var binaryNames = map[string]BinaryOp{
	"add": Add, "sub": Sub, "mul": Mul, "div": Div, "pow": Pow, "maximum": Maximum, "minimum": Minimum,
	"eq": Eq, "ne": Ne, "lt": Lt, "le": Le, "gt": Gt, "ge": Ge, "relugrad": ReluGrad,
	"sigmoidgrad": SigmoidGrad, "tanhgrad": TanhGrad, "leakyrelugrad": LeakyReluGrad,
	"gelugrad": GeluGrad, "gelutanhgrad": GeluTanhGrad, "bcewithlogits": BCEWithLogits,
}

// BinaryOpNamed returns the BinaryOp with the given catalogue name.
func BinaryOpNamed(name string) (BinaryOp, bool) {
	op, ok := binaryNames[name]
	return op, ok
}

// Unary sets contiguous dst = op(src; a, b) over shape.
func Unary(op UnaryOp, a, b float32, dst []float32, src Strided[float32], shape []int) {
	n, grain := numElements(shape), unaryGrain(op, a)
	if n == 0 {
		return
	}
	w := newWalker(shape, [3]int{src.Off}, [3][]int{src.Strides})
	if serial(n, grain) {
		unaryRange(op, a, b, dst, src, w, 0, n)
		return
	}
	// Only this copy of the walker moves to the heap, with the closure
	// that the helper goroutines share: a small op allocates nothing.
	shared := w
	ParallelFor(n, grain, func(lo, hi int) { unaryRange(op, a, b, dst, src, shared, lo, hi) })
}

// unaryRange is Unary over the elements [lo, hi).
func unaryRange(op UnaryOp, a, b float32, dst []float32, src Strided[float32], w walker, lo, hi int) {
	w.seek(lo)
	for pos := lo; pos < hi; {
		m := w.span(min(hi-pos, spanLen))
		d := dst[pos : pos+m]
		// A non-contiguous source is gathered into dst itself, and the
		// op then runs in place.
		s := load(&w, 0, src.Data, m, d)
		unarySpan(op, a, b, d, s)
		pos += m
		w.advance(m)
	}
}

// unaryGrain is the fewest elements of op (with parameter a) worth another
// goroutine: the float64 transcendentals cost 1–20 ns an element, the
// others, the square among powers, stream.
func unaryGrain(op UnaryOp, a float32) int {
	switch {
	case op == PowScalar && a == 2:
		return streamGrainNow()
	case op == Log, op == Sin, op == Cos, op == PowScalar, op == Softplus, op == Erf:
		return elemGrain
	}
	return streamGrainNow()
}

// unarySpan applies op element by element; d and s have the same length and
// may be the same slice. Exp and tanh run as float32 vector code where the
// CPU has it; the sigmoid (transcend.go), log, sine and cosine (normal.go),
// softplus (softplus.go), erf (erf.go) and PowScalar (pow.go) as float64
// vector code with the bits of math's functions.
func unarySpan(op UnaryOp, a, b float32, d, s []float32) {
	s = s[:len(d)]
	if full := unaryVec(op, a, b, d, s); full > 0 {
		d, s = d[full:], s[full:]
		if len(d) == 0 {
			return
		}
	}
	switch op {
	case Affine:
		for i, x := range s {
			d[i] = float32(a*x) + b // rounded twice, never fused: the vector code's bits
		}
	case Exp:
		vexp(d, s)
	case Log:
		for i, x := range s {
			d[i] = float32(math.Log(float64(x)))
		}
	case Sqrt:
		for i, x := range s {
			d[i] = float32(math.Sqrt(float64(x)))
		}
	case Rsqrt:
		for i, x := range s {
			d[i] = float32(1 / math.Sqrt(float64(x)))
		}
	case Abs:
		for i, x := range s {
			d[i] = math.Float32frombits(math.Float32bits(x) &^ (1 << 31))
		}
	case Relu:
		biasRelu(d, s, 0) // max(x+0, 0) = max(x, 0), −0 and NaN included
	case LeakyRelu:
		leaky(d, s, s, a)
	case Sigmoid:
		vsigmoid(d, s)
	case Tanh:
		vtanh(d, s)
	case Sin, Cos:
		for i, x := range s {
			d[i] = float32(sinCos(float64(x), op == Cos))
		}
	case Square:
		for i, x := range s {
			d[i] = x * x
		}
	case Recip:
		for i, x := range s {
			d[i] = 1 / x
		}
	case Sign:
		for i, x := range s {
			// ±0 and NaN stay as they are.
			d[i] = sel(x > 0, 1, sel(x < 0, -1, x))
		}
	case PowScalar:
		pl := newPowPlan(a)
		for i, x := range s {
			d[i] = powGo(x, &pl)
		}
	case Clamp:
		for i, x := range s {
			d[i] = min(max(x, a), b)
		}
	case GtScalar:
		for i, x := range s {
			d[i] = b2f(x > a)
		}
	case LtScalar:
		for i, x := range s {
			d[i] = b2f(x < a)
		}
	case EqScalar:
		for i, x := range s {
			d[i] = b2f(x == a)
		}
	case Softplus:
		for i, x := range s {
			d[i] = softplusGo(x)
		}
	case Erf:
		for i, x := range s {
			d[i] = erfGo(x)
		}
	case Gelu:
		vgelu(d, s)
	case GeluTanh:
		vgeluTanh(d, s)
	default:
		panic("kernels: unknown unary op")
	}
}

// The element-wise kernels select with bit masks rather than branches: on
// real data (ReLU inputs, comparisons) a branch is mispredicted half the
// time, which costs ten times the arithmetic.

// mask returns all ones when c holds, else zero; it compiles to SETcc.
func mask(c bool) uint32 {
	var m uint32
	if c {
		m = ^uint32(0)
	}
	return m
}

// sel returns a when c holds, else b.
func sel(c bool, a, b float32) float32 {
	m := mask(c)
	return math.Float32frombits(math.Float32bits(a)&m | math.Float32bits(b)&^m)
}

// b2f returns 1 when b holds, else 0.
func b2f(b bool) float32 { return math.Float32frombits(math.Float32bits(1) & mask(b)) }

// Binary sets contiguous dst = op(x, y; a) over shape.
func Binary(op BinaryOp, a float32, dst []float32, x, y Strided[float32], shape []int) {
	n := numElements(shape)
	if n == 0 {
		return
	}
	w, grain := newWalker(shape, [3]int{x.Off, y.Off}, [3][]int{x.Strides, y.Strides}), binaryGrain(op)
	if serial(n, grain) {
		binaryRange(op, a, dst, x, y, w, 0, n)
		return
	}
	shared := w // as in Unary
	ParallelFor(n, grain, func(lo, hi int) { binaryRange(op, a, dst, x, y, shared, lo, hi) })
}

// binaryGrain is unaryGrain for Binary: the ops on float64
// transcendentals get goroutines sooner than those that stream.
func binaryGrain(op BinaryOp) int {
	switch op {
	case Pow:
		return elemGrain
	case BCEWithLogits:
		return streamGrainNow() / 4
	}
	return streamGrainNow()
}

// binaryRange is Binary over the elements [lo, hi).
func binaryRange(op BinaryOp, a float32, dst []float32, x, y Strided[float32], w walker, lo, hi int) {
	var xs, ys [spanLen]float32
	w.seek(lo)
	for pos := lo; pos < hi; {
		m := w.span(min(hi-pos, spanLen))
		binarySpan(op, a, dst[pos:pos+m], load(&w, 0, x.Data, m, xs[:]), load(&w, 1, y.Data, m, ys[:]))
		pos += m
		w.advance(m)
	}
}

// binarySpan applies op element by element over equal-length slices.
func binarySpan(op BinaryOp, a float32, d, xs, ys []float32) {
	xs, ys = xs[:len(d)], ys[:len(d)]
	if full := binaryVec(op, d, xs, ys); full > 0 {
		d, xs, ys = d[full:], xs[full:], ys[full:]
	}
	switch op {
	case Add:
		for i, x := range xs {
			d[i] = x + ys[i]
		}
	case Sub:
		for i, x := range xs {
			d[i] = x - ys[i]
		}
	case Mul:
		for i, x := range xs {
			d[i] = x * ys[i]
		}
	case Div:
		for i, x := range xs {
			d[i] = x / ys[i]
		}
	case Pow:
		for i, x := range xs {
			pl := newPowPlan(ys[i])
			d[i] = powGo(x, &pl)
		}
	case Maximum:
		for i, x := range xs {
			d[i] = max(x, ys[i])
		}
	case Minimum:
		for i, x := range xs {
			d[i] = min(x, ys[i])
		}
	case Eq:
		for i, x := range xs {
			d[i] = b2f(x == ys[i])
		}
	case Ne:
		for i, x := range xs {
			d[i] = b2f(x != ys[i])
		}
	case Lt:
		for i, x := range xs {
			d[i] = b2f(x < ys[i])
		}
	case Le:
		for i, x := range xs {
			d[i] = b2f(x <= ys[i])
		}
	case Gt:
		for i, x := range xs {
			d[i] = b2f(x > ys[i])
		}
	case Ge:
		for i, x := range xs {
			d[i] = b2f(x >= ys[i])
		}
	case ReluGrad:
		reluGrad(d, xs, ys)
	case SigmoidGrad:
		for i, x := range xs {
			y := ys[i]
			d[i] = x * y * (1 - y)
		}
	case TanhGrad:
		for i, x := range xs {
			y := ys[i]
			d[i] = x * (1 - y*y)
		}
	case LeakyReluGrad:
		leaky(d, xs, ys, a)
	case GeluGrad:
		vgeluGrad(d, xs, ys)
	case GeluTanhGrad:
		vgeluTanhGrad(d, xs, ys)
	case BCEWithLogits:
		bceSpan(a, d, xs, ys)
	default:
		panic("kernels: unknown binary op")
	}
}
