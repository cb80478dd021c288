package devicetest

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/tensorgl/tensorgl/device"
)

// epilogueCase is a fused residual, bias and activation (or activation
// derivative) for a MatMul or Conv2d case.
type epilogueCase struct {
	residual bool
	offRes   int
	bias     bool
	offBias  int
	act      device.Activation
	slope    float32
	grad     bool // multiply by the activation's derivative (ActOut)
	offOut   int
	scale    bool // multiply by a tensor before the activation (Scale: MatMul's alone)
	offScale int
	bias2    bool // a second bias, summed with the first (Bias2: MatMul's alone)
	offBias2 int
}

func (e epilogueCase) String() string {
	return fmt.Sprintf("residual=%v off=%d bias=%v off=%d bias2=%v off=%d scale=%v off=%d act=%v slope=%g grad=%v off=%d",
		e.residual, e.offRes, e.bias, e.offBias, e.bias2, e.offBias2, e.scale, e.offScale, e.act, e.slope, e.grad, e.offOut)
}

// randomEpilogues returns n epilogues covering every activation, each with
// and without a bias; past the first 2·(activations+1), each adds a
// residual and every other one takes the activation's derivative.
func randomEpilogues(r *rand.Rand, n int) []epilogueCase {
	acts := append([]device.Activation{device.NoActivation}, device.Activations()...)
	es := make([]epilogueCase, n)
	for i := range es {
		es[i] = epilogueCase{bias: i%2 == 0 || i/2%len(acts) == 0, act: acts[i/2%len(acts)], offBias: r.IntN(3)}
		if es[i].act == device.ActLeakyRelu {
			es[i].slope = []float32{0.01, 0.2, -0.5}[r.IntN(3)]
		}
		// From the second round on, a residual; every other one with an
		// activation takes its derivative instead.
		if i >= 2*len(acts) {
			es[i].residual, es[i].offRes = true, 1+r.IntN(3)
			es[i].grad, es[i].offOut = es[i].act != device.NoActivation && i%2 == 1, r.IntN(3)
		}
	}
	return es
}

// epilogueData is the host copy of an epilogue's operands: bias by column
// or channel, residual, scale and saved activation by position in the
// output.
type epilogueData struct{ bias, bias2, residual, scale, actOut []float32 }

// make uploads a bias of n values and a residual, scale and saved
// activation of size values (each after its offset's worth of padding) as
// e asks, and returns the device Epilogue and the host data.
func (e epilogueCase) make(t tb, d device.Device, r *rand.Rand, n, size int) (device.Epilogue, epilogueData) {
	de := device.Epilogue{Act: e.act, Slope: e.slope}
	var h epilogueData
	if e.bias {
		b := draw(r, e.offBias+n, device.Mostly(device.Between(-1, 1), device.Wide(2)))
		de.Bias, de.OffBias, h.bias = upload(t, d, b), e.offBias, b[e.offBias:]
	}
	if e.bias2 {
		b := draw(r, e.offBias2+n, device.Mostly(device.Between(-1, 1), device.Wide(2)))
		de.Bias2, de.OffBias2, h.bias2 = upload(t, d, b), e.offBias2, b[e.offBias2:]
	}
	if e.residual {
		v := draw(r, e.offRes+size, device.Mostly(device.Between(-1, 1), device.Wide(3)))
		de.Residual, de.OffResidual, h.residual = upload(t, d, v), e.offRes, v[e.offRes:]
	}
	if e.scale {
		// Dropout masks' values (0 and 1/(1−p)) among others of either sign.
		v := draw(r, e.offScale+size, device.Mostly(device.Between(-2, 2), device.OneOf(0, 1/(1-0.3), 2)))
		de.Scale, de.OffScale, h.scale = upload(t, d, v), e.offScale, v[e.offScale:]
	}
	if e.grad {
		// Saved outputs as the activation makes them: in (0, 1) for
		// sigmoid, (−1, 1) for tanh; ReLU's include exact zeros.
		dom := device.Mostly(device.Between(-1, 1), device.OneOf(0))
		if e.act == device.ActSigmoid {
			dom = device.Between(0, 1)
		}
		v := draw(r, e.offOut+size, dom)
		de.ActOut, de.OffActOut, h.actOut = upload(t, d, v), e.offOut, v[e.offOut:]
	}
	return de, h
}

// apply finishes the reference of one output, at position rel in the
// output and column or channel j: z = (sum + residual + bias)·scale (bias
// the sum of two where there is a second), with
// error bound zb, then the activation or its derivative. It returns the result
// and its bound: the activation's own tolerance plus zb times its steepest
// slope.
func (e epilogueCase) apply(sum, zb float64, h epilogueData, rel, j int) (float64, float64) {
	z := sum
	if h.residual != nil {
		z += float64(h.residual[rel])
		zb += tol("round").Bound(z, 0) + tol("round").Bound(float64(h.residual[rel]), 0)
	}
	if h.bias != nil {
		b := float64(h.bias[j])
		if h.bias2 != nil { // the biases' sum, rounded once, then added
			b += float64(h.bias2[j])
			zb += tol("round").Bound(b, 0)
		}
		z += b
		zb += tol("round").Bound(z, 0) + tol("round").Bound(b, 0)
	}
	if h.scale != nil {
		s := float64(h.scale[rel])
		z *= s
		zb = zb*math.Abs(s) + tol("round").Bound(z, 0)
	}
	if e.act == device.NoActivation {
		return z, zb
	}
	if h.actOut != nil {
		op := e.act.Grad()
		y := float64(h.actOut[rel])
		g, scale, arg := binaryRefs[op](z, y, float64(e.slope))
		// The derivative's size at y bounds how zb grows.
		d, _, _ := binaryRefs[op](1, y, float64(e.slope))
		return g, math.Abs(d)*zb + boundOf(op.Info().Tol, scale, arg)
	}
	op := e.act.Unary()
	y, scale, arg := unaryRefs[op](z, float64(e.slope), 0)
	slope := 1.0
	if e.act == device.ActLeakyRelu {
		slope = max(1, math.Abs(float64(e.slope)))
	}
	return y, slope*zb + boundOf(op.Info().Tol, scale, arg)
}
