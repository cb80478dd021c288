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
// Each step is one kernel, device.GRUStep (the product hh, its bias, and
// the cell); the backward pass is one a step as well
// (device.GRUStepBackward: the product adding dhh_{t+1}·whh and the
// output's gradient to dh_t, then the cell's backward;
// device.GRUCellBackward alone for the step run last), and the weight's
// gradient one product over all steps, where the steps as separate ops
// cost about twenty kernels each.
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
	bh, b3, b4 := batch*hidden, 3*batch*hidden, 4*batch*hidden
	y := newTensor(sc, dev, device.Float32, []int{steps, batch, hidden})
	gates := newTensor(sc, dev, device.Float32, []int{steps, batch, 4 * hidden}) // r, z, n, hh_n
	// hPrev returns the buffer and offset of h_{t−1} for the n-th step.
	hPrev := func(n int) (device.Buffer, int) {
		if n == 0 {
			return hc.st.buf, 0
		}
		return y.st.buf, at(n-1) * bh
	}
	for n := range steps {
		t := at(n)
		prev, prevOff := hPrev(n)
		dev.GRUStep(y.st.buf, gates.st.buf, xc.st.buf, prev, wc.st.buf, bias,
			device.GRUCellParams{Batch: batch, Hidden: hidden, OffH: t * bh, OffGates: t * b4, OffX: t * b3, OffHPrev: prevOff})
	}
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
		for n := steps - 1; n >= 0; n-- {
			t := at(n)
			prev, prevOff := hPrev(n)
			p := device.GRUCellParams{Batch: batch, Hidden: hidden, OffDX: t * b3, OffDHH: t * b3,
				OffGates: t * b4, OffHPrev: prevOff}
			if n == steps-1 {
				// The last step's dh is g_t alone; dh then holds dh_t·z.
				p.OffDH = t * bh
				dev.GRUCellBackward(dx.st.buf, dhh.st.buf, dh.st.buf, gc.st.buf, gates.st.buf, prev, p)
				continue
			}
			// dh_t = (dhh_{t+1}·whh + dh_{t+1}·z_{t+1}) + g_t, then the
			// cell's backward leaves dh_t·z_t in dh.
			p.OffG, p.OffDNext = t*bh, at(n+1)*b3
			dev.GRUStepBackward(dx.st.buf, dhh.st.buf, dh.st.buf, gc.st.buf, wc.st.buf, gates.st.buf, prev, p)
		}
		if wantH0 {
			// dh0 = dhh_0·whh + dh_0·z_0.
			dev.MatMul(dh.st.buf, dhh.st.buf, wc.st.buf, device.Epilogue{},
				device.MatMulParams{Batch: 1, M: batch, N: hidden, K: 3 * hidden, Alpha: 1, Beta: 1, OffA: at(0) * b3, StrideC: bh})
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
