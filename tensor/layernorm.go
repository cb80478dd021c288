package tensor

import (
	"runtime"
	"slices"

	"github.com/tensorgl/tensorgl/device"
)

// LayerNorm normalises x over its last dimensions, those of normalized
// (x's shape must end in it), and applies the elementwise affine map of
// weight and bias (of shape normalized; nil for none: weight 1, bias 0),
// as PyTorch's layer_norm:
//
//	y = (x − μ)/√(σ² + eps)·weight + bias
//
// with μ and σ² the mean and biased variance of each of x's rows of
// normalized's size. It runs as one kernel (the rows' statistics and the
// normalisation) where the separate ops take about nine, and its backward
// as one (dx, and the gradients of weight and bias summed over the rows)
// where they take about twenty.
func LayerNorm(x *Tensor, normalized []int, weight, bias *Tensor, eps float32) *Tensor {
	const op = "LayerNorm"
	ins := []*Tensor{x}
	for _, t := range []*Tensor{weight, bias} {
		if t != nil {
			ins = append(ins, t)
		}
	}
	wantFloat(op, ins...)
	dev := sameDevice(op, ins...)
	for _, t := range ins {
		t.live(op)
	}
	k := len(normalized)
	if k == 0 || len(x.shape) < k || !slices.Equal(x.shape[len(x.shape)-k:], normalized) {
		fail(op, "input %v does not end in the normalized shape %v", x.shape, normalized)
	}
	for _, t := range ins[1:] {
		if !slices.Equal(t.shape, normalized) {
			fail(op, "want weight and bias %v, got %v", normalized, t.shape)
		}
	}
	p := device.LayerNormParams{Rows: 1, Cols: 1, Eps: eps}
	for _, s := range normalized {
		p.Cols *= s
	}
	for _, s := range x.shape[:len(x.shape)-k] {
		p.Rows *= s
	}
	sc := ScopeOf(ins...)
	// The kernels take both or neither: one alone gets the other's
	// identity.
	switch {
	case weight == nil && bias != nil:
		weight = fullOn(sc, dev, 1, normalized)
	case bias == nil && weight != nil:
		bias = fullOn(sc, dev, 0, normalized)
	}
	xc := x.Contiguous()
	var wc, bc *Tensor
	var wb, bb device.Buffer
	if weight != nil {
		wc, bc = weight.Contiguous(), bias.Contiguous()
		wb, bb = wc.st.buf, bc.st.buf
	}
	y := newTensor(sc, dev, device.Float32, x.shape)
	// The statistics the normalisation used, held by the backward closure
	// as tensors (as BatchNorm's).
	meanT, rstdT := newTensor(sc, dev, device.Float32, []int{p.Rows}), newTensor(sc, dev, device.Float32, []int{p.Rows})
	if p.Rows > 0 && p.Cols > 0 {
		dev.LayerNorm(y.st.buf, meanT.st.buf, rstdT.st.buf, xc.st.buf, wb, bb, p)
	}
	return record(op, y, []*Tensor{xc, wc, bc}, func(g *Tensor) []*Tensor {
		gc := g.Contiguous()
		bs := ScopeOf(g)
		var gx, dw, db *Tensor
		var dwb, dbb device.Buffer
		if wc != nil && wc.requiresGrad {
			dw = newTensor(bs, dev, device.Float32, normalized)
			dwb = dw.st.buf
		}
		if bc != nil && bc.requiresGrad {
			db = newTensor(bs, dev, device.Float32, normalized)
			dbb = db.st.buf
		}
		gx = newTensor(bs, dev, device.Float32, x.shape)
		if p.Rows > 0 && p.Cols > 0 {
			dev.LayerNormBackward(gx.st.buf, dwb, dbb, gc.st.buf, xc.st.buf, meanT.st.buf, rstdT.st.buf, wb, p)
		} else {
			for _, t := range []*Tensor{dw, db} {
				if t != nil {
					dev.Fill(t.st.buf, 0, p.Cols, 0)
				}
			}
		}
		runtime.KeepAlive(meanT)
		runtime.KeepAlive(rstdT)
		if !xc.requiresGrad {
			gx = nil
		}
		return []*Tensor{gx, dw, db}
	})
}
