package device

import (
	"fmt"
	"slices"
)

// UnaryOp selects the function of a Unary kernel. Each is applied to one
// element x with the scalar parameters A and B of UnaryParams.
type UnaryOp uint8

const (
	Affine    UnaryOp = iota // A·x + B (copy is A=1, B=0; neg is A=-1)
	Exp                      // eˣ
	Log                      // ln x
	Sqrt                     // √x
	Rsqrt                    // 1/√x
	Abs                      // |x|
	Relu                     // max(x, 0)
	LeakyRelu                // x if x > 0 else A·x
	Sigmoid                  // 1/(1+e⁻ˣ), stable for large |x|
	Tanh                     // tanh x
	Sin                      // sin x
	Cos                      // cos x
	Square                   // x²
	Recip                    // 1/x
	Sign                     // -1, 0 or 1
	PowScalar                // xᴬ
	Clamp                    // min(max(x, A), B)
	GtScalar                 // 1 if x > A else 0
	LtScalar                 // 1 if x < A else 0
	EqScalar                 // 1 if x == A else 0
	Softplus                 // ln(1+eˣ), stable for large |x|
	Erf                      // the error function (2/√π)∫₀ˣ e^(−t²) dt
	Gelu                     // x·Φ(x) = ½·x·(1 + erf(x/√2)), Φ the standard normal CDF
	GeluTanh                 // ½·x·(1 + tanh u) = x·σ(2u), u = √(2/π)·(x + 0.044715·x³)
	numUnaryOps
)

// UnaryParams: Dst (contiguous, NumElements(Shape)) = Op(Src walked with
// Src.Strides over Shape; A, B).
type UnaryParams struct {
	Op    UnaryOp
	A, B  float32
	Shape []int
}

// BinaryOp selects the function of a Binary kernel applied to (x, y).
type BinaryOp uint8

const (
	Add           BinaryOp = iota // x + y
	Sub                           // x - y
	Mul                           // x · y
	Div                           // x / y
	Pow                           // xʸ
	Maximum                       // max(x, y)
	Minimum                       // min(x, y)
	Eq                            // 1 if x == y else 0
	Ne                            // 1 if x != y else 0
	Lt                            // 1 if x < y else 0
	Le                            // 1 if x <= y else 0
	Gt                            // 1 if x > y else 0
	Ge                            // 1 if x >= y else 0
	ReluGrad                      // x if y > 0 else 0     (x = upstream grad, y = relu input)
	SigmoidGrad                   // x · y · (1-y)         (y = sigmoid output)
	TanhGrad                      // x · (1-y²)            (y = tanh output)
	LeakyReluGrad                 // x if y > 0 else A·x (A from BinaryParams.A)
	GeluGrad                      // x · (Φ(y) + y·φ(y))   (y = gelu input, φ the normal density)
	GeluTanhGrad                  // x · (s + 2y·s·(1−s)·u′(y)), s = σ(2u(y)) (y = gelutanh input)
	// BCEWithLogits is A·(softplus(x) − x·y), the binary cross-entropy of
	// logit x and target y scaled by A (1/n for a mean), formed as
	// A·(ln(1+e^−|x|) + (x·(1−y) if x ≥ 0 else −x·y)): for targets in
	// [0, 1] both terms are ≥ 0, so none cancels (softplus(x) − x·y
	// loses every digit of a small loss at a large logit).
	BCEWithLogits
	numBinaryOps
)

// BinaryParams: Dst (contiguous over Shape) = Op(X, Y), X and Y walked by
// their strides over Shape (stride 0 broadcasts).
type BinaryParams struct {
	Op    BinaryOp
	A     float32 // parameter of LeakyReluGrad
	Shape []int
}

// ReduceOp selects a Reduce kernel.
type ReduceOp uint8

const (
	Sum    ReduceOp = iota // Σ
	Max                    // largest element
	Min                    // smallest element
	ArgMax                 // index (int32) of the first largest element
	ArgMin                 // index (int32) of the first smallest element
	numReduceOps
)

// ReduceParams: Src is contiguous over Shape; Dst is contiguous over Shape
// without the Axes (listed in increasing order, at least one) and holds the
// reduction over them, in one dispatch whichever axes they are (a bias
// gradient sums axes 0, 2 and 3 of [N K H W]; a loss sums all). ArgMax and
// ArgMin write an Int32 Dst: the index of the first extreme counted
// row-major over the reduced axes. Reduced axes have sizes ≥ 1. A NaN in the
// input propagates to Max/Min, and is the extreme for ArgMax/ArgMin (the
// first NaN's index), as in PyTorch.
type ReduceParams struct {
	Op    ReduceOp
	Shape []int
	Axes  []int
}

// ReduceAxis returns the parameters of a reduction over the middle axis of
// [outer, n, inner].
func ReduceAxis(op ReduceOp, outer, n, inner int) ReduceParams {
	return ReduceParams{Op: op, Shape: []int{outer, n, inner}, Axes: []int{1}}
}

// Coalesce returns an equivalent form of the reduction for kernels to walk:
// size-1 axes dropped and adjacent axes of the same kind merged, so that
// sizes alternate between kept and reduced (reduced[i] says which). Both
// may be empty (a reduction of one element).
func (p ReduceParams) Coalesce() (sizes []int, reduced []bool) {
	for i, s := range p.Shape {
		if s == 1 {
			continue
		}
		r := slices.Contains(p.Axes, i)
		if k := len(sizes) - 1; k >= 0 && reduced[k] == r {
			sizes[k] *= s
			continue
		}
		sizes, reduced = append(sizes, s), append(reduced, r)
	}
	return sizes, reduced
}

// Len returns the number of outputs and the number of elements each
// reduces.
func (p ReduceParams) Len() (out, n int) {
	out, n = 1, 1
	for i, s := range p.Shape {
		if slices.Contains(p.Axes, i) {
			n *= s
		} else {
			out *= s
		}
	}
	return out, n
}

// MatMulParams: for each b in [0, Batch):
//
//	C[b] = Alpha · op(A[b]) · op(B[b]) + Beta · C[b]
//
// with op(A[b]) of shape M×K and op(B[b]) K×N. Each matrix is row-major:
// A[b] starts at OffA + b·StrideA and is M×K (K×M when TransA), its rows
// LdA apart; likewise B (K×N, or N×K when TransB, rows LdB apart); C[b] is
// M×N at OffC + b·StrideC, rows LdC apart. A leading dimension of 0 means
// the matrix's row length (its rows packed: K or M for A, N or K for B, N
// for C); a larger one reads or writes a matrix inside a wider one (an
// attention head's columns of a [L, N, E] tensor, BLAS's lda). A batch
// stride of 0 broadcasts that operand. When Beta is 0, C is not read (NaNs
// in it do not propagate).
type MatMulParams struct {
	Batch, M, N, K            int
	TransA, TransB            bool
	Alpha, Beta               float32
	OffA, OffB, OffC          int
	StrideA, StrideB, StrideC int
	LdA, LdB, LdC             int
}

// Lds returns the leading dimensions in effect: LdA, LdB and LdC, each
// that matrix's row length where it is 0. It panics when one is shorter
// than its row.
func (p MatMulParams) Lds() (lda, ldb, ldc int) {
	ra, rb := p.rows()
	ld := func(name string, ld, row int) int {
		switch {
		case ld == 0:
			return row
		case ld < row:
			panic(fmt.Sprintf("device: MatMul %s %d is shorter than its rows of %d", name, ld, row))
		}
		return ld
	}
	return ld("LdA", p.LdA, ra), ld("LdB", p.LdB, rb), ld("LdC", p.LdC, p.N)
}

// rows returns the row lengths of A and B as they lie in memory.
func (p MatMulParams) rows() (a, b int) {
	a, b = p.K, p.N
	if p.TransA {
		a = p.M
	}
	if p.TransB {
		b = p.K
	}
	return a, b
}

// PackedA reports whether A's rows are packed (LdA 0 or its row length).
func (p MatMulParams) PackedA() bool {
	ra, _ := p.rows()
	return p.LdA == 0 || p.LdA == ra
}

// BiasGrad returns the reduction that gives Epilogue.BiasGrad for one
// matrix of the batch: op(A)'s rows summed over K, as A lies in memory
// ([K, M] summed over axis 0 with TransA, else [M, K] over axis 1), its
// rows packed.
func (p MatMulParams) BiasGrad() ReduceParams {
	if p.TransA {
		return ReduceParams{Op: Sum, Shape: []int{p.K, p.M}, Axes: []int{0}}
	}
	return ReduceParams{Op: Sum, Shape: []int{p.M, p.K}, Axes: []int{1}}
}

// Conv2dParams describes an NCHW convolution (cross-correlation, as in
// PyTorch): input X [N, C, H, W], weight Wt [K, C/Groups, R, S], output
// Y [N, K, OutH, OutW]. All operands are contiguous. Bias is added by the
// caller.
type Conv2dParams struct {
	N, C, H, W       int
	K, R, S          int
	StrideH, StrideW int
	PadH, PadW       int
	DilH, DilW       int
	Groups           int
}

// OutH returns the output height: ⌊(H + 2·PadH − DilH·(R−1) − 1)/StrideH⌋ + 1.
func (p Conv2dParams) OutH() int { return floorDiv(p.H+2*p.PadH-p.DilH*(p.R-1)-1, p.StrideH) + 1 }

// OutW returns the output width.
func (p Conv2dParams) OutW() int { return floorDiv(p.W+2*p.PadW-p.DilW*(p.S-1)-1, p.StrideW) + 1 }

// BiasGrad returns the reduction that gives the convolution's bias
// gradient, dy [N, K, OH, OW] summed over all but K.
func (p Conv2dParams) BiasGrad() ReduceParams {
	return ReduceParams{Op: Sum, Shape: []int{p.N, p.K, p.OutH(), p.OutW()}, Axes: []int{0, 2, 3}}
}

// PoolMode selects max or average pooling.
type PoolMode uint8

const (
	MaxPool PoolMode = iota
	AvgPool
)

// Pool2dParams describes 2-D pooling over contiguous NCHW input [N, C, H, W]
// into [N, C, OutH, OutW]. Padding counts as −∞ for max pooling. For average
// pooling the divisor is KH·KW when CountIncludePad, else the number of
// in-bounds elements in the window (PyTorch's count_include_pad). Max
// pooling may dilate its window: tap (r, s) reads row oh·StrideH − PadH +
// r·DilH and column ow·StrideW − PadW + s·DilW (0 means 1, as does any
// dilation of average pooling, which PyTorch does not dilate).
type Pool2dParams struct {
	Mode             PoolMode
	N, C, H, W       int
	KH, KW           int
	StrideH, StrideW int
	PadH, PadW       int
	DilH, DilW       int
	CountIncludePad  bool
}

// Dilation returns the dilation of each axis, 1 where unset.
func (p Pool2dParams) Dilation() (h, w int) { return max(p.DilH, 1), max(p.DilW, 1) }

// OutH returns the pooled height: ⌊(H + 2·PadH − DilH·(KH−1) − 1)/StrideH⌋ + 1.
func (p Pool2dParams) OutH() int {
	dh, _ := p.Dilation()
	return floorDiv(p.H+2*p.PadH-dh*(p.KH-1)-1, p.StrideH) + 1
}

// OutW returns the pooled width.
func (p Pool2dParams) OutW() int {
	_, dw := p.Dilation()
	return floorDiv(p.W+2*p.PadW-dw*(p.KW-1)-1, p.StrideW) + 1
}

// SoftmaxParams: Src and Dst are contiguous [Rows, N]; the softmax runs over
// each row. Log selects log-softmax. Numerically stable (max subtracted).
type SoftmaxParams struct {
	Rows, N int
	Log     bool
	// Causal, when positive, is L: the rows are blocks of L queries (row r
	// is query i = r mod L) over N keys, and the forward pass leaves out
	// the keys after each query's position, as an additive −∞ mask above
	// the diagonal would (attention's causal mask): y[r, j] = 0 for j > i,
	// the softmax taken over j ≤ i. Rows is a multiple of L; not with Log.
	// SoftmaxBackward reads no such field: its formula gives 0 wherever y
	// is 0.
	Causal int
}

// CrossEntropyParams describes a fused softmax cross-entropy (PyTorch's
// cross_entropy) of contiguous logits [Rows, N] against Int32 class indices
// target [Rows] in [0, N), with optional class weights w [N] (all ones
// unless Weighted) and label smoothing ε. Row b's loss is
//
//	l[b] = Σ_c a[b,c]·(lse[b] − x[b,c]) / D,  lse[b] = ln Σ_c e^x[b,c] (max subtracted)
//	a[b,c] = (1−ε)·w[t]·[c = t] + ε/N·w[c],   t = target[b]
//
// where D = Σ_b w[target[b]] (Rows when not Weighted) when Mean, else 1: a
// sum of the rows is then PyTorch's (weighted) mean. The gradient with
// respect to the logits, given the upstream gradient g[b] of each row, is
//
//	dx[b,c] = g[b]/D · (A[b]·softmax(x[b])[c] − a[b,c]),  A[b] = Σ_c a[b,c]
//
// (softmax minus the smoothed one-hot target, when not Weighted). With
// Total, CrossEntropy writes one value, Σ_b l[b] (the sum's order fixed
// by the backend and the shape), instead of the rows: the reduced loss in
// the same op; its gradient is then CrossEntropyBackward's with g[b] all
// the total's gradient (a stride of 0).
type CrossEntropyParams struct {
	Rows, N   int
	Smoothing float32 // ε in [0, 1]
	Weighted  bool
	Mean      bool
	Total     bool
}

// RowsSum returns the reduction that sums the rows' losses, [Rows] to
// one value: what Total adds where a backend sums them by a Reduce.
func (p CrossEntropyParams) RowsSum() ReduceParams {
	return ReduceParams{Op: Sum, Shape: []int{p.Rows}, Axes: []int{0}}
}

// GatherParams: Src is contiguous [Outer, N, Inner]; Dst is contiguous
// [Outer, M, Inner] with
//
//	Dst[o, m, i] = Src[o, Idx(o, m, i), i]
//
// where Idx(o, m, i) reads the Int32 buffer Idx.Buf at
// Idx.Offset + o·Idx.Strides[0] + m·Idx.Strides[1] + i·Idx.Strides[2].
// IndexSelect uses strides {0, 1, 0}; torch.gather uses {M·Inner, Inner, 1}.
// Indices must lie in [0, N); the tensor layer checks them.
//
// ScatterAdd is the adjoint: Dst [Outer, N, Inner] += Src [Outer, M, Inner]
// scattered by the same indices. Backends sum in increasing m order, so the
// result is deterministic. With Overwrite, ScatterAdd sets Dst to the sums
// instead, 0 where no index points (0 + Σ, the bits of a Fill with 0
// before it): a gradient's scatter needs no fill. Gather ignores it.
type GatherParams struct {
	Outer, N, M, Inner int
	Overwrite          bool
}

// LSTMCellParams locates one LSTM time step of Batch rows of Hidden units
// in its buffers: each operand is contiguous from its offset, gates and
// dgates [Batch, 4·Hidden] (blocks i, f, g, o), the others [Batch, Hidden],
// so that a step reads and writes its slice of [T, Batch, …] sequences in
// place. LSTMCell reads the first four offsets, LSTMCellBackward the
// second row and the last four; LSTMStep reads those of LSTMCell and
// OffX and OffHPrev, LSTMStepBackward those of LSTMCellBackward but
// OffDCPrev (dc is updated in place) and OffDNext.
type LSTMCellParams struct {
	Batch, Hidden                      int
	OffH, OffC, OffGates, OffCPrev     int
	OffDGates, OffDCPrev, OffDH, OffDC int
	// OffX locates xw [Batch, 4·Hidden] and OffHPrev hPrev [Batch, Hidden]
	// for LSTMStep; OffDNext the next step's gates' gradient within dgates
	// for LSTMStepBackward.
	OffX, OffHPrev, OffDNext int
}

// ElmanParams describes an Elman recurrence (Device.Elman and
// ElmanBackward) over Steps time steps of Batch rows of Hidden units: the
// sequences are time-major [Steps, Batch, Hidden] and contiguous from 0, the
// weight [Hidden, Hidden], the initial state [Batch, Hidden]. Act (with
// Slope for LeakyRelu) is the activation, NoActivation the identity; the
// steps run from the last to the first when Reverse.
type ElmanParams struct {
	Steps, Batch, Hidden int
	Act                  Activation
	Slope                float32
	Reverse              bool
}

// Step returns the time step the forward recurrence computes n-th.
func (p ElmanParams) Step(n int) int { return StepAt(n, p.Steps, p.Reverse) }

// StepAt returns the time step a recurrence over steps computes n-th: n,
// or steps−1−n when it runs in reverse.
func StepAt(n, steps int, reverse bool) int {
	if reverse {
		return steps - 1 - n
	}
	return n
}

// RecurrenceParams describes a whole LSTM or GRU recurrence (Device.LSTM,
// GRU and their backward passes) over Steps time steps of Batch rows of
// Hidden units: the sequences are time-major [Steps, Batch, …] and every
// operand is contiguous from 0; the steps run from the last to the first
// when Reverse.
type RecurrenceParams struct {
	Steps, Batch, Hidden int
	Reverse              bool
}

// Step returns the time step the forward recurrence computes n-th.
func (p RecurrenceParams) Step(n int) int { return StepAt(n, p.Steps, p.Reverse) }

// GRUCellParams locates one GRU time step of Batch rows of Hidden units in
// its buffers, as LSTMCellParams does: x, hh, dx and dhh are
// [Batch, 3·Hidden] (blocks r, z, n), gates [Batch, 4·Hidden] (r, z, n,
// hh_n), the others [Batch, Hidden]. GRUCell reads the first five offsets,
// GRUCellBackward OffGates, OffHPrev and the last four; GRUStep those of
// GRUCell but OffHH, GRUStepBackward those of GRUCellBackward but
// OffDHPrev (dh is updated in place) and OffG and OffDNext.
type GRUCellParams struct {
	Batch, Hidden                   int
	OffH, OffGates, OffX, OffHH     int
	OffHPrev                        int
	OffDX, OffDHH, OffDHPrev, OffDH int
	// OffG locates g [Batch, Hidden] and OffDNext the next step's dhh
	// within dhh, for GRUStepBackward.
	OffG, OffDNext int
}

// BatchNormParams describes a batch normalisation of x [N, C, Inner]
// (PyTorch's BatchNorm1d on [N, C] has Inner 1; BatchNorm2d has Inner
// H·W) over each channel's M = N·Inner values; the per-channel operands
// are [C]. All operands are contiguous from offset 0.
type BatchNormParams struct {
	N, C, Inner int
	Eps         float32
	// Momentum weighs the batch statistics in BatchNormStats' update of
	// the running ones when Track is set.
	Momentum float32
	Track    bool
	// Eval normalises with running statistics: the invstd operand holds
	// the variance, and they are constants for the backward.
	Eval bool
	// Relu applies max(·, 0) to BatchNorm's output, and makes
	// BatchNormBackwardReduce take the gradient of that output (see there).
	Relu bool
}

// LayerNormParams describes a layer normalisation of x [Rows, Cols] over
// each row's Cols values (PyTorch's LayerNorm over the last dimensions,
// their product Cols); mean and rstd are [Rows], w and b [Cols]. All
// operands are contiguous from offset 0.
type LayerNormParams struct {
	Rows, Cols int
	Eps        float32
}

// Distribution selects what Random draws.
type Distribution uint8

const (
	Uniform         Distribution = iota // uniform on [A, B)
	Normal                              // mean A, standard deviation B
	Bernoulli                           // 1 with probability A, else 0
	ScaledBernoulli                     // B with probability A, else 0: a dropout mask with its scale
	numDistributions
)

// RandomParams: element i of Dst (contiguous, Len elements) is element
// e = Offset+i of the Philox4x32-10 stream keyed by Seed, so the same Seed
// and Offset give the same numbers on every backend, whatever the order of
// the work. Each counter's four words serve four consecutive elements: a
// word each, or for Normal a pair of words each two, Box–Muller's cosine
// and sine draws. The mapping from bits to floats is part of the contract:
//
//	(x0, x1, x2, x3) = Philox4x32-10(key = (lo32(Seed), hi32(Seed)),
//	                                 counter = (lo32(c), hi32(c), 0, 0)), c = e/4
//	u(x) = float32(x>>8) · 2⁻²⁴                              ∈ [0, 1)
//	Uniform:   A + (B−A)·u(x), x = x_(e mod 4)
//	Bernoulli: 1 if u(x) < A else 0
//	ScaledBernoulli: B if u(x) < A else 0
//	Normal:    A + B·r·cos θ for even e, A + B·r·sin θ for odd e,
//	           r = √(−2·ln(1−u(x_2p))), θ = 2π·u(x_(2p+1)), p = (e mod 4)/2
type RandomParams struct {
	Dist   Distribution
	A, B   float32
	Seed   uint64
	Offset uint64
}

// SGDParams is PyTorch's torch.optim.SGD update, applied to every tensor of
// one SGDStep (FirstStep is per tensor, in SGDTensor):
//
//	g = grad + WeightDecay·p
//	if Momentum ≠ 0: buf = g on the first step, else Momentum·buf + (1−Dampening)·g
//	                 g = g + Momentum·buf if Nesterov, else buf
//	p = p − LR·g
type SGDParams struct {
	LR, Momentum, Dampening, WeightDecay float32
	Nesterov                             bool
}

// SGDTensor is one parameter tensor of an SGDStep: the first N elements of
// Param, Grad and Buf (pooled buffers may be longer). Buf is the momentum
// buffer, nil when Momentum is 0; on the tensor's FirstStep it is written
// from the gradient, not read. No two tensors of one step share a buffer
// they write.
type SGDTensor struct {
	Param, Grad, Buf Buffer
	N                int
	FirstStep        bool
}

// Span is the first N elements of Buf: one tensor of a multi-tensor op
// (SumSquares, ClipScale). No two spans of one ClipScale share a buffer.
type Span struct {
	Buf Buffer
	N   int
}

// AdamParams is PyTorch's Adam (Decoupled=false: weight decay added to the
// gradient) or AdamW (Decoupled=true: p ← p·(1−LR·WeightDecay) first),
// applied to every tensor of one AdamStep. Each tensor's step count t (in
// AdamTensor, from 1) sets its bias corrections.
//
//	m = β1·m + (1−β1)·g;  v = β2·v + (1−β2)·g²
//	p = p − LR · (m/(1−β1ᵗ)) / (√(v/(1−β2ᵗ)) + Eps)
type AdamParams struct {
	LR, Beta1, Beta2, Eps, WeightDecay float32
	Decoupled                          bool
}

// AdamTensor is one parameter tensor of an AdamStep: the first N elements
// of Param, Grad and the moments M and V, and the tensor's step count, from
// 1. No two tensors of one step share a buffer they write.
type AdamTensor struct {
	Param, Grad, M, V Buffer
	N                 int
	Step              int
}
