package kernels

// The pointwise parts of one LSTM and one GRU time step
// (device.LSTMCell, device.GRUCell and their backwards). Every slice starts
// at its operand's offset; batch rows of hidden units, gate blocks side by
// side in a row. Rows run in parallel; within a row the sigmoids and tanhs
// run over whole gate blocks with the Unary kernel's span code, so that a
// fused step rounds as the separate ops do.

// cellGrain is the fewest rows×hidden elements worth another goroutine:
// each costs a few transcendentals.
const cellGrain = elemGrain / 4

// LSTMCell activates gates [batch, 4·hidden] (i, f, g, o) in place and
// writes c = f·cPrev + i·g and h = o·tanh(c).
func LSTMCell(h, c, gates, cPrev []float32, batch, hidden int) {
	ParallelFor(batch, max(1, cellGrain/hidden), func(lo, hi int) {
		for b := lo; b < hi; b++ {
			g := gates[b*4*hidden:][:4*hidden]
			unarySpan(Sigmoid, 0, 0, g[:2*hidden], g[:2*hidden])
			unarySpan(Tanh, 0, 0, g[2*hidden:3*hidden], g[2*hidden:3*hidden])
			unarySpan(Sigmoid, 0, 0, g[3*hidden:], g[3*hidden:])
			ig, fg, gg, og := g[:hidden], g[hidden:2*hidden], g[2*hidden:3*hidden], g[3*hidden:]
			cr, cp, hr := c[b*hidden:][:hidden], cPrev[b*hidden:][:hidden], h[b*hidden:][:hidden]
			lstmCState(cr, ig, fg, gg, cp)
			unarySpan(Tanh, 0, 0, hr, cr)
			binarySpan(Mul, 0, hr, hr, og)
		}
	})
}

// LSTMCellBackward writes dgates [batch, 4·hidden] and dcPrev from dh, dc,
// the activated gates, c and cPrev. dcPrev may be dc: each element is read
// before it is written.
func LSTMCellBackward(dgates, dcPrev, dh, dc, gates, c, cPrev []float32, batch, hidden int) {
	ParallelFor(batch, max(1, cellGrain/hidden), func(lo, hi int) {
		for b := lo; b < hi; b++ {
			g, d := gates[b*4*hidden:][:4*hidden], dgates[b*4*hidden:][:4*hidden]
			row := func(s []float32) []float32 { return s[b*hidden:][:hidden] }
			// tanh(c) goes through do, which is written last.
			unarySpan(Tanh, 0, 0, d[3*hidden:], row(c))
			lstmCellBack(d, g, row(dh), row(dc), row(dcPrev), row(cPrev), hidden)
		}
	})
}

// GRUCell writes h and saves r, z, n, hh_n in gates [batch, 4·hidden] from
// x and hh [batch, 3·hidden] and hPrev.
func GRUCell(h, gates, x, hh, hPrev []float32, batch, hidden int) {
	ParallelFor(batch, max(1, cellGrain/hidden), func(lo, hi int) {
		for b := lo; b < hi; b++ {
			g := gates[b*4*hidden:][:4*hidden]
			xr, hr := x[b*3*hidden:][:3*hidden], hh[b*3*hidden:][:3*hidden]
			// Each line of the loop this was, as whole-row vector passes:
			// the same operations on each element, so the same bits.
			rz := g[:2*hidden]
			binarySpan(Add, 0, rz, xr[:2*hidden], hr[:2*hidden])
			unarySpan(Sigmoid, 0, 0, rz, rz)
			r, z, n, hn := g[:hidden], g[hidden:2*hidden], g[2*hidden:3*hidden], g[3*hidden:]
			copy(hn, hr[2*hidden:])
			binarySpan(Mul, 0, n, r, hn)            // r·hn
			binarySpan(Add, 0, n, xr[2*hidden:], n) // xn + r·hn
			unarySpan(Tanh, 0, 0, n, n)
			hp, ho := hPrev[b*hidden:][:hidden], h[b*hidden:][:hidden]
			binarySpan(Sub, 0, ho, hp, n) // hp − n (ho may be hp)
			binarySpan(Mul, 0, ho, z, ho) // z·(hp − n)
			binarySpan(Add, 0, ho, n, ho) // n + z·(hp − n)
		}
	})
}

// GRUCellBackward writes dx and dhh [batch, 3·hidden] and dhPrev = dh·z
// from dh, the saved gates and hPrev. dhPrev may be dh: each element is
// read before it is written.
func GRUCellBackward(dx, dhh, dhPrev, dh, gates, hPrev []float32, batch, hidden int) {
	ParallelFor(batch, max(1, cellGrain/hidden), func(lo, hi int) {
		for b := lo; b < hi; b++ {
			row := func(s []float32) []float32 { return s[b*hidden:][:hidden] }
			gruCellBack(dx[b*3*hidden:], dhh[b*3*hidden:], row(dhPrev), row(dh), gates[b*4*hidden:], row(hPrev), hidden)
		}
	})
}

// lstmCStateGo sets c = f·cp + i·g: the portable lstmCState.
func lstmCStateGo(c, i, f, g, cp []float32) {
	i, f, g, cp = i[:len(c)], f[:len(c)], g[:len(c)], cp[:len(c)]
	for j := range c {
		c[j] = f[j]*cp[j] + i[j]*g[j]
	}
}

// lstmCellBackGo is one row of LSTMCellBackward's arithmetic, the
// portable lstmCellBack: d and g the row's four gate blocks (i, f, g, o)
// of hidden units, d's last block tanh(c) on entry; dcp may be dc.
func lstmCellBackGo(d, g, dh, dc, dcp, cp []float32, hidden int) {
	ig, fg, gg, og := g[:hidden], g[hidden:2*hidden], g[2*hidden:3*hidden], g[3*hidden:4*hidden]
	di, df, dg, do := d[:hidden], d[hidden:2*hidden], d[2*hidden:3*hidden], d[3*hidden:4*hidden]
	dh, dc, dcp, cp = dh[:hidden], dc[:hidden], dcp[:hidden], cp[:hidden]
	for j, tc := range do {
		i, f, gv, o := ig[j], fg[j], gg[j], og[j]
		dct := dc[j] + dh[j]*o*(1-tc*tc)
		di[j] = dct * gv * i * (1 - i)
		df[j] = dct * cp[j] * f * (1 - f)
		dg[j] = dct * i * (1 - gv*gv)
		do[j] = dh[j] * tc * o * (1 - o)
		dcp[j] = dct * f
	}
}

// gruCellBackGo is one row of GRUCellBackward's arithmetic, the portable
// gruCellBack: dx and dhh the row's three blocks (r, z, n) of hidden
// units, gates its four (r, z, n, hh_n); dhp may be dh.
func gruCellBackGo(dx, dhh, dhp, dh, gates, hp []float32, hidden int) {
	g := gates[:4*hidden]
	r, z, n, hn := g[:hidden], g[hidden:2*hidden], g[2*hidden:3*hidden], g[3*hidden:]
	dxr, dhr := dx[:3*hidden], dhh[:3*hidden]
	hp, dhp, dho := hp[:hidden], dhp[:hidden], dh[:hidden]
	for j, d := range dho {
		rv, zv, nv := r[j], z[j], n[j]
		an := d * (1 - zv) * (1 - nv*nv)
		ar := an * hn[j] * rv * (1 - rv)
		az := d * (hp[j] - nv) * zv * (1 - zv)
		dxr[j], dxr[hidden+j], dxr[2*hidden+j] = ar, az, an
		dhr[j], dhr[hidden+j], dhr[2*hidden+j] = ar, az, an*rv
		dhp[j] = d * zv
	}
}
