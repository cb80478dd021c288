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
// Expand, Squeeze, Unsqueeze) share storage with the tensor they come from;
// everything else returns a new tensor.
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
// NoGrad runs a function without recording.
//
// # Memory
//
// Device memory is returned to the device's pool by Release, or for every
// tensor created inside Tidy when it returns (except those passed to Keep,
// parameter gradients and optimizer state). A cleanup attached to each
// storage frees forgotten buffers when the garbage collector finds them, but
// the collector does not see GPU memory pressure: training loops should run
// each step inside Tidy.
package tensor
