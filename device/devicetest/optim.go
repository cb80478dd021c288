package devicetest

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/tensorgl/tensorgl/device"
)

// optimSteps is the number of updates each optimizer test checks.
const optimSteps = 4

// optimTail is how many elements each optimizer buffer holds past its
// tensor's N (pooled buffers are longer than their tensors): a kernel must
// leave them alone.
const optimTail = 3

// optimTensor is one tensor of the optimizer tests: its element count, the
// step at which it joins the list (a parameter without a gradient is left
// out until it has one) and the per-tensor step offset Adam adds.
type optimTensor struct {
	n, join, stepOffset int
}

// optimTensors draws the tensors of one multi-tensor test: more than any
// backend binds in one dispatch (GL binds at most 32), of odd sizes, several
// of size 1, a few joining at the second step.
func optimTensors(r *rand.Rand) []optimTensor {
	sizes := []int{1, 257, 1, 64, 65}
	for len(sizes) < 40 {
		sizes = append(sizes, 1+2*r.IntN(300))
	}
	r.Shuffle(len(sizes), func(i, j int) { sizes[i], sizes[j] = sizes[j], sizes[i] })
	ts := make([]optimTensor, len(sizes))
	for i, n := range sizes {
		ts[i] = optimTensor{n: n, stepOffset: r.IntN(3)}
		if i%4 == 2 {
			ts[i].join = 1
		}
	}
	return ts
}

// optimBuffer uploads a tensor's values followed by optimTail copies of tail.
func optimBuffer(t tb, d device.Device, values []float32, tail float32) device.Buffer {
	return upload(t, d, append(values, filled(optimTail, tail)...))
}

// expectOptim checks a tensor's buffer after a step: its elements against
// the reference want ± bound, and the optimTail elements past them still
// equal to tail.
func expectOptim(t tb, d device.Device, what string, b device.Buffer, want, bound []float64, tail float32) {
	t.Helper()
	for range optimTail {
		want, bound = append(want, float64(tail)), append(bound, 0)
	}
	expectClose(t, what, download(t, d, b, len(want)), want, bound)
}

// sgdCases cover each term of torch.optim.SGD's update.
var sgdCases = []struct {
	name string
	p    device.SGDParams
}{
	{"plain", device.SGDParams{LR: 0.1}},
	{"weightDecay", device.SGDParams{LR: 0.05, WeightDecay: 0.01}},
	{"momentum", device.SGDParams{LR: 0.1, Momentum: 0.9}},
	{"dampening", device.SGDParams{LR: 0.1, Momentum: 0.9, Dampening: 0.1}},
	{"nesterov", device.SGDParams{LR: 0.02, Momentum: 0.9, WeightDecay: 1e-3, Nesterov: true}},
}

// The tails of the optimizer buffers: values a kernel that ran past N would
// change (a NaN gradient poisons whatever it reaches).
const (
	paramTail = 42
	stateTail = -7
)

func testSGDStep(t tb, d device.Device) {
	for _, c := range sgdCases {
		subtest(t, c.name, func(t tb) {
			r := newRand(t)
			ots := optimTensors(r)
			params, bufs := make([]device.Buffer, len(ots)), make([]device.Buffer, len(ots))
			for i, o := range ots {
				params[i] = optimBuffer(t, d, draw(r, o.n, device.Mostly(device.Between(-1, 1), device.Wide(3))), paramTail)
				if c.p.Momentum != 0 {
					// Written, not read, on the tensor's first step.
					bufs[i] = optimBuffer(t, d, filled(o.n, float32(math.NaN())), stateTail)
				}
			}
			for step := range optimSteps {
				var ts []device.SGDTensor
				wantP, boundP := make([][]float64, len(ots)), make([][]float64, len(ots))
				wantB, boundB := make([][]float64, len(ots)), make([][]float64, len(ots))
				for i, o := range ots {
					p0 := download(t, d, params[i], o.n)
					b0 := filled(o.n, 0)
					if bufs[i] != nil {
						b0 = download(t, d, bufs[i], o.n)
					}
					wantP[i], boundP[i] = make([]float64, o.n), make([]float64, o.n)
					wantB[i], boundB[i] = make([]float64, o.n), make([]float64, o.n)
					if step < o.join {
						for j := range o.n {
							wantP[i][j], wantB[i][j] = float64(p0[j]), float64(b0[j])
						}
						continue
					}
					grad := draw(r, o.n, device.Mostly(device.Between(-1, 1), device.Wide(3)))
					first := step == o.join
					for j := range o.n {
						wantP[i][j], boundP[i][j], wantB[i][j], boundB[i][j] = sgdRef(c.p, first, float64(p0[j]), float64(grad[j]), float64(b0[j]))
					}
					ts = append(ts, device.SGDTensor{Param: params[i], Grad: optimBuffer(t, d, grad, float32(math.NaN())), Buf: bufs[i], N: o.n, FirstStep: first})
				}
				d.SGDStep(ts, c.p)
				for i := range ots {
					what := fmt.Sprintf("step %d, %s, tensor %d of %d (%d elements, joined at step %d)", step+1, describe(c.p), i, len(ots), ots[i].n, ots[i].join+1)
					expectOptim(t, d, "param after "+what, params[i], wantP[i], boundP[i], paramTail)
					if bufs[i] != nil && step >= ots[i].join {
						expectOptim(t, d, "momentum buffer after "+what, bufs[i], wantB[i], boundB[i], stateTail)
					}
				}
			}
		})
	}
}

// sgdRef is one step of torch.optim.SGD on one parameter, written from the
// SGDParams doc (first: the tensor's first step). It returns the new parameter and momentum buffer with
// their error bounds: the same expressions over magnitudes give the scale.
func sgdRef(p device.SGDParams, first bool, param, grad, buf float64) (newP, boundP, newBuf, boundBuf float64) {
	lr, mom, damp, wd := float64(p.LR), float64(p.Momentum), float64(p.Dampening), float64(p.WeightDecay)
	g, gAbs := grad+wd*param, math.Abs(grad)+math.Abs(wd*param)
	if mom != 0 {
		if first {
			buf, newBuf = g, gAbs
		} else {
			buf, newBuf = mom*buf+(1-damp)*g, math.Abs(mom*buf)+math.Abs(1-damp)*gAbs
		}
		if p.Nesterov {
			g, gAbs = g+mom*buf, gAbs+math.Abs(mom)*newBuf
		} else {
			g, gAbs = buf, newBuf
		}
	}
	const terms = 6 // the most roundings on any path
	return param - lr*g, tol("accumulate").Bound(terms*(math.Abs(param)+math.Abs(lr)*gAbs), 0),
		buf, tol("accumulate").Bound(terms*newBuf, 0)
}

// adamCases cover Adam, Adam with L2 weight decay, AdamW, and steps far from
// the first (bias corrections near 1, moments already non-zero).
var adamCases = []struct {
	name      string
	p         device.AdamParams
	firstStep int
}{
	{"adam", device.AdamParams{LR: 1e-3, Beta1: 0.9, Beta2: 0.99, Eps: 1e-8}, 1},
	{"weightDecay", device.AdamParams{LR: 1e-2, Beta1: 0.9, Beta2: 0.99, Eps: 1e-8, WeightDecay: 0.1}, 1},
	{"adamw", device.AdamParams{LR: 1e-2, Beta1: 0.9, Beta2: 0.99, Eps: 1e-8, WeightDecay: 0.1, Decoupled: true}, 1},
	{"later", device.AdamParams{LR: 3e-3, Beta1: 0.8, Beta2: 0.999, Eps: 1e-6, WeightDecay: 0.01, Decoupled: true}, 1000},
}

func testAdamStep(t tb, d device.Device) {
	for _, c := range adamCases {
		subtest(t, c.name, func(t tb) {
			r := newRand(t)
			ots := optimTensors(r)
			params, ms, vs := make([]device.Buffer, len(ots)), make([]device.Buffer, len(ots)), make([]device.Buffer, len(ots))
			for i, o := range ots {
				params[i] = optimBuffer(t, d, draw(r, o.n, device.Mostly(device.Between(-1, 1), device.Wide(3))), paramTail)
				m, v := filled(o.n, 0), filled(o.n, 0)
				if c.firstStep > 1 {
					m, v = draw(r, o.n, device.Between(-0.1, 0.1)), draw(r, o.n, device.Between(0, 0.01))
				}
				ms[i], vs[i] = optimBuffer(t, d, m, stateTail), optimBuffer(t, d, v, stateTail)
			}
			for step := range optimSteps {
				var ts []device.AdamTensor
				var want, bound [][3][]float64
				for i, o := range ots {
					p0, m0, v0 := download(t, d, params[i], o.n), download(t, d, ms[i], o.n), download(t, d, vs[i], o.n)
					var w, b [3][]float64
					for k := range w {
						w[k], b[k] = make([]float64, o.n), make([]float64, o.n)
					}
					if step < o.join {
						for j := range o.n {
							w[0][j], w[1][j], w[2][j] = float64(p0[j]), float64(m0[j]), float64(v0[j])
						}
					} else {
						tstep := c.firstStep + o.stepOffset + step - o.join
						grad := draw(r, o.n, device.Mostly(device.Between(-1, 1), device.Wide(3)))
						for j := range o.n {
							w[0][j], b[0][j], w[1][j], b[1][j], w[2][j], b[2][j] =
								adamRef(c.p, tstep, float64(p0[j]), float64(grad[j]), float64(m0[j]), float64(v0[j]))
						}
						ts = append(ts, device.AdamTensor{Param: params[i], Grad: optimBuffer(t, d, grad, float32(math.NaN())),
							M: ms[i], V: vs[i], N: o.n, Step: tstep})
					}
					want, bound = append(want, w), append(bound, b)
				}
				d.AdamStep(ts, c.p)
				for i, o := range ots {
					what := fmt.Sprintf(" after step %d, %s, tensor %d of %d (%d elements, joined at step %d, step offset %d)",
						step+1, describe(c.p), i, len(ots), o.n, o.join+1, o.stepOffset)
					for k, b := range []device.Buffer{params[i], ms[i], vs[i]} {
						tail := float32(stateTail)
						if k == 0 {
							tail = paramTail
						}
						expectOptim(t, d, []string{"param", "m", "v"}[k]+what, b, want[i][k], bound[i][k], tail)
					}
				}
			}
		})
	}
}

// adamRef is one step of PyTorch's Adam/AdamW on one parameter, written from
// the AdamParams doc, at the tensor's step count step, returning the new
// parameter, m and v with their error bounds. The parameter's bound
// carries the rounding errors of this step's m and v through the update
// (to first order): where m cancels (a gradient changing sign), its
// absolute error is a large part of a small update.
func adamRef(p device.AdamParams, step int, param, grad, m, v float64) (newP, boundP, newM, boundM, newV, boundV float64) {
	lr, b1, b2, eps, wd := float64(p.LR), float64(p.Beta1), float64(p.Beta2), float64(p.Eps), float64(p.WeightDecay)
	g, gAbs := grad, math.Abs(grad)
	pAbs := math.Abs(param)
	if p.Decoupled {
		param *= 1 - lr*wd
	} else {
		g, gAbs = g+wd*param, gAbs+math.Abs(wd*param)
	}
	const terms = 6 // the most roundings on any path
	newM = b1*m + (1-b1)*g
	newV = b2*v + (1-b2)*g*g
	boundM = tol("accumulate").Bound(terms*(math.Abs(b1*m)+(1-b1)*gAbs), 0)
	boundV = tol("accumulate").Bound(terms*(b2*v+(1-b2)*gAbs*gAbs), 0)
	t := float64(step)
	bc1 := 1 - math.Pow(b1, t)
	vHat := newV / (1 - math.Pow(b2, t))
	delta := lr * (newM / bc1) / (math.Sqrt(vHat) + eps)
	// ∂delta/∂m = lr/(bc1·(√v̂+ε)); |∂delta/∂v|·δv ≤ |delta|·δv/(2v).
	fromMV := lr / bc1 * boundM / (math.Sqrt(vHat) + eps)
	if newV > 0 {
		fromMV += math.Abs(delta) * boundV / (2 * newV)
	}
	return param - delta, tol("accumulate").Bound(terms*(pAbs+math.Abs(delta)), 0) + tol("adam").Bound(delta, 0) + fromMV,
		newM, boundM, newV, boundV
}
