package tensor

import (
	"runtime"
	"slices"

	"github.com/tensorgl/tensorgl/device"
)

// MatMul is the matrix product with numpy semantics: 1-D operands are
// promoted to a row (left) or column (right) vector and the added
// dimension removed afterwards (two vectors give their dot product, a 0-d
// tensor); leading batch dimensions broadcast.
// Views whose matrices are row- or column-major (transposed, a slice of
// columns, an attention head of a [L, N, E] tensor) are multiplied without
// a copy, and each operand's gradient is laid out as the operand where it
// is dense (see batchedMatMulLike).
func (t *Tensor) MatMul(o *Tensor) *Tensor { return t.matMul("MatMul", o, 1) }

// MatMulScaled is alpha·(t·o), MatMul scaled by the product's kernel as
// it stores each sum (BLAS's α; PyTorch's baddbmm with beta 0): an
// attention's scores, q·kᵀ/√d, without a pass scaling q. The gradients'
// products scale by alpha the same way.
func (t *Tensor) MatMulScaled(o *Tensor, alpha float32) *Tensor {
	return t.matMul("MatMulScaled", o, alpha)
}

func (t *Tensor) matMul(op string, o *Tensor, alpha float32) *Tensor {
	wantFloat(op, t, o)
	sameDevice(op, t, o)
	if len(t.shape) == 0 || len(o.shape) == 0 {
		fail(op, "scalar operand: %v × %v", t.shape, o.shape)
	}
	// The inner dimensions, checked before a vector is made a matrix, so
	// that a mismatch names the shapes as given.
	if k, k2 := t.shape[len(t.shape)-1], o.shape[max(0, len(o.shape)-2)]; k != k2 {
		fail(op, "inner dimensions differ: %v × %v", t.shape, o.shape)
	}
	if len(t.shape) == 1 && len(o.shape) == 1 { // a dot product, a 0-d tensor
		return t.Unsqueeze(0).matMul(op, o.Unsqueeze(1), alpha).Reshape()
	}
	if len(t.shape) == 1 {
		return t.Unsqueeze(0).matMul(op, o, alpha).Squeeze(-2)
	}
	if len(o.shape) == 1 {
		return t.matMul(op, o.Unsqueeze(1), alpha).Squeeze(-1)
	}
	ra, rb := len(t.shape), len(o.shape)
	k, k2 := t.shape[ra-1], o.shape[rb-2]
	if k != k2 {
		fail(op, "inner dimensions differ: %v × %v", t.shape, o.shape)
	}
	batch := broadcastShape(op, t.shape[:ra-2], o.shape[:rb-2])
	out := batchedMatMulLike(t, o, batch, device.Epilogue{}, nil, alpha)
	return record(op, out, []*Tensor{t, o}, matMulRule(t, o, batch, alpha))
}

// matMulRule returns the gradient rule of alpha·(t·o) over the broadcast
// batch dimensions batch.
func matMulRule(t, o *Tensor, batch []int, alpha float32) func(g *Tensor) []*Tensor {
	ra, rb := len(t.shape), len(o.shape)
	return func(g *Tensor) []*Tensor {
		var ga, gb *Tensor
		if t.requiresGrad {
			// Where t is a dropout's output read by this product alone
			// and no batch dimension of t broadcasts (an attention's
			// weights times its values), the product of t's gradient
			// applies the dropout's mask (dropoutOf).
			if mask, _ := dropoutOf(t); mask != nil && slices.Equal(t.shape[:ra-2], batch) && o.shape[rb-1] > 0 {
				ot := o.Transpose(-1, -2)
				ga = batchedMatMulLike(g, ot, broadcastShape("MatMul", g.shape[:ra-2], ot.shape[:len(ot.shape)-2]),
					device.Epilogue{Scale: mask.st.buf, OffScale: mask.offset}, nil, alpha)
				ga.scaleApplied = t
			} else {
				ga = gradProduct(g, o.Transpose(-1, -2), t, alpha)
			}
		}
		if o.requiresGrad {
			gb = gradProduct(t.Transpose(-1, -2), g, o, alpha)
		}
		return []*Tensor{ga, gb}
	}
}

// batchedMatMul returns t·o over the broadcast batch dimensions batch
// (t and o of rank 2 or more) as one MatMul with epilogue e, whose
// operands laid out as the output (Residual, Scale, ActOut) are
// contiguous. It records nothing.
func batchedMatMul(t, o *Tensor, batch []int, e device.Epilogue) *Tensor {
	return batchedMatMulLike(t, o, batch, e, nil, 1)
}

// batchedMatMulLike is batchedMatMul scaled by alpha, with the output laid
// out as like, a tensor of the output's shape, where like is dense (see
// denseLayout), e is plain and the kernel can write that layout; else
// contiguous. A gradient laid out as its tensor passes back through the
// views that made the tensor without a copy: an attention's heads, views
// of a [L, N, E] projection, get their gradients as [L, N, E].
func batchedMatMulLike(t, o *Tensor, batch []int, e device.Epilogue, like *Tensor, alpha float32) *Tensor {
	ra, rb := len(t.shape), len(o.shape)
	m, k, n := t.shape[ra-2], t.shape[ra-1], o.shape[rb-1]
	shape := append(slices.Clone(batch), m, n)
	var strides []int
	nb := len(batch)
	stride, ldc := m*n, 0
	if like != nil && e.Plain() && !like.IsContiguous() && denseLayout(like.shape, like.strides) {
		trans, ld, ok := matLayout(m, n, like.strides[nb], like.strides[nb+1])
		bs, bok := batchStride(like.shape[:nb], like.strides[:nb])
		switch {
		case !ok || !bok:
		case trans:
			// Laid out as the transpose: oᵀ·tᵀ in likeᵀ's layout, the
			// same products summed in the same order, viewed back.
			out := batchedMatMulLike(o.Detach().Transpose(-1, -2).Detach(), t.Detach().Transpose(-1, -2).Detach(), batch, e,
				like.Detach().Transpose(-1, -2).Detach(), alpha)
			return out.Detach().Transpose(-1, -2).Detach()
		default:
			strides, stride, ldc = like.strides, bs, ld
		}
	}
	a := matOperand(t, batch)
	b := matOperand(o, batch)
	out := newTensor(ScopeOf(t, o), t.st.dev, device.Float32, shape)
	if strides != nil {
		copy(out.strides, strides)
	}
	if out.NumEl() > 0 {
		if k == 0 {
			if !e.Plain() {
				panic("tensor: internal error: an epilogue on an empty product")
			}
			t.st.dev.Fill(out.st.buf, 0, out.NumEl(), 0)
		} else {
			t.st.dev.MatMul(out.st.buf, a.t.st.buf, b.t.st.buf, e, device.MatMulParams{
				Batch: device.NumElements(batch), M: m, N: n, K: k,
				TransA: a.trans, TransB: b.trans, Alpha: alpha,
				OffA: a.t.offset, OffB: b.t.offset,
				StrideA: a.stride, StrideB: b.stride, StrideC: stride,
				LdA: a.ld, LdB: b.ld, LdC: ldc,
			})
			// Operands copied to be contiguous live only here: keep their
			// storage from being freed before the device has them.
			runtime.KeepAlive(a.t)
			runtime.KeepAlive(b.t)
		}
	}
	return out
}

// denseLayout reports whether strides lay a tensor of shape out densely:
// its elements, in some order of its dimensions, at 0, 1, … without gaps
// (a permutation of a contiguous layout; dimensions of size 1 take any
// stride).
func denseLayout(shape, strides []int) bool {
	dims := make([]int, 0, len(shape))
	for i, s := range shape {
		if s == 0 {
			return false
		}
		if s > 1 {
			dims = append(dims, i)
		}
	}
	slices.SortFunc(dims, func(a, b int) int { return strides[a] - strides[b] })
	want := 1
	for _, d := range dims {
		if strides[d] != want {
			return false
		}
		want *= shape[d]
	}
	return true
}

// plus is what matMulPlus does besides a·b.
type plus struct {
	// prev, where not nil, is added to the product (a gradient received
	// already, see recordInto): by the product's epilogue where prev is
	// contiguous, else by an Add.
	prev *Tensor
	// scale, where not nil, multiplies the sum (a dropout's mask, see
	// dropoutOf), and actOut, where not nil, is the output of activation
	// act whose derivative then multiplies it (see readerAct); both m·n
	// elements laid out as the product. The epilogue applies them where it
	// can add prev too (or prev is nil); matMulPlus reports whether it
	// did.
	scale, actOut *Tensor
	act           Activation
	// sums asks the product's kernel to sum a's rows too (Epilogue.BiasGrad:
	// a Linear layer's bias gradient beside its weight gradient), added to
	// sumsPrev where it is not nil (the bias gradient received already: by
	// the kernel where sumsPrev is contiguous, else by an Add).
	sums     bool
	sumsPrev *Tensor
	// dest and sumsDest, where not nil, are contiguous tensors of the
	// product's and the row sums' shapes to write them into (gradDest).
	dest, sumsDest *Tensor
	// sums2, where not nil (with sums, and neither sumsPrev nor actOut),
	// is a contiguous tensor of the row sums' shape that the kernel writes
	// them into too (Epilogue.BiasGrad2: the gradient of a second bias,
	// LinearBiasSum's), where the row sums are returned.
	sums2 *Tensor
}

// matMulPlus returns a·b for matrices a [m, k] and b [k, n] with what o
// asks (see plus); rowSums are a's row sums [m] where o.sums and the
// product's kernel ran, else nil, and applied reports whether o.scale and
// o.actOut were applied. It records nothing: backward rules call it.
func matMulPlus(a, b *Tensor, o plus) (out, rowSums *Tensor, applied bool) {
	var sumsAfter *Tensor // o.sumsPrev, where the kernel cannot add it
	e, ok := residualOf(o.prev)
	if (o.actOut != nil || o.scale != nil) && (ok || o.prev == nil) {
		if o.actOut != nil {
			e.Act, e.Slope, e.ActOut, e.OffActOut = o.act.fn, o.act.slope, o.actOut.st.buf, o.actOut.offset
		}
		if o.scale != nil {
			e.Scale, e.OffScale = o.scale.st.buf, o.scale.offset
		}
		ok, applied = true, true
	}
	ok = ok || ((o.sums || o.dest != nil) && o.prev == nil)
	if !ok || len(a.shape) != 2 || len(b.shape) != 2 || a.shape[1] == 0 {
		return plusPrior(o.prev, a.MatMul(b)), nil, false
	}
	m, k, n := a.shape[0], a.shape[1], b.shape[1]
	oa, ob := matOperand(a, nil), matOperand(b, nil)
	out = o.dest
	if out == nil {
		out = newTensor(ScopeOf(a, b, o.prev), a.st.dev, device.Float32, []int{m, n})
	}
	if out.NumEl() > 0 {
		if o.sums {
			rowSums = o.sumsDest
			if rowSums == nil {
				rowSums = newTensor(ScopeOf(a, o.sumsPrev), a.st.dev, device.Float32, []int{m})
			}
			e.BiasGrad = rowSums.st.buf
			if o.sums2 != nil {
				if o.sumsPrev != nil || o.actOut != nil {
					panic("tensor: row sums written twice with a residual or a saved activation")
				}
				e.BiasGrad2, e.OffBiasGrad2 = o.sums2.st.buf, o.sums2.offset
			}
			if r, ok := residualOf(o.sumsPrev); ok {
				e.BiasGradResidual, e.OffBiasGradResidual = r.Residual, r.OffResidual
			} else {
				sumsAfter = o.sumsPrev
			}
		}
		e.OffBiasGrad = rowSumsOffset(rowSums)
		a.st.dev.MatMul(out.st.buf, oa.t.st.buf, ob.t.st.buf, e, device.MatMulParams{
			Batch: 1, M: m, N: n, K: k, TransA: oa.trans, TransB: ob.trans, Alpha: 1,
			OffA: oa.t.offset, OffB: ob.t.offset, OffC: out.offset, StrideC: m * n,
			LdA: oa.ld, LdB: ob.ld,
		})
	}
	runtime.KeepAlive(oa.t) // see MatMul
	runtime.KeepAlive(ob.t)
	runtime.KeepAlive(o)
	return out, plusPrior(sumsAfter, rowSums), applied
}

// rowSumsOffset returns the offset of rowSums in its buffer (0 for nil).
func rowSumsOffset(rowSums *Tensor) int {
	if rowSums == nil {
		return 0
	}
	return rowSums.offset
}

// operand is a batch of matrices laid out as the MatMul kernel reads them:
// each matrix row-major (or transposed: column-major) with its rows (its
// columns) ld apart (0: packed), batches a fixed stride apart.
type operand struct {
	t          *Tensor
	trans      bool
	stride, ld int
}

// matOperand returns t as a MatMul operand over the broadcast batch
// dimensions batch: in place where its strides allow, else a contiguous
// copy.
func matOperand(t *Tensor, batch []int) operand {
	r, c := t.shape[len(t.shape)-2], t.shape[len(t.shape)-1]
	if len(batch) == 0 && len(t.shape) == 2 {
		// A single matrix (a Linear layer's operands): read in place,
		// without the views the batched case builds.
		if trans, ld, ok := matLayout(r, c, t.strides[0], t.strides[1]); ok {
			return operand{t: t, trans: trans, ld: ld}
		}
	}
	e := t.Detach().Expand(append(slices.Clone(batch), r, c)...).Detach()
	nb := len(batch)
	trans, ld, ok := matLayout(r, c, e.strides[nb], e.strides[nb+1])
	if !ok {
		return operand{t: e.Contiguous(), stride: r * c}
	}
	stride, ok := batchStride(e.shape[:nb], e.strides[:nb])
	if !ok {
		return operand{t: e.Contiguous(), stride: r * c}
	}
	return operand{t: e, trans: trans, stride: stride, ld: ld}
}

// matLayout returns how an r×c matrix whose rows are sr apart and columns
// sc apart lies for the MatMul kernel: row-major (trans false) or
// column-major (trans true), its rows (columns) ld apart, 0 where packed;
// ok is false where it lies neither way (a broadcast row or column, a
// stride between).
func matLayout(r, c, sr, sc int) (trans bool, ld int, ok bool) {
	switch {
	case (sc == 1 || c == 1) && (sr == c || r == 1):
		return false, 0, true
	case (sr == 1 || r == 1) && (sc == r || c == 1):
		return true, 0, true
	case (sc == 1 || c == 1) && sr > c:
		return false, sr, true
	case (sr == 1 || r == 1) && sc > r:
		return true, sc, true
	}
	return false, 0, false
}

// batchStride returns the single stride that walks the flattened batch
// dimensions, if there is one.
func batchStride(shape, strides []int) (int, bool) {
	stride, next := -1, 0
	for i := len(shape) - 1; i >= 0; i-- {
		if shape[i] == 1 {
			continue
		}
		switch {
		case stride < 0:
			stride, next = strides[i], strides[i]*shape[i]
		case strides[i] == next:
			next *= shape[i]
		default:
			return 0, false
		}
	}
	if stride < 0 {
		return 0, true
	}
	return stride, true
}

// gradProduct returns alpha·(a·b), the gradient of the MatMul operand x,
// summed to x's shape where x broadcast. Where x did not broadcast, the gradient
// is laid out as x is (batchedMatMulLike): the weight gradient of x·wᵀ
// comes back in w's own layout, an attention head's in its projection's.
func gradProduct(a, b, x *Tensor, alpha float32) *Tensor {
	ra, rb := len(a.shape), len(b.shape)
	batch := broadcastShape("MatMul", a.shape[:ra-2], b.shape[:rb-2])
	if !slices.Equal(batch, x.shape[:len(x.shape)-2]) || b.shape[rb-1] != x.shape[len(x.shape)-1] {
		return sumTo(a.matMul("MatMul", b, alpha), x.shape)
	}
	out := batchedMatMulLike(a, b, batch, device.Epilogue{}, x, alpha)
	return record("MatMul", out, []*Tensor{a, b}, matMulRule(a, b, batch, alpha))
}
