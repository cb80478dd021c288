package tensor

import (
	"runtime"

	"github.com/tensorgl/tensorgl/device"
)

// SumSquares returns Σ x² over every element of every tensor of ts, as a
// float32 scalar: the square of their joint 2-norm (a gradient norm's), in
// one device call (device.SumSquares) where Square and Sum take two
// kernels a tensor and an Add to join them. The sum's order depends on the
// tensors' sizes alone. All tensors must be float32 on one device; there
// must be at least one. It is not recorded by autograd: for a norm to
// differentiate, use Square and Sum.
func SumSquares(ts ...*Tensor) *Tensor {
	sq, _ := sumSquares("SumSquares", false, ts)
	return sq
}

// SumSquaresNorm is SumSquares that also returns the norm, the sum's square
// root (with Sqrt's bits), from the same device call: a gradient norm's
// square for ClipScale and the norm to return, where Sqrt would take a
// kernel more.
func SumSquaresNorm(ts ...*Tensor) (sq, norm *Tensor) {
	return sumSquares("SumSquaresNorm", true, ts)
}

// sumSquares is SumSquares, with the norm where withNorm.
func sumSquares(op string, withNorm bool, ts []*Tensor) (sq, norm *Tensor) {
	if len(ts) == 0 {
		fail(op, "no tensors")
	}
	wantFloat(op, ts...)
	dev := sameDevice(op, ts...)
	sc := ScopeOf(ts...)
	sq = newTensor(sc, dev, device.Float32, []int{})
	var nb device.Buffer
	if withNorm {
		norm = newTensor(sc, dev, device.Float32, []int{})
		nb = norm.st.buf
	}
	cs := make([]*Tensor, len(ts))
	spans := make([]device.Span, len(ts))
	for i, t := range ts {
		cs[i] = t.Contiguous()
		spans[i] = device.Span{Buf: cs[i].st.buf, N: t.NumEl()}
	}
	dev.SumSquares(sq.st.buf, nb, spans)
	runtime.KeepAlive(cs)
	return sq, norm
}

// ClipScale multiplies every tensor of ts in place by
// maxNorm/(√sq + 1e-6), computed in float32, where that factor is below 1
// and sq is finite, and leaves them alone otherwise: the second half of
// gradient clipping by norm, sq the norm's square from SumSquares. The
// factor is read on the device (device.ClipScale), so nothing waits for
// it. ts must be whole contiguous float32 tensors on sq's device, none
// sharing storage with another; sq a float32 tensor of one element. It is
// not recorded by autograd.
func ClipScale(ts []*Tensor, sq *Tensor, maxNorm float32) {
	const op = "ClipScale"
	if sq == nil {
		fail(op, "no norm's square")
	}
	sq.live(op)
	wantFloat(op, sq)
	if sq.NumEl() != 1 {
		fail(op, "norm's square has shape %v, want one element", sq.shape)
	}
	if len(ts) == 0 {
		return
	}
	c := newUpdateCheck(op, ts[0], len(ts))
	spans := make([]device.Span, len(ts))
	for i, t := range ts {
		c.check(i, updateOperand{"tensor", t, true})
		spans[i] = device.Span{Buf: t.st.buf, N: t.NumEl()}
	}
	if sq.st.dev != c.dev {
		fail(op, "norm's square is on device %s, the tensors on %s", sq.st.dev.Info().Name, c.dev.Info().Name)
	}
	s := sq.Contiguous()
	c.dev.ClipScale(spans, s.st.buf, maxNorm)
	runtime.KeepAlive(s)
}
