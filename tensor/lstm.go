package tensor

import "github.com/tensorgl/tensorgl/device"

// LSTM runs PyTorch's LSTM layer over a time-major input projection xw
// [T, B, 4·H] (x·W_ihᵀ + b_ih + b_hh, blocks i, f, g, o) with the
// hidden-to-hidden weight whh [4·H, H]:
//
//	i, f, g, o = σ, σ, tanh, σ of the blocks of xw_t + h_{t−1}·whhᵀ
//	c_t = f·c_{t−1} + i·g,  h_t = o·tanh(c_t)
//
// for t = 0, 1, …, T−1 from h0 and c0 [B, H] (nil: zeros), or from the last
// step to the first when reverse. It returns every h_t as [T, B, H] and the
// cell state after the last step run (the first when reverse) as [B, H].
//
// The recurrence is one device op, device.LSTM (a backend without a
// kernel for the whole sequence runs one LSTMStep, the product with whh and
// the cell, a step), and so is its backward pass (device.LSTMBackward);
// the weight's gradient is one product over all steps. As separate ops,
// the steps cost about twenty kernels each.
func LSTM(xw, whh, h0, c0 *Tensor, reverse bool) (h, c *Tensor) {
	const op = "LSTM"
	ins := []*Tensor{xw, whh}
	for _, s := range []*Tensor{h0, c0} {
		if s != nil {
			ins = append(ins, s)
		}
	}
	wantFloat(op, ins...)
	dev := sameDevice(op, ins...)
	steps, batch, hidden := checkSequence(op, xw, whh, 4, h0, c0)
	sc := ScopeOf(ins...)
	xc, wc := xw.Contiguous(), whh.Contiguous()
	hc, cc := initialState(sc, dev, h0, batch, hidden), initialState(sc, dev, c0, batch, hidden)
	at := func(n int) int { return stepAt(n, steps, reverse) }
	rp := device.RecurrenceParams{Steps: steps, Batch: batch, Hidden: hidden, Reverse: reverse}
	// y holds every h_t, then every c_t; the gates' activations are saved
	// for the backward pass.
	y := newTensor(sc, dev, device.Float32, []int{2, steps, batch, hidden})
	gates := newTensor(sc, dev, device.Float32, xw.shape)
	dev.LSTM(y.st.buf, gates.st.buf, xc.st.buf, wc.st.buf, hc.st.buf, cc.st.buf, rp)
	var h0In, c0In *Tensor
	if h0 != nil {
		h0In = hc
	}
	if c0 != nil {
		c0In = cc
	}
	last := at(steps - 1)
	out := record(op, y, []*Tensor{xc, wc, h0In, c0In}, func(g *Tensor) []*Tensor {
		// g's part for c is zero but at the last step: only c_T is
		// returned.
		gc := g.Contiguous()
		bs := ScopeOf(g)
		dgates := newTensor(bs, dev, device.Float32, xw.shape)
		dc := newTensor(bs, dev, device.Float32, []int{batch, hidden}) // dc_{t−1}, in place; dc0 at the end
		dev.LSTMBackward(dgates.st.buf, dc.st.buf, gc.st.buf, wc.st.buf, gates.st.buf, y.st.buf, cc.st.buf, rp)
		var gx, gw, gh, gcs *Tensor
		if xc.requiresGrad {
			gx = dgates
		}
		if wc.requiresGrad {
			gw = hiddenWeightGrad(dgates, y.Detach().Select(0, 0), h0In, reverse, wc.shape)
		}
		if h0 != nil && hc.requiresGrad {
			gh = dgates.Select(0, at(0)).MatMul(wc.Detach())
		}
		if c0 != nil && cc.requiresGrad {
			gcs = dc
		}
		return []*Tensor{gx, gw, gh, gcs}
	})
	return out.Select(0, 0), out.Select(0, 1).Select(0, last)
}
