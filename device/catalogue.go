package device

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// OpInfo is the one declaration of an op of Unary, Binary or Reduce, or of
// a Random distribution. Everything else follows from it: the op's String,
// the CPU backend's dispatch (by Name), the GLSL define the shaders select
// it with (by Define, whose value the GL backend sets to Code), and the
// inputs and tolerance of its tests and benchmarks (devicetest, tensorgl
// check, bench). The Go constant's value is only a code: reordering the
// constants changes no result.
type OpInfo struct {
	Code int    // the op's value
	Name string // lower case, unique within its kernel: "softplus"
	// Define is the GLSL macro naming the op: "OP_" (or "DIST_" for a
	// distribution) and the upper-case Name. For a value outside the
	// catalogue it is the bare number, which no shader handles.
	Define string
	// Inputs draws each operand's test inputs (x, or x and y); nil for
	// Random.
	Inputs []Domain
	// Params are the (A, B) scalar parameters the op is tested with; nil
	// when it takes none.
	Params [][2]float32
	// Tol names the Tolerance of one result against the float64 reference;
	// "" when the result must be exact. A Normal draw's bound is composed
	// from those of log, sqrt and sin/cos by its reference.
	Tol string
}

// The catalogues are indexed by code; catalogue fills in Code and Define
// and rejects a gap (an op constant without an entry) at init, so a missing
// entry stops every program and test of the module.
var (
	unaryCatalogue = catalogue("unary", "OP_", (&[numUnaryOps]OpInfo{
		Affine:    {Name: "affine", Tol: "affine", Inputs: in(Wide(6)), Params: [][2]float32{{1, 0}, {-1, 0}, {-1.5, 0.25}, {2.5e3, -1e4}}},
		Exp:       {Name: "exp", Tol: "exp", Inputs: in(Mostly(Between(-10, 10), OneOf(80, -80, 85, -85)))},
		Log:       {Name: "log", Tol: "log", Inputs: in(Mostly(Positive(-80, 80), Between(0.5, 2)))},
		Sqrt:      {Name: "sqrt", Tol: "sqrt", Inputs: in(Mostly(Positive(-80, 80), OneOf(0)))},
		Rsqrt:     {Name: "rsqrt", Tol: "rsqrt", Inputs: in(Positive(-80, 80))},
		Abs:       {Name: "abs", Inputs: in(Mostly(Wide(20), OneOf(0, negZero)))},
		Relu:      {Name: "relu", Inputs: in(Mostly(Wide(20), OneOf(0, negZero)))},
		LeakyRelu: {Name: "leakyrelu", Tol: "round", Inputs: in(Mostly(Wide(10), OneOf(0))), Params: [][2]float32{{0.01, 0}, {0.2, 0}}},
		Sigmoid:   {Name: "sigmoid", Tol: "sigmoid", Inputs: in(Mostly(Between(-10, 10), OneOf(80, -80, 200, -200)))},
		Tanh:      {Name: "tanh", Tol: "tanh", Inputs: in(Mostly(Between(-5, 5), OneOf(1e-3, -1e-3, 3e-5, 50, -50)))},
		Sin:       {Name: "sin", Tol: "sincos", Inputs: in(Between(-8, 8))},
		Cos:       {Name: "cos", Tol: "sincos", Inputs: in(Between(-8, 8))},
		Square:    {Name: "square", Tol: "round", Inputs: in(Wide(15))},
		Recip:     {Name: "recip", Tol: "div", Inputs: in(EitherSign(Positive(-80, 80)))},
		Sign:      {Name: "sign", Inputs: in(Mostly(Wide(20), OneOf(0)))},
		PowScalar: {Name: "powscalar", Tol: "pow", Inputs: in(Positive(math.Log(0.25), math.Log(4))), Params: [][2]float32{{2, 0}, {0.5, 0}, {-1.5, 0}, {3, 0}}},
		Clamp:     {Name: "clamp", Inputs: in(Mostly(Between(-2, 8), Wide(20))), Params: [][2]float32{{-0.5, 0.75}, {0, 6}}},
		GtScalar:  {Name: "gtscalar", Inputs: in(Ties), Params: [][2]float32{{0.5, 0}, {0, 0}}},
		LtScalar:  {Name: "ltscalar", Inputs: in(Ties), Params: [][2]float32{{0.5, 0}, {0, 0}}},
		EqScalar:  {Name: "eqscalar", Inputs: in(Ties), Params: [][2]float32{{0.5, 0}, {0, 0}}},
		Softplus:  {Name: "softplus", Tol: "softplus", Inputs: in(Mostly(Between(-20, 20), OneOf(80, -80, 200, -200)))},
		Erf:       {Name: "erf", Tol: "erf", Inputs: in(Mostly(Between(-5, 5), OneOf(0, negZero, 1e-3, -1e-3, 3e-8, 10, -10)))},
		Gelu:      {Name: "gelu", Tol: "gelu", Inputs: in(Mostly(Between(-6, 6), OneOf(0, negZero, 1e-3, -1e-3, 3e-8, 12, -12, 40, -40)))},
		GeluTanh:  {Name: "gelutanh", Tol: "gelutanh", Inputs: in(Mostly(Between(-6, 6), OneOf(0, negZero, 1e-3, -1e-3, 3e-8, 12, -12, 40, -40)))},
	})[:])
	binaryCatalogue = catalogue("binary", "OP_", (&[numBinaryOps]OpInfo{
		Add:           {Name: "add", Tol: "round", Inputs: in(Wide(6), Wide(6))},
		Sub:           {Name: "sub", Tol: "round", Inputs: in(Wide(6), Mostly(Wide(6), Ties))},
		Mul:           {Name: "mul", Tol: "round", Inputs: in(Wide(10), Wide(10))},
		Div:           {Name: "div", Tol: "div", Inputs: in(Wide(10), EitherSign(Positive(-20, 20)))},
		Pow:           {Name: "pow", Tol: "pow", Inputs: in(Positive(math.Log(0.25), math.Log(4)), Between(-3, 3))},
		Maximum:       {Name: "maximum", Inputs: in(Mostly(Wide(20), Ties), Mostly(Wide(20), Ties))},
		Minimum:       {Name: "minimum", Inputs: in(Mostly(Wide(20), Ties), Mostly(Wide(20), Ties))},
		Eq:            {Name: "eq", Inputs: in(Ties, Ties)},
		Ne:            {Name: "ne", Inputs: in(Ties, Ties)},
		Lt:            {Name: "lt", Inputs: in(Ties, Ties)},
		Le:            {Name: "le", Inputs: in(Ties, Ties)},
		Gt:            {Name: "gt", Inputs: in(Ties, Ties)},
		Ge:            {Name: "ge", Inputs: in(Ties, Ties)},
		ReluGrad:      {Name: "relugrad", Inputs: in(Wide(6), Mostly(Wide(3), OneOf(0, negZero)))},
		SigmoidGrad:   {Name: "sigmoidgrad", Tol: "sigmoidgrad", Inputs: in(Wide(3), Between(0, 1))},
		TanhGrad:      {Name: "tanhgrad", Tol: "tanhgrad", Inputs: in(Wide(3), Mostly(Between(-1, 1), OneOf(0.99999, -0.9999, 0)))},
		LeakyReluGrad: {Name: "leakyrelugrad", Tol: "round", Inputs: in(Wide(6), Mostly(Wide(3), OneOf(0))), Params: [][2]float32{{0.02, 0}}},
		GeluGrad:      {Name: "gelugrad", Tol: "gelugrad", Inputs: in(Wide(3), Mostly(Between(-6, 6), OneOf(0, negZero, 12, -12, 40, -40)))},
		GeluTanhGrad:  {Name: "gelutanhgrad", Tol: "gelutanhgrad", Inputs: in(Wide(3), Mostly(Between(-6, 6), OneOf(0, negZero, 12, -12, 40, -40)))},
		BCEWithLogits: {Name: "bcewithlogits", Tol: "bcewithlogits", Inputs: in(Mostly(Between(-20, 20), OneOf(0, negZero, 1e-3, -1e-3, 30, -30, 90, -90)), Mostly(Between(0, 1), OneOf(0, 1, 0.5))),
			Params: [][2]float32{{1, 0}, {1.0 / 3, 0}, {1.0 / 64, 0}}},
	})[:])
	// Max, Min and the indices draw mostly ties, so the first extreme must
	// win.
	reduceCatalogue = catalogue("reduce", "OP_", (&[numReduceOps]OpInfo{
		Sum:    {Name: "sum", Tol: "accumulate", Inputs: in(Mostly(Wide(6), Between(-1, 1)))},
		Max:    {Name: "max", Inputs: in(Mostly(Ties, Wide(6)))},
		Min:    {Name: "min", Inputs: in(Mostly(Ties, Wide(6)))},
		ArgMax: {Name: "argmax", Inputs: in(Mostly(Ties, Wide(6)))},
		ArgMin: {Name: "argmin", Inputs: in(Mostly(Ties, Wide(6)))},
	})[:])
	distributionCatalogue = catalogue("distribution", "DIST_", (&[numDistributions]OpInfo{
		Uniform:         {Name: "uniform", Tol: "uniform", Params: [][2]float32{{-2, 3}}},
		Normal:          {Name: "normal", Params: [][2]float32{{1, 2}}},
		Bernoulli:       {Name: "bernoulli", Params: [][2]float32{{0.3, 0}}},
		ScaledBernoulli: {Name: "scaledbernoulli", Params: [][2]float32{{0.7, 1 / 0.7}, {0.9, -2.5}}},
	})[:])
)

func in(d ...Domain) []Domain { return d }

// ParamSets returns the (A, B) pairs the op is tested with: Params, or a
// single (0, 0) for an op that takes none.
func (o OpInfo) ParamSets() [][2]float32 {
	if len(o.Params) == 0 {
		return [][2]float32{{0, 0}}
	}
	return o.Params
}

// catalogue completes the entries of one kernel's ops, indexed by code.
func catalogue(kernel, prefix string, ops []OpInfo) []OpInfo {
	for code := range ops {
		o := &ops[code]
		if o.Name == "" {
			panic(fmt.Sprintf("device: %s op %d has no catalogue entry", kernel, code))
		}
		o.Code, o.Define = code, prefix+strings.ToUpper(o.Name)
	}
	return ops
}

// info returns the catalogue entry of code, or one naming the bare code
// when it is outside the catalogue.
func info(cat []OpInfo, kernel string, code int) OpInfo {
	if code < len(cat) {
		return cat[code]
	}
	return OpInfo{Code: code, Name: fmt.Sprintf("%s(%d)", kernel, code), Define: strconv.Itoa(code)}
}

// list returns every op of a catalogue.
func list[Op ~uint8](cat []OpInfo) []Op {
	ops := make([]Op, len(cat))
	for i := range ops {
		ops[i] = Op(i)
	}
	return ops
}

// Info returns o's catalogue entry.
func (o UnaryOp) Info() OpInfo { return info(unaryCatalogue, "unary", int(o)) }

// Info returns o's catalogue entry.
func (o BinaryOp) Info() OpInfo { return info(binaryCatalogue, "binary", int(o)) }

// Info returns o's catalogue entry.
func (o ReduceOp) Info() OpInfo { return info(reduceCatalogue, "reduce", int(o)) }

// Info returns d's catalogue entry.
func (d Distribution) Info() OpInfo { return info(distributionCatalogue, "distribution", int(d)) }

func (o UnaryOp) String() string      { return o.Info().Name }
func (o BinaryOp) String() string     { return o.Info().Name }
func (o ReduceOp) String() string     { return o.Info().Name }
func (d Distribution) String() string { return d.Info().Name }

// UnaryOps lists every UnaryOp, for tests and benchmarks that walk them all.
func UnaryOps() []UnaryOp { return list[UnaryOp](unaryCatalogue) }

// BinaryOps lists every BinaryOp.
func BinaryOps() []BinaryOp { return list[BinaryOp](binaryCatalogue) }

// ReduceOps lists every ReduceOp.
func ReduceOps() []ReduceOp { return list[ReduceOp](reduceCatalogue) }

// Distributions lists every Distribution.
func Distributions() []Distribution { return list[Distribution](distributionCatalogue) }
