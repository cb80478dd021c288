package tensor

import (
	"slices"

	"github.com/tensorgl/tensorgl/device"
)

// Dropout returns x with each element zeroed with probability p and the
// others scaled by 1/(1−p): inverted dropout in training mode, as PyTorch's
// torch.nn.functional.dropout. The mask is drawn from g on x's device and
// applied in the same kernel (device RandomMul); the backward multiplies
// the gradient by the same mask, in the epilogue of the product that
// computes the gradient where the result's only reader is a Linear (see
// dropoutOf). The result has the bits of
// x.Mul(ScaledBernoulli(g, 1−p, 1/(1−p), x.Shape()...)) and takes the same
// counters from g. p = 0 returns x; p = 1 returns zeros (x·0).
func Dropout(g *Generator, x *Tensor, p float32) *Tensor {
	if y := dropoutEdge("Dropout", x, p); y != nil {
		return y
	}
	y, mask := dropout("Dropout", g, x, p, nil)
	if y.node != nil {
		y.node.scale = mask
	}
	return y
}

// DropoutAdd is residual.Add(Dropout(g, x, p)) in one kernel, with its
// bits and its draws from g: the dropout of a sublayer's output and the
// residual connection after it (a Transformer's, as Megatron's fused
// bias-dropout-add). residual has x's shape; either may be any view.
func DropoutAdd(g *Generator, x *Tensor, p float32, residual *Tensor) *Tensor {
	const op = "DropoutAdd"
	wantFloat(op, residual)
	sameDevice(op, x, residual)
	if !slices.Equal(x.shape, residual.shape) {
		fail(op, "residual %v, want x's shape %v", residual.shape, x.shape)
	}
	if y := dropoutEdge(op, x, p); y != nil {
		return residual.Add(y)
	}
	y, _ := dropout(op, g, x, p, residual)
	return y
}

// dropoutEdge checks p and x, and returns the dropout of x where p is 0
// (x) or 1 (zeros, x·0), with no draws; else nil.
func dropoutEdge(op string, x *Tensor, p float32) *Tensor {
	if !(p >= 0 && p <= 1) {
		fail(op, "want a drop probability in [0, 1], got %g", p)
	}
	wantFloat(op, x)
	x.live(op)
	switch p {
	case 0:
		return x
	case 1:
		// Scaling by 1/(1−p) would give 0·∞ = NaN.
		return x.MulScalar(0)
	}
	return nil
}

// dropout draws x's dropout with p in (0, 1) from g in RandomMul's one
// kernel, with residual added where it is not nil, and records it; mask
// is the mask with its scale, where a backward will need it.
func dropout(op string, g *Generator, x *Tensor, p float32, residual *Tensor) (y, mask *Tensor) {
	sc, dev := ScopeOf(x, residual), x.st.dev
	y = newTensor(sc, dev, device.Float32, x.shape)
	// The mask only for the backward: none where nothing will record.
	var maskBuf device.Buffer
	if x.requiresGrad && sc.GradEnabled() {
		mask = newTensor(sc, dev, device.Float32, x.shape)
		maskBuf = mask.st.buf
	}
	var res device.Strided
	if residual != nil {
		residual.live(op)
		res = residual.strided()
	}
	n := x.NumEl()
	rp := device.RandomParams{Dist: device.ScaledBernoulli, A: 1 - p, B: 1 / (1 - p), Seed: g.seed, Offset: g.take(n)}
	if n > 0 {
		// x and residual in any layout: the kernel walks their strides.
		dev.RandomMul(y.st.buf, maskBuf, x.strided(), res, x.shape, rp)
	}
	y = record(op, y, []*Tensor{x, residual}, func(gy *Tensor) []*Tensor {
		var gx *Tensor
		switch {
		case !x.requiresGrad:
		case gy.scaleApplied == y: // y's reader multiplied by the mask (dropoutOf)
			gx = gy
		default:
			gx = gy.Mul(mask)
		}
		if residual == nil {
			return []*Tensor{gx, nil}
		}
		return []*Tensor{gx, gy}
	})
	return y, mask
}
