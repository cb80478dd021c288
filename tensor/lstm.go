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
// Each step is one kernel, device.LSTMStep (the product with whh and the
// cell); the backward pass is one a step as well (device.LSTMStepBackward,
// the product giving dh_t and the cell's backward; LSTMCellBackward for
// the step run last, whose dh_t is g_t alone), and the weight's gradient
// one product over all steps, where the steps as separate ops cost about
// twenty kernels each.
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
	bh, b4 := batch*hidden, 4*batch*hidden
	// y holds every h_t, then every c_t; the gates' activations are saved
	// for the backward pass.
	y := newTensor(sc, dev, device.Float32, []int{2, steps, batch, hidden})
	gates := newTensor(sc, dev, device.Float32, xw.shape)
	cOff := steps * bh
	// state returns the buffer and offset of h_{t−1} (or c_{t−1}) for the
	// n-th step: the initial state for the first.
	state := func(n int, initial *Tensor, off int) (device.Buffer, int) {
		if n == 0 {
			return initial.st.buf, 0
		}
		return y.st.buf, off + at(n-1)*bh
	}
	for n := range steps {
		t := at(n)
		hPrev, hOff := state(n, hc, 0)
		cPrev, cPrevOff := state(n, cc, cOff)
		dev.LSTMStep(y.st.buf, y.st.buf, gates.st.buf, xc.st.buf, hPrev, wc.st.buf, cPrev,
			device.LSTMCellParams{Batch: batch, Hidden: hidden, OffH: t * bh, OffC: cOff + t*bh, OffGates: t * b4, OffCPrev: cPrevOff,
				OffX: t * b4, OffHPrev: hOff})
	}
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
		for n := steps - 1; n >= 0; n-- {
			t := at(n)
			cPrev, cPrevOff := state(n, cc, cOff)
			p := device.LSTMCellParams{Batch: batch, Hidden: hidden, OffDGates: t * b4, OffDH: t * bh,
				OffGates: t * b4, OffC: cOff + t*bh, OffCPrev: cPrevOff}
			if n == steps-1 {
				// dh_t is g_t alone, and dc_t g's part for c.
				p.OffDC = cOff + last*bh
				dev.LSTMCellBackward(dgates.st.buf, dc.st.buf, gc.st.buf, gc.st.buf, gates.st.buf, y.st.buf, cPrev, p)
				continue
			}
			// dh_t = g_t + dgates_{t+1}·whh.
			p.OffDNext = at(n+1) * b4
			dev.LSTMStepBackward(dgates.st.buf, dc.st.buf, gc.st.buf, wc.st.buf, gates.st.buf, y.st.buf, cPrev, p)
		}
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
