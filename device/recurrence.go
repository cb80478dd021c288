package device

// LSTMSteps runs d.LSTM as one d.LSTMStep a step, for a backend with no
// whole-sequence kernel of its own.
func LSTMSteps(d Device, y, gates, xw, whh, h0, c0 Buffer, p RecurrenceParams) {
	bh, b4, cOff := p.Batch*p.Hidden, 4*p.Batch*p.Hidden, p.Steps*p.Batch*p.Hidden
	hPrev, cPrev, hOff, cPrevOff := h0, c0, 0, 0
	for n := range p.Steps {
		t := p.Step(n)
		d.LSTMStep(y, y, gates, xw, hPrev, whh, cPrev, LSTMCellParams{Batch: p.Batch, Hidden: p.Hidden,
			OffH: t * bh, OffC: cOff + t*bh, OffGates: t * b4, OffCPrev: cPrevOff, OffX: t * b4, OffHPrev: hOff})
		hPrev, cPrev, hOff, cPrevOff = y, y, t*bh, cOff+t*bh
	}
}

// LSTMBackwardSteps runs d.LSTMBackward as one d.LSTMStepBackward a step
// (d.LSTMCellBackward for the step run last).
func LSTMBackwardSteps(d Device, dgates, dc, g, whh, gates, y, c0 Buffer, p RecurrenceParams) {
	bh, b4, cOff := p.Batch*p.Hidden, 4*p.Batch*p.Hidden, p.Steps*p.Batch*p.Hidden
	for n := p.Steps - 1; n >= 0; n-- {
		t := p.Step(n)
		cPrev, cPrevOff := c0, 0
		if n > 0 {
			cPrev, cPrevOff = y, cOff+p.Step(n-1)*bh
		}
		cp := LSTMCellParams{Batch: p.Batch, Hidden: p.Hidden, OffDGates: t * b4, OffDH: t * bh,
			OffGates: t * b4, OffC: cOff + t*bh, OffCPrev: cPrevOff}
		if n == p.Steps-1 {
			cp.OffDC = cOff + t*bh
			d.LSTMCellBackward(dgates, dc, g, g, gates, y, cPrev, cp)
			continue
		}
		cp.OffDNext = p.Step(n+1) * b4
		d.LSTMStepBackward(dgates, dc, g, whh, gates, y, cPrev, cp)
	}
}

// GRUSteps runs d.GRU as one d.GRUStep a step.
func GRUSteps(d Device, y, gates, xw, whh, bhh, h0 Buffer, p RecurrenceParams) {
	bh := p.Batch * p.Hidden
	prev, prevOff := h0, 0
	for n := range p.Steps {
		t := p.Step(n)
		d.GRUStep(y, gates, xw, prev, whh, bhh, GRUCellParams{Batch: p.Batch, Hidden: p.Hidden,
			OffH: t * bh, OffGates: t * 4 * bh, OffX: t * 3 * bh, OffHPrev: prevOff})
		prev, prevOff = y, t*bh
	}
}

// GRUBackwardSteps runs d.GRUBackward as one d.GRUStepBackward a step
// (d.GRUCellBackward for the step run last).
func GRUBackwardSteps(d Device, dx, dhh, dh, g, whh, gates, y, h0 Buffer, p RecurrenceParams) {
	bh := p.Batch * p.Hidden
	for n := p.Steps - 1; n >= 0; n-- {
		t := p.Step(n)
		prev, prevOff := h0, 0
		if n > 0 {
			prev, prevOff = y, p.Step(n-1)*bh
		}
		cp := GRUCellParams{Batch: p.Batch, Hidden: p.Hidden, OffDX: t * 3 * bh, OffDHH: t * 3 * bh,
			OffGates: t * 4 * bh, OffHPrev: prevOff}
		if n == p.Steps-1 {
			cp.OffDH = t * bh
			d.GRUCellBackward(dx, dhh, dh, g, gates, prev, cp)
			continue
		}
		cp.OffG, cp.OffDNext = t*bh, p.Step(n+1)*3*bh
		d.GRUStepBackward(dx, dhh, dh, g, whh, gates, prev, cp)
	}
}
