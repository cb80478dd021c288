//go:build amd64 && !purego

package kernels

import "golang.org/x/sys/cpu"

// The vector Adam kernels perform adamSpanGo's float32 operations in its
// order (separate multiplies and adds, a correctly rounded square root and
// division), so they give its results bit for bit (optim_amd64_test.go).
// AVX-512 ends with a masked step; AVX2 leaves the rest to the Go loop.

//go:noescape
func adamAVX512(param, grad, m, v *float32, n int, k *adamConsts)

//go:noescape
func adamAVX2(param, grad, m, v *float32, n int, k *adamConsts)

var adamSpan = func() func(param, grad, m, v []float32, k *adamConsts) {
	switch {
	case cpu.X86.HasAVX512F:
		return func(param, grad, m, v []float32, k *adamConsts) {
			if n := len(param); n > 0 {
				_, _, _ = grad[n-1], m[n-1], v[n-1]
				adamAVX512(&param[0], &grad[0], &m[0], &v[0], n, k)
			}
		}
	case cpu.X86.HasAVX2:
		return func(param, grad, m, v []float32, k *adamConsts) {
			n := len(param)
			full := n &^ 7
			if full > 0 {
				_, _, _ = grad[n-1], m[n-1], v[n-1]
				adamAVX2(&param[0], &grad[0], &m[0], &v[0], full, k)
			}
			adamSpanGo(param[full:], grad[full:n], m[full:n], v[full:n], k)
		}
	}
	return adamSpanGo
}()
