//go:build !amd64 || purego

package kernels

var (
	bnNorm     = bnNormGo
	bnBack     = bnBackGo
	bnNormRows = bnNormRowsGo
	bnBackRows = bnBackRowsGo
)

// bnMomentsAcc is bnMomentsAccGo (functions, not variables, so that the
// lanes a caller passes stay on its stack).
func bnMomentsAcc(acc *[32]float64, x []float32, rows, n, stride int, k float64) {
	bnMomentsAccGo(acc, x, rows, n, stride, k)
}

// bnReduceAcc is bnReduceAccGo.
func bnReduceAcc(acc *[32]float64, dz, dy, y, x []float32, rows, n, stride int, mu float64) {
	bnReduceAccGo(acc, dz, dy, y, x, rows, n, stride, mu)
}

// bnChans is false: channelSums goes a channel at a time.
func bnChans(int) bool { return false }

// bnReduceChans is bnReduceAccGo a channel at a time (see bn_amd64.go).
func bnReduceChans(accs [][32]float64, dz, dy, y, x []float32, n int, mus []float64) {
	for c := range accs {
		var zc, yc []float32
		if y != nil {
			zc, yc = dz[c*n:], y[c*n:]
		}
		bnReduceAccGo(&accs[c], zc, dy[c*n:], yc, x[c*n:], 1, n, n, mus[c])
	}
}
