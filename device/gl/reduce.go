//go:build cgo && !nogl

package gl

import (
	"fmt"
	"strconv"

	"github.com/tensorgl/tensorgl/device"
)

// rowLocal is the work-group size of the kernels that give each row a
// group (reduce, layer and batch norm) for rows of n elements: a
// shared-memory tree over the partials. Short rows get small groups (a
// class-score row of 10 would leave most of a large group idle); long rows
// get up to 256.
func rowLocal(n int) int {
	l := 32
	for l < n && l < 256 {
		l *= 2
	}
	return l
}

// reduceGroup returns the work-group shape of Reduce: lx adjacent inner
// positions (up to 16, so loads along Inner are contiguous) by ly
// invocations splitting N, at most 256 in all.
func reduceGroup(n, inner int) (lx, ly int) {
	lx = 1
	for lx < inner && lx < 16 {
		lx *= 2
	}
	return lx, min(rowLocal(n), 256/lx)
}

// Reduce folds any set of axes in one dispatch: a work group per kept
// position outside the innermost kept axis and tile of inner positions, a
// tree over the reduced positions.
func (d *Device) Reduce(dst, src device.Buffer, p device.ReduceParams) {
	gd, gs := d.buf(dst), d.buf(src)
	r := walkReduction(p)
	lx, ly := reduceGroup(r.n, r.inner)
	defs := []string{localDef(lx), fmt.Sprintf("LOCAL_Y=%d", ly)}
	if lx == 1 { // one inner position: N split along x (see reduce.comp)
		defs = []string{localDef(ly), "SPLIT_X"}
	}
	d.enqueue("reduce "+p.Op.String(), func() {
		prog := d.program(opVariant("reduce", "OP", reduceOps, p.Op.Info(), defs...))
		if prog == nil {
			return
		}
		d.bind(writes(0), gd, gs)
		prog.setUint("u_outer", r.outer)
		prog.setUint("u_n", r.n)
		prog.setUint("u_inner", r.inner)
		prog.setInt("u_nkept", len(r.kept))
		prog.setInts("u_kept", r.kept)
		prog.setInts("u_kstride", r.kstride)
		prog.setInt("u_nred", len(r.red))
		prog.setInts("u_red", r.red)
		prog.setInts("u_rstride", r.rstride)
		prog.set("u_rmagic", uint2Array, r.rmagic[:]...)
		d.dispatch(prog, (r.inner+lx-1)/lx, r.outer, 1)
	})
}

// reduction is a Reduce as the shader walks it: inner adjacent kept
// positions (1 when the last axis is reduced), the kept axes before them
// and the reduced axes, with their source strides.
type reduction struct {
	inner, outer, n int
	kept, kstride   []int
	red, rstride    []int
	rmagic          [2 * device.MaxRank]uint32 // divMagic of each of red, in pairs
}

func walkReduction(p device.ReduceParams) reduction {
	sizes, reduced := p.Coalesce()
	r := reduction{inner: 1, outer: 1, n: 1}
	last := len(sizes) - 1
	if last >= 0 && !reduced[last] {
		r.inner = sizes[last]
		last--
	}
	stride := r.inner
	for i := last; i >= 0; i-- {
		stride *= sizes[i]
	}
	for i := 0; i <= last; i++ {
		stride /= sizes[i]
		if reduced[i] {
			r.red, r.rstride, r.n = append(r.red, sizes[i]), append(r.rstride, stride), r.n*sizes[i]
		} else {
			r.kept, r.kstride, r.outer = append(r.kept, sizes[i]), append(r.kstride, stride), r.outer*sizes[i]
		}
	}
	for i, n := range r.red {
		m := divMagic(n)
		r.rmagic[2*i], r.rmagic[2*i+1] = m[0], m[1]
	}
	return r
}

// rowGroup returns the shape of the row kernels (softmax, cross-entropy,
// layer norm) for rows of n elements: w adjacent invocations a row, each
// taking every w-th element (w the power of two that gives each about
// four, at most 256), and rows of them in a work group of local = rows·w
// ≥ 128 invocations. Short rows share a group instead of leaving most of one
// idle (a class-score row of 10 takes 4 invocations, a 96-character
// vocabulary's 32: a warp a row, as GPU softmax kernels run short rows),
// and each row's trees are log₂ w steps.
func rowGroup(n int) (w, rows, local int) {
	w = 1
	for w < (n+3)/4 && w < 256 {
		w *= 2
	}
	local = max(w, 128)
	return w, local / w, local
}

// rowDefs returns the defines of rowGroup(n).
func rowDefs(n int) []string {
	w, _, local := rowGroup(n)
	return []string{localDef(local), "ROW_W=" + strconv.Itoa(w)}
}

// rowGroups returns how many work groups cover rows rows of n elements.
func rowGroups(rows, n int) int {
	_, per, _ := rowGroup(n)
	return (rows + per - 1) / per
}

// Softmax runs (log-)softmax over each row (see rowGroup).
func (d *Device) Softmax(dst, src device.Buffer, p device.SoftmaxParams) {
	d.softmax("softmax", nil, d.buf(dst), d.buf(src), nil, p)
}

// SoftmaxBackward computes dx from the forward output y and upstream dy.
func (d *Device) SoftmaxBackward(dx, y, dy device.Buffer, p device.SoftmaxParams) {
	d.softmax("softmax backward", []string{"BACKWARD"}, d.buf(dx), d.buf(y), d.buf(dy), p)
}

func (d *Device) softmax(name string, defs []string, dst, s0, s1 *glBuffer, p device.SoftmaxParams) {
	defs = append(defs, rowDefs(p.N)...)
	if p.Log {
		defs = append(defs, "LOG")
		name = "log-" + name
	}
	causal := p.Causal > 0 && s1 == nil // the backward reads no mask
	if causal {
		defs = append(defs, "CAUSAL")
		name = "causal " + name
	}
	d.enqueue(name, func() {
		prog := d.program(variant{family: "softmax", defs: defs})
		if prog == nil {
			return
		}
		d.bind(writes(0), dst, s0, s1)
		prog.setUint("u_rows", p.Rows)
		prog.setUint("u_n", p.N)
		if causal {
			prog.setUint("u_queries", p.Causal)
		}
		d.dispatch(prog, rowGroups(p.Rows, p.N), 1, 1)
	})
}

// crossEntropyTotalMax is the most invocations of the work group that
// sums a cross-entropy's rows itself (p.Total): GL 4.3 guarantees 1 024.
const crossEntropyTotalMax = 1024

// CrossEntropy writes each row's loss (see rowGroup) or, with p.Total,
// their sum: in the same kernel where one work group holds every row's
// invocations, else by a Reduce of the rows after it.
func (d *Device) CrossEntropy(loss, logits, target, weight device.Buffer, p device.CrossEntropyParams) {
	if !p.Total {
		d.crossEntropy("cross-entropy", nil, false, loss, logits, target, weight, device.Strided{}, p)
		return
	}
	if w, _, _ := rowGroup(p.N); p.Rows*w <= crossEntropyTotalMax {
		d.crossEntropy("cross-entropy total", nil, true, loss, logits, target, weight, device.Strided{}, p)
		return
	}
	rows := d.Alloc(device.Float32, p.Rows)
	d.crossEntropy("cross-entropy", nil, false, rows, logits, target, weight, device.Strided{}, p)
	d.Reduce(loss, rows, p.RowsSum())
	d.Free(rows) // commands run in order: whatever reuses it next comes after
}

// CrossEntropyBackward writes the logits' gradient (see rowGroup).
func (d *Device) CrossEntropyBackward(dlogits, logits, target, weight device.Buffer, dloss device.Strided, p device.CrossEntropyParams) {
	d.crossEntropy("cross-entropy backward", []string{"BACKWARD"}, false, dlogits, logits, target, weight, dloss, p)
}

// crossEntropy enqueues the cross-entropy variant defs, over rowGroup's
// groups or, with total, in one group of every row's invocations (at
// least 32) that sums the rows' losses into dst[0].
func (d *Device) crossEntropy(name string, defs []string, total bool, dst, logits, target, weight device.Buffer, dloss device.Strided, p device.CrossEntropyParams) {
	groups := rowGroups(p.Rows, p.N)
	if total {
		w, _, _ := rowGroup(p.N)
		local := w
		for local < p.Rows*w || local < 32 {
			local *= 2
		}
		defs = append(defs, "TOTAL", "CROSS_ENTROPY", localDef(local), "ROW_W="+strconv.Itoa(w))
		groups = 1
	} else {
		defs = append(append(defs, "CROSS_ENTROPY"), rowDefs(p.N)...)
	}
	bufs := []*glBuffer{d.buf(dst), d.buf(logits), d.buf(target), nil, nil}
	if p.Weighted {
		defs = append(defs, "WEIGHTED")
		bufs[3] = d.buf(weight)
	}
	if p.Mean {
		defs = append(defs, "MEAN")
	}
	stride := 0
	if dloss.Buf != nil {
		bufs[4], stride = d.buf(dloss.Buf), dloss.Strides[0]
	}
	d.enqueue(name, func() {
		prog := d.program(variant{family: "softmax", defs: defs})
		if prog == nil {
			return
		}
		d.bind(writes(0), bufs...)
		prog.setUint("u_rows", p.Rows)
		prog.setUint("u_n", p.N)
		prog.setFloat("u_eps", p.Smoothing)
		prog.setUint("u_dlossOff", dloss.Offset)
		prog.setUint("u_dlossStride", stride)
		d.dispatch(prog, groups, 1, 1)
	})
}
