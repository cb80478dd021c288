package tensor

import "github.com/tensorgl/tensorgl/device"

// GRU runs PyTorch's GRU layer over a time-major input projection xw
// [T, B, 3·H] (x·W_ihᵀ + b_ih, blocks r, z, n) with the hidden-to-hidden
// weight whh [3·H, H] and bias bhh [3·H] (nil: none):
//
//	hh = h_{t−1}·whhᵀ + bhh
//	r = σ(xw_r + hh_r), z = σ(xw_z + hh_z), n = tanh(xw_n + r·hh_n)
//	h_t = (1 − z)·n + z·h_{t−1}
//
// for t = 0, 1, …, T−1 from h0 [B, H] (nil: zeros), or from the last step
// to the first when reverse, and returns every h_t as [T, B, H].
//
// The recurrence is one device op, device.GRU (a backend without a kernel
// for the whole sequence runs one GRUStep, the product hh, its bias and the
// cell, a step), and so is its backward pass (device.GRUBackward); the
// weight's gradient is one product over all steps. As separate ops, the
// steps cost about twenty kernels each.
func GRU(xw, whh, bhh, h0 *Tensor, reverse bool) *Tensor {
	const op = "GRU"
	ins := []*Tensor{xw, whh}
	for _, s := range []*Tensor{bhh, h0} {
		if s != nil {
			ins = append(ins, s)
		}
	}
	wantFloat(op, ins...)
	dev := sameDevice(op, ins...)
	steps, batch, hidden := checkSequence(op, xw, whh, 3, h0)
	if bhh != nil && (len(bhh.shape) != 1 || bhh.shape[0] != 3*hidden) {
		fail(op, "bias %v for weight %v, want [%d]", bhh.shape, whh.shape, 3*hidden)
	}
	sc := ScopeOf(ins...)
	xc, wc := xw.Contiguous(), whh.Contiguous()
	hc := initialState(sc, dev, h0, batch, hidden)
	var bc *Tensor
	var bias device.Buffer
	if bhh != nil {
		bc = bhh.Contiguous()
		bias = bc.st.buf
	}
	at := func(n int) int { return stepAt(n, steps, reverse) }
	rp := device.RecurrenceParams{Steps: steps, Batch: batch, Hidden: hidden, Reverse: reverse}
	y := newTensor(sc, dev, device.Float32, []int{steps, batch, hidden})
	gates := newTensor(sc, dev, device.Float32, []int{steps, batch, 4 * hidden}) // r, z, n, hh_n
	dev.GRU(y.st.buf, gates.st.buf, xc.st.buf, wc.st.buf, bias, hc.st.buf, rp)
	var h0In *Tensor
	if h0 != nil {
		h0In = hc
	}
	return record(op, y, []*Tensor{xc, wc, bc, h0In}, func(g *Tensor) []*Tensor {
		gc := g.Contiguous()
		bs := ScopeOf(g)
		dx := newTensor(bs, dev, device.Float32, xw.shape)
		dhh := newTensor(bs, dev, device.Float32, xw.shape)
		dh := newTensor(bs, dev, device.Float32, []int{batch, hidden}) // dh_{t−1}, in place; dh0 at the end
		wantH0 := h0 != nil && hc.requiresGrad
		dev.GRUBackward(dx.st.buf, dhh.st.buf, dh.st.buf, gc.st.buf, wc.st.buf, gates.st.buf, y.st.buf, hc.st.buf, rp)
		if wantH0 {
			// dh0 = dhh_0·whh + dh_0·z_0.
			dev.MatMul(dh.st.buf, dhh.st.buf, wc.st.buf, device.Epilogue{},
				device.MatMulParams{Batch: 1, M: batch, N: hidden, K: 3 * hidden, Alpha: 1, Beta: 1, OffA: at(0) * 3 * batch * hidden, StrideC: batch * hidden})
		}
		var gx, gw, gb, gh *Tensor
		if xc.requiresGrad {
			gx = dx
		}
		if wc.requiresGrad {
			gw = hiddenWeightGrad(dhh, y.Detach(), h0In, reverse, wc.shape)
		}
		if bc != nil && bc.requiresGrad {
			gb = dhh.Reshape(-1, 3*hidden).Sum(0)
		}
		if wantH0 {
			gh = dh
		}
		return []*Tensor{gx, gw, gb, gh}
	})
}
