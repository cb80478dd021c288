//go:build !amd64 || purego

package kernels

// accAdd sets a[j] += float64(s[j]) (functions, not variables, so that
// the sums of a reduction stay on its stack).
func accAdd(a []float64, s []float32) { accAddGo(a, s) }

// rowMaxVec has no vector kernel here: rowMax runs its Go loop.
func rowMaxVec([]float32) (m float32, nan bool, full int) { return 0, false, 0 }

// sumRuns has no vector kernel here.
func sumRuns(src []float32, offs []int, n int, out []float64) { sumRunsGo(src, offs, n, out) }
