package device

// Activation selects the function an Epilogue applies last. Each is the
// Unary op of the same name; its derivative is the Binary op Grad names,
// which takes the upstream gradient and the activation's output, so a
// fused layer keeps only its output for the backward pass. That output
// tells the two sides of zero apart for every activation but a LeakyRelu
// of negative slope, which package tensor therefore never fuses.
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
//	v = v·Scale[r] (MatMul's alone)
//	y = Act(v), or, when ActOut is set, y = v·Act′ read from ActOut[r]
//
// where j is the element's column (MatMul: the same bias row for every row
// and batch) or output channel (Conv2d), and r is its position relative to
// the output's start, laid out as the output is (MatMul: b·StrideC + m·N + n
// from OffResidual, OffScale or OffActOut; Conv2d: its index in y).
// Residual, Bias, Scale and ActOut are each nil for none; Slope is
// LeakyRelu's slope for x < 0.
// With ActOut, Act names the activation whose derivative multiplies v
// (its Grad op, from the activation's saved output): the backward pass of a
// fused activation. The zero Epilogue stores the plain product. Fusing
// saves the element-wise kernels and their passes over memory.
//
// Scale is MatMul's alone, and takes no Bias: the product then multiplies
// each element by Scale, as the Mul after it would (a dropout's mask on
// the gradient of its output, before the derivative of the activation
// whose output the dropout read). GL binds it at the bias's binding.
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
// Unless BiasGradResidual is nil, each sum is added to it once complete,
//
//	BiasGrad[OffBiasGrad + i] = BiasGradResidual[OffBiasGradResidual + i] + Σ
//
// (the bias gradient a Linear layer has received already: the Add after
// the product, with its bits); the product then takes no Bias or Scale (a
// GEMM has eight storage bindings, the least GL 4.3 guarantees, and the
// residual takes the bias's), and the two must not overlap.
//
// Bias2 is MatMul's alone, and only beside Bias and without BiasGrad (GL
// binds it at the row sums' binding): the bias added is then the sum
//
//	Bias[OffBias + j] + Bias2[OffBias2 + j]
//
// rounded to float32 before it joins v, the bits of an Add of the two
// vectors before the product: a recurrent layer's b_ih + b_hh added by its
// input projection, where the Add was a kernel of its own.
//
// BiasGrad2 is MatMul's alone, and only beside BiasGrad, without
// BiasGradResidual and without ActOut (GL binds it at ActOut's binding):
// MatMul then writes the same row sums a second time, at
// BiasGrad2[OffBiasGrad2 + b·M + m], the bits of BiasGrad's: the gradient
// of two biases added (Bias2's), each its own tensor, where a copy was a
// kernel of its own.
type Epilogue struct {
	Residual            Buffer
	OffResidual         int
	Bias                Buffer
	OffBias             int
	Act                 Activation
	Slope               float32
	ActOut              Buffer
	OffActOut           int
	BiasGrad            Buffer
	OffBiasGrad         int
	BiasGradResidual    Buffer
	OffBiasGradResidual int
	Scale               Buffer
	OffScale            int
	Bias2               Buffer
	OffBias2            int
	BiasGrad2           Buffer
	OffBiasGrad2        int
}

// OnlyMatMul panics when e sets what only MatMul takes (BiasGrad,
// BiasGradResidual, Scale, Bias2, BiasGrad2); op names the op that was
// given it.
func (e Epilogue) OnlyMatMul(op string) {
	if e.BiasGrad != nil || e.BiasGradResidual != nil || e.Scale != nil || e.Bias2 != nil || e.BiasGrad2 != nil {
		panic("device: " + op + " takes no BiasGrad, BiasGradResidual, Scale, Bias2 or BiasGrad2: only MatMul does")
	}
}

// CheckMatMul panics where e breaks MatMul's contract: a BiasGradResidual
// without BiasGrad, more than one of Bias, BiasGradResidual and Scale, a
// Bias2 without Bias or with BiasGrad, or a BiasGrad2 without BiasGrad or
// with BiasGradResidual or ActOut.
func (e Epilogue) CheckMatMul() {
	if e.BiasGradResidual != nil && e.BiasGrad == nil {
		panic("device: MatMul given BiasGradResidual without BiasGrad: a residual for row sums it does not write")
	}
	n := 0
	for _, b := range []Buffer{e.Bias, e.BiasGradResidual, e.Scale} {
		if b != nil {
			n++
		}
	}
	if n > 1 {
		panic("device: MatMul given more than one of Bias, BiasGradResidual and Scale: they take one binding")
	}
	if e.Bias2 != nil && (e.Bias == nil || e.BiasGrad != nil) {
		panic("device: MatMul given Bias2 without Bias, or with BiasGrad: a second bias joins the first, at the row sums' binding")
	}
	if e.BiasGrad2 != nil && (e.BiasGrad == nil || e.BiasGradResidual != nil || e.ActOut != nil && e.Act != NoActivation) {
		panic("device: MatMul given BiasGrad2 without BiasGrad, or with BiasGradResidual or ActOut: the row sums' second copy is written alone, at the saved activation's binding")
	}
}

// Plain reports whether e leaves the product as it is (BiasGrad is
// written beside it and does not count).
func (e Epilogue) Plain() bool {
	return e.Residual == nil && e.Bias == nil && e.Scale == nil && e.Act == NoActivation
}
