//go:build !amd64 || purego

package kernels

// Without the assembly the float64 kernels run.
var (
	vexp     = expSpan
	vtanh    = tanhSpan
	vsigmoid = sigmoidSpan
)

// The GELUs are plain functions, not function values: the element-wise
// kernels call them with buffers that must stay on the stack, which a call
// through a function value would move to the heap.
func vgelu(d, s []float32)            { geluGo(d, s) }
func vgeluTanh(d, s []float32)        { geluTanhGo(d, s) }
func vgeluGrad(d, g, x []float32)     { geluGradGo(d, g, x) }
func vgeluTanhGrad(d, g, x []float32) { geluTanhGradGo(d, g, x) }

// addTanhVec: no vector kernel here.
func addTanhVec([]float32, []float32, []float32) int { return 0 }
