package devicetest

import (
	"fmt"
	"math"

	"github.com/tensorgl/tensorgl/device"
)

// optimSize is the number of parameters each optimizer test updates.
const optimSize = 257

// optimSteps is the number of updates each optimizer test checks.
const optimSteps = 4

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

func testSGDStep(t tb, d device.Device) {
	for _, c := range sgdCases {
		subtest(t, c.name, func(t tb) {
			r := newRand(t)
			param := upload(t, d, draw(r, optimSize, device.Mostly(device.Between(-1, 1), device.Wide(3))))
			var buf device.Buffer
			if c.p.Momentum != 0 {
				buf = upload(t, d, filled(optimSize, float32(math.NaN()))) // written, not read, on the first step
			}
			for step := range optimSteps {
				p := c.p
				p.FirstStep = step == 0
				grad := draw(r, optimSize, device.Mostly(device.Between(-1, 1), device.Wide(3)))
				p0 := download(t, d, param, optimSize)
				b0 := filled(optimSize, 0)
				if buf != nil {
					b0 = download(t, d, buf, optimSize)
				}
				wantP, boundP := make([]float64, optimSize), make([]float64, optimSize)
				wantB, boundB := make([]float64, optimSize), make([]float64, optimSize)
				for i := range wantP {
					wantP[i], boundP[i], wantB[i], boundB[i] = sgdRef(p, float64(p0[i]), float64(grad[i]), float64(b0[i]))
				}
				d.SGDStep(param, upload(t, d, grad), buf, p)
				what := fmt.Sprintf("step %d, %s", step+1, describe(p))
				expectClose(t, "param after "+what, download(t, d, param, optimSize), wantP, boundP)
				if buf != nil {
					expectClose(t, "momentum buffer after "+what, download(t, d, buf, optimSize), wantB, boundB)
				}
			}
		})
	}
}

// sgdRef is one step of torch.optim.SGD on one parameter, written from the
// SGDParams doc. It returns the new parameter and momentum buffer with
// their error bounds: the same expressions over magnitudes give the scale.
func sgdRef(p device.SGDParams, param, grad, buf float64) (newP, boundP, newBuf, boundBuf float64) {
	lr, mom, damp, wd := float64(p.LR), float64(p.Momentum), float64(p.Dampening), float64(p.WeightDecay)
	g, gAbs := grad+wd*param, math.Abs(grad)+math.Abs(wd*param)
	if mom != 0 {
		if p.FirstStep {
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
			param := upload(t, d, draw(r, optimSize, device.Mostly(device.Between(-1, 1), device.Wide(3))))
			m, v := upload(t, d, filled(optimSize, 0)), upload(t, d, filled(optimSize, 0))
			if c.firstStep > 1 {
				m, v = upload(t, d, draw(r, optimSize, device.Between(-0.1, 0.1))), upload(t, d, draw(r, optimSize, device.Between(0, 0.01)))
			}
			for step := range optimSteps {
				p := c.p
				p.Step = c.firstStep + step
				grad := draw(r, optimSize, device.Mostly(device.Between(-1, 1), device.Wide(3)))
				p0, m0, v0 := download(t, d, param, optimSize), download(t, d, m, optimSize), download(t, d, v, optimSize)
				want := [3][]float64{make([]float64, optimSize), make([]float64, optimSize), make([]float64, optimSize)}
				bound := [3][]float64{make([]float64, optimSize), make([]float64, optimSize), make([]float64, optimSize)}
				for i := range optimSize {
					want[0][i], bound[0][i], want[1][i], bound[1][i], want[2][i], bound[2][i] =
						adamRef(p, float64(p0[i]), float64(grad[i]), float64(m0[i]), float64(v0[i]))
				}
				d.AdamStep(param, upload(t, d, grad), m, v, p)
				what := fmt.Sprintf(" after step %d, %s", p.Step, describe(p))
				expectClose(t, "param"+what, download(t, d, param, optimSize), want[0], bound[0])
				expectClose(t, "m"+what, download(t, d, m, optimSize), want[1], bound[1])
				expectClose(t, "v"+what, download(t, d, v, optimSize), want[2], bound[2])
			}
		})
	}
}

// adamRef is one step of PyTorch's Adam/AdamW on one parameter, written from
// the AdamParams doc, returning the new parameter, m and v with their error
// bounds.
func adamRef(p device.AdamParams, param, grad, m, v float64) (newP, boundP, newM, boundM, newV, boundV float64) {
	lr, b1, b2, eps, wd := float64(p.LR), float64(p.Beta1), float64(p.Beta2), float64(p.Eps), float64(p.WeightDecay)
	g, gAbs := grad, math.Abs(grad)
	pAbs := math.Abs(param)
	if p.Decoupled {
		param *= 1 - lr*wd
	} else {
		g, gAbs = g+wd*param, gAbs+math.Abs(wd*param)
	}
	newM = b1*m + (1-b1)*g
	newV = b2*v + (1-b2)*g*g
	t := float64(p.Step)
	mHat := newM / (1 - math.Pow(b1, t))
	vHat := newV / (1 - math.Pow(b2, t))
	delta := lr * mHat / (math.Sqrt(vHat) + eps)
	const terms = 6 // the most roundings on any path
	return param - delta, tol("accumulate").Bound(terms*(pAbs+math.Abs(delta)), 0) + tol("adam").Bound(delta, 0),
		newM, tol("accumulate").Bound(terms*(math.Abs(b1*m)+(1-b1)*gAbs), 0),
		newV, tol("accumulate").Bound(terms*(b2*v+(1-b2)*gAbs*gAbs), 0)
}
