package tensor

import "github.com/tensorgl/tensorgl/device"

// Recurrence runs the Elman recurrence over a time-major input projection
// xw [T, B, H] with the hidden-to-hidden weight whh [H, H]:
//
//	h_t = act(xw_t + h_{t−1}·whhᵀ)
//
// for t = 0, 1, …, T−1 from h_{−1} = h0 [B, H] (nil: zeros), or for
// t = T−1, …, 0 when reverse (h_{T} = h0), and returns every h_t as
// [T, B, H]. It is PyTorch's RNN layer given x·W_ihᵀ + biases.
//
// Each step is one kernel: a matrix product whose epilogue adds xw_t and
// applies act, writing h_t in place in the result. The backward pass is one
// kernel a step as well (the product with whh, plus the incoming gradient,
// times act′ from the saved h_t), and the weight gradient is one product
// over all steps, where running the steps as separate ops costs about ten
// kernels a step.
func Recurrence(xw, whh, h0 *Tensor, act Activation, reverse bool) *Tensor {
	const op = "Recurrence"
	ins := []*Tensor{xw, whh}
	if h0 != nil {
		ins = append(ins, h0)
	}
	wantFloat(op, ins...)
	dev := sameDevice(op, ins...)
	if len(xw.shape) != 3 || len(whh.shape) != 2 || whh.shape[0] != xw.shape[2] || whh.shape[1] != xw.shape[2] {
		fail(op, "want input projection [T B H] and weight [H H], got %v and %v", xw.shape, whh.shape)
	}
	steps, batch, hidden := xw.shape[0], xw.shape[1], xw.shape[2]
	if steps < 1 || batch < 1 || hidden < 1 {
		fail(op, "input projection %v is empty", xw.shape)
	}
	if h0 != nil && (len(h0.shape) != 2 || h0.shape[0] != batch || h0.shape[1] != hidden) {
		fail(op, "initial state %v for input projection %v, want [%d %d]", h0.shape, xw.shape, batch, hidden)
	}
	sc := ScopeOf(ins...)
	xc, wc := xw.Contiguous(), whh.Contiguous()
	var hc *Tensor // the initial state as the kernels read it
	if h0 != nil {
		hc = h0.Contiguous()
	} else {
		hc = fullOn(sc, dev, 0, []int{batch, hidden})
	}
	// at returns the time step the n-th kernel computes.
	at := func(n int) int {
		if reverse {
			return steps - 1 - n
		}
		return n
	}
	bh := batch * hidden
	y := newTensor(sc, dev, device.Float32, xw.shape)
	prev, prevOff := hc.st.buf, 0
	for n := range steps {
		t := at(n)
		dev.MatMul(y.st.buf, prev, wc.st.buf,
			device.Epilogue{Residual: xc.st.buf, OffResidual: t * bh, Act: act.fn, Slope: act.slope},
			device.MatMulParams{Batch: 1, M: batch, N: hidden, K: hidden, TransB: true, Alpha: 1, OffA: prevOff, OffC: t * bh, StrideC: bh})
		prev, prevOff = y.st.buf, t*bh
	}
	var h0In *Tensor
	if h0 != nil {
		h0In = hc
	}
	return record(op, y, []*Tensor{xc, wc, h0In}, func(g *Tensor) []*Tensor {
		gc := g.Contiguous()
		dz := newTensor(ScopeOf(g), dev, device.Float32, y.shape)
		// The last step's gradient has no later step to add: g_t·act′(h_t).
		last := at(steps - 1)
		gLast := gc.Select(0, last)
		if !act.IsIdentity() {
			gLast = act.grad(gLast, y.Select(0, last).Detach())
		}
		dev.Copy(dz.st.buf, last*bh, gLast.strided(), []int{batch, hidden})
		for n := steps - 2; n >= 0; n-- {
			t, later := at(n), at(n+1)
			dev.MatMul(dz.st.buf, dz.st.buf, wc.st.buf,
				device.Epilogue{Residual: gc.st.buf, OffResidual: t * bh, Act: act.fn, Slope: act.slope, ActOut: y.st.buf, OffActOut: t * bh},
				device.MatMulParams{Batch: 1, M: batch, N: hidden, K: hidden, Alpha: 1, OffA: later * bh, OffC: t * bh, StrideC: bh})
		}
		var gx, gw, gh *Tensor
		if xc.requiresGrad {
			gx = dz
		}
		if wc.requiresGrad {
			// Σ_t dz_tᵀ·h_{t−1}: the steps after the first read the
			// previous step's output, the first h0.
			yd := y.Detach()
			if steps > 1 {
				dzs, prevs := dz.Narrow(0, 1, steps-1), yd.Narrow(0, 0, steps-1)
				if reverse {
					dzs, prevs = dz.Narrow(0, 0, steps-1), yd.Narrow(0, 1, steps-1)
				}
				gw = dzs.Reshape(-1, hidden).T().MatMul(prevs.Reshape(-1, hidden))
			}
			if h0 != nil {
				first := dz.Select(0, at(0)).T().MatMul(hc.Detach())
				if gw == nil {
					gw = first
				} else {
					gw = gw.Add(first)
				}
			}
			if gw == nil {
				gw = fullOn(ScopeOf(g), dev, 0, wc.shape)
			}
		}
		if h0 != nil && hc.requiresGrad {
			gh = dz.Select(0, at(0)).MatMul(wc.Detach())
		}
		return []*Tensor{gx, gw, gh}
	})
}
