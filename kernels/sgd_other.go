//go:build !amd64 || purego

package kernels

// sgdPlain sets p[i] −= lr·g[i].
func sgdPlain(p, g []float32, lr float32) { sgdPlainGo(p, g, lr) }

// sgdMomentumSpan sets b[i] = mom·b[i] + damp·g[i] and p[i] −= lr·b[i].
func sgdMomentumSpan(p, g, b []float32, lr, mom, damp float32) { sgdMomentumGo(p, g, b, lr, mom, damp) }
