//go:build amd64 && !purego

package kernels

// The vector SGD kernels perform sgdPlainGo's and sgdMomentumGo's float32
// operations in their order (a multiply, then the subtraction; momentum's
// two multiplies, then their sum), so they give the Go loops' results bit
// for bit (sgd_test.go). AVX-512 ends with a masked step; AVX2 leaves the
// rest to the Go loop.

//go:noescape
func sgdAVX512(param, grad *float32, n int, lr float32)

//go:noescape
func sgdMomentumAVX512(param, grad, buf *float32, n int, lr, mom, damp float32)

//go:noescape
func sgdAVX2(param, grad *float32, n int, lr float32)

//go:noescape
func sgdMomentumAVX2(param, grad, buf *float32, n int, lr, mom, damp float32)

// sgdPlain sets p[i] −= lr·g[i].
func sgdPlain(p, g []float32, lr float32) {
	n := len(p)
	if n == 0 {
		return
	}
	g = g[:n]
	switch {
	case hasAVX512:
		sgdAVX512(&p[0], &g[0], n, lr)
	case hasAVX2:
		full := n &^ 7
		if full > 0 {
			sgdAVX2(&p[0], &g[0], full, lr)
		}
		sgdPlainGo(p[full:], g[full:], lr)
	default:
		sgdPlainGo(p, g, lr)
	}
}

// sgdMomentumSpan sets b[i] = mom·b[i] + damp·g[i] and p[i] −= lr·b[i].
func sgdMomentumSpan(p, g, b []float32, lr, mom, damp float32) {
	n := len(p)
	if n == 0 {
		return
	}
	g, b = g[:n], b[:n]
	switch {
	case hasAVX512:
		sgdMomentumAVX512(&p[0], &g[0], &b[0], n, lr, mom, damp)
	case hasAVX2:
		full := n &^ 7
		if full > 0 {
			sgdMomentumAVX2(&p[0], &g[0], &b[0], full, lr, mom, damp)
		}
		sgdMomentumGo(p[full:], g[full:], b[full:], lr, mom, damp)
	default:
		sgdMomentumGo(p, g, b, lr, mom, damp)
	}
}
