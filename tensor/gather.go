package tensor

import (
	"runtime"
	"slices"

	"github.com/tensorgl/tensorgl/device"
)

// checkIndex panics unless every value of idx lies in [0, n). Index tensors
// made from host data or by ArgMax carry their range, so the check costs no
// device readback; others are read once.
func checkIndex(op string, idx *Tensor, n int, src []int) {
	if idx.DType() != device.Int32 {
		fail(op, "want an int32 index tensor, got %s %v", idx.DType(), idx.shape)
	}
	if idx.NumEl() == 0 {
		return
	}
	lo, hi := idx.st.lo, idx.st.hi
	if !idx.st.known {
		lo, hi, _ = intRange(idx.Ints())
	}
	if lo < 0 || int(hi) >= n {
		fail(op, "index out of range [%d, %d] for dimension of size %d in %v", lo, hi, n, src)
	}
}

// Gather picks, along dim, t's elements at the positions in idx (PyTorch's
// torch.gather): out[i][j][k] = t[i][idx[i][j][k]][k] for dim 1. idx has
// t's shape except in dim.
func (t *Tensor) Gather(dim int, idx *Tensor) *Tensor {
	wantFloat("Gather", t)
	sameDevice("Gather", t, idx)
	d := t.axis("Gather", dim)
	if len(idx.shape) != len(t.shape) {
		fail("Gather", "index %v and input %v differ in rank", idx.shape, t.shape)
	}
	for i := range t.shape {
		if i != d && idx.shape[i] != t.shape[i] {
			fail("Gather", "index %v and input %v differ outside dimension %d", idx.shape, t.shape, d)
		}
	}
	checkIndex("Gather", idx, t.shape[d], t.shape)
	ic := idx.Contiguous()
	p := gatherParams(t.shape, d, idx.shape[d])
	return t.gather("Gather", idx.shape, ic, []int{p.M * p.Inner, p.Inner, 1}, p, d)
}

// IndexSelect picks the slices of dimension dim listed in the 1-D index
// idx (an embedding lookup for dim 0).
func (t *Tensor) IndexSelect(dim int, idx *Tensor) *Tensor {
	wantFloat("IndexSelect", t)
	sameDevice("IndexSelect", t, idx)
	d := t.axis("IndexSelect", dim)
	if len(idx.shape) != 1 {
		fail("IndexSelect", "want a 1-D index, got %v", idx.shape)
	}
	checkIndex("IndexSelect", idx, t.shape[d], t.shape)
	shape := slices.Clone(t.shape)
	shape[d] = idx.shape[0]
	return t.gather("IndexSelect", shape, idx.Contiguous(), []int{0, 1, 0}, gatherParams(t.shape, d, idx.shape[0]), d)
}

// gatherParams returns the parameters of a gather of m indices along
// dimension d of shape (or a scatter into shape).
func gatherParams(shape []int, d, m int) device.GatherParams {
	return device.GatherParams{Outer: device.NumElements(shape[:d]), N: shape[d], M: m, Inner: device.NumElements(shape[d+1:])}
}

func (t *Tensor) gather(op string, shape []int, ic *Tensor, istrides []int, p device.GatherParams, d int) *Tensor {
	dev := t.st.dev
	src := t.Contiguous()
	out := newTensor(ScopeOf(t, ic), dev, device.Float32, shape)
	is := device.Strided{Buf: ic.st.buf, Offset: ic.offset, Strides: istrides}
	if out.NumEl() > 0 {
		dev.Gather(out.st.buf, src.st.buf, is, p)
		runtime.KeepAlive(src) // copies only this call reads
		runtime.KeepAlive(ic)
	}
	from := t.shape
	return record(op, out, []*Tensor{t}, func(g *Tensor) []*Tensor {
		gx := scatteredZeros(ScopeOf(g), from, g, is, p)
		// The rule holds ic, not only its buffer: storage outside every
		// scope is freed once unreachable, and the buffer would then be
		// reused by the time Backward scatters from it.
		runtime.KeepAlive(ic)
		return []*Tensor{gx}
	})
}

// ScatterAdd returns a copy of t with src's elements added, along dim, at
// the positions in idx (PyTorch's scatter_add): out[i][idx[i][j][k]][k] +=
// src[i][j][k] for dim 1. idx and src have the same shape, equal to t's
// outside dim. Sums are taken in a fixed order, so the result is
// deterministic.
func (t *Tensor) ScatterAdd(dim int, idx, src *Tensor) *Tensor {
	wantFloat("ScatterAdd", t, src)
	sameDevice("ScatterAdd", t, idx, src)
	return scatterAdd("ScatterAdd", t, t.shape, t.axis("ScatterAdd", dim), idx, src)
}

// scatterZeros is ScatterAdd into zeros of shape, in one kernel (the
// scatter writes its sums, 0 where no index points: GatherParams.Overwrite)
// where a Fill and a copy ran before it.
func scatterZeros(op string, shape []int, d int, idx, src *Tensor) *Tensor {
	sameDevice(op, idx, src)
	return scatterAdd(op, nil, shape, d, idx, src)
}

// scatterAdd is ScatterAdd of src at idx along d into t of shape, or into
// zeros of shape where t is nil.
func scatterAdd(op string, t *Tensor, shape []int, d int, idx, src *Tensor) *Tensor {
	dev := src.st.dev
	if !slices.Equal(idx.shape, src.shape) || len(idx.shape) != len(shape) {
		fail(op, "index %v and source %v must have equal shapes of the rank of %v", idx.shape, src.shape, shape)
	}
	for i := range shape {
		if i != d && idx.shape[i] != shape[i] {
			fail(op, "index %v and input %v differ outside dimension %d", idx.shape, shape, d)
		}
	}
	checkIndex(op, idx, shape[d], shape)
	p := gatherParams(shape, d, idx.shape[d])
	ic := idx.Contiguous()
	is := device.Strided{Buf: ic.st.buf, Offset: ic.offset, Strides: []int{p.M * p.Inner, p.Inner, 1}}
	var out *Tensor
	if t != nil {
		out = t.Detach().Clone()
		if src.NumEl() > 0 {
			sc := src.Contiguous()
			dev.ScatterAdd(out.st.buf, sc.st.buf, is, p)
			runtime.KeepAlive(sc) // copies only this call reads
		}
	} else {
		out = scatteredZeros(ScopeOf(idx, src), shape, src, is, p)
	}
	runtime.KeepAlive(ic)
	return record(op, out, []*Tensor{t, src}, func(g *Tensor) []*Tensor {
		var gs *Tensor
		if src.requiresGrad {
			gs = newTensor(ScopeOf(g), dev, device.Float32, src.shape)
			dev.Gather(gs.st.buf, g.Contiguous().st.buf, is, p)
			runtime.KeepAlive(ic) // held by the rule, as gather's
		}
		return []*Tensor{g, gs}
	})
}

// scatteredZeros returns a new tensor of shape in scope sc holding src
// scattered by is and p into zeros, in the scatter's one kernel (it writes
// its sums, 0 where no index points: GatherParams.Overwrite), or a Fill
// where src is empty. It records nothing.
func scatteredZeros(sc *Scope, shape []int, src *Tensor, is device.Strided, p device.GatherParams) *Tensor {
	dev := src.st.dev
	if src.NumEl() == 0 {
		return fullOn(sc, dev, 0, shape)
	}
	out := newTensor(sc, dev, device.Float32, shape)
	s := src.Contiguous()
	p.Overwrite = true
	dev.ScatterAdd(out.st.buf, s.st.buf, is, p)
	runtime.KeepAlive(s) // a copy only this call reads
	return out
}

// OneHot returns a float32 tensor of shape idx.Shape()+[n] with 1 at each
// index and 0 elsewhere.
func OneHot(idx *Tensor, n int) *Tensor {
	shape := append(idx.Shape(), n)
	ones := fullOn(ScopeOf(idx), idx.st.dev, 1, append(idx.Shape(), 1))
	return scatterZeros("OneHot", shape, len(shape)-1, idx.Unsqueeze(-1), ones)
}
