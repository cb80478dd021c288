package tensor

import (
	"runtime"
	"slices"

	"github.com/tensorgl/tensorgl/device"
)

// view returns a tensor sharing t's storage with a new layout, recording
// backward as the gradient rule.
func (t *Tensor) view(op string, shape, strides []int, offset int, backward func(g *Tensor) *Tensor) *Tensor {
	t.live(op)
	numElements(op, shape)
	out := &Tensor{st: t.st, shape: shape, strides: strides, offset: offset, scope: t.scope}
	if !t.requiresGrad {
		// record would record nothing (nor check a view's values): the
		// list and the rule are left unmade.
		return out
	}
	return record(op, out, []*Tensor{t}, func(g *Tensor) []*Tensor { return []*Tensor{backward(g)} })
}

// inferShape resolves one -1 entry of shape against n elements, into a
// new slice with room for as many entries again (a view's strides).
func inferShape(op string, n int, shape []int, from []int) []int {
	shape = append(make([]int, 0, 2*len(shape)), shape...)
	infer := -1
	for i, d := range shape {
		switch {
		case d == -1 && infer < 0:
			infer = i
		case d < 0:
			fail(op, "invalid target shape %v for %v", shape, from)
		}
	}
	if infer >= 0 {
		rest := slices.Clone(shape)
		rest[infer] = 1
		known := numElementsAs(op, rest, shape)
		if known == 0 || n%known != 0 {
			fail(op, "cannot infer -1 in %v for %v (%d elements)", shape, from, n)
		}
		shape[infer] = n / known
	}
	if numElements(op, shape) != n {
		fail(op, "shape %v does not hold the %d elements of %v", shape, n, from)
	}
	return shape
}

// Reshape returns a tensor with the same elements in a new shape (one entry
// may be -1). It is a view where t's strides allow one (as PyTorch's
// reshape: each run of t's dimensions that the new shape splits or merges
// lies as a contiguous block, so a transposed tensor's heads split and
// merge in place), else a copy.
func (t *Tensor) Reshape(shape ...int) *Tensor {
	shape = inferShape("Reshape", t.NumEl(), shape, t.shape)
	// The strides share the shape's allocation; the shape is capped so
	// that nothing appended to it overwrites them.
	room := shape[len(shape):cap(shape)]
	shape = shape[:len(shape):len(shape)]
	c := t
	strides := viewStrides(t.shape, t.strides, shape, room)
	if strides == nil {
		c, strides = t.Contiguous(), device.Contiguous(shape)
	}
	from := t.shape
	var out *Tensor
	out = c.view("Reshape", shape, strides, c.offset, func(g *Tensor) *Tensor {
		gc := g.Reshape(from...)
		if g.actApplied != nil && g.actApplied == out {
			gc.actApplied = c // the same mask, reshaped
		}
		return gc
	})
	// A ReLU output's mask passes through the reshape (readerAct).
	if reluOut(c) {
		markOutAct(out, ActRelu)
	}
	return out
}

// viewStrides returns the strides that lay the elements of a tensor of
// shape and strides out as newShape (of as many elements) in place, or nil
// where none do: newShape must split and merge only runs of dimensions
// that each lie as one block of evenly spaced elements (PyTorch's
// computeStride). It writes them into out, of newShape's length.
func viewStrides(shape, strides, newShape, out []int) []int {
	n := device.NumElements(shape)
	if n == 0 || len(shape) == 0 {
		return device.Contiguous(newShape)
	}
	v := len(newShape) - 1
	base := strides[len(shape)-1] // the stride of the current block's last dimension
	blockN, viewN := 1, 1
	for d := len(shape) - 1; d >= 0; d-- {
		blockN *= shape[d]
		// A block ends before a dimension that does not step over it.
		if d == 0 || (shape[d-1] != 1 && strides[d-1] != blockN*base) {
			for v >= 0 && (viewN < blockN || newShape[v] == 1) {
				out[v] = viewN * base
				viewN *= newShape[v]
				v--
			}
			if viewN != blockN {
				return nil
			}
			if d > 0 {
				base, blockN, viewN = strides[d-1], 1, 1
			}
		}
	}
	if v != -1 {
		return nil
	}
	return out
}

// View is Reshape restricted to contiguous tensors: it never copies.
func (t *Tensor) View(shape ...int) *Tensor {
	if !t.IsContiguous() {
		fail("View", "tensor %v with strides %v is not contiguous; use Reshape", t.shape, t.strides)
	}
	return t.Reshape(shape...)
}

// Unflatten splits dimension dim (negative counts from the end) into
// dimensions of the given sizes, whose product must be its size, as a view
// whatever t's strides (PyTorch's unflatten): the new dimensions step
// through the old one's stride, so a transposed or sliced tensor is split
// without a copy (as Reshape splits one too).
func (t *Tensor) Unflatten(dim int, sizes ...int) *Tensor {
	d := t.axis("Unflatten", dim)
	n := 1
	for _, s := range sizes {
		if s < 1 {
			fail("Unflatten", "sizes %v: want positive sizes", sizes)
		}
		n *= s
	}
	if len(sizes) == 0 || n != t.shape[d] {
		fail("Unflatten", "sizes %v do not hold dimension %d of %v", sizes, dim, t.shape)
	}
	shape := slices.Concat(t.shape[:d], sizes, t.shape[d+1:])
	inner := make([]int, len(sizes))
	step := t.strides[d]
	for i := len(sizes) - 1; i >= 0; i-- {
		inner[i] = step
		step *= sizes[i]
	}
	strides := slices.Concat(t.strides[:d], inner, t.strides[d+1:])
	from := t.shape
	return t.view("Unflatten", shape, strides, t.offset, func(g *Tensor) *Tensor { return g.Reshape(from...) })
}

// Flatten merges dimensions start..end (inclusive; negative counts from
// the end) into one.
func (t *Tensor) Flatten(start, end int) *Tensor {
	if len(t.shape) == 0 {
		return t.Reshape(1)
	}
	s, e := t.axis("Flatten", start), t.axis("Flatten", end)
	if s > e {
		fail("Flatten", "start %d after end %d for %v", start, end, t.shape)
	}
	shape := slices.Clone(t.shape[:s])
	shape = append(shape, device.NumElements(t.shape[s:e+1]))
	shape = append(shape, t.shape[e+1:]...)
	return t.Reshape(shape...)
}

// Transpose swaps dimensions d0 and d1 (a view).
func (t *Tensor) Transpose(d0, d1 int) *Tensor {
	a, b := t.axis("Transpose", d0), t.axis("Transpose", d1)
	shape, strides := slices.Clone(t.shape), slices.Clone(t.strides)
	shape[a], shape[b] = shape[b], shape[a]
	strides[a], strides[b] = strides[b], strides[a]
	return t.view("Transpose", shape, strides, t.offset, func(g *Tensor) *Tensor { return g.Transpose(a, b) })
}

// T transposes a two-dimensional tensor.
func (t *Tensor) T() *Tensor {
	if len(t.shape) != 2 {
		fail("T", "want a 2-D tensor, got %v", t.shape)
	}
	return t.Transpose(0, 1)
}

// Permute reorders the dimensions: result dimension i is t's dims[i].
func (t *Tensor) Permute(dims ...int) *Tensor {
	if len(dims) != len(t.shape) {
		fail("Permute", "%d dims %v for a rank-%d tensor %v", len(dims), dims, len(t.shape), t.shape)
	}
	shape, strides := make([]int, len(dims)), make([]int, len(dims))
	inv := make([]int, len(dims))
	used := make([]bool, len(dims))
	for i, d := range dims {
		d = t.axis("Permute", d)
		if used[d] {
			fail("Permute", "dimension %d repeated in %v", d, dims)
		}
		used[d] = true
		shape[i], strides[i], inv[d] = t.shape[d], t.strides[d], i
	}
	return t.view("Permute", shape, strides, t.offset, func(g *Tensor) *Tensor { return g.Permute(inv...) })
}

// Narrow returns the slice [start, start+length) of dimension dim (a view).
// A negative start counts from the end of the dimension, as in PyTorch.
func (t *Tensor) Narrow(dim, start, length int) *Tensor {
	d := t.axis("Narrow", dim)
	given := start
	if start < 0 {
		start += t.shape[d]
	}
	if start < 0 || length < 0 || start > t.shape[d] || length > t.shape[d]-start {
		fail("Narrow", "start %d and length %d outside dimension %d of %v", given, length, d, t.shape)
	}
	shape := slices.Clone(t.shape)
	shape[d] = length
	full, strides := t.shape, t.strides
	return t.view("Narrow", shape, slices.Clone(t.strides), t.offset+start*t.strides[d], func(g *Tensor) *Tensor {
		return narrowGrad(g, full, strides, d, start)
	})
}

// narrowGrad is the gradient of a Narrow of dimension d from start of a
// tensor of shape full and strides: zeros, but g where the Narrow read. It
// lies in memory with dimension d outermost and the others in the order
// of the input's strides, so that g's part is one block, copied in one
// kernel, and the zeros before and after it are one Fill each: where d is
// the input's outermost dimension already (a time step of a batch-first
// view of a time-major sequence, as a recurrent network's last output),
// the gradient has the input's own layout, and no copy of the full size
// is made.
func narrowGrad(g *Tensor, full, strides []int, d, start int) *Tensor {
	order := seq(len(full))
	slices.SortStableFunc(order, func(a, b int) int {
		switch {
		case a == d:
			return -1
		case b == d:
			return 1
		}
		return strides[b] - strides[a]
	})
	buf := newTensor(ScopeOf(g), g.st.dev, g.DType(), permuted(full, order))
	dev, length, inner := g.st.dev, g.shape[d], buf.strides[0]
	if n := start * inner; n > 0 {
		dev.Fill(buf.st.buf, 0, n, 0)
	}
	if n := (full[d] - start - length) * inner; n > 0 {
		dev.Fill(buf.st.buf, (start+length)*inner, n, 0)
	}
	if n := length * inner; n > 0 {
		pg := g.Permute(order...)
		dev.Copy(buf.st.buf, start*inner, pg.strided(), pg.shape)
	}
	return unpermuted(buf, full, order)
}

// unpermuted views buf, laid out with the dimensions of shape in perm's
// order, in shape's order.
func unpermuted(buf *Tensor, shape, perm []int) *Tensor {
	inv := make([]int, len(perm))
	for i, p := range perm {
		inv[p] = i
	}
	return &Tensor{st: buf.st, shape: slices.Clone(shape), strides: permuted(buf.strides, inv), scope: buf.scope}
}

// Select returns index i of dimension dim, with that dimension removed.
func (t *Tensor) Select(dim, i int) *Tensor {
	d := t.axis("Select", dim)
	at := i
	if at < 0 {
		at += t.shape[d]
	}
	if at < 0 || at >= t.shape[d] {
		fail("Select", "index %d out of range for dimension %d of %v", i, dim, t.shape)
	}
	return t.Narrow(d, at, 1).Squeeze(d)
}

// Unbind returns the slices of t along dimension dim, that dimension
// removed, as views of t (torch.unbind). Backward joins the slices'
// gradients into t's with one Stack, where n Selects would each build a
// gradient of t's full size and add them: reading a sequence projected
// for all time steps at once, step by step, stays linear in its length.
func (t *Tensor) Unbind(dim int) []*Tensor {
	d := t.axis("Unbind", dim)
	lens := make([]int, t.shape[d])
	for i := range lens {
		lens[i] = 1
	}
	return t.parts("Unbind", d, lens, true)
}

// Split returns the consecutive slices of t along dimension dim of the
// given sizes, which must add up to its size there, as views of t
// (torch.split with a list of sizes). Backward joins the slices'
// gradients into t's with one Cat, where Narrows would each build a
// gradient of t's full size and add them: a weight that holds several
// layers' (attention's query, key and value projections) gets one
// gradient of its own size.
func (t *Tensor) Split(dim int, sizes ...int) []*Tensor {
	d := t.axis("Split", dim)
	sum := 0
	for _, s := range sizes {
		if s < 0 {
			fail("Split", "negative size in %v", sizes)
		}
		sum += s
	}
	if sum != t.shape[d] || len(sizes) == 0 {
		fail("Split", "sizes %v do not add up to dimension %d of %v", sizes, d, t.shape)
	}
	return t.parts("Split", d, slices.Clone(sizes), false)
}

// Chunk returns t split into chunks equal parts along dimension dim
// (torch.chunk): each of ⌈size/chunks⌉, the last smaller where that does
// not divide the size, and fewer parts where the size runs out first.
func (t *Tensor) Chunk(chunks, dim int) []*Tensor {
	d := t.axis("Chunk", dim)
	if chunks < 1 {
		fail("Chunk", "%d chunks, want at least 1", chunks)
	}
	n := t.shape[d]
	each := max(1, (n+chunks-1)/chunks)
	var sizes []int
	for at := 0; at < n; at += each {
		sizes = append(sizes, min(each, n-at))
	}
	if n == 0 {
		sizes = []int{0}
	}
	return t.parts("Chunk", d, sizes, false)
}

// parts returns the consecutive slices of t along dimension d of the
// lengths lens (d removed from each where squeeze, every length then 1),
// as views of t, whose gradients backward joins into t's with one Cat
// (Stack where squeezed).
func (t *Tensor) parts(op string, d int, lens []int, squeeze bool) []*Tensor {
	n := len(lens)
	shapes := make([][]int, n)
	// The slices are views of joint, a view of all of t. Backward reaches
	// joint only after every slice that leads to the objective, so each
	// slice files its gradient in grads, the first one hands joint a
	// gradient that stands for all of them (the device's constant zero,
	// expanded, never read),
	// and joint's rule joins what was filed, zeros for the rest.
	grads := make([]*Tensor, n)
	filed := false
	// dest, where a slice's only reader writes the slice's gradient in
	// place (gradDest), is t's whole gradient, allocated by the first such
	// request; inPlace marks the slices whose gradients were written there.
	// A slice of a contiguous tensor is contiguous where every dimension
	// before d has size 1.
	var dest *Tensor
	inPlace := make([]bool, n)
	starts := make([]int, n) // each slice's offset in dest
	sliceable := numElements(op, t.shape[:d]) == 1
	joint := t.view(op, t.shape, t.strides, t.offset, func(*Tensor) *Tensor {
		if dest != nil {
			// The slices not written in place copied in, zeros for
			// those without a gradient.
			out := dest
			for i, g := range grads {
				switch {
				case inPlace[i]:
				case g != nil:
					out.st.dev.Copy(out.st.buf, starts[i], g.strided(), g.shape)
				default:
					out.st.dev.Fill(out.st.buf, starts[i], numElements(op, shapes[i]), 0)
				}
			}
			runtime.KeepAlive(grads)
			clear(grads)
			clear(inPlace)
			dest, filed = nil, false
			return out
		}
		var g *Tensor
		for _, g = range grads {
			if g != nil {
				break
			}
		}
		for i := range grads {
			if grads[i] == nil {
				grads[i] = fullOn(ScopeOf(g), g.st.dev, 0, shapes[i])
			}
		}
		var out *Tensor
		if squeeze {
			out = Stack(d, grads...)
		} else {
			out = Cat(d, grads...)
		}
		clear(grads)
		filed = false
		return out
	})
	out := make([]*Tensor, n)
	start := 0
	inner := numElements(op, t.shape[d+1:]) // elements a step along d
	for i, l := range lens {
		shape, strides := slices.Clone(t.shape), slices.Clone(t.strides)
		if squeeze {
			shape, strides = slices.Delete(shape, d, d+1), slices.Delete(strides, d, d+1)
		} else {
			shape[d] = l
		}
		shapes[i], starts[i] = shape, start*inner
		out[i] = joint.view(op, shape, strides, t.offset+start*t.strides[d], func(g *Tensor) *Tensor {
			if dest != nil && g.st == dest.st && g.offset == starts[i] && g.IsContiguous() {
				inPlace[i] = true
			} else {
				grads[i] = g
			}
			if filed {
				return nil
			}
			filed = true
			return constOn(g.st.dev, 0, t.shape, ScopeOf(g))
		})
		if out[i].node != nil && sliceable {
			out[i].node.dest = func(sc *Scope) *Tensor {
				if dest == nil {
					dest = newTensor(sc, t.st.dev, device.Float32, t.shape)
				}
				return &Tensor{st: dest.st, shape: shapes[i], strides: device.Contiguous(shapes[i]), offset: starts[i], scope: sc}
			}
		}
		start += l
	}
	return out
}

// Squeeze removes the given dimensions that have size 1, or all size-1
// dimensions when none are given; a given dimension of another size stays,
// as in PyTorch.
func (t *Tensor) Squeeze(dims ...int) *Tensor {
	drop := make([]bool, len(t.shape))
	if len(dims) == 0 {
		for i, s := range t.shape {
			drop[i] = s == 1
		}
	}
	for _, d := range dims {
		d = t.axis("Squeeze", d)
		drop[d] = t.shape[d] == 1
	}
	var shape, strides []int
	for i := range t.shape {
		if !drop[i] {
			shape, strides = append(shape, t.shape[i]), append(strides, t.strides[i])
		}
	}
	from := t.shape
	return t.view("Squeeze", shape, strides, t.offset, func(g *Tensor) *Tensor { return g.Reshape(from...) })
}

// Unsqueeze inserts a size-1 dimension at position dim (0..Dim()).
func (t *Tensor) Unsqueeze(dim int) *Tensor {
	d := normAxis("Unsqueeze", dim, len(t.shape)+1, t.shape)
	st := 1
	if d < len(t.shape) {
		st = t.strides[d] * t.shape[d]
	}
	shape := slices.Insert(slices.Clone(t.shape), d, 1)
	strides := slices.Insert(slices.Clone(t.strides), d, st)
	from := t.shape
	return t.view("Unsqueeze", shape, strides, t.offset, func(g *Tensor) *Tensor { return g.Reshape(from...) })
}

// Expand broadcasts size-1 dimensions (and new leading ones) to shape
// without copying; -1 keeps a dimension.
func (t *Tensor) Expand(shape ...int) *Tensor {
	if len(shape) < len(t.shape) {
		fail("Expand", "target %v has fewer dimensions than %v", shape, t.shape)
	}
	shape = slices.Clone(shape)
	strides := make([]int, len(shape))
	lead := len(shape) - len(t.shape)
	for i := range shape {
		if i < lead {
			if shape[i] < 0 {
				fail("Expand", "-1 for a new leading dimension in %v", shape)
			}
			continue
		}
		src := t.shape[i-lead]
		switch {
		case shape[i] == -1 || shape[i] == src:
			shape[i], strides[i] = src, t.strides[i-lead]
		case src == 1:
		default:
			fail("Expand", "cannot expand %v to %v", t.shape, shape)
		}
	}
	from := t.shape
	return t.view("Expand", shape, strides, t.offset, func(g *Tensor) *Tensor { return sumTo(g, from) })
}

// Cat concatenates tensors of equal shape except in dimension dim.
func Cat(dim int, ts ...*Tensor) *Tensor {
	if len(ts) == 0 {
		fail("Cat", "no tensors")
	}
	dev := sameDevice("Cat", ts...)
	d := ts[0].axis("Cat", dim)
	shape := slices.Clone(ts[0].shape)
	shape[d] = 0
	for _, t := range ts {
		if len(t.shape) != len(shape) || t.DType() != ts[0].DType() {
			fail("Cat", "tensors %s %v and %s %v differ in rank or dtype", ts[0].DType(), ts[0].shape, t.DType(), t.shape)
		}
		for i := range shape {
			if i != d && t.shape[i] != shape[i] {
				fail("Cat", "shapes %v and %v differ outside dimension %d", ts[0].shape, t.shape, d)
			}
		}
		shape[d] += t.shape[d]
	}
	// Lay the parts out as consecutive blocks of a buffer whose leading
	// axis is d, then view that buffer in the original axis order.
	perm := append([]int{d}, slices.DeleteFunc(seq(len(shape)), func(i int) bool { return i == d })...)
	buf := newTensor(ScopeOf(ts...), dev, ts[0].DType(), permuted(shape, perm))
	off := 0
	for _, t := range ts {
		pt := t.Permute(perm...)
		if n := pt.NumEl(); n > 0 {
			dev.Copy(buf.st.buf, off, pt.strided(), pt.shape)
			off += n
		}
	}
	lo, hi, known := int32(0), int32(0), true
	for i, t := range ts {
		known = known && t.st.known
		if i == 0 {
			lo, hi = t.st.lo, t.st.hi
		}
		lo, hi = min(lo, t.st.lo), max(hi, t.st.hi)
	}
	buf.st.lo, buf.st.hi, buf.st.known = lo, hi, known
	out := unpermuted(buf, shape, perm)
	if d != 0 {
		out = out.Contiguous()
	}
	return record("Cat", out, ts, func(g *Tensor) []*Tensor {
		gs := make([]*Tensor, len(ts))
		at := 0
		for i, t := range ts {
			gs[i] = g.Narrow(d, at, t.shape[d])
			at += t.shape[d]
		}
		return gs
	})
}

// Stack joins tensors of equal shape along a new dimension dim.
func Stack(dim int, ts ...*Tensor) *Tensor {
	if len(ts) == 0 {
		fail("Stack", "no tensors")
	}
	d := normAxis("Stack", dim, len(ts[0].shape)+1, ts[0].shape)
	us := make([]*Tensor, len(ts))
	for i, t := range ts {
		if !slices.Equal(t.shape, ts[0].shape) {
			fail("Stack", "shapes %v and %v differ", ts[0].shape, t.shape)
		}
		us[i] = t.Unsqueeze(d)
	}
	return Cat(d, us...)
}

func seq(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}

func permuted(s, perm []int) []int {
	out := make([]int, len(perm))
	for i, p := range perm {
		out[i] = s[p]
	}
	return out
}
