//go:build !amd64 || purego

package kernels

var accAdd = accAddGo

// rowMaxVec has no vector kernel here: rowMax runs its Go loop.
func rowMaxVec([]float32) (m float32, nan bool, full int) { return 0, false, 0 }

// sumRuns has no vector kernel here.
var sumRuns = sumRunsGo
