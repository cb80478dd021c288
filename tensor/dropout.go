package tensor

import "github.com/tensorgl/tensorgl/device"

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
	const op = "Dropout"
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
	sc, dev := ScopeOf(x), x.st.dev
	y := newTensor(sc, dev, device.Float32, x.shape)
	// The mask only for the backward: none where nothing will record.
	var mask *Tensor
	var maskBuf device.Buffer
	if x.requiresGrad && sc.GradEnabled() {
		mask = newTensor(sc, dev, device.Float32, x.shape)
		maskBuf = mask.st.buf
	}
	n := x.NumEl()
	rp := device.RandomParams{Dist: device.ScaledBernoulli, A: 1 - p, B: 1 / (1 - p), Seed: g.seed, Offset: g.take(n)}
	if n > 0 {
		// x in any layout: the kernel walks its strides.
		dev.RandomMul(y.st.buf, maskBuf, x.strided(), x.shape, rp)
	}
	y = record(op, y, []*Tensor{x}, func(gy *Tensor) []*Tensor {
		if gy.scaleApplied == y { // y's reader multiplied by the mask (dropoutOf)
			return []*Tensor{gy}
		}
		return []*Tensor{gy.Mul(mask)}
	})
	if y.node != nil {
		y.node.scale = mask
	}
	return y
}
