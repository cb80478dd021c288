//go:build amd64 && !purego

package kernels

// shiftAVX2 and scale64AVX2 are shiftGo and scale64Go on whole vectors of
// 8 floats, n a positive multiple of 8, with the Go loops' roundings.
//
//go:noescape
func shiftAVX2(e, x *float32, n int, a float32)

//go:noescape
func scale64AVX2(d, p *float32, n int, a, s float64)

// shift sets e = x − a: whole vectors in AVX2 code where the CPU has it,
// the rest in the Go loop.
func shift(e, x []float32, a float32) {
	full := 0
	if hasAVX2 {
		if full = len(x) &^ 7; full > 0 {
			_ = e[full-1] // as in convAsmArch: the bounds, checked once
			shiftAVX2(&e[0], &x[0], full, a)
		}
	}
	shiftGo(e[full:], x[full:], a)
}

// scale64 sets d = float32(g·(a·p)), the products in float64: whole vectors
// in AVX2 code where the CPU has it, the rest in the Go loop.
func scale64(d, p []float32, a, g float64) {
	full := 0
	if hasAVX2 {
		if full = len(p) &^ 7; full > 0 {
			_ = d[full-1]
			scale64AVX2(&d[0], &p[0], full, a, g)
		}
	}
	scale64Go(d[full:], p[full:], a, g)
}
