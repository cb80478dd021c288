package cpu

import (
	"fmt"
	"math"
	"sync"

	"github.com/tensorgl/tensorgl/device"
	"github.com/tensorgl/tensorgl/kernels"
)

// The kernels package has its own op enums (it knows nothing of device);
// these tables map each device op onto the kernel op of the same catalogue
// name, and fail at init when a catalogue op has no CPU kernel.
var (
	unaryOps      = kernelOps(device.UnaryOps(), kernels.UnaryOpNamed)
	binaryOps     = kernelOps(device.BinaryOps(), kernels.BinaryOpNamed)
	reduceOps     = kernelOps(device.ReduceOps(), kernels.ReduceOpNamed)
	distributions = kernelOps(device.Distributions(), kernels.DistributionNamed)
)

// kernelOps returns, indexed by device op, the kernel op named as each
// device op's catalogue entry.
func kernelOps[Op interface {
	~uint8
	Info() device.OpInfo
}, K any](ops []Op, named func(string) (K, bool)) []K {
	table := make([]K, len(ops))
	for _, op := range ops {
		k, ok := named(op.Info().Name)
		if !ok {
			panic(fmt.Sprintf("cpu: the kernels package has no kernel for op %q of the device catalogue", op.Info().Name))
		}
		table[op] = k
	}
	return table
}

// The kernels walk operands of up to kernels.MaxRank dimensions: this fails
// to compile if that is less than the contract's device.MaxRank.
var _ [kernels.MaxRank - device.MaxRank]struct{}

func f32(b device.Buffer) []float32 { return b.(*buffer).f }
func i32(b device.Buffer) []int32   { return b.(*buffer).i }

func sf(s device.Strided) kernels.Strided[float32] {
	return kernels.Strided[float32]{Data: f32(s.Buf), Off: s.Offset, Strides: s.Strides}
}

func si(s device.Strided) kernels.Strided[int32] {
	return kernels.Strided[int32]{Data: i32(s.Buf), Off: s.Offset, Strides: s.Strides}
}

func (d *cpuDevice) Fill(dst device.Buffer, offset, n int, v float32) {
	defer d.done(d.dispatch())
	if dst.DType() == device.Int32 {
		kernels.Fill(i32(dst)[offset:offset+n], int32(v))
		return
	}
	kernels.Fill(f32(dst)[offset:offset+n], v)
}

func (d *cpuDevice) Copy(dst device.Buffer, dstOffset int, src device.Strided, shape []int) {
	defer d.done(d.dispatch())
	if dst.DType() == device.Int32 {
		kernels.Copy(i32(dst)[dstOffset:], si(src), shape)
		return
	}
	kernels.Copy(f32(dst)[dstOffset:], sf(src), shape)
}

func (d *cpuDevice) Unary(dst device.Buffer, src device.Strided, p device.UnaryParams) {
	defer d.doneAs(d.dispatch(), func() string { return p.Op.Info().Name })
	kernels.Unary(unaryOps[p.Op], p.A, p.B, f32(dst), sf(src), p.Shape)
}

func (d *cpuDevice) Binary(dst device.Buffer, x, y device.Strided, p device.BinaryParams) {
	defer d.doneAs(d.dispatch(), func() string { return p.Op.Info().Name })
	kernels.Binary(binaryOps[p.Op], p.A, f32(dst), sf(x), sf(y), p.Shape)
}

func (d *cpuDevice) Where(dst device.Buffer, cond, x, y device.Strided, shape []int) {
	defer d.done(d.dispatch())
	if cond.Buf.DType() == device.Int32 {
		kernels.Where(f32(dst), si(cond), sf(x), sf(y), shape)
		return
	}
	kernels.Where(f32(dst), sf(cond), sf(x), sf(y), shape)
}

func (d *cpuDevice) BCEWithLogitsBackward(dx device.Buffer, x, y, g device.Strided, shape []int, a float32) {
	defer d.done(d.dispatch())
	kernels.BCEWithLogitsBackward(a, f32(dx), sf(x), sf(y), sf(g), shape)
}

func (d *cpuDevice) Reduce(dst, src device.Buffer, p device.ReduceParams) {
	defer d.doneAs(d.dispatch(), func() string { return p.Op.Info().Name })
	op := reduceOps[p.Op]
	sizes, reduced := p.Coalesce()
	if p.Op == device.ArgMax || p.Op == device.ArgMin {
		kernels.ArgReduce(op, i32(dst), f32(src), sizes, reduced)
		return
	}
	kernels.Reduce(op, f32(dst), f32(src), sizes, reduced)
}

// epilogues recycles the kernels' epilogues: a kernel keeps its epilogue
// past the call only in the jobs it hands its workers, which are done by
// the time it returns, and a new one a call (each time step, in a
// recurrence) made a fifth of the bytes the character RNN's step allocated
// at batch 1.
var epilogues = sync.Pool{New: func() any { return new(kernels.Epilogue) }}

// putEpilogue hands k, from epilogue, back once the kernel it was made for
// has returned.
func putEpilogue(k *kernels.Epilogue) {
	if k != nil {
		*k = kernels.Epilogue{} // holds no buffer alive
		epilogues.Put(k)
	}
}

// pooled returns a recycled copy of k; hand it back with putEpilogue.
func pooled(k kernels.Epilogue) *kernels.Epilogue {
	e := epilogues.Get().(*kernels.Epilogue)
	*e = k
	return e
}

// epilogue translates e, or returns nil when it changes nothing. Its
// Residual and ActOut start at offsets off. Hand it back with putEpilogue
// once the kernel returns.
func epilogue(e device.Epilogue, off int) *kernels.Epilogue {
	if e.Plain() {
		return nil
	}
	k := pooled(kernels.Epilogue{Slope: e.Slope})
	if e.Residual != nil {
		k.Residual = f32(e.Residual)[e.OffResidual+off:]
	}
	if e.Bias != nil {
		k.Bias = f32(e.Bias)[e.OffBias:]
	}
	if e.Scale != nil {
		k.Scale = f32(e.Scale)[e.OffScale+off:]
	}
	if e.Act != device.NoActivation {
		k.Act, k.HasAct = unaryOps[e.Act.Unary()], true
		if e.ActOut != nil {
			k.ActOut, k.Grad = f32(e.ActOut)[e.OffActOut+off:], binaryOps[e.Act.Grad()]
		}
	}
	return k
}

func (d *cpuDevice) MatMul(c, a, b device.Buffer, e device.Epilogue, p device.MatMulParams) {
	defer d.doneAs(d.dispatch(), func() string { return fmt.Sprintf("%d×%d×%d×%d", p.Batch, p.M, p.N, p.K) })
	lda, ldb, ldc := p.Lds()
	e.CheckMatMul()
	A, B, C := f32(a), f32(b), f32(c)
	var biases []float32 // Bias + Bias2, rounded as an Add of the two
	if e.Bias2 != nil {
		b1, b2 := f32(e.Bias)[e.OffBias:][:p.N], f32(e.Bias2)[e.OffBias2:][:p.N]
		biases = make([]float32, p.N)
		for j := range biases {
			biases[j] = b1[j] + b2[j]
		}
	}
	if p.Batch == 1 {
		matMulOne(0, A, B, C, biases, &e, &p, lda, ldb, ldc)
	} else {
		matMulBatch(A, B, C, biases, e, p, lda, ldb, ldc)
	}
	if e.BiasGrad != nil && p.M > 0 {
		// op(A)'s row sums after the product, each matrix as Reduce sums
		// it: the same bits as a Reduce of its own (of a packed copy
		// where A's rows are not packed).
		db := f32(e.BiasGrad)[e.OffBiasGrad:]
		if p.K == 0 { // empty sums
			clear(db[:p.Batch*p.M])
		} else {
			sizes, reduced := p.BiasGrad().Coalesce()
			var packed []float32
			for i := range p.Batch {
				src := A[p.OffA+i*p.StrideA:]
				if !p.PackedA() {
					rows, row := p.M, p.K // A as it lies: rows of row values
					if p.TransA {
						rows, row = p.K, p.M
					}
					packed = packRows(packed[:0], src, rows, row, lda)
					src = packed
				}
				kernels.Reduce(reduceOps[device.Sum], db[i*p.M:(i+1)*p.M], src, sizes, reduced)
			}
		}
		if e.BiasGradResidual != nil {
			// residual + sum, as the Add after the product.
			r := f32(e.BiasGradResidual)[e.OffBiasGradResidual:]
			for i := range db[:p.Batch*p.M] {
				db[i] = r[i] + db[i]
			}
		}
		if e.BiasGrad2 != nil {
			copy(f32(e.BiasGrad2)[e.OffBiasGrad2:][:p.Batch*p.M], db[:p.Batch*p.M])
		}
	}
}

// matMulOne runs matrix i of MatMul's batch.
func matMulOne(i int, A, B, C, biases []float32, e *device.Epilogue, p *device.MatMulParams, lda, ldb, ldc int) {
	k := epilogue(*e, i*p.StrideC)
	if biases != nil {
		k.Bias = biases
	}
	kernels.SgemmEpilogue(p.TransA, p.TransB, p.M, p.N, p.K, p.Alpha,
		A[p.OffA+i*p.StrideA:], lda, B[p.OffB+i*p.StrideB:], ldb,
		p.Beta, C[p.OffC+i*p.StrideC:], ldc, k)
	putEpilogue(k)
}

// matMulBatch runs MatMul's matrices in parallel: a function of its own,
// so that a product of one matrix (nearly every one) keeps e and p on
// MatMul's stack rather than moving them to the heap for the closure.
//
//go:noinline
func matMulBatch(A, B, C, biases []float32, e device.Epilogue, p device.MatMulParams, lda, ldb, ldc int) {
	kernels.ParallelFor(p.Batch, 1, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			matMulOne(i, A, B, C, biases, &e, &p, lda, ldb, ldc)
		}
	})
}

// packRows appends to dst the rows values of each of rows rows of src,
// ld apart.
func packRows(dst, src []float32, rows, row, ld int) []float32 {
	for r := range rows {
		dst = append(dst, src[r*ld:r*ld+row]...)
	}
	return dst
}

func convGeom(p device.Conv2dParams) kernels.Conv2dGeom {
	return kernels.Conv2dGeom{
		N: p.N, C: p.C, H: p.H, W: p.W, K: p.K, R: p.R, S: p.S,
		OH: p.OutH(), OW: p.OutW(),
		StrideH: p.StrideH, StrideW: p.StrideW, PadH: p.PadH, PadW: p.PadW,
		DilH: p.DilH, DilW: p.DilW, Groups: p.Groups,
	}
}

func (d *cpuDevice) Conv2d(y, x, w device.Buffer, e device.Epilogue, p device.Conv2dParams) {
	e.OnlyMatMul("Conv2d")
	defer d.doneAs(d.dispatch(), func() string { return convName(p) })
	k := epilogue(e, 0)
	kernels.Conv2d(f32(y), f32(x), f32(w), convGeom(p), k)
	putEpilogue(k)
}

func (d *cpuDevice) Conv2dBackwardInput(dx, dy, w device.Buffer, e device.Epilogue, p device.Conv2dParams) {
	e.OnlyMatMul("Conv2dBackwardInput")
	defer d.doneAs(d.dispatch(), func() string { return convName(p) })
	k := epilogue(e, 0)
	kernels.Conv2dBackwardInput(f32(dx), f32(dy), f32(w), convGeom(p), k)
	putEpilogue(k)
}

func (d *cpuDevice) Conv2dBackwardWeight(dw, db, x, dy device.Buffer, p device.Conv2dParams) {
	defer d.doneAs(d.dispatch(), func() string { return convName(p) })
	kernels.Conv2dBackwardWeight(f32(dw), f32(x), f32(dy), convGeom(p))
	if db != nil {
		sizes, reduced := p.BiasGrad().Coalesce()
		kernels.Reduce(reduceOps[device.Sum], f32(db), f32(dy), sizes, reduced)
	}
}

func poolGeom(p device.Pool2dParams) kernels.Pool2dGeom {
	dh, dw := p.Dilation()
	return kernels.Pool2dGeom{
		H: p.H, W: p.W, OH: p.OutH(), OW: p.OutW(), KH: p.KH, KW: p.KW,
		StrideH: p.StrideH, StrideW: p.StrideW, PadH: p.PadH, PadW: p.PadW,
		DilH: dh, DilW: dw, CountIncludePad: p.CountIncludePad,
	}
}

func (d *cpuDevice) Pool2d(y, idx, x device.Buffer, p device.Pool2dParams) {
	defer d.doneAs(d.dispatch(), func() string { return poolName(p) })
	if p.Mode == device.MaxPool {
		kernels.MaxPool2d(f32(y), i32(idx), f32(x), p.N*p.C, poolGeom(p))
		return
	}
	kernels.AvgPool2d(f32(y), f32(x), p.N*p.C, poolGeom(p))
}

func (d *cpuDevice) Pool2dBackward(dx, dy, idx device.Buffer, p device.Pool2dParams) {
	defer d.doneAs(d.dispatch(), func() string { return poolName(p) })
	if p.Mode == device.MaxPool {
		kernels.MaxPool2dBackward(f32(dx), f32(dy), i32(idx), p.N*p.C, poolGeom(p))
		return
	}
	kernels.AvgPool2dBackward(f32(dx), f32(dy), p.N*p.C, poolGeom(p))
}

func (d *cpuDevice) Softmax(dst, src device.Buffer, p device.SoftmaxParams) {
	defer d.done(d.dispatch())
	kernels.Softmax(f32(dst), f32(src), p.Rows, p.N, p.Causal, p.Log)
}

func (d *cpuDevice) SoftmaxBackward(dx, y, dy device.Buffer, p device.SoftmaxParams) {
	defer d.done(d.dispatch())
	kernels.SoftmaxBackward(f32(dx), f32(y), f32(dy), p.Rows, p.N, p.Log)
}

func crossEntropyConfig(weight device.Buffer, p device.CrossEntropyParams) kernels.CrossEntropyConfig {
	c := kernels.CrossEntropyConfig{Rows: p.Rows, N: p.N, Smoothing: p.Smoothing, Mean: p.Mean}
	if p.Weighted {
		c.Weight = f32(weight)
	}
	return c
}

func (d *cpuDevice) CrossEntropy(loss, logits, target, weight device.Buffer, p device.CrossEntropyParams) {
	defer d.done(d.dispatch())
	if !p.Total {
		kernels.CrossEntropy(f32(loss), f32(logits), i32(target), crossEntropyConfig(weight, p))
		return
	}
	// The rows, then their sum as Reduce sums a vector.
	rows := d.Alloc(device.Float32, p.Rows)
	defer d.Free(rows)
	kernels.CrossEntropy(f32(rows), f32(logits), i32(target), crossEntropyConfig(weight, p))
	sizes, reduced := p.RowsSum().Coalesce()
	kernels.Reduce(reduceOps[device.Sum], f32(loss)[:1], f32(rows), sizes, reduced)
}

func (d *cpuDevice) CrossEntropyBackward(dlogits, logits, target, weight device.Buffer, dloss device.Strided, p device.CrossEntropyParams) {
	defer d.done(d.dispatch())
	kernels.CrossEntropyBackward(f32(dlogits), f32(logits), i32(target), f32(dloss.Buf), dloss.Offset, dloss.Strides[0], crossEntropyConfig(weight, p))
}

func indexStrides(idx device.Strided) kernels.IndexStrides {
	return kernels.IndexStrides{Off: idx.Offset, Strides: [3]int(idx.Strides)}
}

func (d *cpuDevice) Gather(dst, src device.Buffer, idx device.Strided, p device.GatherParams) {
	defer d.done(d.dispatch())
	if src.DType() == device.Int32 {
		kernels.Gather(i32(dst), i32(src), i32(idx.Buf), indexStrides(idx), p.Outer, p.N, p.M, p.Inner)
		return
	}
	kernels.Gather(f32(dst), f32(src), i32(idx.Buf), indexStrides(idx), p.Outer, p.N, p.M, p.Inner)
}

func (d *cpuDevice) ScatterAdd(dst, src device.Buffer, idx device.Strided, p device.GatherParams) {
	defer d.done(d.dispatch())
	kernels.ScatterAdd(f32(dst), f32(src), i32(idx.Buf), indexStrides(idx), p.Outer, p.N, p.M, p.Inner, p.Overwrite)
}

func (d *cpuDevice) Random(dst device.Buffer, p device.RandomParams) {
	defer d.done(d.dispatch())
	kernels.Random(f32(dst), distributions[p.Dist], p.A, p.B, p.Seed, p.Offset)
}

func (d *cpuDevice) RandomMul(dst, mask device.Buffer, src, residual device.Strided, shape []int, p device.RandomParams) {
	defer d.done(d.dispatch())
	var res kernels.Strided[float32]
	if residual.Buf != nil {
		res = sf(residual)
	}
	kernels.RandomMul(f32(dst), f32OrNil(mask), sf(src), res, shape, distributions[p.Dist], p.A, p.B, p.Seed, p.Offset)
}

// SGDStep runs the whole list as one kernel: one dispatch, one split of
// the concatenated elements over the workers.
func (d *cpuDevice) SGDStep(ts []device.SGDTensor, p device.SGDParams) {
	defer d.done(d.dispatch())
	ks := make([]kernels.SGDTensor, len(ts))
	for i, t := range ts {
		ks[i] = kernels.SGDTensor{Param: f32(t.Param)[:t.N], Grad: f32(t.Grad)[:t.N], FirstStep: t.FirstStep}
		if t.Buf != nil {
			ks[i].Buf = f32(t.Buf)[:t.N]
		}
	}
	kernels.SGDStep(ks, kernels.SGDConfig{
		LR: p.LR, Momentum: p.Momentum, Dampening: p.Dampening, WeightDecay: p.WeightDecay,
		Nesterov: p.Nesterov,
	})
}

// AdamStep runs the whole list as one kernel, as SGDStep does.
func (d *cpuDevice) AdamStep(ts []device.AdamTensor, p device.AdamParams) {
	defer d.done(d.dispatch())
	ks := make([]kernels.AdamTensor, len(ts))
	for i, t := range ts {
		ks[i] = kernels.AdamTensor{Param: f32(t.Param)[:t.N], Grad: f32(t.Grad)[:t.N],
			M: f32(t.M)[:t.N], V: f32(t.V)[:t.N], Step: t.Step}
	}
	kernels.AdamStep(ks, kernels.AdamConfig{
		LR: p.LR, Beta1: p.Beta1, Beta2: p.Beta2, Eps: p.Eps, WeightDecay: p.WeightDecay,
		Decoupled: p.Decoupled,
	})
}

func (d *cpuDevice) LSTMCell(h, c, gates, cPrev device.Buffer, p device.LSTMCellParams) {
	defer d.done(d.dispatch())
	kernels.LSTMCell(f32(h)[p.OffH:], f32(c)[p.OffC:], f32(gates)[p.OffGates:], f32(cPrev)[p.OffCPrev:], p.Batch, p.Hidden)
}

func (d *cpuDevice) LSTMCellBackward(dgates, dcPrev, dh, dc, gates, c, cPrev device.Buffer, p device.LSTMCellParams) {
	defer d.done(d.dispatch())
	kernels.LSTMCellBackward(f32(dgates)[p.OffDGates:], f32(dcPrev)[p.OffDCPrev:], f32(dh)[p.OffDH:], f32(dc)[p.OffDC:],
		f32(gates)[p.OffGates:], f32(c)[p.OffC:], f32(cPrev)[p.OffCPrev:], p.Batch, p.Hidden)
}

// GRUStep runs the step's product into a pooled scratch buffer, bhh its
// epilogue's bias, then the cell.
func (d *cpuDevice) GRUStep(h, gates, xw, hPrev, whh, bhh device.Buffer, p device.GRUCellParams) {
	defer d.done(d.dispatch())
	hd := p.Hidden
	scratch := d.Alloc(device.Float32, 3*p.Batch*hd)
	defer d.Free(scratch)
	hh := f32(scratch)
	var e *kernels.Epilogue
	if bhh != nil {
		e = pooled(kernels.Epilogue{Bias: f32(bhh)})
		defer putEpilogue(e)
	}
	kernels.SgemmEpilogue(false, true, p.Batch, 3*hd, hd, 1, f32(hPrev)[p.OffHPrev:], hd, f32(whh), hd, 0, hh, 3*hd, e)
	kernels.GRUCell(f32(h)[p.OffH:], f32(gates)[p.OffGates:], f32(xw)[p.OffX:], hh, f32(hPrev)[p.OffHPrev:], p.Batch, hd)
}

// GRUStepBackward adds the product to dh in place (β = 1, g its epilogue's
// residual), then runs the cell's backward.
func (d *cpuDevice) GRUStepBackward(dx, dhh, dh, g, whh, gates, hPrev device.Buffer, p device.GRUCellParams) {
	defer d.done(d.dispatch())
	hd, dhs, dg := p.Hidden, f32(dh)[p.OffDH:], f32(dhh)
	k := pooled(kernels.Epilogue{Residual: f32(g)[p.OffG:]})
	kernels.SgemmEpilogue(false, false, p.Batch, hd, 3*hd, 1, dg[p.OffDNext:], 3*hd, f32(whh), hd, 1, dhs, hd,
		k)
	putEpilogue(k)
	kernels.GRUCellBackward(f32(dx)[p.OffDX:], dg[p.OffDHH:], dhs, dhs, f32(gates)[p.OffGates:], f32(hPrev)[p.OffHPrev:], p.Batch, hd)
}

// SumSquares sums in float64 (see kernels.SumSquares) and rounds once; the
// norm is the rounded sum's square root, correctly rounded as Unary's.
func (d *cpuDevice) SumSquares(dst, norm device.Buffer, ts []device.Span) {
	defer d.done(d.dispatch())
	sq := float32(kernels.SumSquares(spans(ts)))
	f32(dst)[0] = sq
	if norm != nil {
		f32(norm)[0] = float32(math.Sqrt(float64(sq)))
	}
}

func (d *cpuDevice) ClipScale(ts []device.Span, sq device.Buffer, maxNorm float32) {
	defer d.done(d.dispatch())
	if c, ok := kernels.ClipCoef(f32(sq)[0], maxNorm); ok {
		kernels.ScaleAll(spans(ts), c)
	}
}

// spans returns the float32 slices of ts.
func spans(ts []device.Span) [][]float32 {
	s := make([][]float32, len(ts))
	for i, t := range ts {
		s[i] = f32(t.Buf)[:t.N]
	}
	return s
}

// LSTMStep runs the step's product, xw its epilogue's residual, then the
// cell.
func (d *cpuDevice) LSTMStep(h, c, gates, xw, hPrev, whh, cPrev device.Buffer, p device.LSTMCellParams) {
	defer d.done(d.dispatch())
	hd, g := p.Hidden, f32(gates)[p.OffGates:]
	k := pooled(kernels.Epilogue{Residual: f32(xw)[p.OffX:]})
	kernels.SgemmEpilogue(false, true, p.Batch, 4*hd, hd, 1, f32(hPrev)[p.OffHPrev:], hd, f32(whh), hd, 0, g, 4*hd,
		k)
	putEpilogue(k)
	kernels.LSTMCell(f32(h)[p.OffH:], f32(c)[p.OffC:], g, f32(cPrev)[p.OffCPrev:], p.Batch, hd)
}

// LSTMStepBackward computes dh into a pooled scratch buffer, g its
// epilogue's residual, then runs the cell's backward.
func (d *cpuDevice) LSTMStepBackward(dgates, dc, g, whh, gates, c, cPrev device.Buffer, p device.LSTMCellParams) {
	defer d.done(d.dispatch())
	hd := p.Hidden
	scratch := d.Alloc(device.Float32, p.Batch*hd)
	defer d.Free(scratch)
	dh, dg, dcs := f32(scratch), f32(dgates), f32(dc)[p.OffDC:]
	k := pooled(kernels.Epilogue{Residual: f32(g)[p.OffDH:]})
	kernels.SgemmEpilogue(false, false, p.Batch, hd, 4*hd, 1, dg[p.OffDNext:], 4*hd, f32(whh), hd, 0, dh, hd,
		k)
	putEpilogue(k)
	kernels.LSTMCellBackward(dg[p.OffDGates:], dcs, dh, dcs, f32(gates)[p.OffGates:], f32(c)[p.OffC:], f32(cPrev)[p.OffCPrev:], p.Batch, hd)
}

// packB packs op(B) for the products of a recurrence with m rows into a
// pooled scratch buffer; free returns the buffer.
func (d *cpuDevice) packB(m, n, k int, transB bool, b device.Buffer, ldb int) (pb *kernels.PackedB, free func()) {
	scratch := d.Alloc(device.Float32, kernels.PackedBLen(m, n, k))
	return kernels.PackB(m, n, k, transB, f32(b), ldb, f32(scratch)), func() { d.Free(scratch) }
}

// LSTM packs whh once, then runs each step as LSTMStep does: the product
// with xw its epilogue's residual, then the cell. The batch's rows run in
// blocks side by side through all the steps where a step is too small to
// share out (kernels.RecurrentRows), as in every recurrence below.
func (d *cpuDevice) LSTM(y, gates, xw, whh, h0, c0 device.Buffer, p device.RecurrenceParams) {
	defer d.done(d.dispatch())
	b, hd := p.Batch, p.Hidden
	pb, free := d.packB(b, 4*hd, hd, true, whh, hd)
	defer free()
	Y, G, X := f32(y), f32(gates), f32(xw)
	bh, b4, cOff := b*hd, 4*b*hd, p.Steps*b*hd
	kernels.RecurrentRows(pb, b, p.Steps, func(lo, hi, n int) {
		t := p.Step(n)
		hPrev, cPrev := f32(h0), f32(c0)
		if n > 0 {
			hPrev, cPrev = Y[p.Step(n-1)*bh:], Y[cOff+p.Step(n-1)*bh:]
		}
		g := G[t*b4:]
		k := pooled(kernels.Epilogue{Residual: X[t*b4:]})
		kernels.SgemmPackedRows(b, lo, hi, 1, hPrev, hd, pb, 0, g, 4*hd, k)
		putEpilogue(k)
		kernels.LSTMCellRows(Y[t*bh:], Y[cOff+t*bh:], g, cPrev, b, lo, hi, hd)
	})
}

// LSTMBackward packs whh once, then runs each step as LSTMStepBackward
// does: dh = g_t + dnext·whh into a pooled scratch buffer, then the cell's
// backward.
func (d *cpuDevice) LSTMBackward(dgates, dc, g, whh, gates, y, c0 device.Buffer, p device.RecurrenceParams) {
	defer d.done(d.dispatch())
	b, hd := p.Batch, p.Hidden
	pb, free := d.packB(b, hd, 4*hd, false, whh, hd)
	defer free()
	scratch := d.Alloc(device.Float32, b*hd)
	defer d.Free(scratch)
	dh, DG, DC, Gr, G, Y := f32(scratch), f32(dgates), f32(dc), f32(g), f32(gates), f32(y)
	bh, b4, cOff := b*hd, 4*b*hd, p.Steps*b*hd
	kernels.RecurrentRows(pb, b, p.Steps, func(lo, hi, i int) {
		n := p.Steps - 1 - i // in the backward order
		t := p.Step(n)
		cPrev := f32(c0)
		if n > 0 {
			cPrev = Y[cOff+p.Step(n-1)*bh:]
		}
		if i == 0 {
			kernels.LSTMCellBackwardRows(DG[t*b4:], DC, Gr[t*bh:], Gr[cOff+t*bh:], G[t*b4:], Y[cOff+t*bh:], cPrev, b, lo, hi, hd)
			return
		}
		k := pooled(kernels.Epilogue{Residual: Gr[t*bh:]})
		kernels.SgemmPackedRows(b, lo, hi, 1, DG[p.Step(n+1)*b4:], 4*hd, pb, 0, dh, hd, k)
		putEpilogue(k)
		kernels.LSTMCellBackwardRows(DG[t*b4:], DC, dh, DC, G[t*b4:], Y[cOff+t*bh:], cPrev, b, lo, hi, hd)
	})
}

// GRU packs whh once, then runs each step as GRUStep does.
func (d *cpuDevice) GRU(y, gates, xw, whh, bhh, h0 device.Buffer, p device.RecurrenceParams) {
	defer d.done(d.dispatch())
	b, hd := p.Batch, p.Hidden
	pb, free := d.packB(b, 3*hd, hd, true, whh, hd)
	defer free()
	scratch := d.Alloc(device.Float32, 3*b*hd)
	defer d.Free(scratch)
	hh, Y, G, X := f32(scratch), f32(y), f32(gates), f32(xw)
	var e *kernels.Epilogue
	if bhh != nil {
		e = pooled(kernels.Epilogue{Bias: f32(bhh)})
		defer putEpilogue(e)
	}
	bh := b * hd
	kernels.RecurrentRows(pb, b, p.Steps, func(lo, hi, n int) {
		t, prev := p.Step(n), f32(h0)
		if n > 0 {
			prev = Y[p.Step(n-1)*bh:]
		}
		kernels.SgemmPackedRows(b, lo, hi, 1, prev, hd, pb, 0, hh, 3*hd, e)
		kernels.GRUCellRows(Y[t*bh:], G[t*4*bh:], X[t*3*bh:], hh, prev, b, lo, hi, hd)
	})
}

// GRUBackward packs whh once, then runs each step as GRUStepBackward does.
func (d *cpuDevice) GRUBackward(dx, dhh, dh, g, whh, gates, y, h0 device.Buffer, p device.RecurrenceParams) {
	defer d.done(d.dispatch())
	b, hd := p.Batch, p.Hidden
	pb, free := d.packB(b, hd, 3*hd, false, whh, hd)
	defer free()
	DX, DHH, DH, Gr, G, Y := f32(dx), f32(dhh), f32(dh), f32(g), f32(gates), f32(y)
	bh := b * hd
	kernels.RecurrentRows(pb, b, p.Steps, func(lo, hi, i int) {
		n := p.Steps - 1 - i // in the backward order
		t, prev := p.Step(n), f32(h0)
		if n > 0 {
			prev = Y[p.Step(n-1)*bh:]
		}
		if i == 0 {
			kernels.GRUCellBackwardRows(DX[t*3*bh:], DHH[t*3*bh:], DH, Gr[t*bh:], G[t*4*bh:], prev, b, lo, hi, hd)
			return
		}
		k := pooled(kernels.Epilogue{Residual: Gr[t*bh:]})
		kernels.SgemmPackedRows(b, lo, hi, 1, DHH[p.Step(n+1)*3*bh:], 3*hd, pb, 1, DH, hd, k)
		putEpilogue(k)
		kernels.GRUCellBackwardRows(DX[t*3*bh:], DHH[t*3*bh:], DH, DH, G[t*4*bh:], prev, b, lo, hi, hd)
	})
}

func (d *cpuDevice) GRUCell(h, gates, x, hh, hPrev device.Buffer, p device.GRUCellParams) {
	defer d.done(d.dispatch())
	kernels.GRUCell(f32(h)[p.OffH:], f32(gates)[p.OffGates:], f32(x)[p.OffX:], f32(hh)[p.OffHH:], f32(hPrev)[p.OffHPrev:], p.Batch, p.Hidden)
}

func (d *cpuDevice) GRUCellBackward(dx, dhh, dhPrev, dh, gates, hPrev device.Buffer, p device.GRUCellParams) {
	defer d.done(d.dispatch())
	kernels.GRUCellBackward(f32(dx)[p.OffDX:], f32(dhh)[p.OffDHH:], f32(dhPrev)[p.OffDHPrev:], f32(dh)[p.OffDH:],
		f32(gates)[p.OffGates:], f32(hPrev)[p.OffHPrev:], p.Batch, p.Hidden)
}

func bnShape(p device.BatchNormParams) kernels.BatchNormShape {
	return kernels.BatchNormShape{N: p.N, C: p.C, Inner: p.Inner}
}

func (d *cpuDevice) BatchNormStats(mean, invstd, runMean, runVar, x device.Buffer, p device.BatchNormParams) {
	defer d.doneAs(d.dispatch(), func() string { return fmt.Sprintf("%d×%d×%d", p.N, p.C, p.Inner) })
	var rm, rv []float32
	if p.Track {
		rm, rv = f32(runMean), f32(runVar)
	}
	kernels.BatchNormStats(f32(mean), f32(invstd), rm, rv, f32(x), bnShape(p), p.Eps, p.Momentum)
}

func (d *cpuDevice) BatchNorm(y, x, mean, invstd, w, b, r device.Buffer, p device.BatchNormParams) {
	defer d.doneAs(d.dispatch(), func() string { return fmt.Sprintf("%d×%d×%d", p.N, p.C, p.Inner) })
	kernels.BatchNorm(f32(y), f32(x), f32(mean), f32(invstd), f32(w), f32(b), f32OrNil(r), bnShape(p), p.Eps, p.Eval, p.Relu)
}

func (d *cpuDevice) BatchNormBackwardReduce(dw, db, dy, x, mean, invstd, y, dz device.Buffer, p device.BatchNormParams) {
	defer d.doneAs(d.dispatch(), func() string { return fmt.Sprintf("%d×%d×%d", p.N, p.C, p.Inner) })
	var ys, zs []float32
	if p.Relu {
		ys, zs = f32(y), f32(dz)
	}
	kernels.BatchNormBackwardReduce(f32(dw), f32(db), f32(dy), f32(x), f32(mean), f32(invstd), ys, zs, bnShape(p), p.Eps, p.Eval)
}

func (d *cpuDevice) BatchNormBackward(dx, dy, x, mean, invstd, w, dw, db device.Buffer, p device.BatchNormParams) {
	defer d.doneAs(d.dispatch(), func() string { return fmt.Sprintf("%d×%d×%d", p.N, p.C, p.Inner) })
	kernels.BatchNormBackward(f32(dx), f32(dy), f32(x), f32(mean), f32(invstd), f32(w), f32(dw), f32(db), bnShape(p), p.Eps, p.Eval)
}

func (d *cpuDevice) LayerNorm(y, mean, rstd, x, w, b device.Buffer, p device.LayerNormParams) {
	defer d.done(d.dispatch())
	kernels.LayerNorm(f32(y), f32(mean), f32(rstd), f32(x), f32OrNil(w), f32OrNil(b), p.Rows, p.Cols, p.Eps)
}

func (d *cpuDevice) LayerNormBackward(dx, dw, db, dy, x, mean, rstd, w device.Buffer, p device.LayerNormParams) {
	defer d.done(d.dispatch())
	kernels.LayerNormBackward(f32(dx), f32OrNil(dw), f32OrNil(db), f32(dy), f32(x), f32(mean), f32(rstd), f32OrNil(w), p.Rows, p.Cols)
}

// f32OrNil is f32 for an operand that may be absent (nil).
func f32OrNil(b device.Buffer) []float32 {
	if b == nil {
		return nil
	}
	return f32(b)
}

// Elman runs the steps as GEMMs whose epilogue adds xw_t and applies the
// activation, each reading the previous step's output in place, in row
// blocks as LSTM. The weight is packed once for all the steps.
func (d *cpuDevice) Elman(y, xw, whh, h0 device.Buffer, p device.ElmanParams) {
	defer d.done(d.dispatch())
	pb, free := d.packB(p.Batch, p.Hidden, p.Hidden, true, whh, p.Hidden)
	defer free()
	Y := f32(y)
	bh := p.Batch * p.Hidden
	kernels.RecurrentRows(pb, p.Batch, p.Steps, func(lo, hi, n int) {
		t, prev := p.Step(n), f32(h0)
		if n > 0 {
			prev = Y[p.Step(n-1)*bh:]
		}
		e := epilogue(device.Epilogue{Residual: xw, OffResidual: t * bh, Act: p.Act, Slope: p.Slope}, 0)
		kernels.SgemmPackedRows(p.Batch, lo, hi, 1, prev, p.Hidden, pb, 0, Y[t*bh:], p.Hidden, e)
		putEpilogue(e)
	})
}

// ElmanBackward runs the last step's gradient as the element-wise
// derivative of the activation, then each earlier one as a GEMM whose
// epilogue adds g_t and multiplies by act′(y_t), the weight packed once.
func (d *cpuDevice) ElmanBackward(dz, g, whh, y device.Buffer, p device.ElmanParams) {
	defer d.done(d.dispatch())
	pb, free := d.packB(p.Batch, p.Hidden, p.Hidden, false, whh, p.Hidden)
	defer free()
	DZ, G := f32(dz), f32(g)
	bh := p.Batch * p.Hidden
	last := p.Step(p.Steps - 1)
	if p.Act == device.NoActivation {
		copy(DZ[last*bh:][:bh], G[last*bh:][:bh])
	} else {
		kernels.Binary(binaryOps[p.Act.Grad()], p.Slope, DZ[last*bh:][:bh],
			kernels.Strided[float32]{Data: G, Off: last * bh, Strides: []int{1}},
			kernels.Strided[float32]{Data: f32(y), Off: last * bh, Strides: []int{1}}, []int{bh})
	}
	kernels.RecurrentRows(pb, p.Batch, p.Steps-1, func(lo, hi, i int) {
		n := p.Steps - 2 - i // in the backward order
		t, later := p.Step(n), p.Step(n+1)
		e := device.Epilogue{Residual: g, OffResidual: t * bh, Act: p.Act, Slope: p.Slope}
		if p.Act != device.NoActivation {
			e.ActOut, e.OffActOut = y, t*bh
		}
		k := epilogue(e, 0)
		kernels.SgemmPackedRows(p.Batch, lo, hi, 1, DZ[later*bh:], p.Hidden, pb, 0, DZ[t*bh:], p.Hidden, k)
		putEpilogue(k)
	})
}
