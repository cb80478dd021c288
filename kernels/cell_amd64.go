//go:build amd64 && !purego

package kernels

// The AVX-512 kernels compute the Go loops' float32 operations in their
// order, so their bits (tested in cell_test.go), a ragged end in a masked
// step; with AVX2 only, the AVX2 kernels run whole vectors of 8 and the Go
// loops a ragged end.

//go:noescape
func lstmCStateAVX512(c, i, f, gg, cp *float32, n int)

//go:noescape
func lstmCellBackAVX512(d, gates, dh, dc, dcp, cp *float32, hidden, n int)

//go:noescape
func gruCellBackAVX512(dx, dhh, dhp, dh, gates, hp *float32, hidden, n int)

//go:noescape
func lstmCStateAVX2(c, i, f, gg, cp *float32, n int)

//go:noescape
func lstmCellBackAVX2(d, gates, dh, dc, dcp, cp *float32, hidden, n int)

//go:noescape
func gruCellBackAVX2(dx, dhh, dhp, dh, gates, hp *float32, hidden, n int)

// lstmCState sets c = f·cp + i·g.
func lstmCState(c, i, f, g, cp []float32) {
	i, f, g, cp = i[:len(c)], f[:len(c)], g[:len(c)], cp[:len(c)]
	full := maskedVectors(len(c))
	if full > 0 {
		if hasAVX512 {
			lstmCStateAVX512(&c[0], &i[0], &f[0], &g[0], &cp[0], full)
		} else {
			lstmCStateAVX2(&c[0], &i[0], &f[0], &g[0], &cp[0], full)
		}
	}
	lstmCStateGo(c[full:], i[full:], f[full:], g[full:], cp[full:])
}

// lstmCellBack is one row of LSTMCellBackward's arithmetic: d and g the
// row's four gate blocks of hidden units, d's last block tanh(c) on entry.
func lstmCellBack(d, g, dh, dc, dcp, cp []float32, hidden int) {
	d, g = d[:4*hidden], g[:4*hidden]
	dh, dc, dcp, cp = dh[:hidden], dc[:hidden], dcp[:hidden], cp[:hidden]
	full := maskedVectors(hidden)
	if full > 0 {
		if hasAVX512 {
			lstmCellBackAVX512(&d[0], &g[0], &dh[0], &dc[0], &dcp[0], &cp[0], hidden, full)
		} else {
			lstmCellBackAVX2(&d[0], &g[0], &dh[0], &dc[0], &dcp[0], &cp[0], hidden, full)
		}
	}
	if full < hidden {
		lstmCellBackGo(d[full:], g[full:], dh[full:], dc[full:], dcp[full:], cp[full:], hidden, hidden-full)
	}
}

// gruCellBack is one row of GRUCellBackward's arithmetic.
func gruCellBack(dx, dhh, dhp, dh, gates, hp []float32, hidden int) {
	dx, dhh, gates = dx[:3*hidden], dhh[:3*hidden], gates[:4*hidden]
	dhp, dh, hp = dhp[:hidden], dh[:hidden], hp[:hidden]
	full := maskedVectors(hidden)
	if full > 0 {
		if hasAVX512 {
			gruCellBackAVX512(&dx[0], &dhh[0], &dhp[0], &dh[0], &gates[0], &hp[0], hidden, full)
		} else {
			gruCellBackAVX2(&dx[0], &dhh[0], &dhp[0], &dh[0], &gates[0], &hp[0], hidden, full)
		}
	}
	if full < hidden {
		gruCellBackGo(dx[full:], dhh[full:], dhp[full:], dh[full:], gates[full:], hp[full:], hidden, hidden-full)
	}
}
