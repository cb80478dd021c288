package nn

import (
	"math"
	"testing"

	"github.com/tensorgl/tensorgl/tensor"
)

// TestAttentionBatchFirstRunsSequenceFirst: a batch-first encoder layer
// gives, to the bit, the transposed outputs of the same layer
// sequence-first (it lays its input out sequence-first and runs the same
// kernels), its input's gradient within roundings, and costs at most three
// kernels more a step than it: the input's copy forward; backward, the
// copy of its output's gradient (which arrives batch-first) for the output
// projection, and the Add of the input's two gradients, which the
// attention's projections, reading the copy, can no longer sum in their
// products.
func TestAttentionBatchFirstRunsSequenceFirst(t *testing.T) {
	const l, n, e = 5, 3, 16
	x := tensor.RandN(tensor.NewGenerator(3), l, n, e)
	run := func(batchFirst bool) (out, grad []float32, kernels int64) {
		g := tensor.NewGenerator(1)
		layer := NewTransformerEncoderLayer(e, 4, TransformerEncoderLayerOpts{FeedForward: 32, BatchFirst: batchFirst}, g)
		in := x
		if batchFirst {
			in = x.Transpose(0, 1).Contiguous()
		}
		for range 2 { // the second step counted
			tensor.Tidy(func(s *tensor.Scope) {
				xi := in.Detach().SetRequiresGrad(true)
				var y *tensor.Tensor
				kernels = countDispatches(t, func() {
					y = layer.ForwardMasked(xi, AttentionMask{Causal: true})
					y.Square().Sum().Backward()
				})
				gx := xi.Grad()
				if batchFirst {
					y, gx = y.Transpose(0, 1), gx.Transpose(0, 1)
				}
				out, grad = y.Data(), gx.Data()
			})
		}
		return out, grad, kernels
	}
	sOut, sGrad, sKernels := run(false)
	bOut, bGrad, bKernels := run(true)
	for i := range sOut {
		if math.Float32bits(sOut[i]) != math.Float32bits(bOut[i]) {
			t.Fatalf("output [%d]: batch first %v, sequence first %v", i, bOut[i], sOut[i])
		}
	}
	// The input's gradient sums the residual stream's and the
	// projections' in another order (see above): within a few roundings
	// of the largest.
	var scale float64
	for _, v := range sGrad {
		scale = max(scale, math.Abs(float64(v)))
	}
	for i := range sGrad {
		if d := math.Abs(float64(sGrad[i]) - float64(bGrad[i])); d > 8*0x1p-24*scale {
			t.Fatalf("input gradient [%d]: batch first %v, sequence first %v", i, bGrad[i], sGrad[i])
		}
	}
	t.Logf("a step: %d kernels sequence first, %d batch first", sKernels, bKernels)
	if bKernels > sKernels+3 {
		t.Errorf("a step batch first: %d kernels, sequence first %d: want at most 3 more", bKernels, sKernels)
	}
}
