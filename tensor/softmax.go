package tensor

import (
	"runtime"

	"github.com/tensorgl/tensorgl/device"
)

// Softmax normalises exp(t) along dim to sum to one.
func (t *Tensor) Softmax(dim int) *Tensor { return t.softmax("Softmax", dim, false, false) }

// LogSoftmax is log(Softmax(dim)), computed stably.
func (t *Tensor) LogSoftmax(dim int) *Tensor { return t.softmax("LogSoftmax", dim, false, true) }

// CausalSoftmax is Softmax(−1) of t [..., L, S] with the elements above the
// diagonal left out, as an additive −∞ mask would (attention's causal
// mask: query i attends to keys j ≤ i): those are 0 and each row's softmax
// runs over the rest, in one kernel without a mask tensor.
func (t *Tensor) CausalSoftmax() *Tensor {
	if len(t.shape) < 2 {
		fail("CausalSoftmax", "want at least two dimensions (queries and keys), got shape %v", t.shape)
	}
	return t.softmax("CausalSoftmax", -1, true, false)
}

func (t *Tensor) softmax(op string, dim int, causal, log bool) *Tensor {
	wantFloat(op, t)
	t.live(op)
	if len(t.shape) == 0 {
		fail(op, "want at least one dimension, got a scalar")
	}
	d := t.axis(op, dim)
	last := len(t.shape) - 1
	if d != last {
		return t.Transpose(d, last).softmax(op, last, causal, log).Transpose(d, last)
	}
	dev := t.st.dev
	xc := t.Contiguous()
	p := device.SoftmaxParams{Rows: device.NumElements(t.shape[:last]), N: t.shape[last], Log: log}
	if causal && p.Rows > 0 {
		p.Causal = t.shape[last-1]
	}
	y := newTensor(ScopeOf(t), dev, device.Float32, t.shape)
	if y.NumEl() > 0 {
		dev.Softmax(y.st.buf, xc.st.buf, p)
		runtime.KeepAlive(xc) // a copy only this call reads
	}
	return record(op, y, []*Tensor{t}, func(g *Tensor) []*Tensor {
		gx := newTensor(ScopeOf(g), dev, device.Float32, t.shape)
		if gx.NumEl() > 0 {
			dev.SoftmaxBackward(gx.st.buf, y.st.buf, g.Contiguous().st.buf, p)
		}
		return []*Tensor{gx}
	})
}
