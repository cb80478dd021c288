package device

// Activation selects the function an Epilogue applies last. Each is the
// Unary op of the same name; its derivative is the Binary op Grad names,
// which takes the upstream gradient and the activation's output, so a
// fused layer keeps only its output for the backward pass.
type Activation uint8

const (
	NoActivation Activation = iota // the identity
	ActRelu                        // Relu
	ActLeakyRelu                   // LeakyRelu with the Epilogue's Slope
	ActSigmoid                     // Sigmoid
	ActTanh                        // Tanh
	numActivations
)

var activations = [numActivations]struct {
	unary UnaryOp
	grad  BinaryOp
	name  string
}{
	NoActivation: {name: "none"},
	ActRelu:      {Relu, ReluGrad, "relu"},
	ActLeakyRelu: {LeakyRelu, LeakyReluGrad, "leakyrelu"},
	ActSigmoid:   {Sigmoid, SigmoidGrad, "sigmoid"},
	ActTanh:      {Tanh, TanhGrad, "tanh"},
}

// Activations lists every activation but NoActivation.
func Activations() []Activation {
	as := make([]Activation, 0, numActivations-1)
	for a := NoActivation + 1; a < numActivations; a++ {
		as = append(as, a)
	}
	return as
}

// Valid reports whether a is one of the declared activations.
func (a Activation) Valid() bool { return a < numActivations }

// Unary returns the Unary op that computes a; it panics for NoActivation.
func (a Activation) Unary() UnaryOp {
	if a == NoActivation || !a.Valid() {
		panic("device: activation " + a.String() + " has no Unary op")
	}
	return activations[a].unary
}

// Grad returns the Binary op that computes dx from (dy, a(x)); it panics
// for NoActivation.
func (a Activation) Grad() BinaryOp {
	if a == NoActivation || !a.Valid() {
		panic("device: activation " + a.String() + " has no derivative op")
	}
	return activations[a].grad
}

func (a Activation) String() string {
	if !a.Valid() {
		return "activation(?)"
	}
	return activations[a].name
}

// Epilogue is what MatMul and Conv2d apply to each output element once its
// sum is complete, before it is stored:
//
//	v = α·Σ + β·y + Residual[r] + Bias[OffBias + j]
//	y = Act(v), or, when ActOut is set, y = v·Act′ read from ActOut[r]
//
// where j is the element's column (MatMul: the same bias row for every row
// and batch) or output channel (Conv2d), and r is its position relative to
// the output's start, laid out as the output is (MatMul: b·StrideC + m·N + n
// from OffResidual or OffActOut; Conv2d: its index in y). Residual, Bias
// and ActOut are each nil for none; Slope is LeakyRelu's slope for x < 0.
// With ActOut, Act names the activation whose derivative multiplies v
// (its Grad op, from the activation's saved output): the backward pass of a
// fused activation. The zero Epilogue stores the plain product. Fusing
// saves the element-wise kernels and their passes over memory.
//
// BiasGrad is MatMul's alone (Conv2d and Conv2dBackwardInput panic when it
// is set): unless nil, MatMul also writes the sums of op(A)'s rows,
//
//	BiasGrad[OffBiasGrad + b·M + m] = Σ_k op(A[b])[m, k]
//
// with no α, β or activation: a Linear layer's bias gradient from the
// product that gives its weight gradient, dW = dYᵀ·X, whose op(A) is dYᵀ
// (cuBLASLt's BGRADA epilogue). The sums equal Reduce's over op(A) within
// the "accumulate" tolerance; a backend sums them in its own fixed order.
type Epilogue struct {
	Residual    Buffer
	OffResidual int
	Bias        Buffer
	OffBias     int
	Act         Activation
	Slope       float32
	ActOut      Buffer
	OffActOut   int
	BiasGrad    Buffer
	OffBiasGrad int
}

// NoBiasGrad panics when e sets BiasGrad, which only MatMul writes; op
// names the op that was given it.
func (e Epilogue) NoBiasGrad(op string) {
	if e.BiasGrad != nil {
		panic("device: " + op + " takes no BiasGrad: only MatMul sums op(A)'s rows")
	}
}

// Plain reports whether e leaves the product as it is (BiasGrad is
// written beside it and does not count).
func (e Epilogue) Plain() bool { return e.Residual == nil && e.Bias == nil && e.Act == NoActivation }
