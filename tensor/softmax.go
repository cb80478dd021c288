package tensor

import (
	"runtime"

	"github.com/tensorgl/tensorgl/device"
)

// Softmax normalises exp(t) along dim to sum to one.
func (t *Tensor) Softmax(dim int) *Tensor { return t.softmax("Softmax", dim, false) }

// LogSoftmax is log(Softmax(dim)), computed stably.
func (t *Tensor) LogSoftmax(dim int) *Tensor { return t.softmax("LogSoftmax", dim, true) }

func (t *Tensor) softmax(op string, dim int, log bool) *Tensor {
	wantFloat(op, t)
	t.live(op)
	if len(t.shape) == 0 {
		fail(op, "want at least one dimension, got a scalar")
	}
	d := t.axis(op, dim)
	last := len(t.shape) - 1
	if d != last {
		return t.Transpose(d, last).softmax(op, last, log).Transpose(d, last)
	}
	dev := t.st.dev
	xc := t.Contiguous()
	p := device.SoftmaxParams{Rows: device.NumElements(t.shape[:last]), N: t.shape[last], Log: log}
	y := newTensor(ScopeOf(t), dev, device.Float32, t.shape)
	if y.NumEl() > 0 {
		dev.Softmax(y.st.buf, xc.st.buf, p)
		runtime.KeepAlive(xc) // a copy only this call reads
	}
	return record(op, y, []*Tensor{t}, func(g *Tensor) []*Tensor {
		gx := newTensor(ScopeOf(g), dev, device.Float32, t.shape)
		dev.SoftmaxBackward(gx.st.buf, y.st.buf, g.Contiguous().st.buf, p)
		return []*Tensor{gx}
	})
}
