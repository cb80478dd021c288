package tensor

import (
	"runtime"
	"slices"

	"github.com/tensorgl/tensorgl/device"
)

// SGDUpdate is one parameter of a multi-tensor SGD step.
type SGDUpdate struct {
	Param, Grad *Tensor
	// Buf is the momentum buffer, nil without momentum. On the parameter's
	// FirstStep it is set from the gradient, not read.
	Buf       *Tensor
	FirstStep bool
}

// SGDStep updates every parameter of us (and its momentum buffer) in place
// with the fused SGD kernel (see device.SGDParams): the whole list in one
// device call, a parameter group's multi-tensor apply. All tensors must be
// float32 on one device; parameters and buffers whole contiguous tensors,
// none listed twice. The update is not recorded by autograd.
func SGDStep(us []SGDUpdate, p device.SGDParams) {
	const op = "SGDStep"
	if len(us) == 0 {
		return
	}
	c := newUpdateCheck(op, us[0].Param, 3*len(us))
	ts := make([]device.SGDTensor, len(us))
	for i, u := range us {
		ops := [3]updateOperand{{"param", u.Param, true}, {"grad", u.Grad, false}}
		n := 2
		if p.Momentum != 0 {
			if u.Buf == nil {
				fail(op, "update %d (param %v) has no momentum buffer, and momentum is %v", i, shapeOf(u.Param), p.Momentum)
			}
			ops[2], n = updateOperand{"momentum buffer", u.Buf, true}, 3
		}
		c.check(i, ops[:n]...)
		ts[i] = device.SGDTensor{Param: u.Param.st.buf, N: u.Param.NumEl(), FirstStep: u.FirstStep}
		if p.Momentum != 0 {
			ts[i].Buf = u.Buf.st.buf
		}
	}
	// Contiguous copies (of strided gradients) come after every check, so a
	// rejected list leaves nothing behind.
	grads := contiguousGrads(len(us), func(i int) *Tensor { return us[i].Grad })
	for i, g := range grads {
		ts[i].Grad = g.st.buf
	}
	c.dev.SGDStep(ts, p)
	runtime.KeepAlive(grads)
}

// contiguousGrads returns the n gradients grad(i) as contiguous tensors.
// The caller keeps the slice alive until its device call is made: a copy
// outside every scope is freed once unreachable, and the buffers taken
// from it would not keep it reachable.
func contiguousGrads(n int, grad func(i int) *Tensor) []*Tensor {
	gs := make([]*Tensor, n)
	for i := range gs {
		gs[i] = grad(i).Contiguous()
	}
	return gs
}

// AdamUpdate is one parameter of a multi-tensor Adam step: M and V are its
// moments, Step its step count (from 1), which sets its bias corrections.
type AdamUpdate struct {
	Param, Grad, M, V *Tensor
	Step              int
}

// AdamStep updates every parameter of us (and its moments) in place with
// the fused Adam/AdamW kernel (see device.AdamParams), the whole list in one
// device call, under the same rules as SGDStep.
func AdamStep(us []AdamUpdate, p device.AdamParams) {
	const op = "AdamStep"
	if len(us) == 0 {
		return
	}
	c := newUpdateCheck(op, us[0].Param, 3*len(us))
	ts := make([]device.AdamTensor, len(us))
	for i, u := range us {
		c.check(i, updateOperand{"param", u.Param, true}, updateOperand{"grad", u.Grad, false},
			updateOperand{"m", u.M, true}, updateOperand{"v", u.V, true})
		if u.Step < 1 {
			fail(op, "update %d (param %v) has step count %d, want ≥ 1", i, u.Param.shape, u.Step)
		}
		ts[i] = device.AdamTensor{Param: u.Param.st.buf, M: u.M.st.buf, V: u.V.st.buf, N: u.Param.NumEl(), Step: u.Step}
	}
	grads := contiguousGrads(len(us), func(i int) *Tensor { return us[i].Grad })
	for i, g := range grads {
		ts[i].Grad = g.st.buf
	}
	c.dev.AdamStep(ts, p)
	runtime.KeepAlive(grads)
}

// updateOperand is one tensor of an update, named for error messages; written
// operands are updated in place.
type updateOperand struct {
	name    string
	t       *Tensor
	written bool
}

// updateCheck checks the operands of a multi-tensor update: float32, on
// the device of the first parameter, shaped as their parameter, written
// operands whole and contiguous and none of them written twice.
type updateCheck struct {
	op  string
	dev device.Device
	// written is who writes each storage, for the error naming it: a list
	// searched from its start while short, a map once longer.
	written []writer
	index   map[*storage]writer
}

// writer is the update and operand that write a storage.
type writer struct {
	st     *storage
	update int
	name   string
}

// updateListed is how many written operands updateCheck looks up in its
// list before it indexes them in a map: a pointer compared costs less than
// a map's growth up to there.
const updateListed = 64

// newUpdateCheck returns a check of updates whose first parameter is
// first and whose written operands number about written.
func newUpdateCheck(op string, first *Tensor, written int) *updateCheck {
	if first == nil {
		fail(op, "update 0 has no param")
	}
	return &updateCheck{op: op, dev: first.st.dev, written: make([]writer, 0, min(written, updateListed))}
}

// writerOf returns the writer of st recorded so far.
func (c *updateCheck) writerOf(st *storage) (writer, bool) {
	if c.index != nil {
		w, ok := c.index[st]
		return w, ok
	}
	for _, w := range c.written {
		if w.st == st {
			return w, true
		}
	}
	return writer{}, false
}

// add records w, indexing every writer in a map once the list is long.
func (c *updateCheck) add(w writer) {
	if c.index == nil && len(c.written) < updateListed {
		c.written = append(c.written, w)
		return
	}
	if c.index == nil {
		c.index = make(map[*storage]writer, 2*updateListed)
		for _, v := range c.written {
			c.index[v.st] = v
		}
	}
	c.index[w.st] = w
}

// check checks update i's operands, the parameter first.
func (c *updateCheck) check(i int, ops ...updateOperand) {
	param := ops[0].t
	for _, o := range ops {
		t := o.t
		if t == nil {
			fail(c.op, "update %d (param %v) has no %s", i, shapeOf(param), o.name)
		}
		t.live(c.op)
		if t.DType() != device.Float32 {
			fail(c.op, "update %d: %s is %s %v, want float32", i, o.name, t.DType(), t.shape)
		}
		if t.st.dev != c.dev {
			fail(c.op, "update %d: %s %v is on device %s, update 0's param on %s", i, o.name, t.shape, t.st.dev.Info().Name, c.dev.Info().Name)
		}
		if !slices.Equal(t.shape, param.shape) {
			fail(c.op, "update %d: %s has shape %v, param %v", i, o.name, t.shape, param.shape)
		}
		if !o.written {
			continue
		}
		if !t.IsContiguous() || t.offset != 0 {
			fail(c.op, "update %d: %s %v must be a whole contiguous tensor", i, o.name, t.shape)
		}
		if prev, ok := c.writerOf(t.st); ok {
			fail(c.op, "update %d: %s %v shares its storage with update %d's %s", i, o.name, t.shape, prev.update, prev.name)
		}
		c.add(writer{t.st, i, o.name})
	}
}

// shapeOf is t's shape, or nil for a nil tensor.
func shapeOf(t *Tensor) []int {
	if t == nil {
		return nil
	}
	return t.shape
}
