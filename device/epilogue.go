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
//	y = Act(α·Σ + β·y + Bias[OffBias + j])
//
// where j is the element's column (MatMul: the same bias row for every row
// and batch) or output channel (Conv2d). Bias is nil for no bias; Slope is
// LeakyRelu's slope for x < 0. The zero Epilogue stores the plain product.
// Fusing saves the bias and activation kernels and their passes over memory.
type Epilogue struct {
	Bias    Buffer
	OffBias int
	Act     Activation
	Slope   float32
}

// Plain reports whether e leaves the product as it is.
func (e Epilogue) Plain() bool { return e.Bias == nil && e.Act == NoActivation }
