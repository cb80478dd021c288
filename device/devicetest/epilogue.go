package devicetest

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/tensorgl/tensorgl/device"
)

// epilogueCase is a fused bias and activation for a MatMul or Conv2d case.
type epilogueCase struct {
	bias    bool
	offBias int
	act     device.Activation
	slope   float32
}

func (e epilogueCase) String() string {
	return fmt.Sprintf("bias=%v off=%d act=%v slope=%g", e.bias, e.offBias, e.act, e.slope)
}

// randomEpilogues returns n epilogues covering every activation, each with
// and without a bias.
func randomEpilogues(r *rand.Rand, n int) []epilogueCase {
	acts := append([]device.Activation{device.NoActivation}, device.Activations()...)
	es := make([]epilogueCase, n)
	for i := range es {
		es[i] = epilogueCase{bias: i%2 == 0 || i/2%len(acts) == 0, act: acts[i/2%len(acts)], offBias: r.IntN(3)}
		if es[i].act == device.ActLeakyRelu {
			es[i].slope = []float32{0.01, 0.2, -0.5}[r.IntN(3)]
		}
	}
	return es
}

// make uploads a bias of n values (after offBias values of padding) and
// returns the device Epilogue and the host bias.
func (e epilogueCase) make(t tb, d device.Device, r *rand.Rand, n int) (device.Epilogue, []float32) {
	de := device.Epilogue{Act: e.act, Slope: e.slope}
	if !e.bias {
		return de, nil
	}
	b := draw(r, e.offBias+n, device.Mostly(device.Between(-1, 1), device.Wide(2)))
	de.Bias, de.OffBias = upload(t, d, b), e.offBias
	return de, b[e.offBias:]
}

// apply finishes the reference of one output: z = sum + bias (bias nil or
// indexed by j), with error bound zb, then the activation. It returns the
// result and its bound: the activation's own tolerance plus zb times its
// steepest slope.
func (e epilogueCase) apply(sum, zb float64, bias []float32, j int) (float64, float64) {
	z := sum
	if bias != nil {
		z += float64(bias[j])
		zb += tol("round").Bound(z, 0) + tol("round").Bound(float64(bias[j]), 0)
	}
	if e.act == device.NoActivation {
		return z, zb
	}
	op := e.act.Unary()
	y, scale, arg := unaryRefs[op](z, float64(e.slope), 0)
	slope := 1.0
	if e.act == device.ActLeakyRelu {
		slope = max(1, math.Abs(float64(e.slope)))
	}
	return y, slope*zb + boundOf(op.Info().Tol, scale, arg)
}
