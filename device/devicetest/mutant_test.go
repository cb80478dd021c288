package devicetest_test

import (
	"math"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/tensorgl/tensorgl/device"
	"github.com/tensorgl/tensorgl/device/cpu"
	"github.com/tensorgl/tensorgl/device/devicetest"
)

// mutant is the CPU device with one deliberate bug in one method; a hook
// left nil passes the call through unchanged.
type mutant struct {
	device.Device
	fill       func(dst device.Buffer, offset, n int, v float32)
	free       func(b device.Buffer)
	copy       func(dst device.Buffer, dstOffset int, src device.Strided, shape []int)
	unary      func(dst device.Buffer, src device.Strided, p device.UnaryParams)
	binary     func(dst device.Buffer, x, y device.Strided, p device.BinaryParams)
	where      func(dst device.Buffer, cond, x, y device.Strided, shape []int)
	bceBwd     func(dx device.Buffer, x, y, g device.Strided, shape []int, a float32)
	reduce     func(dst, src device.Buffer, p device.ReduceParams)
	matMul     func(c, a, b device.Buffer, e device.Epilogue, p device.MatMulParams)
	conv       func(y, x, w device.Buffer, e device.Epilogue, p device.Conv2dParams)
	convBwdIn  func(dx, dy, w device.Buffer, e device.Epilogue, p device.Conv2dParams)
	convBwdW   func(dw, db, x, dy device.Buffer, p device.Conv2dParams)
	pool       func(y, idx, x device.Buffer, p device.Pool2dParams)
	softmax    func(dst, src device.Buffer, p device.SoftmaxParams)
	poolBwd    func(dx, dy, idx device.Buffer, p device.Pool2dParams)
	softmaxBwd func(dx, y, dy device.Buffer, p device.SoftmaxParams)
	xent       func(loss, logits, target, weight device.Buffer, p device.CrossEntropyParams)
	xentBwd    func(dlogits, logits, target, weight device.Buffer, dloss device.Strided, p device.CrossEntropyParams)
	gather     func(dst, src device.Buffer, idx device.Strided, p device.GatherParams)
	scatterAdd func(dst, src device.Buffer, idx device.Strided, p device.GatherParams)
	random     func(dst device.Buffer, p device.RandomParams)
	randomMul  func(dst, mask device.Buffer, src, residual device.Strided, shape []int, p device.RandomParams)
	sgd        func(ts []device.SGDTensor, p device.SGDParams)
	adam       func(ts []device.AdamTensor, p device.AdamParams)
	lstmBwd    func(dgates, dcPrev, dh, dc, gates, c, cPrev device.Buffer, p device.LSTMCellParams)
	lstmStep   func(h, c, gates, xw, hPrev, whh, cPrev device.Buffer, p device.LSTMCellParams)
	lstmStepBw func(dgates, dc, g, whh, gates, c, cPrev device.Buffer, p device.LSTMCellParams)
	sumSquares func(dst, norm device.Buffer, ts []device.Span)
	gruStep    func(h, gates, xw, hPrev, whh, bhh device.Buffer, p device.GRUCellParams)
	gruStepBw  func(dx, dhh, dh, g, whh, gates, hPrev device.Buffer, p device.GRUCellParams)
	clipScale  func(ts []device.Span, sq device.Buffer, maxNorm float32)
	gru        func(h, gates, x, hh, hPrev device.Buffer, p device.GRUCellParams)
	elman      func(y, xw, whh, h0 device.Buffer, p device.ElmanParams)
	elmanBwd   func(dz, g, whh, y device.Buffer, p device.ElmanParams)
	bnStats    func(mean, invstd, runMean, runVar, x device.Buffer, p device.BatchNormParams)
	bnBwd      func(dx, dy, x, mean, invstd, w, dw, db device.Buffer, p device.BatchNormParams)
	bnReduce   func(dw, db, dy, x, mean, invstd, y, dz device.Buffer, p device.BatchNormParams)
	bn         func(y, x, mean, invstd, w, b, r device.Buffer, p device.BatchNormParams)
}

func (m *mutant) BatchNorm(y, x, mean, invstd, w, b, r device.Buffer, p device.BatchNormParams) {
	if m.bn == nil {
		m.Device.BatchNorm(y, x, mean, invstd, w, b, r, p)
		return
	}
	m.bn(y, x, mean, invstd, w, b, r, p)
}

func (m *mutant) BatchNormBackwardReduce(dw, db, dy, x, mean, invstd, y, dz device.Buffer, p device.BatchNormParams) {
	if m.bnReduce == nil {
		m.Device.BatchNormBackwardReduce(dw, db, dy, x, mean, invstd, y, dz, p)
		return
	}
	m.bnReduce(dw, db, dy, x, mean, invstd, y, dz, p)
}

func (m *mutant) BatchNormStats(mean, invstd, runMean, runVar, x device.Buffer, p device.BatchNormParams) {
	if m.bnStats == nil {
		m.Device.BatchNormStats(mean, invstd, runMean, runVar, x, p)
		return
	}
	m.bnStats(mean, invstd, runMean, runVar, x, p)
}

func (m *mutant) BatchNormBackward(dx, dy, x, mean, invstd, w, dw, db device.Buffer, p device.BatchNormParams) {
	if m.bnBwd == nil {
		m.Device.BatchNormBackward(dx, dy, x, mean, invstd, w, dw, db, p)
		return
	}
	m.bnBwd(dx, dy, x, mean, invstd, w, dw, db, p)
}

func (m *mutant) LSTMCellBackward(dgates, dcPrev, dh, dc, gates, c, cPrev device.Buffer, p device.LSTMCellParams) {
	if m.lstmBwd == nil {
		m.Device.LSTMCellBackward(dgates, dcPrev, dh, dc, gates, c, cPrev, p)
		return
	}
	m.lstmBwd(dgates, dcPrev, dh, dc, gates, c, cPrev, p)
}

func (m *mutant) GRUStep(h, gates, xw, hPrev, whh, bhh device.Buffer, p device.GRUCellParams) {
	if m.gruStep == nil {
		m.Device.GRUStep(h, gates, xw, hPrev, whh, bhh, p)
		return
	}
	m.gruStep(h, gates, xw, hPrev, whh, bhh, p)
}

func (m *mutant) GRUStepBackward(dx, dhh, dh, g, whh, gates, hPrev device.Buffer, p device.GRUCellParams) {
	if m.gruStepBw == nil {
		m.Device.GRUStepBackward(dx, dhh, dh, g, whh, gates, hPrev, p)
		return
	}
	m.gruStepBw(dx, dhh, dh, g, whh, gates, hPrev, p)
}

func (m *mutant) SumSquares(dst, norm device.Buffer, ts []device.Span) {
	if m.sumSquares == nil {
		m.Device.SumSquares(dst, norm, ts)
		return
	}
	m.sumSquares(dst, norm, ts)
}

func (m *mutant) ClipScale(ts []device.Span, sq device.Buffer, maxNorm float32) {
	if m.clipScale == nil {
		m.Device.ClipScale(ts, sq, maxNorm)
		return
	}
	m.clipScale(ts, sq, maxNorm)
}

// withZeros runs f with a buffer of n zeros on d, freed after.
func withZeros(d device.Device, n int, f func(zero device.Buffer)) {
	zero := d.Alloc(device.Float32, n)
	defer d.Free(zero)
	d.Fill(zero, 0, n, 0)
	f(zero)
}

func (m *mutant) LSTMStep(h, c, gates, xw, hPrev, whh, cPrev device.Buffer, p device.LSTMCellParams) {
	if m.lstmStep == nil {
		m.Device.LSTMStep(h, c, gates, xw, hPrev, whh, cPrev, p)
		return
	}
	m.lstmStep(h, c, gates, xw, hPrev, whh, cPrev, p)
}

func (m *mutant) LSTMStepBackward(dgates, dc, g, whh, gates, c, cPrev device.Buffer, p device.LSTMCellParams) {
	if m.lstmStepBw == nil {
		m.Device.LSTMStepBackward(dgates, dc, g, whh, gates, c, cPrev, p)
		return
	}
	m.lstmStepBw(dgates, dc, g, whh, gates, c, cPrev, p)
}

func (m *mutant) Elman(y, xw, whh, h0 device.Buffer, p device.ElmanParams) {
	if m.elman == nil {
		m.Device.Elman(y, xw, whh, h0, p)
		return
	}
	m.elman(y, xw, whh, h0, p)
}

func (m *mutant) ElmanBackward(dz, g, whh, y device.Buffer, p device.ElmanParams) {
	if m.elmanBwd == nil {
		m.Device.ElmanBackward(dz, g, whh, y, p)
		return
	}
	m.elmanBwd(dz, g, whh, y, p)
}

func (m *mutant) GRUCell(h, gates, x, hh, hPrev device.Buffer, p device.GRUCellParams) {
	if m.gru == nil {
		m.Device.GRUCell(h, gates, x, hh, hPrev, p)
		return
	}
	m.gru(h, gates, x, hh, hPrev, p)
}

func (m *mutant) Fill(dst device.Buffer, offset, n int, v float32) {
	if m.fill == nil {
		m.Device.Fill(dst, offset, n, v)
		return
	}
	m.fill(dst, offset, n, v)
}

func (m *mutant) Free(b device.Buffer) {
	if m.free == nil {
		m.Device.Free(b)
		return
	}
	m.free(b)
}

func (m *mutant) Copy(dst device.Buffer, dstOffset int, src device.Strided, shape []int) {
	if m.copy == nil {
		m.Device.Copy(dst, dstOffset, src, shape)
		return
	}
	m.copy(dst, dstOffset, src, shape)
}

func (m *mutant) Unary(dst device.Buffer, src device.Strided, p device.UnaryParams) {
	if m.unary == nil {
		m.Device.Unary(dst, src, p)
		return
	}
	m.unary(dst, src, p)
}

func (m *mutant) Binary(dst device.Buffer, x, y device.Strided, p device.BinaryParams) {
	if m.binary == nil {
		m.Device.Binary(dst, x, y, p)
		return
	}
	m.binary(dst, x, y, p)
}

func (m *mutant) BCEWithLogitsBackward(dx device.Buffer, x, y, g device.Strided, shape []int, a float32) {
	if m.bceBwd == nil {
		m.Device.BCEWithLogitsBackward(dx, x, y, g, shape, a)
		return
	}
	m.bceBwd(dx, x, y, g, shape, a)
}

func (m *mutant) Where(dst device.Buffer, cond, x, y device.Strided, shape []int) {
	if m.where == nil {
		m.Device.Where(dst, cond, x, y, shape)
		return
	}
	m.where(dst, cond, x, y, shape)
}

func (m *mutant) Reduce(dst, src device.Buffer, p device.ReduceParams) {
	if m.reduce == nil {
		m.Device.Reduce(dst, src, p)
		return
	}
	m.reduce(dst, src, p)
}

func (m *mutant) Softmax(dst, src device.Buffer, p device.SoftmaxParams) {
	if m.softmax == nil {
		m.Device.Softmax(dst, src, p)
		return
	}
	m.softmax(dst, src, p)
}

func (m *mutant) MatMul(c, a, b device.Buffer, e device.Epilogue, p device.MatMulParams) {
	if m.matMul == nil {
		m.Device.MatMul(c, a, b, e, p)
		return
	}
	m.matMul(c, a, b, e, p)
}

func (m *mutant) Conv2d(y, x, w device.Buffer, e device.Epilogue, p device.Conv2dParams) {
	if m.conv == nil {
		m.Device.Conv2d(y, x, w, e, p)
		return
	}
	m.conv(y, x, w, e, p)
}

func (m *mutant) Conv2dBackwardInput(dx, dy, w device.Buffer, e device.Epilogue, p device.Conv2dParams) {
	if m.convBwdIn == nil {
		m.Device.Conv2dBackwardInput(dx, dy, w, e, p)
		return
	}
	m.convBwdIn(dx, dy, w, e, p)
}

func (m *mutant) Conv2dBackwardWeight(dw, db, x, dy device.Buffer, p device.Conv2dParams) {
	if m.convBwdW == nil {
		m.Device.Conv2dBackwardWeight(dw, db, x, dy, p)
		return
	}
	m.convBwdW(dw, db, x, dy, p)
}

func (m *mutant) Pool2d(y, idx, x device.Buffer, p device.Pool2dParams) {
	if m.pool == nil {
		m.Device.Pool2d(y, idx, x, p)
		return
	}
	m.pool(y, idx, x, p)
}

func (m *mutant) Pool2dBackward(dx, dy, idx device.Buffer, p device.Pool2dParams) {
	if m.poolBwd == nil {
		m.Device.Pool2dBackward(dx, dy, idx, p)
		return
	}
	m.poolBwd(dx, dy, idx, p)
}

func (m *mutant) SoftmaxBackward(dx, y, dy device.Buffer, p device.SoftmaxParams) {
	if m.softmaxBwd == nil {
		m.Device.SoftmaxBackward(dx, y, dy, p)
		return
	}
	m.softmaxBwd(dx, y, dy, p)
}

func (m *mutant) CrossEntropy(loss, logits, target, weight device.Buffer, p device.CrossEntropyParams) {
	if m.xent == nil {
		m.Device.CrossEntropy(loss, logits, target, weight, p)
		return
	}
	m.xent(loss, logits, target, weight, p)
}

func (m *mutant) CrossEntropyBackward(dlogits, logits, target, weight device.Buffer, dloss device.Strided, p device.CrossEntropyParams) {
	if m.xentBwd == nil {
		m.Device.CrossEntropyBackward(dlogits, logits, target, weight, dloss, p)
		return
	}
	m.xentBwd(dlogits, logits, target, weight, dloss, p)
}

func (m *mutant) Gather(dst, src device.Buffer, idx device.Strided, p device.GatherParams) {
	if m.gather == nil {
		m.Device.Gather(dst, src, idx, p)
		return
	}
	m.gather(dst, src, idx, p)
}

func (m *mutant) ScatterAdd(dst, src device.Buffer, idx device.Strided, p device.GatherParams) {
	if m.scatterAdd == nil {
		m.Device.ScatterAdd(dst, src, idx, p)
		return
	}
	m.scatterAdd(dst, src, idx, p)
}

func (m *mutant) Random(dst device.Buffer, p device.RandomParams) {
	if m.random == nil {
		m.Device.Random(dst, p)
		return
	}
	m.random(dst, p)
}

func (m *mutant) RandomMul(dst, mask device.Buffer, src, residual device.Strided, shape []int, p device.RandomParams) {
	if m.randomMul == nil {
		m.Device.RandomMul(dst, mask, src, residual, shape, p)
		return
	}
	m.randomMul(dst, mask, src, residual, shape, p)
}

func (m *mutant) SGDStep(ts []device.SGDTensor, p device.SGDParams) {
	if m.sgd == nil {
		m.Device.SGDStep(ts, p)
		return
	}
	m.sgd(ts, p)
}

func (m *mutant) AdamStep(ts []device.AdamTensor, p device.AdamParams) {
	if m.adam == nil {
		m.Device.AdamStep(ts, p)
		return
	}
	m.adam(ts, p)
}

// scale multiplies the first n elements of b by s in place: a result that is
// right up to a relative error of s−1.
func scale(d device.Device, b device.Buffer, n int, s float32) {
	d.Unary(b, device.Strided{Buf: b, Strides: []int{1}}, device.UnaryParams{Op: device.Affine, A: s, Shape: []int{n}})
}

// mutants are bugs a backend could plausibly have, each with a subtest of
// Run that must catch it.
var mutants = []struct {
	name    string
	catches string // a subtest of Run that must fail
	bug     func(d device.Device, m *mutant)
}{
	{"fill ignores offset", "Fill/float32", func(d device.Device, m *mutant) {
		m.fill = func(dst device.Buffer, _, n int, v float32) { d.Fill(dst, 0, n, v) }
	}},
	{"free leaks", "Free", func(d device.Device, m *mutant) {
		m.free = func(device.Buffer) {}
	}},
	{"copy drops the source offset", "Copy/sliced", func(d device.Device, m *mutant) {
		m.copy = func(dst device.Buffer, off int, src device.Strided, shape []int) {
			src.Offset = 0
			d.Copy(dst, off, src, shape)
		}
	}},
	{"unary treats its source as contiguous", "Unary/exp", func(d device.Device, m *mutant) {
		m.unary = func(dst device.Buffer, src device.Strided, p device.UnaryParams) {
			src.Strides = device.Contiguous(p.Shape)
			d.Unary(dst, src, p)
		}
	}},
	{"exp off by 1e-5 relative", "Unary/exp", func(d device.Device, m *mutant) {
		m.unary = func(dst device.Buffer, src device.Strided, p device.UnaryParams) {
			d.Unary(dst, src, p)
			if p.Op == device.Exp {
				scale(d, dst, device.NumElements(p.Shape), 1+1e-5)
			}
		}
	}},
	{"sigmoid off by 2e-6 relative", "Unary/sigmoid", func(d device.Device, m *mutant) {
		m.unary = func(dst device.Buffer, src device.Strided, p device.UnaryParams) {
			d.Unary(dst, src, p)
			if p.Op == device.Sigmoid {
				scale(d, dst, device.NumElements(p.Shape), 1+2e-6)
			}
		}
	}},
	{"binary drops y's offset", "Binary/add", func(d device.Device, m *mutant) {
		m.binary = func(dst device.Buffer, x, y device.Strided, p device.BinaryParams) {
			y.Offset = 0
			d.Binary(dst, x, y, p)
		}
	}},
	{"binary cross-entropy off by 4e-6 relative", "Binary/bcewithlogits", func(d device.Device, m *mutant) {
		m.binary = func(dst device.Buffer, x, y device.Strided, p device.BinaryParams) {
			d.Binary(dst, x, y, p)
			if p.Op == device.BCEWithLogits {
				scale(d, dst, device.NumElements(p.Shape), 1+4e-6)
			}
		}
	}},
	{"binary cross-entropy's gradient reads g from its buffer's start", "BCEWithLogitsBackward/sliced", func(d device.Device, m *mutant) {
		m.bceBwd = func(dx device.Buffer, x, y, g device.Strided, shape []int, a float32) {
			g.Offset = 0
			d.BCEWithLogitsBackward(dx, x, y, g, shape, a)
		}
	}},
	{"binary cross-entropy's gradient off by 2e-6 relative", "BCEWithLogitsBackward/contiguous", func(d device.Device, m *mutant) {
		m.bceBwd = func(dx device.Buffer, x, y, g device.Strided, shape []int, a float32) {
			d.BCEWithLogitsBackward(dx, x, y, g, shape, a*(1+2e-6))
		}
	}},
	{"where swaps x and y", "Where/contiguous", func(d device.Device, m *mutant) {
		m.where = func(dst device.Buffer, cond, x, y device.Strided, shape []int) { d.Where(dst, cond, y, x, shape) }
	}},
	{"argmax takes the last of equal maxima", "Reduce/argmax", func(d device.Device, m *mutant) {
		m.reduce = func(dst, src device.Buffer, p device.ReduceParams) {
			if p.Op != device.ArgMax {
				d.Reduce(dst, src, p)
				return
			}
			// Over [outer, n, inner] views only, which is all that is
			// needed to show the suite sees the tie order.
			if len(p.Axes) != 1 || len(p.Shape) != 3 || p.Axes[0] != 1 {
				d.Reduce(dst, src, p)
				return
			}
			outer, n, inner := p.Shape[0], p.Shape[1], p.Shape[2]
			x := make([]float32, src.Len())
			d.Read(src, x)
			idx := make([]int32, outer*inner)
			for o := range outer {
				for i := range inner {
					for k := range n {
						if best := x[(o*n+int(idx[o*inner+i]))*inner+i]; x[(o*n+k)*inner+i] >= best {
							idx[o*inner+i] = int32(k)
						}
					}
				}
			}
			d.Write(dst, idx)
		}
	}},
	{"reduce over several axes assumes they are adjacent", "Reduce/sum", func(d device.Device, m *mutant) {
		m.reduce = func(dst, src device.Buffer, p device.ReduceParams) {
			// [before first axis, every reduced element, the rest]: right
			// when the reduced axes are adjacent, wrong for a bias gradient.
			outer := device.NumElements(p.Shape[:p.Axes[0]])
			out, n := p.Len()
			d.Reduce(dst, src, device.ReduceAxis(p.Op, outer, n, out/outer))
		}
	}},
	{"softmax without subtracting the max", "Softmax/softmax/offset", func(d device.Device, m *mutant) {
		m.softmax = func(dst, src device.Buffer, p device.SoftmaxParams) {
			x := make([]float32, p.Rows*p.N)
			d.Read(src, x)
			for r := range p.Rows {
				row := x[r*p.N : (r+1)*p.N]
				var sum float32
				for i, v := range row {
					row[i] = float32(math.Exp(float64(v)))
					sum += row[i]
				}
				for i := range row {
					row[i] /= sum
				}
			}
			d.Write(dst, x)
		}
	}},
	{"causal softmax ignores the mask", "Softmax/causal5/rows", func(d device.Device, m *mutant) {
		m.softmax = func(dst, src device.Buffer, p device.SoftmaxParams) {
			p.Causal = 0
			d.Softmax(dst, src, p)
		}
	}},
	{"causal softmax masks from the row index, not the query's", "Softmax/causal2/tall", func(d device.Device, m *mutant) {
		m.softmax = func(dst, src device.Buffer, p device.SoftmaxParams) {
			if p.Causal > 0 {
				p.Causal = p.Rows
			}
			d.Softmax(dst, src, p)
		}
	}},
	{"weighted mean divides by the row count", "CrossEntropy/weighted-mean/rows", func(d device.Device, m *mutant) {
		m.xent = func(loss, logits, target, weight device.Buffer, p device.CrossEntropyParams) {
			if !p.Weighted || !p.Mean {
				d.CrossEntropy(loss, logits, target, weight, p)
				return
			}
			p.Mean = false
			d.CrossEntropy(loss, logits, target, weight, p)
			n := p.Rows
			if p.Total {
				n = 1
			}
			scale(d, loss, n, 1/float32(p.Rows))
		}
	}},
	{"cross-entropy total leaves out the last row", "CrossEntropy/plain/rows", func(d device.Device, m *mutant) {
		m.xent = func(loss, logits, target, weight device.Buffer, p device.CrossEntropyParams) {
			if p.Total {
				p.Rows--
			}
			d.CrossEntropy(loss, logits, target, weight, p)
		}
	}},
	{"cross-entropy backward reads the upstream gradient contiguously", "CrossEntropyBackward/plain/rows", func(d device.Device, m *mutant) {
		m.xentBwd = func(dlogits, logits, target, weight device.Buffer, dloss device.Strided, p device.CrossEntropyParams) {
			dloss.Strides = []int{1}
			d.CrossEntropyBackward(dlogits, logits, target, weight, dloss, p)
		}
	}},
	{"cross-entropy backward smooths over N−1 classes", "CrossEntropyBackward/smooth-weighted/odd", func(d device.Device, m *mutant) {
		m.xentBwd = func(dlogits, logits, target, weight device.Buffer, dloss device.Strided, p device.CrossEntropyParams) {
			if p.N > 1 {
				p.Smoothing *= float32(p.N) / float32(p.N-1)
			}
			d.CrossEntropyBackward(dlogits, logits, target, weight, dloss, p)
		}
	}},
	{"matmul reads C when beta is 0", "MatMul/beta0", func(d device.Device, m *mutant) {
		m.matMul = func(c, a, b device.Buffer, e device.Epilogue, p device.MatMulParams) {
			if p.Beta == 0 {
				p.Beta = 1e-30
			}
			d.MatMul(c, a, b, e, p)
		}
	}},
	{"matmul off by 1e-4 relative", "MatMul/plain", func(d device.Device, m *mutant) {
		m.matMul = func(c, a, b device.Buffer, e device.Epilogue, p device.MatMulParams) {
			d.MatMul(c, a, b, e, p)
			if p.Batch == 1 && p.OffC == 0 {
				scale(d, c, p.M*p.N, 1+1e-4)
			}
		}
	}},
	{"matmul ignores the batch stride of B", "MatMul/batched", func(d device.Device, m *mutant) {
		m.matMul = changedParams(d, func(p *device.MatMulParams) { p.StrideB = 0 })
	}},
	{"matmul packs C's rows", "MatMul/heads", func(d device.Device, m *mutant) {
		m.matMul = changedParams(d, func(p *device.MatMulParams) { p.LdC = 0 })
	}},
	{"matmul reads A's rows packed", "MatMul/leadingTrans", func(d device.Device, m *mutant) {
		m.matMul = changedParams(d, func(p *device.MatMulParams) { p.LdA = 0 })
	}},
	{"matmul reads B's rows packed", "MatMul/leading", func(d device.Device, m *mutant) {
		m.matMul = changedParams(d, func(p *device.MatMulParams) { p.LdB = 0 })
	}},
	{"matmul row sums read A's rows packed", "MatMul/headsBlocked", func(d device.Device, m *mutant) {
		m.matMul = func(c, a, b device.Buffer, e device.Epilogue, p device.MatMulParams) {
			rowSumsApart(d, c, a, b, e, p, func(q *device.MatMulParams) { q.LdA = 0 })
		}
	}},
	{"matmul epilogue drops the activation", "MatMul/epilogue2", func(d device.Device, m *mutant) {
		m.matMul = changedEpilogue(d, func(e *device.Epilogue) { e.Act = device.NoActivation })
	}},
	{"matmul row sums leave out the last k", "MatMul/transA", func(d device.Device, m *mutant) {
		m.matMul = func(c, a, b device.Buffer, e device.Epilogue, p device.MatMulParams) {
			rowSumsApart(d, c, a, b, e, p, func(q *device.MatMulParams) { q.K-- }) // A [K, M]: its first K−1 rows
		}
	}},
	{"matmul row sums ignore A's batch stride", "MatMul/batched", func(d device.Device, m *mutant) {
		m.matMul = func(c, a, b device.Buffer, e device.Epilogue, p device.MatMulParams) {
			rowSumsApart(d, c, a, b, e, p, func(q *device.MatMulParams) { q.StrideA = 0 })
		}
	}},
	{"matmul row sums leave out their residual", "MatMul/transAB", func(d device.Device, m *mutant) {
		m.matMul = changedEpilogue(d, func(e *device.Epilogue) { e.BiasGradResidual = nil })
	}},
	{"matmul row sums' residual ignores its offset", "MatMul/random3", func(d device.Device, m *mutant) {
		m.matMul = changedEpilogue(d, func(e *device.Epilogue) { e.OffBiasGradResidual = 0 })
	}},
	{"matmul epilogue drops the scale", "MatMul/epilogue3", func(d device.Device, m *mutant) {
		m.matMul = changedEpilogue(d, func(e *device.Epilogue) { e.Scale = nil })
	}},
	{"matmul scale ignores its offset", "MatMul/epilogue7", func(d device.Device, m *mutant) {
		m.matMul = changedEpilogue(d, func(e *device.Epilogue) { e.OffScale = 0 })
	}},
	{"matmul drops the row sums' second copy", "MatMul/rowSums2", func(d device.Device, m *mutant) {
		m.matMul = changedEpilogue(d, func(e *device.Epilogue) { e.BiasGrad2 = nil })
	}},
	{"matmul row sums' second copy ignores its offset", "MatMul/rowSums2Batched", func(d device.Device, m *mutant) {
		m.matMul = changedEpilogue(d, func(e *device.Epilogue) { e.OffBiasGrad2 = 0 })
	}},
	{"matmul epilogue drops the second bias", "MatMul/bias2", func(d device.Device, m *mutant) {
		m.matMul = changedEpilogue(d, func(e *device.Epilogue) { e.Bias2 = nil })
	}},
	{"matmul second bias ignores its offset", "MatMul/bias2Blocked", func(d device.Device, m *mutant) {
		m.matMul = changedEpilogue(d, func(e *device.Epilogue) { e.OffBias2 = 0 })
	}},
	{"matmul second bias read at the first's offset", "MatMul/bias2", func(d device.Device, m *mutant) {
		m.matMul = changedEpilogue(d, func(e *device.Epilogue) { e.OffBias2 = e.OffBias })
	}},
	{"conv2d epilogue drops the bias", "Conv2d/epilogue0", func(d device.Device, m *mutant) {
		m.conv = func(y, x, w device.Buffer, e device.Epilogue, p device.Conv2dParams) {
			e.Bias = nil
			d.Conv2d(y, x, w, e, p)
		}
	}},
	{"conv backward input accumulates into dx", "Conv2dBackwardInput/basic", func(d device.Device, m *mutant) {
		m.convBwdIn = func(dx, dy, w device.Buffer, e device.Epilogue, p device.Conv2dParams) {
			tmp := d.Alloc(device.Float32, dx.Len())
			defer d.Free(tmp)
			d.Conv2dBackwardInput(tmp, dy, w, e, p)
			n := []int{dx.Len()}
			d.Binary(dx, device.Strided{Buf: dx, Strides: []int{1}}, device.Strided{Buf: tmp, Strides: []int{1}}, device.BinaryParams{Op: device.Add, Shape: n})
		}
	}},
	{"conv backward input drops the residual", "Conv2dBackwardInput/epilogue13", func(d device.Device, m *mutant) {
		m.convBwdIn = func(dx, dy, w device.Buffer, e device.Epilogue, p device.Conv2dParams) {
			e.Residual = nil
			d.Conv2dBackwardInput(dx, dy, w, e, p)
		}
	}},
	{"conv backward weight averages over the batch", "Conv2dBackwardWeight/basic", func(d device.Device, m *mutant) {
		m.convBwdW = func(dw, db, x, dy device.Buffer, p device.Conv2dParams) {
			d.Conv2dBackwardWeight(dw, db, x, dy, p)
			scale(d, dw, dw.Len(), 1/float32(p.N))
		}
	}},
	{"conv bias gradient leaves out the last image", "Conv2dBackwardWeight/basic", func(d device.Device, m *mutant) {
		m.convBwdW = func(dw, db, x, dy device.Buffer, p device.Conv2dParams) {
			d.Conv2dBackwardWeight(dw, nil, x, dy, p)
			if db != nil {
				q := p.BiasGrad()
				q.Shape[0]--
				d.Reduce(db, dy, q)
			}
		}
	}},
	{"max pool indices count from the tensor, not the plane", "Pool2d/max/2x2", func(d device.Device, m *mutant) {
		m.pool = func(y, idx, x device.Buffer, p device.Pool2dParams) {
			d.Pool2d(y, idx, x, p)
			if idx == nil {
				return
			}
			v := make([]int32, idx.Len())
			d.Read(idx, v)
			per := p.OutH() * p.OutW()
			for i := range v {
				v[i] += int32(i / per * p.H * p.W)
			}
			d.Write(idx, v)
		}
	}},
	{"avg pool ignores CountIncludePad", "Pool2d/avg/3x3s2pad1", func(d device.Device, m *mutant) {
		m.pool = func(y, idx, x device.Buffer, p device.Pool2dParams) {
			p.CountIncludePad = true
			d.Pool2d(y, idx, x, p)
		}
	}},
	{"avg pool backward ignores CountIncludePad", "Pool2dBackward/avg/3x3s2pad1", func(d device.Device, m *mutant) {
		m.poolBwd = func(dx, dy, idx device.Buffer, p device.Pool2dParams) {
			p.CountIncludePad = true
			d.Pool2dBackward(dx, dy, idx, p)
		}
	}},
	{"log-softmax backward uses the softmax rule", "SoftmaxBackward/log/rows", func(d device.Device, m *mutant) {
		m.softmaxBwd = func(dx, y, dy device.Buffer, p device.SoftmaxParams) {
			p.Log = false
			d.SoftmaxBackward(dx, y, dy, p)
		}
	}},
	{"gather drops the index offset", "Gather/pick", func(d device.Device, m *mutant) {
		m.gather = func(dst, src device.Buffer, idx device.Strided, p device.GatherParams) {
			idx.Offset = 0
			d.Gather(dst, src, idx, p)
		}
	}},
	{"scatter-add overwrites dst", "ScatterAdd/gather", func(d device.Device, m *mutant) {
		m.scatterAdd = func(dst, src device.Buffer, idx device.Strided, p device.GatherParams) {
			d.Fill(dst, 0, dst.Len(), 0)
			d.ScatterAdd(dst, src, idx, p)
		}
	}},
	{"scatter-add adds where told to overwrite", "ScatterAdd/indexSelect", func(d device.Device, m *mutant) {
		m.scatterAdd = func(dst, src device.Buffer, idx device.Strided, p device.GatherParams) {
			p.Overwrite = false
			d.ScatterAdd(dst, src, idx, p)
		}
	}},
	{"scatter-add overwriting leaves rows no index points to", "ScatterAdd/indexSelect", func(d device.Device, m *mutant) {
		m.scatterAdd = func(dst, src device.Buffer, idx device.Strided, p device.GatherParams) {
			if p.Overwrite {
				// Zero only the rows the indices point to.
				n := make([]int32, idx.Buf.Len())
				if err := d.Read(idx.Buf, n); err != nil {
					panic(err)
				}
				for j := range p.M {
					d.Fill(dst, int(n[idx.Offset+j*idx.Strides[1]])*p.Inner, p.Inner, 0)
				}
				p.Overwrite = false
			}
			d.ScatterAdd(dst, src, idx, p)
		}
	}},
	{"random ignores the seed's high half", "Random/uniform/bigSeed", func(d device.Device, m *mutant) {
		m.random = func(dst device.Buffer, p device.RandomParams) {
			p.Seed = uint64(uint32(p.Seed))
			d.Random(dst, p)
		}
	}},
	{"random counter off by one", "Random/normal/seed0", func(d device.Device, m *mutant) {
		m.random = func(dst device.Buffer, p device.RandomParams) {
			p.Offset++
			d.Random(dst, p)
		}
	}},
	{"random multiply's mask one counter late", "RandomMul/scaledbernoulli/seed0/contiguous", func(d device.Device, m *mutant) {
		m.randomMul = func(dst, mask device.Buffer, src, residual device.Strided, shape []int, p device.RandomParams) {
			d.RandomMul(dst, nil, src, residual, shape, p)
			if mask != nil {
				p.Offset++
				d.Random(mask, p)
			}
		}
	}},
	{"random multiply writes the product as the mask", "RandomMul/bernoulli/bigOffset/contiguous", func(d device.Device, m *mutant) {
		m.randomMul = func(dst, mask device.Buffer, src, residual device.Strided, shape []int, p device.RandomParams) {
			d.RandomMul(dst, mask, src, residual, shape, p)
			if mask != nil {
				d.Copy(mask, 0, device.Strided{Buf: dst, Strides: []int{1}}, []int{dst.Len()})
			}
		}
	}},
	{"random multiply drops the residual", "RandomMul/normal/seed0/contiguous", func(d device.Device, m *mutant) {
		m.randomMul = func(dst, mask device.Buffer, src, residual device.Strided, shape []int, p device.RandomParams) {
			d.RandomMul(dst, mask, src, device.Strided{}, shape, p)
		}
	}},
	{"random multiply reads the residual contiguously", "RandomMul/uniform/seed0/transposed", func(d device.Device, m *mutant) {
		m.randomMul = func(dst, mask device.Buffer, src, residual device.Strided, shape []int, p device.RandomParams) {
			if residual.Buf != nil {
				residual.Strides = device.Contiguous(shape)
			}
			d.RandomMul(dst, mask, src, residual, shape, p)
		}
	}},
	{"random multiply reads src contiguously", "RandomMul/uniform/seed0/transposed", func(d device.Device, m *mutant) {
		m.randomMul = func(dst, mask device.Buffer, src, residual device.Strided, shape []int, p device.RandomParams) {
			src.Strides = device.Contiguous(shape)
			d.RandomMul(dst, mask, src, residual, shape, p)
		}
	}},
	{"random multiply writes +0 where the draw is 0", "RandomMul/bernoulli/seed0/contiguous", func(d device.Device, m *mutant) {
		m.randomMul = func(dst, mask device.Buffer, src, residual device.Strided, shape []int, p device.RandomParams) {
			// x·0 is ±0 or NaN: a plain 0 drops the sign and the NaN.
			d.RandomMul(dst, mask, src, residual, shape, p)
			n := 1
			for _, m := range shape {
				n *= m
			}
			y, r := make([]float32, n), make([]float32, n)
			tmp := d.Alloc(device.Float32, n)
			defer d.Free(tmp)
			d.Random(tmp, p)
			if d.Read(dst, y) != nil || d.Read(tmp, r) != nil {
				return
			}
			for i := range y {
				if r[i] == 0 {
					y[i] = 0
				}
			}
			d.Write(dst, y)
		}
	}},
	{"lstm backward ignores the upstream dc", "LSTMCellBackward/odd", func(d device.Device, m *mutant) {
		m.lstmBwd = func(dgates, dcPrev, dh, dc, gates, c, cPrev device.Buffer, p device.LSTMCellParams) {
			p.OffDC = 0
			withZeros(d, p.Batch*p.Hidden, func(zero device.Buffer) { d.LSTMCellBackward(dgates, dcPrev, dh, zero, gates, c, cPrev, p) })
		}
	}},
	{"lstm step's product reads whh's gate blocks in the wrong order", "LSTMStep/odd", func(d device.Device, m *mutant) {
		// The blocks i and f of whh swapped: a gate-to-row mapping off by
		// one block, as a fused kernel's column permutation might be.
		m.lstmStep = func(h, c, gates, xw, hPrev, whh, cPrev device.Buffer, p device.LSTMCellParams) {
			hh := p.Hidden * p.Hidden
			v := make([]float32, 4*hh)
			d.Read(whh, v)
			tmp := append(append(append([]float32(nil), v[hh:2*hh]...), v[:hh]...), v[2*hh:]...)
			w := d.Alloc(device.Float32, 4*hh)
			defer d.Free(w)
			d.Write(w, tmp)
			d.LSTMStep(h, c, gates, xw, hPrev, w, cPrev, p)
		}
	}},
	{"lstm step leaves out the residual xw", "LSTMStep/rows", func(d device.Device, m *mutant) {
		m.lstmStep = func(h, c, gates, xw, hPrev, whh, cPrev device.Buffer, p device.LSTMCellParams) {
			p.OffX = 0
			withZeros(d, 4*p.Batch*p.Hidden, func(zero device.Buffer) { d.LSTMStep(h, c, gates, zero, hPrev, whh, cPrev, p) })
		}
	}},
	{"lstm step backward leaves out the upstream g", "LSTMStepBackward/odd", func(d device.Device, m *mutant) {
		m.lstmStepBw = func(dgates, dc, g, whh, gates, c, cPrev device.Buffer, p device.LSTMCellParams) {
			p.OffDH = 0
			withZeros(d, p.Batch*p.Hidden, func(zero device.Buffer) { d.LSTMStepBackward(dgates, dc, zero, whh, gates, c, cPrev, p) })
		}
	}},
	{"lstm step backward multiplies by whhᵀ's blocks", "LSTMStepBackward/rows", func(d device.Device, m *mutant) {
		// dh = dnext·whh with each H×H block of whh transposed.
		m.lstmStepBw = func(dgates, dc, g, whh, gates, c, cPrev device.Buffer, p device.LSTMCellParams) {
			h := p.Hidden
			v, tr := make([]float32, 4*h*h), make([]float32, 4*h*h)
			d.Read(whh, v)
			for q := range 4 {
				for i := range h {
					for j := range h {
						tr[q*h*h+j*h+i] = v[q*h*h+i*h+j]
					}
				}
			}
			w := d.Alloc(device.Float32, 4*h*h)
			defer d.Free(w)
			d.Write(w, tr)
			d.LSTMStepBackward(dgates, dc, g, w, gates, c, cPrev, p)
		}
	}},
	{"gru step leaves out the hidden bias", "GRUStep/rows", func(d device.Device, m *mutant) {
		m.gruStep = func(h, gates, xw, hPrev, whh, bhh device.Buffer, p device.GRUCellParams) {
			d.GRUStep(h, gates, xw, hPrev, whh, nil, p)
		}
	}},
	{"gru step's product reads whh's r and z blocks swapped", "GRUStep/odd", func(d device.Device, m *mutant) {
		m.gruStep = func(h, gates, xw, hPrev, whh, bhh device.Buffer, p device.GRUCellParams) {
			hh := p.Hidden * p.Hidden
			v := make([]float32, 3*hh)
			d.Read(whh, v)
			tmp := append(append(append([]float32(nil), v[hh:2*hh]...), v[:hh]...), v[2*hh:]...)
			w := d.Alloc(device.Float32, 3*hh)
			defer d.Free(w)
			d.Write(w, tmp)
			d.GRUStep(h, gates, xw, hPrev, w, bhh, p)
		}
	}},
	{"gru step backward drops the carried dh", "GRUStepBackward/odd", func(d device.Device, m *mutant) {
		m.gruStepBw = func(dx, dhh, dh, g, whh, gates, hPrev device.Buffer, p device.GRUCellParams) {
			d.Fill(dh, p.OffDH, p.Batch*p.Hidden, 0)
			d.GRUStepBackward(dx, dhh, dh, g, whh, gates, hPrev, p)
		}
	}},
	{"gru step backward leaves out the upstream g", "GRUStepBackward/rows", func(d device.Device, m *mutant) {
		m.gruStepBw = func(dx, dhh, dh, g, whh, gates, hPrev device.Buffer, p device.GRUCellParams) {
			p.OffG = 0
			withZeros(d, p.Batch*p.Hidden, func(zero device.Buffer) { d.GRUStepBackward(dx, dhh, dh, zero, whh, gates, hPrev, p) })
		}
	}},
	{"sum of squares leaves out the last tensor", "SumSquares/many", func(d device.Device, m *mutant) {
		m.sumSquares = func(dst, norm device.Buffer, ts []device.Span) { d.SumSquares(dst, norm, ts[:max(len(ts)-1, 0)]) }
	}},
	{"sum of squares stops at a work group's share", "SumSquares/long", func(d device.Device, m *mutant) {
		// Each tensor's first 4096 elements: partial sums of later groups lost.
		m.sumSquares = func(dst, norm device.Buffer, ts []device.Span) {
			short := make([]device.Span, len(ts))
			for i, t := range ts {
				short[i] = device.Span{Buf: t.Buf, N: min(t.N, 4096)}
			}
			d.SumSquares(dst, norm, short)
		}
	}},
	{"the norm is the sum of squares", "SumSquares/odd", func(d device.Device, m *mutant) {
		m.sumSquares = func(dst, norm device.Buffer, ts []device.Span) {
			d.SumSquares(dst, nil, ts)
			if norm != nil {
				d.Copy(norm, 0, device.Strided{Buf: dst, Strides: []int{1}}, []int{1})
			}
		}
	}},
	{"clip scales whatever the factor", "ClipScale/below", func(d device.Device, m *mutant) {
		m.clipScale = func(ts []device.Span, sq device.Buffer, maxNorm float32) {
			s := make([]float32, 1)
			d.Read(sq, s)
			c := maxNorm / (float32(math.Sqrt(float64(s[0]))) + 1e-6)
			for _, t := range ts {
				v := make([]float32, t.N)
				d.Read(t.Buf, v)
				for i := range v {
					v[i] *= c
				}
				d.Write(t.Buf, v)
			}
		}
	}},
	{"clip takes an infinite norm's factor of 0", "ClipScale/inf", func(d device.Device, m *mutant) {
		m.clipScale = func(ts []device.Span, sq device.Buffer, maxNorm float32) {
			withZeros(d, 1, func(zero device.Buffer) {
				for _, t := range ts {
					d.Copy(t.Buf, 0, device.Strided{Buf: zero, Strides: []int{0}}, []int{t.N})
				}
			})
		}
	}},
	{"elman starts from zeros, not h0", "Elman/odd", func(d device.Device, m *mutant) {
		m.elman = func(y, xw, whh, h0 device.Buffer, p device.ElmanParams) {
			withZeros(d, p.Batch*p.Hidden, func(zero device.Buffer) { d.Elman(y, xw, whh, zero, p) })
		}
	}},
	{"elman runs forward when asked to reverse", "Elman/rows-reverse", func(d device.Device, m *mutant) {
		m.elman = func(y, xw, whh, h0 device.Buffer, p device.ElmanParams) {
			p.Reverse = false
			d.Elman(y, xw, whh, h0, p)
		}
	}},
	{"elman backward multiplies by whhᵀ", "ElmanBackward/odd", func(d device.Device, m *mutant) {
		m.elmanBwd = func(dz, g, whh, y device.Buffer, p device.ElmanParams) {
			h := p.Hidden
			v, tr := make([]float32, h*h), make([]float32, h*h)
			d.Read(whh, v)
			for i := range h {
				for j := range h {
					tr[j*h+i] = v[i*h+j]
				}
			}
			tmp := d.Alloc(device.Float32, h*h)
			defer d.Free(tmp)
			d.Write(tmp, tr)
			d.ElmanBackward(dz, g, tmp, y, p)
		}
	}},
	{"gru cell reads hh_n at the r block", "GRUCell/rows", func(d device.Device, m *mutant) {
		// n = tanh(x_n + r·hh_r): an off-by-one-block index, seen only
		// where r's and n's hidden projections differ.
		m.gru = func(h, gates, x, hh, hPrev device.Buffer, p device.GRUCellParams) {
			n := 3 * p.Batch * p.Hidden
			v := make([]float32, p.OffHH+n)
			d.Read(hh, v)
			for b := range p.Batch {
				row := v[p.OffHH+b*3*p.Hidden:]
				copy(row[2*p.Hidden:3*p.Hidden], row[:p.Hidden])
			}
			tmp := d.Alloc(device.Float32, len(v))
			defer d.Free(tmp)
			d.Write(tmp, v)
			d.GRUCell(h, gates, x, tmp, hPrev, p)
		}
	}},
	{"batch-norm variance in one pass, E[x²] − E[x]² in float32", "BatchNormStats/large-mean", func(d device.Device, m *mutant) {
		m.bnStats = func(mean, invstd, runMean, runVar, x device.Buffer, p device.BatchNormParams) {
			d.BatchNormStats(mean, invstd, runMean, runVar, x, p)
			xs, is := make([]float32, p.N*p.C*p.Inner), make([]float32, p.C)
			d.Read(x, xs)
			mm := float32(p.N * p.Inner)
			for ch := range p.C {
				var s, sq float32
				for n := range p.N {
					for _, v := range xs[(n*p.C+ch)*p.Inner:][:p.Inner] {
						s, sq = s+v, sq+v*v
					}
				}
				mu := s / mm
				is[ch] = float32(1 / math.Sqrt(math.Max(float64(sq/mm-mu*mu), 0)+float64(p.Eps)))
			}
			d.Write(invstd, is)
		}
	}},
	{"batch-norm backward drops the x̂·dw term", "BatchNormBackward/odd/eval=false", func(d device.Device, m *mutant) {
		m.bnBwd = func(dx, dy, x, mean, invstd, w, dw, db device.Buffer, p device.BatchNormParams) {
			zero := d.Alloc(device.Float32, p.C)
			defer d.Free(zero)
			d.Fill(zero, 0, p.C, 0)
			d.BatchNormBackward(dx, dy, x, mean, invstd, w, zero, db, p)
		}
	}},
	{"batch-norm ReLU backward masks by the gradient's sign instead of the output's", "BatchNormBackwardReduce/odd/eval=false/relu", func(d device.Device, m *mutant) {
		m.bnReduce = func(dw, db, dy, x, mean, invstd, y, dz device.Buffer, p device.BatchNormParams) {
			d.BatchNormBackwardReduce(dw, db, dy, x, mean, invstd, dy, dz, p)
		}
	}},
	{"batch norm adds the residual after the ReLU", "BatchNorm/odd/eval=false/relu", func(d device.Device, m *mutant) {
		m.bn = func(y, x, mean, invstd, w, b, r device.Buffer, p device.BatchNormParams) {
			d.BatchNorm(y, x, mean, invstd, w, b, nil, p)
			if r != nil {
				n := p.N * p.C * p.Inner
				all := []int{n}
				d.Binary(y, device.Strided{Buf: y, Strides: []int{1}}, device.Strided{Buf: r, Strides: []int{1}},
					device.BinaryParams{Op: device.Add, Shape: all})
			}
		}
	}},
	{"sgd dampens the first step", "SGDStep/dampening", func(d device.Device, m *mutant) {
		m.sgd = func(ts []device.SGDTensor, p device.SGDParams) {
			for i, t := range ts {
				if t.FirstStep && t.Buf != nil {
					d.Fill(t.Buf, 0, t.N, 0)
					ts[i].FirstStep = false
				}
			}
			d.SGDStep(ts, p)
		}
	}},
	{"sgd skips the last tensor of the list", "SGDStep/plain", func(d device.Device, m *mutant) {
		m.sgd = func(ts []device.SGDTensor, p device.SGDParams) {
			d.SGDStep(ts[:len(ts)-1], p)
		}
	}},
	{"sgd takes every tensor's first step with the first's", "SGDStep/momentum", func(d device.Device, m *mutant) {
		m.sgd = func(ts []device.SGDTensor, p device.SGDParams) {
			for i := range ts {
				ts[i].FirstStep = ts[0].FirstStep
			}
			d.SGDStep(ts, p)
		}
	}},
	{"sgd updates the whole buffer, not N elements", "SGDStep/weightDecay", func(d device.Device, m *mutant) {
		m.sgd = func(ts []device.SGDTensor, p device.SGDParams) {
			for i, t := range ts {
				ts[i].N = t.Param.Len()
			}
			d.SGDStep(ts, p)
		}
	}},
	{"adam without bias correction", "AdamStep/adam", func(d device.Device, m *mutant) {
		m.adam = func(ts []device.AdamTensor, p device.AdamParams) {
			for i := range ts {
				ts[i].Step = 1 << 20
			}
			d.AdamStep(ts, p)
		}
	}},
	{"adam counts every tensor's steps as the first's", "AdamStep/weightDecay", func(d device.Device, m *mutant) {
		m.adam = func(ts []device.AdamTensor, p device.AdamParams) {
			for i := range ts {
				ts[i].Step = ts[0].Step
			}
			d.AdamStep(ts, p)
		}
	}},
	{"adam skips the last tensor of the list", "AdamStep/later", func(d device.Device, m *mutant) {
		m.adam = func(ts []device.AdamTensor, p device.AdamParams) {
			d.AdamStep(ts[:len(ts)-1], p)
		}
	}},
	{"adamw decays like adam", "AdamStep/adamw", func(d device.Device, m *mutant) {
		m.adam = func(ts []device.AdamTensor, p device.AdamParams) {
			p.Decoupled = false
			d.AdamStep(ts, p)
		}
	}},
}

// mutantEnv names the mutant a re-executed test binary runs the suite on.
const mutantEnv = "DEVICETEST_MUTANT"

// TestMutants runs the suite on the CPU device with each deliberate bug, in
// a child process (a failing subtest fails its whole process), and checks
// that the subtest meant to catch the bug fails. It also checks that the
// unmutated device passes, so a failure is the mutant's doing.
func TestMutants(t *testing.T) {
	if name, ok := os.LookupEnv(mutantEnv); ok {
		m := &mutant{Device: cpu.New()}
		for _, mu := range mutants {
			if mu.name == name {
				mu.bug(m.Device, m)
			}
		}
		devicetest.Run(t, m)
		return
	}
	if testing.Short() {
		t.Skip("runs the suite once per mutant")
	}
	run := func(name, pattern string) (string, error) {
		cmd := exec.Command(os.Args[0], "-test.run="+pattern, "-test.count=1")
		cmd.Env = append(os.Environ(), mutantEnv+"="+name)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := run("", "^TestMutants$"); err != nil {
		t.Fatalf("the suite fails on the unmutated CPU device, so mutants prove nothing:\n%s", out)
	}
	for _, mu := range mutants {
		method, _, _ := strings.Cut(mu.catches, "/")
		out, err := run(mu.name, "^TestMutants$/^"+method+"$")
		if err == nil || !strings.Contains(out, "--- FAIL: TestMutants/"+mu.catches+" ") {
			t.Errorf("mutant %q: subtest %s did not fail:\n%s", mu.name, mu.catches, out)
		}
	}
}

// changedParams returns d's MatMul with the parameters changed by change.
func changedParams(d device.Device, change func(*device.MatMulParams)) func(c, a, b device.Buffer, e device.Epilogue, p device.MatMulParams) {
	return func(c, a, b device.Buffer, e device.Epilogue, p device.MatMulParams) {
		change(&p)
		d.MatMul(c, a, b, e, p)
	}
}

// changedEpilogue returns d's MatMul with the epilogue changed by change.
func changedEpilogue(d device.Device, change func(*device.Epilogue)) func(c, a, b device.Buffer, e device.Epilogue, p device.MatMulParams) {
	return func(c, a, b device.Buffer, e device.Epilogue, p device.MatMulParams) {
		change(&e)
		d.MatMul(c, a, b, e, p)
	}
}

// rowSumsApart runs MatMul without e's row sums, then takes them from a
// second product, of p changed by change, into scratch storage.
func rowSumsApart(d device.Device, c, a, b device.Buffer, e device.Epilogue, p device.MatMulParams, change func(*device.MatMulParams)) {
	sums := e
	e.BiasGrad, e.BiasGradResidual = nil, nil
	d.MatMul(c, a, b, e, p)
	if sums.BiasGrad == nil {
		return
	}
	change(&p)
	scratch := d.Alloc(device.Float32, c.Len())
	defer d.Free(scratch)
	d.MatMul(scratch, a, b, device.Epilogue{BiasGrad: sums.BiasGrad, OffBiasGrad: sums.OffBiasGrad,
		BiasGradResidual: sums.BiasGradResidual, OffBiasGradResidual: sums.OffBiasGradResidual}, p)
}
