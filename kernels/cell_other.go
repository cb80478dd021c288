//go:build !amd64 || purego

package kernels

var lstmCState = lstmCStateGo

// lstmCellBack is one row of LSTMCellBackward's arithmetic: d and g the
// row's four gate blocks of hidden units, d's last block tanh(c) on entry.
func lstmCellBack(d, g, dh, dc, dcp, cp []float32, hidden int) {
	lstmCellBackGo(d, g, dh, dc, dcp, cp, hidden, hidden)
}

// gruCellBack is one row of GRUCellBackward's arithmetic.
func gruCellBack(dx, dhh, dhp, dh, gates, hp []float32, hidden int) {
	gruCellBackGo(dx, dhh, dhp, dh, gates, hp, hidden, hidden)
}
