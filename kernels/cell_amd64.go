//go:build amd64 && !purego

package kernels

// The AVX-512 kernels compute the Go loops' float32 operations in their
// order, so their bits (tested in cell_test.go); without AVX-512 the Go
// loops run.

//go:noescape
func lstmCStateAVX512(c, i, f, gg, cp *float32, n int)

//go:noescape
func lstmCellBackAVX512(d, gates, dh, dc, dcp, cp *float32, hidden, n int)

// lstmCState sets c = f·cp + i·g.
func lstmCState(c, i, f, g, cp []float32) {
	if !hasAVX512 || len(c) == 0 {
		lstmCStateGo(c, i, f, g, cp)
		return
	}
	i, f, g, cp = i[:len(c)], f[:len(c)], g[:len(c)], cp[:len(c)]
	lstmCStateAVX512(&c[0], &i[0], &f[0], &g[0], &cp[0], len(c))
}

// lstmCellBack is one row of LSTMCellBackward's arithmetic: d and g the
// row's four gate blocks of hidden units, d's last block tanh(c) on entry.
func lstmCellBack(d, g, dh, dc, dcp, cp []float32, hidden int) {
	if !hasAVX512 || hidden == 0 {
		lstmCellBackGo(d, g, dh, dc, dcp, cp, hidden)
		return
	}
	d, g = d[:4*hidden], g[:4*hidden]
	dh, dc, dcp, cp = dh[:hidden], dc[:hidden], dcp[:hidden], cp[:hidden]
	lstmCellBackAVX512(&d[0], &g[0], &dh[0], &dc[0], &dcp[0], &cp[0], hidden, hidden)
}

//go:noescape
func gruCellBackAVX512(dx, dhh, dhp, dh, gates, hp *float32, hidden, n int)

// gruCellBack is one row of GRUCellBackward's arithmetic.
func gruCellBack(dx, dhh, dhp, dh, gates, hp []float32, hidden int) {
	if !hasAVX512 || hidden == 0 {
		gruCellBackGo(dx, dhh, dhp, dh, gates, hp, hidden)
		return
	}
	dx, dhh, gates = dx[:3*hidden], dhh[:3*hidden], gates[:4*hidden]
	dhp, dh, hp = dhp[:hidden], dh[:hidden], hp[:hidden]
	gruCellBackAVX512(&dx[0], &dhh[0], &dhp[0], &dh[0], &gates[0], &hp[0], hidden, hidden)
}
