package tensor

import (
	"slices"
	"sync"
	"sync/atomic"

	"github.com/tensorgl/tensorgl/device"
)

// node is one recorded operation of the autograd graph.
type node struct {
	op       string
	inputs   []*Tensor
	backward func(g *Tensor) []*Tensor // gradients for inputs, nil where none
	// backwardInto, where not nil, is backward for when inputs have
	// received gradients already in this Backward: prev[j] is input j's
	// gradient so far (nil where none), and where it is not nil the
	// result's j-th gradient is prev[j] plus this op's, summed by the op's
	// own kernel where it can (an epilogue's residual) rather than by an
	// Add after it. See recordInto.
	backwardInto func(g *Tensor, prev []*Tensor) []*Tensor
	released     bool
	// outAct is the activation the op applied to its output in its
	// kernel (Linear, a convolution), whose derivative its backward
	// applies unless the gradient carries it already (Tensor.actApplied);
	// ReLU also for an op that passes a ReLU output's mask on (max pooling
	// of one, Reshape of one). A reader of the output may apply a ReLU's
	// mask, and another derivative where it is the output's only reader
	// (readerAct).
	outAct Activation
	// readers counts the recorded ops that read the output.
	readers atomic.Int32
	// scale is a Dropout's mask, by which its rule multiplies the gradient
	// unless the gradient carries it already (Tensor.scaleApplied): the
	// output's only reader may apply it (dropoutOf).
	scale *Tensor
	// dest, for a slice Split made of a larger tensor, returns where the
	// slice's gradient lies in the larger tensor's, a contiguous tensor of
	// scope sc that the rule computing it may write it into (gradDest).
	dest func(sc *Scope) *Tensor
}

// record attaches a node to out when an input requires gradients and the
// scope the result belongs to records (see NoGrad), and returns out. There
// is no process-wide switch: whether an op records depends only on its
// inputs, so computations on other goroutines never change it.
func record(op string, out *Tensor, inputs []*Tensor, backward func(g *Tensor) []*Tensor) *Tensor {
	if out.scope.detecting() && !(out.scope != nil && out.scope.backward) && !sharesStorage(out, inputs) {
		checkFinite(op, false, 0, out)
	}
	for _, in := range inputs {
		if in != nil && in.requiresGrad {
			if !ScopeOf(inputs...).GradEnabled() {
				return out
			}
			out.requiresGrad = true
			out.node = &node{op: op, inputs: inputs, backward: backward}
			for _, in := range inputs {
				if in != nil && in.node != nil {
					in.node.readers.Add(1)
				}
			}
			return out
		}
	}
	return out
}

// recordInto is record for an op whose backward can add its gradients to
// those its inputs have received already (node.backwardInto): into is
// called with prev nil when none has.
func recordInto(op string, out *Tensor, inputs []*Tensor, into func(g *Tensor, prev []*Tensor) []*Tensor) *Tensor {
	out = record(op, out, inputs, func(g *Tensor) []*Tensor { return into(g, nil) })
	if out.node != nil {
		out.node.backwardInto = into
	}
	return out
}

// sumInRules lets rules that can add a gradient to the one its tensor has
// received already do so (recordInto); off, autograd adds every pair of
// gradients with an Add. A variable, so that tests can run both ways.
var sumInRules = true

// accumulateInRules lets a rule that can add to a gradient add a leaf's
// accumulated gradient (Tensor.Grad, from an earlier Backward) where the
// node is the leaf's only reader in the graph: the sum is then the leaf's
// new gradient, with no Add after it (see priorGrads). A variable, so that
// tests can run both ways.
var accumulateInRules = true

// priorGrads returns, for a node that can add to its inputs' gradients,
// the gradient each input has received so far (an input listed twice only
// at its first place), or nil when none has. For a leaf that has received
// none in this Backward, that is its accumulated gradient where reads
// counts this node as the leaf's only reader in the graph, so that the sum
// the rule returns is the leaf's whole new gradient, added in the order
// accumulate adds (the old gradient plus this Backward's); such leaves are
// recorded in folded.
func priorGrads(n *node, grads map[*Tensor]*Tensor, reads map[*Tensor]int, folded map[*Tensor]bool) []*Tensor {
	if n.backwardInto == nil || !sumInRules {
		return nil
	}
	var prev []*Tensor
	for j, in := range n.inputs {
		if in == nil || !in.requiresGrad || slices.Index(n.inputs[:j], in) >= 0 {
			continue
		}
		p := grads[in]
		if p == nil && accumulateInRules && in.node == nil && in.grad != nil && reads[in] == 1 {
			p = in.grad
			folded[in] = true
		}
		if p == nil {
			continue
		}
		if prev == nil {
			prev = make([]*Tensor, len(n.inputs))
		}
		prev[j] = p
	}
	return prev
}

// priorAt returns prev[j], nil when prev is.
func priorAt(prev []*Tensor, j int) *Tensor {
	if prev == nil {
		return nil
	}
	return prev[j]
}

// plusPrior returns g added to prev (g alone where prev is nil): the sum
// for a gradient no kernel of the rule could add to.
func plusPrior(prev, g *Tensor) *Tensor {
	if prev == nil || g == nil {
		return g
	}
	return prev.Add(g)
}

// maskInReaders switches readerAct on; tests switch it off to count the
// kernels it saves.
var maskInReaders = true

// readerAct returns the activation whose derivative the gradient with
// respect to t takes on its way back, and true, where the kernel computing
// that gradient (a reader of t) may apply it in its epilogue (from t, the
// activation's output) and mark the gradient for t's producer, which then
// skips its own kernel: t must be contiguous, and either the mask of a
// ReLU output or the derivative of another activation the producer
// applied (node.outAct) where t has no other reader.
// The mask is idempotent: where a ReLU output has other readers, whose
// gradients are summed with the masked one, the producer masks the sum
// again, which changes nothing the mask had set. Another activation's
// derivative would be applied twice to the masked part of such a sum.
func readerAct(t *Tensor) (Activation, bool) {
	if !maskInReaders || t == nil || t.node == nil || !t.IsContiguous() {
		return Activation{}, false
	}
	switch a := t.node.outAct; {
	case a.fn == device.ActRelu, a.fn != device.NoActivation && t.node.readers.Load() == 1:
		return a, true
	}
	return Activation{}, false
}

// dropoutOf returns the mask of the Dropout whose output is x and the
// Dropout's input, where the op asking (a Linear reading x) is x's only
// recorded reader: that op's backward product may multiply its gradient by
// the mask in its epilogue (and then by the derivative of the activation
// whose output the Dropout read, see readerAct) and mark the gradient, and
// the Dropout's rule passes it on without a kernel. Else nil, nil.
func dropoutOf(x *Tensor) (mask, in *Tensor) {
	if !maskInReaders || x.node == nil || x.node.scale == nil || x.node.readers.Load() != 1 || !x.IsContiguous() {
		return nil, nil
	}
	return x.node.scale, x.node.inputs[0]
}

// gradsInPlace switches gradDest on; tests switch it off to compare.
var gradsInPlace = true

// gradDest returns a contiguous tensor of t's shape in scope sc into which
// the rule computing t's gradient, t's only recorded reader, may write that
// gradient: where t is a slice Split made (an attention's projection
// weights, slices of its input projection's), its part of the larger
// tensor's gradient, which the Split's rule then need not copy (see
// parts). Else nil.
func gradDest(t *Tensor, sc *Scope) *Tensor {
	if !gradsInPlace || t == nil || t.node == nil || t.node.dest == nil || t.node.readers.Load() != 1 {
		return nil
	}
	return t.node.dest(sc)
}

// reluOut reports whether t's gradient is masked by t > 0 on its way back
// (node.outAct is ReLU).
func reluOut(t *Tensor) bool { return t.node != nil && t.node.outAct.fn == device.ActRelu }

// markOutAct records on y's node the activation its op applied (act), so
// that a reader of y may apply its derivative (readerAct).
func markOutAct(y *Tensor, act Activation) {
	if y.node != nil {
		y.node.outAct = act
	}
}

// residualOf returns prev as an epilogue's residual for a kernel writing a
// contiguous tensor of its shape (an empty Epilogue where prev is nil),
// and whether it could: prev must be contiguous itself.
func residualOf(prev *Tensor) (device.Epilogue, bool) {
	if prev == nil || !prev.IsContiguous() {
		return device.Epilogue{}, false
	}
	return device.Epilogue{Residual: prev.st.buf, OffResidual: prev.offset}, true
}

// sharesStorage reports whether out is a view of one of the inputs.
func sharesStorage(out *Tensor, inputs []*Tensor) bool {
	for _, in := range inputs {
		if in != nil && in.st == out.st {
			return true
		}
	}
	return false
}

// SetRequiresGrad marks a leaf tensor as needing gradients and returns it.
func (t *Tensor) SetRequiresGrad(on bool) *Tensor {
	if t.node != nil {
		fail("SetRequiresGrad", "tensor %v is the result of %s, not a leaf; use Detach first", t.shape, t.node.op)
	}
	if on && t.DType() != device.Float32 {
		fail("SetRequiresGrad", "only float32 tensors can require gradients, got %s %v", t.DType(), t.shape)
	}
	t.requiresGrad = on
	return t
}

// RequiresGrad reports whether gradients flow to or through t.
func (t *Tensor) RequiresGrad() bool { return t.requiresGrad }

// IsLeaf reports whether t was created by the user rather than by a
// recorded operation.
func (t *Tensor) IsLeaf() bool { return t.node == nil }

// GradFn names the operation that produced t ("" for leaves).
func (t *Tensor) GradFn() string {
	if t.node == nil {
		return ""
	}
	return t.node.op
}

// Grad returns the gradient accumulated by Backward, or nil.
func (t *Tensor) Grad() *Tensor { return t.grad }

// SetGrad replaces the accumulated gradient (nil clears it). g must have t's
// shape; t owns it from now on.
func (t *Tensor) SetGrad(g *Tensor) {
	if g != nil && !slices.Equal(g.shape, t.shape) {
		fail("SetGrad", "gradient %v for tensor %v", g.shape, t.shape)
	}
	if g != nil {
		Persist(g)
	}
	t.grad = g
}

// ZeroGrad releases and clears the accumulated gradient.
func (t *Tensor) ZeroGrad() {
	if t.grad != nil {
		t.grad.Release()
		t.grad = nil
	}
}

// Detach returns a view of t's data that is cut from the autograd graph.
func (t *Tensor) Detach() *Tensor {
	return &Tensor{st: t.st, shape: t.shape, strides: t.strides, offset: t.offset, scope: t.scope}
}

// BackwardOpts configures Backward.
type BackwardOpts struct {
	// Grad is the gradient of the final objective with respect to t; nil
	// means 1 and requires t to hold one element.
	Grad *Tensor
	// RetainGraph keeps the graph so Backward can run through it again.
	RetainGraph bool
}

// Backward computes the gradient of t with respect to every leaf that
// requires gradients, adding it to the leaf's Grad. Unless
// opts.RetainGraph, the graph is released afterwards.
func (t *Tensor) Backward(opts ...BackwardOpts) {
	var o BackwardOpts
	if len(opts) > 0 {
		o = opts[0]
	}
	if !t.requiresGrad {
		fail("Backward", "tensor %v does not require gradients (no input had SetRequiresGrad)", t.shape)
	}
	seed := o.Grad
	if seed == nil {
		if t.NumEl() != 1 {
			fail("Backward", "gradient can be implied only for a one-element output, got %v; pass BackwardOpts.Grad", t.shape)
		}
	} else if !slices.Equal(seed.shape, t.shape) {
		fail("Backward", "gradient %v for output %v", seed.shape, t.shape)
	}

	// Topological order of the tensors reachable through recorded nodes.
	// reads counts the reads of each leaf by the graph's nodes.
	var order []*Tensor
	seen := map[*Tensor]bool{}
	reads := map[*Tensor]int{}
	var visit func(x *Tensor)
	visit = func(x *Tensor) {
		if seen[x] {
			return
		}
		seen[x] = true
		if x.node != nil {
			if x.node.released {
				fail("Backward", "the graph through %s (output %v) was already released by an earlier Backward; pass BackwardOpts{RetainGraph: true} to the first call", x.node.op, x.shape)
			}
			for _, in := range x.node.inputs {
				if in != nil && in.requiresGrad {
					if in.node == nil {
						reads[in]++
					}
					visit(in)
				}
			}
		}
		order = append(order, x)
	}
	visit(t)

	// The rules run in a scope of their own that records nothing: every
	// gradient is computed from the seed, which belongs to it, and so are
	// the results of rules that read the forward values, since this scope
	// is nested in theirs while it is open. Gradients no leaf adopted go
	// back to the pool when it closes.
	runScope(ScopeOf(t), true, func(bs *Scope) {
		bs.backward = true
		if o.Grad == nil {
			seed = constOn(t.st.dev, 1, t.shape, bs)
		} else {
			seed = bs.Own(seed.Detach().Clone())
		}
		grads := map[*Tensor]*Tensor{t: seed}
		folded := map[*Tensor]bool{} // leaves whose gradient holds their old one (priorGrads)
		for i := len(order) - 1; i >= 0; i-- {
			x := order[i]
			g := grads[x]
			delete(grads, x)
			if g == nil {
				continue
			}
			if x.node == nil {
				x.accumulate(g, bs, folded[x])
				x.runHooks()
				continue
			}
			prev := priorGrads(x.node, grads, reads, folded)
			var gs []*Tensor
			if prev != nil {
				gs = x.node.backwardInto(g, prev)
			} else {
				gs = x.node.backward(g)
			}
			if bs.detecting() {
				for j, gj := range gs {
					checkFinite(x.node.op, true, j, gj)
				}
			}
			for j, in := range x.node.inputs {
				if in == nil || !in.requiresGrad || gs[j] == nil {
					continue
				}
				gj := gs[j]
				if !slices.Equal(gj.shape, in.shape) {
					panic("tensor: internal error: " + x.node.op + " backward produced a gradient of the wrong shape")
				}
				if priorAt(prev, j) == nil { // else the rule added it
					if p := grads[in]; p != nil {
						gj = p.Add(gj)
					}
				}
				grads[in] = gj
			}
		}
	})
	if !o.RetainGraph {
		for _, x := range order {
			if x.node != nil {
				x.node.released = true
				x.node.backward = nil
				x.node.backwardInto = nil
				x.node.inputs = nil
			}
		}
	}
}

// gradHook is one registered post-accumulate hook; id tells it apart for
// removal.
type gradHook struct {
	id int64
	f  func(*Tensor)
}

var hookIDs atomic.Int64

// RegisterPostAccumulateGradHook makes Backward call f(t) each time it has
// accumulated a gradient into the leaf t, as PyTorch's hook of that name:
// t.Grad() then holds the sum of this Backward's gradient and any earlier
// one, and no later rule of the same Backward adds to it. Hooks run on
// Backward's goroutine in the order they were registered, inside Backward's
// own scope, which records nothing; a hook must not register or remove
// hooks of t. Distributed data parallelism uses it to send each gradient as
// soon as it is complete while Backward goes on with the rest of the graph.
//
// Registering and removing must not run concurrently with a Backward that
// reaches t. The returned function removes the hook; calling it again does
// nothing.
func (t *Tensor) RegisterPostAccumulateGradHook(f func(*Tensor)) (remove func()) {
	if t.node != nil {
		fail("RegisterPostAccumulateGradHook", "tensor %v is the result of %s, not a leaf: only leaves accumulate gradients", t.shape, t.node.op)
	}
	if f == nil {
		fail("RegisterPostAccumulateGradHook", "nil hook for tensor %v", t.shape)
	}
	id := hookIDs.Add(1)
	if t.hooks == nil {
		t.hooks = new([]gradHook)
	}
	*t.hooks = append(*t.hooks, gradHook{id: id, f: f})
	return func() {
		*t.hooks = slices.DeleteFunc(*t.hooks, func(h gradHook) bool { return h.id == id })
	}
}

// runHooks calls t's post-accumulate hooks.
func (t *Tensor) runHooks() {
	if t.hooks == nil {
		return
	}
	for _, h := range *t.hooks {
		h.f(t)
	}
}

// constants holds, per device and value, a persistent one-element tensor
// filled once rather than once per step: 1, the implied seed of Backward,
// and 0, the gradient a Split's slice hands the view of the whole tensor
// as a stand-in that is never read (parts). Rules never write into their
// upstream gradient, and a leaf never adopts one (it is persistent and
// belongs to no scope, see accumulate), so each keeps its value.
var constants sync.Map // constKey → *storage

type constKey struct {
	dev device.Device
	v   float32
}

// constOn returns a view of dev's constant v with the given shape (every
// element the one value: strides 0 beyond one element), as a tensor of
// scope sc (results computed from it join sc; its storage does not).
func constOn(dev device.Device, v float32, shape []int, sc *Scope) *Tensor {
	key := constKey{dev, v}
	st, ok := constants.Load(key)
	if !ok {
		c := fullOn(nil, dev, v, []int{1})
		Persist(c)
		var loaded bool
		if st, loaded = constants.LoadOrStore(key, c.st); loaded {
			c.Release()
		}
	}
	strides := device.Contiguous(shape)
	if device.NumElements(shape) > 1 {
		strides = make([]int, len(shape))
	}
	return &Tensor{st: st.(*storage), shape: slices.Clone(shape), strides: strides, scope: sc}
}

// accumulate adds g to a leaf's gradient, or where whole (a rule added the
// leaf's gradient into g already, see priorGrads) makes g the gradient.
// The leaf owns its gradient storage exclusively, so replacing it may
// release the old one. A gradient is adopted without a copy when nothing
// else can see its storage: the running Backward's scope bs allocated it
// (so it is neither the caller's tensor nor a forward value), no leaf
// adopted it yet (it is not persistent), and g covers all of it
// contiguously (so no narrower view of it went to another input).
func (t *Tensor) accumulate(g *Tensor, bs *Scope, whole bool) {
	owned := g.st.scope.Load() == bs && !g.st.persistent.Load() &&
		g.offset == 0 && g.IsContiguous() && g.NumEl() == g.st.buf.Len()
	var sum *Tensor
	switch {
	case (t.grad == nil || whole) && owned:
		sum = g
	case t.grad == nil || whole:
		sum = g.Clone()
	default:
		sum = t.grad.Add(g)
	}
	if t.grad != nil {
		t.grad.Release()
	}
	Persist(sum)
	t.grad = sum
}
