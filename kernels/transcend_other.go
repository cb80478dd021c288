//go:build !amd64 || purego

package kernels

// Without the assembly the float64 kernels run.
var (
	vexp     = expSpan
	vtanh    = tanhSpan
	vsigmoid = sigmoidSpan
)
