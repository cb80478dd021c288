package tensor

import (
	"slices"

	"github.com/tensorgl/tensorgl/device"
)

// SGDStep updates param in place with the fused SGD kernel (see
// device.SGDParams); buf is the momentum buffer (nil without momentum).
// The update is not recorded by autograd.
func SGDStep(param, grad, buf *Tensor, p device.SGDParams) {
	ts := []*Tensor{param, grad}
	if buf != nil {
		ts = append(ts, buf)
	}
	checkUpdate("SGDStep", ts...)
	param.st.dev.SGDStep(param.st.buf, grad.Contiguous().st.buf, bufOf(buf), p)
}

// AdamStep updates param, m and v in place with the fused Adam/AdamW
// kernel (see device.AdamParams).
func AdamStep(param, grad, m, v *Tensor, p device.AdamParams) {
	checkUpdate("AdamStep", param, grad, m, v)
	param.st.dev.AdamStep(param.st.buf, grad.Contiguous().st.buf, m.st.buf, v.st.buf, p)
}

func checkUpdate(op string, ts ...*Tensor) {
	wantFloat(op, ts...)
	sameDevice(op, ts...)
	for i, t := range ts {
		if !slices.Equal(t.shape, ts[0].shape) {
			fail(op, "operand %d has shape %v, parameter %v", i, t.shape, ts[0].shape)
		}
		if i != 1 && (!t.IsContiguous() || t.offset != 0) {
			fail(op, "operand %d %v must be a whole contiguous tensor", i, t.shape)
		}
	}
}
