package tensor

import (
	"runtime"
	"slices"

	"github.com/tensorgl/tensorgl/device"
)

// reduce reduces t over the sorted axes dims (kept as size 1) with one
// kernel call. A sum over an empty dimension is 0, as in PyTorch (and so
// a mean is NaN); the other reductions have no value there.
func (t *Tensor) reduce(op string, r device.ReduceOp, dims []int) *Tensor {
	shape := slices.Clone(t.shape)
	empty := false
	for _, d := range dims {
		if shape[d] == 0 {
			if r != device.Sum {
				fail(op, "cannot reduce empty dimension %d of %v (only a sum has a value over none: 0)", d, t.shape)
			}
			empty = true
		}
		shape[d] = 1
	}
	if empty {
		return fullOn(ScopeOf(t), t.st.dev, 0, shape)
	}
	c := t.Contiguous()
	dt := device.Float32
	if r == device.ArgMax || r == device.ArgMin {
		dt = device.Int32
	}
	out := newTensor(ScopeOf(t), t.st.dev, dt, shape)
	p := device.ReduceParams{Op: r, Shape: t.shape, Axes: dims}
	if out.NumEl() > 0 {
		t.st.dev.Reduce(out.st.buf, c.st.buf, p)
		runtime.KeepAlive(c) // a copy only this call reads
	}
	if dt == device.Int32 {
		_, n := p.Len()
		out.st.lo, out.st.hi, out.st.known = 0, int32(n-1), true
	}
	return out
}

// reduceAxis reduces dimension d of t (kept as size 1).
func (t *Tensor) reduceAxis(op string, r device.ReduceOp, d int) *Tensor {
	return t.reduce(op, r, []int{d})
}

// axes normalises dims (all axes when empty), sorted and unique.
func (t *Tensor) axes(op string, dims []int) []int {
	if len(dims) == 0 {
		return seq(len(t.shape))
	}
	out := make([]int, 0, len(dims))
	for _, d := range dims {
		d = t.axis(op, d)
		if slices.Contains(out, d) {
			fail(op, "dimension %d repeated in %v", d, dims)
		}
		out = append(out, d)
	}
	slices.Sort(out)
	return out
}

func keptShape(shape, dims []int, keep bool) []int {
	var out []int
	for i, s := range shape {
		switch {
		case !slices.Contains(dims, i):
			out = append(out, s)
		case keep:
			out = append(out, 1)
		}
	}
	return out
}

// reduceDims sums (or takes max/min of) t over dims, differentiably for Sum.
func (t *Tensor) reduceDims(op string, r device.ReduceOp, dims []int, keep bool) *Tensor {
	wantFloat(op, t)
	t.live(op)
	dims = t.axes(op, dims)
	if len(t.shape) == 0 {
		return t.Reshape() // a scalar reduces to itself
	}
	out := t.Detach().reduce(op, r, dims).Reshape(keptShape(t.shape, dims, keep)...).Detach()
	kshape := keptShape(t.shape, dims, true)
	from := t.shape
	switch r {
	case device.Sum:
		return record(op, out, []*Tensor{t}, func(g *Tensor) []*Tensor {
			return []*Tensor{g.Reshape(kshape...).Expand(from...)}
		})
	default:
		// The gradient of max/min goes to the first extreme element (in
		// row-major order over the reduced dimensions). Several axes are
		// moved last and flattened into one (the whole tensor needs no
		// move), reduced by an arg reduction along it, and the scattered
		// gradient is moved back.
		return record(op, out, []*Tensor{t}, func(g *Tensor) []*Tensor {
			flat, ax, perm := t.Detach(), dims[0], []int(nil)
			if len(dims) > 1 {
				flat, ax = flat.Reshape(-1), 0
				if !slices.Equal(dims, seq(len(from))) {
					var kept []int
					for i := range from {
						if !slices.Contains(dims, i) {
							kept = append(kept, i)
						}
					}
					perm = append(kept, dims...)
					moved := t.Detach().Permute(perm...)
					ax = len(kept)
					flat = moved.Reshape(append(slices.Clone(moved.shape[:ax]), -1)...)
				}
			}
			arg := device.ArgMax
			if r == device.Min {
				arg = device.ArgMin
			}
			idx := flat.reduceAxis(op, arg, ax)
			gk := g.Reshape(idx.shape...)
			gx := scatterZeros(op, flat.shape, ax, idx, gk)
			if perm == nil {
				return []*Tensor{gx.Reshape(from...)}
			}
			movedShape := make([]int, len(perm))
			inverse := make([]int, len(perm))
			for i, d := range perm {
				movedShape[i], inverse[d] = from[d], i
			}
			return []*Tensor{gx.Reshape(movedShape...).Permute(inverse...)}
		})
	}
}

// Sum sums over dims (all when none), removing them. A sum over an empty
// dimension is 0 (and Mean's NaN), as in PyTorch; Max and Min fail there.
func (t *Tensor) Sum(dims ...int) *Tensor { return t.reduceDims("Sum", device.Sum, dims, false) }

// SumKeep sums over dims (all when none), keeping them with size 1.
func (t *Tensor) SumKeep(dims ...int) *Tensor { return t.reduceDims("Sum", device.Sum, dims, true) }

// Mean averages over dims (all when none), removing them.
func (t *Tensor) Mean(dims ...int) *Tensor { return t.meanDims(dims, false) }

// MeanKeep averages over dims (all when none), keeping them with size 1.
func (t *Tensor) MeanKeep(dims ...int) *Tensor { return t.meanDims(dims, true) }

func (t *Tensor) meanDims(dims []int, keep bool) *Tensor {
	n := 1
	for _, d := range t.axes("Mean", dims) {
		n *= t.shape[d]
	}
	return t.reduceDims("Mean", device.Sum, dims, keep).MulScalar(1 / float32(n))
}

// Max returns the maximum over dims (all when none), removing them.
func (t *Tensor) Max(dims ...int) *Tensor { return t.reduceDims("Max", device.Max, dims, false) }

// MaxKeep is Max keeping the reduced dimensions with size 1.
func (t *Tensor) MaxKeep(dims ...int) *Tensor { return t.reduceDims("Max", device.Max, dims, true) }

// Min returns the minimum over dims (all when none), removing them.
func (t *Tensor) Min(dims ...int) *Tensor { return t.reduceDims("Min", device.Min, dims, false) }

// MinKeep is Min keeping the reduced dimensions with size 1.
func (t *Tensor) MinKeep(dims ...int) *Tensor { return t.reduceDims("Min", device.Min, dims, true) }

// ArgMax returns the int32 index of the first maximum along dim, which is
// removed. A NaN counts as the maximum (and as the minimum for ArgMin), as
// Max propagates it and as in PyTorch.
func (t *Tensor) ArgMax(dim int) *Tensor { return t.argReduce("ArgMax", device.ArgMax, dim) }

// ArgMin returns the int32 index of the first minimum along dim.
func (t *Tensor) ArgMin(dim int) *Tensor { return t.argReduce("ArgMin", device.ArgMin, dim) }

func (t *Tensor) argReduce(op string, r device.ReduceOp, dim int) *Tensor {
	wantFloat(op, t)
	t.live(op)
	d := t.axis(op, dim)
	out := t.reduceAxis(op, r, d)
	return &Tensor{st: out.st, scope: out.scope, shape: keptShape(t.shape, []int{d}, false), strides: device.Contiguous(keptShape(t.shape, []int{d}, false))}
}
