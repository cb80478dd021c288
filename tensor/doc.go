// Package tensor provides n-dimensional float32 (and int32) tensors on a
// compute device, with numpy/PyTorch broadcasting, views, and reverse-mode
// automatic differentiation.
//
// Every operation runs through the device.Device the tensor lives on, so the
// same program runs on the pure-Go CPU backend and on the OpenGL compute
// backend. Tensors are created on the default device (the CPU backend unless
// SetDefaultDevice says otherwise) and moved with To.
//
// Views (Reshape of a contiguous tensor, Transpose, Permute, Narrow, Select,
// Expand, Squeeze, Unsqueeze, Unbind, Split, Chunk) share storage with the
// tensor they come from; everything else returns a new tensor.
//
// # Errors
//
// Misuse — shapes that do not fit, a bad axis, tensors on different devices,
// an index out of range — panics with a *ShapeError whose message names the
// op and the shapes, e.g.
//
//	tensor: MatMul: inner dimensions differ: [64 784] × [128 784]
//
// errors.Is(err, ErrShape) matches it after recover.
//
// # Autograd
//
// A tensor marked with SetRequiresGrad records the operations that use it.
// Backward on a scalar result computes gradients into the Grad of every leaf
// that requires them, accumulating across calls until ZeroGrad. The graph
// and the tensors it saved are released after Backward unless
// BackwardOpts.RetainGraph is set; using a released graph again panics.
// Whether an operation records depends only on its inputs: there is no
// process-wide switch. Results that join a NoGrad scope are not recorded,
// and Backward's own computations never are.
//
// # Memory and scopes
//
// Device memory is returned to the device's pool by Release, or by the
// Scope a tensor belongs to when it closes (Tidy, NoGrad). A result joins
// the innermost open scope of its inputs; data from the host joins a scope
// through Scope.FromSlice, Scope.Own or Scope.Use (see Scope). A cleanup
// attached to each storage frees forgotten buffers when the garbage
// collector finds them, but the collector does not see GPU memory pressure:
// training loops should run each step in a scope.
//
// # Goroutines
//
// Any number of goroutines may each train or evaluate their own model on
// one device at the same time, with results bit-identical to running alone:
// scopes and recording belong to a computation, and the devices serialise
// their work. A tensor may be read by several goroutines (a shared input,
// a frozen model evaluated under NoGrad). One that belongs to an open scope
// of another goroutine's computation is read through the reader's own
// scope, s.Use(t): results then join the reader's scope and record as it
// records. Computed from directly, t would hand its results to the scope
// it belongs to (the innermost open scope among an op's inputs, the first
// of two unrelated ones), which releases them when the other goroutine
// closes it and records them as that goroutine's current scope does (not
// at all inside its NoGrad or Backward). A tensor being written (a
// parameter during its optimizer step, a leaf during Backward) must not be
// used by another goroutine at that time, and one model is trained by one
// goroutine at a time. A Generator is safe for concurrent use, but the
// numbers each goroutine draws then depend on the interleaving.
package tensor
