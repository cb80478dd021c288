package device

// CollectedFreer is implemented by a backend that tells buffers returned by
// garbage-collector cleanups (storage whose tensors the program never
// released through tensor.Tidy or Release) from those freed on purpose: the
// tensor layer's cleanups call FreeCollected instead of Free. The CPU
// backend uses it to tell garbage from a large working set when it decides
// how often to run the collector.
type CollectedFreer interface {
	// FreeCollected does what Free does.
	FreeCollected(b Buffer)
}

// CacheEmptier is implemented by a backend whose pool of freed buffers can
// be emptied on request, as PyTorch's torch.cuda.empty_cache: the pool keeps
// what was in use at the peak, so after a phase with a larger working set
// than the rest of the program (an evaluation at a large batch, a first
// model) EmptyCache gives that memory back and lets the pool grow again
// only to the new peak. Buffers in use are not touched.
type CacheEmptier interface {
	EmptyCache()
}

// EmptyCache empties dev's pool of freed buffers where its backend can (see
// CacheEmptier) and reports whether it could.
func EmptyCache(dev Device) bool {
	c, ok := dev.(CacheEmptier)
	if ok {
		c.EmptyCache()
	}
	return ok
}

// MachineSharer is implemented by a device whose threads poll while they
// wait (the GL backend: its command thread and a caller waiting for a
// Read): ShareMachine tells it that processes processes of one job run on
// this machine, so that it sleeps at once where their polling threads
// would outnumber the CPUs. ddp.New calls it, as it calls
// kernels.ShareMachine for the CPU kernels.
type MachineSharer interface {
	ShareMachine(processes int)
}

// ShareMachine tells dev that processes processes of one job run on this
// machine where its backend polls (see MachineSharer).
func ShareMachine(dev Device, processes int) {
	if s, ok := dev.(MachineSharer); ok {
		s.ShareMachine(processes)
	}
}

// Device runs tensorgl's primitive kernels on memory it owns. A Device is
// safe for use by many goroutines; kernels queued from one goroutine run in
// the order they were queued. Buffers passed to a kernel must come from the
// same Device. Kernels do not validate their parameters: that is the
// tensor layer's job.
type Device interface {
	// Info describes the device.
	Info() Info

	// Alloc returns a buffer of n elements, n ≥ 1, with undefined contents,
	// reusing a freed buffer of the same size bucket when one is pooled.
	Alloc(dt DType, n int) Buffer
	// Free returns b to the pool. b must not be used afterwards.
	Free(b Buffer)
	// Write copies src ([]float32 or []int32, matching b's DType and of
	// length ≤ b.Len()) into the start of b.
	Write(b Buffer, src any)
	// Read copies the first len(dst) elements of b into dst ([]float32 or
	// []int32), waiting for queued work, and returns any deferred error,
	// or an error, dst untouched, where dst is not a slice of b's DType or
	// is longer than b.
	Read(b Buffer, dst any) error
	// Sync waits for all queued work and returns any deferred error.
	Sync() error
	// Stats reports memory and traffic counters.
	Stats() Stats
	// Close releases the device. Buffers must not be used afterwards.
	Close() error

	// Fill sets n elements of dst starting at offset to v (converted to
	// int32 for an Int32 buffer).
	Fill(dst Buffer, offset, n int, v float32)
	// Copy gathers src, walked over shape by its strides, into contiguous
	// dst at dstOffset. Both buffers have the same DType.
	Copy(dst Buffer, dstOffset int, src Strided, shape []int)
	Unary(dst Buffer, src Strided, p UnaryParams)
	Binary(dst Buffer, x, y Strided, p BinaryParams)
	// Where: dst (contiguous over shape) = x where cond ≠ 0 else y. cond is
	// a Float32 or an Int32 buffer; x and y are Float32.
	Where(dst Buffer, cond, x, y Strided, shape []int)
	// BCEWithLogitsBackward writes dx (contiguous over shape), the gradient
	// of Binary's BCEWithLogits (with A = a) with respect to its logits x:
	//
	//	dx = a·g·(σ(x) − y)
	//
	// for targets y and upstream gradient g; x, y and g are Float32, walked
	// by their strides over shape (stride 0 broadcasts: a sum's gradient is
	// one value). One kernel in place of a sigmoid, a difference and two
	// products.
	BCEWithLogitsBackward(dx Buffer, x, y, g Strided, shape []int, a float32)
	Reduce(dst, src Buffer, p ReduceParams)
	// MatMul computes the products of p and applies e to them (see
	// Epilogue; a bias has N elements).
	MatMul(c, a, b Buffer, e Epilogue, p MatMulParams)

	// Conv2d computes the convolution of p and applies e to it (see
	// Epilogue; a bias has K elements).
	Conv2d(y, x, w Buffer, e Epilogue, p Conv2dParams)
	// Conv2dBackwardInput writes dx (overwriting it) from dy and w and
	// applies e to it as Conv2d does to y (a bias has C elements, the
	// residual and the saved activation are laid out as dx). A residual
	// is how a gradient joins the one its tensor has already received
	// (autograd's sum at a tensor read twice) without an Add of its own.
	Conv2dBackwardInput(dx, dy, w Buffer, e Epilogue, p Conv2dParams)
	// Conv2dBackwardWeight writes dw (overwriting it) from x and dy and,
	// unless db is nil, the bias gradient db [K]: each output channel's
	// sum of dy over images and positions, as Reduce with BiasGrad(p)
	// writes it (a backend may sum it with dw, in its own fixed order).
	Conv2dBackwardWeight(dw, db, x, dy Buffer, p Conv2dParams)

	// Pool2d writes y and, for MaxPool, the Int32 argmax index of each
	// output within its input plane (h·W + w) into idx; idx is nil for
	// AvgPool.
	Pool2d(y, idx, x Buffer, p Pool2dParams)
	// Pool2dBackward writes dx (overwriting it) from dy (and idx for MaxPool).
	Pool2dBackward(dx, dy, idx Buffer, p Pool2dParams)

	Softmax(dst, src Buffer, p SoftmaxParams)
	// SoftmaxBackward writes dx from the forward output y and upstream dy:
	// softmax: dx = y·(dy − Σ dy·y); log-softmax: dx = dy − eʸ·Σ dy.
	SoftmaxBackward(dx, y, dy Buffer, p SoftmaxParams)

	// CrossEntropy writes each row's loss (see CrossEntropyParams) into
	// loss [Rows] from logits and the Int32 target; weight [N] is nil
	// unless p.Weighted.
	CrossEntropy(loss, logits, target, weight Buffer, p CrossEntropyParams)
	// CrossEntropyBackward writes dlogits [Rows, N] (overwriting it) from
	// the logits, target, weight and the upstream gradient of each row's
	// loss, dloss, a Float32 vector walked with dloss.Strides[0] (0
	// broadcasts one value to every row).
	CrossEntropyBackward(dlogits, logits, target, weight Buffer, dloss Strided, p CrossEntropyParams)

	// LSTMCell runs the pointwise part of one LSTM step (see
	// LSTMCellParams): gates holds the pre-activations a of the blocks
	// i, f, g, o (PyTorch's order) on entry and, on return, the activations
	// i, f, g, o = σ(a_i), σ(a_f), tanh(a_g), σ(a_o) the backward reads;
	// c = f·cPrev + i·g and h = o·tanh(c).
	LSTMCell(h, c, gates, cPrev Buffer, p LSTMCellParams)
	// LSTMCellBackward writes dgates, the gradient of the gates'
	// pre-activations, and dcPrev, that of cPrev, from dh and dc (the
	// gradients of h and c) and LSTMCell's gates and c, and cPrev. dcPrev
	// may be dc itself (the same buffer and offset).
	LSTMCellBackward(dgates, dcPrev, dh, dc, gates, c, cPrev Buffer, p LSTMCellParams)
	// LSTMStep runs one LSTM time step whole: the pre-activations
	//
	//	gates = xw + hPrev·whhᵀ
	//
	// (xw and gates [Batch, 4·Hidden] at OffX and OffGates, hPrev
	// [Batch, Hidden] at OffHPrev, whh [4·Hidden, Hidden] from 0), summed
	// as MatMul sums, then LSTMCell on them; one call in place of the two.
	LSTMStep(h, c, gates, xw, hPrev, whh, cPrev Buffer, p LSTMCellParams)
	// LSTMStepBackward runs one step of an LSTM's backward pass whole:
	//
	//	dh = g + dnext·whh
	//
	// (g [Batch, Hidden] at OffDH; dnext [Batch, 4·Hidden], the gates'
	// gradient of the step after in the forward order, lies in dgates at
	// OffDNext, apart from this step's), summed as MatMul sums, then
	// LSTMCellBackward on dh with dc [Batch, Hidden] at OffDC updated in
	// place to dcPrev.
	LSTMStepBackward(dgates, dc, g, whh, gates, c, cPrev Buffer, p LSTMCellParams)
	// LSTM runs a whole LSTM recurrence (see RecurrenceParams) in one
	// call: LSTMStep's work for each step t in the order the steps run,
	// on xw_t and gates_t, the step's slices of xw and gates
	// [Steps, Batch, 4·Hidden], with whh [4·Hidden, Hidden], hPrev and
	// cPrev the h and c of the step run before (h0 and c0 [Batch, Hidden]
	// for the first), writing h_t and c_t into y [2, Steps, Batch, Hidden]:
	// every h_t, then every c_t. A backend may pack whh once for all the
	// steps; LSTMSteps runs it on LSTMStep.
	LSTM(y, gates, xw, whh, h0, c0 Buffer, p RecurrenceParams)
	// LSTMBackward runs LSTM's backward pass in one call: from g
	// [2, Steps, Batch, Hidden], the gradient of LSTM's y (its c part read
	// at the step run last only), LSTM's gates and y, and c0, for each
	// step in the backward order, LSTMStepBackward's work with dnext the
	// step run after's dgates (LSTMCellBackward's for the step run last,
	// whose dh is g's alone and whose dc g's c part), writing every step's
	// dgates [Steps, Batch, 4·Hidden]; dc [Batch, Hidden] carries the
	// gradient of c from step to step and ends with that of c0.
	LSTMBackward(dgates, dc, g, whh, gates, y, c0 Buffer, p RecurrenceParams)
	// GRU runs a whole GRU recurrence in one call: GRUStep's work for each
	// step t in the order the steps run, on xw_t [Steps, Batch, 3·Hidden]
	// and gates_t [Steps, Batch, 4·Hidden], with whh [3·Hidden, Hidden]
	// and bhh [3·Hidden] (nil: none), hPrev the h of the step run before
	// (h0 [Batch, Hidden] for the first), writing h_t into y
	// [Steps, Batch, Hidden]. GRUSteps runs it on GRUStep.
	GRU(y, gates, xw, whh, bhh, h0 Buffer, p RecurrenceParams)
	// GRUBackward runs GRU's backward pass in one call: from g
	// [Steps, Batch, Hidden], the gradient of GRU's y, the gates, y and
	// h0, for each step in the backward order GRUStepBackward's work with
	// dnext the step run after's dhh (GRUCellBackward's on g_t alone for
	// the step run last), writing dx and dhh [Steps, Batch, 3·Hidden]; dh
	// [Batch, Hidden] carries dh·z from step to step and ends with that of
	// the first step run (h0's gradient but for dhh_first·whh).
	GRUBackward(dx, dhh, dh, g, whh, gates, y, h0 Buffer, p RecurrenceParams)
	// Elman runs a whole Elman recurrence (see ElmanParams) in one call:
	//
	//	y_t = act(xw_t + y_{t−1}·whhᵀ)
	//
	// for t = 0, 1, …, Steps−1 (Steps−1, …, 0 when Reverse) from
	// y_{−1} = h0, each output's sum over the hidden units in increasing
	// order. Rows do not interact, so a backend may run each row's steps
	// without returning to the host in between.
	Elman(y, xw, whh, h0 Buffer, p ElmanParams)
	// ElmanBackward writes the gradient of every step's pre-activation,
	//
	//	dz_t = (g_t + dz_{t+1}·whh) ⊙ act′(y_t)
	//
	// from the incoming gradient g of Elman's output y, in the backward
	// order of the steps (the step Elman ran last has no dz_{t+1} term),
	// with act′ computed from the output as the epilogue's ActOut does.
	ElmanBackward(dz, g, whh, y Buffer, p ElmanParams)
	// GRUCell runs the pointwise part of one GRU step (see GRUCellParams)
	// from x and hh, the projections of the input and of hPrev with their
	// biases, blocks r, z, n (PyTorch's order):
	//
	//	r = σ(x_r + hh_r), z = σ(x_z + hh_z), n = tanh(x_n + r·hh_n)
	//	h = (1 − z)·n + z·hPrev
	//
	// and saves r, z, n and hh_n in gates for the backward.
	GRUCell(h, gates, x, hh, hPrev Buffer, p GRUCellParams)
	// GRUCellBackward writes dx and dhh, the gradients of GRUCell's x and
	// hh, and dhPrev = dh·z, the part of hPrev's gradient that does not
	// pass through hh, from dh (the gradient of h), the saved gates and
	// hPrev. dhPrev may be dh itself (the same buffer and offset).
	GRUCellBackward(dx, dhh, dhPrev, dh, gates, hPrev Buffer, p GRUCellParams)
	// GRUStep runs one GRU time step whole: hh = hPrev·whhᵀ + bhh (whh
	// [3·Hidden, Hidden] and bhh [3·Hidden] from 0, bhh nil for none),
	// summed as MatMul sums with bhh its epilogue's bias, then GRUCell with
	// x = xw at OffX; one call in place of the two.
	GRUStep(h, gates, xw, hPrev, whh, bhh Buffer, p GRUCellParams)
	// GRUStepBackward runs one step of a GRU's backward pass whole:
	//
	//	dh = (dnext·whh + dh) + g
	//
	// (dh [Batch, Hidden] at OffDH holds dhPrev of the step after, in the
	// forward order; g at OffG; dnext [Batch, 3·Hidden], that step's dhh,
	// lies in dhh at OffDNext, apart from this step's), summed as MatMul
	// sums with β = 1 and g its epilogue's residual, then GRUCellBackward
	// on dh with dh updated in place to dhPrev.
	GRUStepBackward(dx, dhh, dh, g, whh, gates, hPrev Buffer, p GRUCellParams)

	// BatchNormStats writes the mean and invstd = 1/√(var + p.Eps) of
	// each channel of x [N, C, Inner] (var the biased variance) into mean
	// and invstd [C], summed over each channel in a fixed order (the CPU in
	// one pass of float64 sums of x − x₀ and (x − x₀)², x₀ the channel's
	// first value; GL in two passes, the mean and then the squared
	// deviations from it).
	// With p.Track it also updates runMean and runVar [C] in place, as
	// PyTorch does: run = (1 − p.Momentum)·run + p.Momentum·stat, with the
	// unbiased variance var·M/(M − 1), M = N·Inner; else they are nil.
	BatchNormStats(mean, invstd, runMean, runVar, x Buffer, p BatchNormParams)
	// BatchNorm writes y = (x − mean[c])·invstd[c]·w[c] + b[c] for x and y
	// [N, C, Inner], plus r (of y's shape) where r is not nil, as a
	// residual block adds its shortcut; then max(that, 0) with p.Relu. With
	// p.Eval, invstd holds the (running) variance v instead and
	// 1/√(v + p.Eps) is used.
	BatchNorm(y, x, mean, invstd, w, b, r Buffer, p BatchNormParams)
	// BatchNormBackwardReduce writes, per channel, db = Σ dy and
	// dw = Σ dy·x̂ with x̂ = (x − mean)·invstd (invstd as in BatchNorm),
	// the gradients of BatchNorm's w and b from the upstream dy. With
	// p.Relu, dy is the gradient of the ReLU's output y (BatchNorm's
	// output): the kernel first masks it, writing dz = dy where y > 0 and 0
	// elsewhere (BatchNormBackward's dy), and sums dz; y and dz are nil
	// without p.Relu.
	BatchNormBackwardReduce(dw, db, dy, x, mean, invstd, y, dz Buffer, p BatchNormParams)
	// BatchNormBackward writes dx, the gradient of x through BatchNorm
	// and the batch statistics, from dy and BatchNormBackwardReduce's dw
	// and db, with M = N·Inner:
	//
	//	dx = w·invstd·(dy − db/M − x̂·dw/M)
	//
	// With p.Eval the statistics are constants and dx = w·invstd·dy.
	BatchNormBackward(dx, dy, x, mean, invstd, w, dw, db Buffer, p BatchNormParams)

	// LayerNorm normalises each row of x [Rows, Cols]: mean and rstd
	// [Rows] get the row's mean and 1/√(var + p.Eps) (var the biased
	// variance), summed in a fixed order (the CPU in one pass of float64
	// sums of x − x₀ and (x − x₀)², x₀ the row's first value; GL in two
	// passes, the mean and then the squared deviations from it), and
	//
	//	y = (x − mean)·rstd·w + b
	//
	// with w and b [Cols] (nil: 1 and 0), as PyTorch's layer_norm over the
	// last dimensions.
	LayerNorm(y, mean, rstd, x, w, b Buffer, p LayerNormParams)
	// LayerNormBackward writes dx, the gradient of x through LayerNorm and
	// its statistics, per row from dy and the mean and rstd LayerNorm
	// wrote, with g = dy·w (dy when w is nil) and x̂ = (x − mean)·rstd:
	//
	//	dx = rstd·(g − mean(g) − x̂·mean(g·x̂))
	//
	// and, where they are not nil, the gradients of w and b, dw = Σ dy·x̂
	// and db = Σ dy over the rows, summed in a fixed order.
	LayerNormBackward(dx, dw, db, dy, x, mean, rstd, w Buffer, p LayerNormParams)

	Gather(dst, src Buffer, idx Strided, p GatherParams)
	ScatterAdd(dst, src Buffer, idx Strided, p GatherParams)

	Random(dst Buffer, p RandomParams)
	// RandomMul writes contiguous dst = src ⊙ r over shape, r being what
	// Random(·, p) draws into as many elements (element i, row-major over
	// shape, element p.Offset+i of the stream), and r itself into mask (contiguous)
	// where mask is not nil: noise applied in the pass that draws it. With
	// ScaledBernoulli it is inverted dropout's forward in one kernel (r the
	// mask with its scale, kept for the backward product), with the bits of
	// Random and then Binary Mul. Where residual.Buf is not nil, it adds
	// residual after the product, dst = src ⊙ r + residual, with the bits of
	// a Binary Add after it (dropout and the residual connection after it,
	// a Transformer's sublayers', in one kernel). src and residual are
	// walked as Binary's operands (a transposed view needs no copy); src
	// may be dst, residual must not overlap it.
	RandomMul(dst, mask Buffer, src, residual Strided, shape []int, p RandomParams)

	// SGDStep updates every tensor of ts (its parameter, and momentum
	// buffer when p.Momentum ≠ 0) in place from its gradient: a whole
	// parameter group in one kernel (multi-tensor apply).
	SGDStep(ts []SGDTensor, p SGDParams)
	// AdamStep updates every tensor of ts (its parameter, m and v) in place
	// from its gradient, in one kernel.
	AdamStep(ts []AdamTensor, p AdamParams)
	// SumSquares writes into dst[0] the sum of the squares of every element
	// of every span of ts (all together, a gradient norm's square), summed
	// in an order fixed by the spans' sizes alone: not by threads, nor by
	// how many spans one dispatch takes; and where norm is not nil, the
	// sum's square root (the norm) into norm[0], computed in float32 from
	// dst[0] as Unary's Sqrt would: a norm to return without another kernel.
	SumSquares(dst, norm Buffer, ts []Span)
	// ClipScale multiplies every span of ts in place by
	// maxNorm/(√sq[0] + 1e-6), computed in float32, where that factor is
	// below 1 and sq[0] is finite, and leaves them alone otherwise:
	// gradient clipping by norm (PyTorch's clip_grad_norm_) with the norm's
	// square from SumSquares, read on the device.
	ClipScale(ts []Span, sq Buffer, maxNorm float32)
}

// Info describes a Device.
type Info struct {
	Name     string // "cpu" or "gl"
	Renderer string // CPU model and thread count, or GL_RENDERER
	Version  string // Go version, or GL_VERSION
	Software bool   // a software rasteriser (llvmpipe), slower than the CPU backend
	Limits   Limits
}

// Limits are the backend's hard limits (zero where there is none).
type Limits struct {
	MaxBufferElements   int    // largest single buffer, in elements
	MaxWorkGroupCount   [3]int // GL: MAX_COMPUTE_WORK_GROUP_COUNT
	MaxWorkGroupSize    [3]int // GL: MAX_COMPUTE_WORK_GROUP_SIZE
	MaxInvocations      int    // GL: MAX_COMPUTE_WORK_GROUP_INVOCATIONS
	MaxSharedMemory     int    // GL: MAX_COMPUTE_SHARED_MEMORY_SIZE, bytes
	MaxStorageBlockSize int64  // GL: MAX_SHADER_STORAGE_BLOCK_SIZE, bytes
	MaxStorageBlocks    int    // GL: storage blocks one compute shader may bind (MAX_COMPUTE_SHADER_STORAGE_BLOCKS, at most MAX_SHADER_STORAGE_BUFFER_BINDINGS)
	Threads             int    // CPU: worker goroutines
}

// Stats are a device's counters since it was opened.
type Stats struct {
	BuffersAllocated int64 // fresh allocations (pool misses)
	BuffersReused    int64 // allocations served from the pool
	BytesInUse       int64 // bytes in live (not freed) buffers
	BytesPooled      int64 // bytes held by the pool for reuse
	Uploads          int64 // host → device transfers (Write)
	Downloads        int64 // device → host transfers (Read)
	Dispatches       int64 // kernels run
	// The GL backend's host work per dispatch (0 on the CPU):
	Barriers   int64 // glMemoryBarrier calls: between dependent dispatches, and before transfers of shader-written buffers
	StateCalls int64 // glUseProgram, glBindBufferBase and glUniform* calls issued for dispatches
	Flushes    int64 // glFlush calls: the GL thread's, when it runs out of commands after dispatches
}

// Sub returns the counters of s less those of before: what happened between
// two readings.
func (s Stats) Sub(before Stats) Stats {
	return Stats{
		BuffersAllocated: s.BuffersAllocated - before.BuffersAllocated,
		BuffersReused:    s.BuffersReused - before.BuffersReused,
		BytesInUse:       s.BytesInUse - before.BytesInUse,
		BytesPooled:      s.BytesPooled - before.BytesPooled,
		Uploads:          s.Uploads - before.Uploads,
		Downloads:        s.Downloads - before.Downloads,
		Dispatches:       s.Dispatches - before.Dispatches,
		Barriers:         s.Barriers - before.Barriers,
		StateCalls:       s.StateCalls - before.StateCalls,
		Flushes:          s.Flushes - before.Flushes,
	}
}
