//go:build amd64 && !purego

package kernels

import "golang.org/x/sys/cpu"

//go:generate go run transcend_asm_gen.go

// The assembly handles whole vectors of 8 (AVX2) or 16 (AVX-512) lanes;
// exp and tanh are the same operation sequence as their Go twins in
// transcend_test.go, the sigmoid is sigmoidSpan's float64 formula.

//go:noescape
func expAVX2(d, s *float32, n int)

//go:noescape
func tanhAVX2(d, s *float32, n int)

//go:noescape
func expAVX512(d, s *float32, n int)

//go:noescape
func tanhAVX512(d, s *float32, n int)

//go:noescape
func sigmoidAVX2(d, s *float32, n int)

//go:noescape
func sigmoidAVX512(d, s *float32, n int)

//go:noescape
func geluAVX2(d, s *float32, n int)

//go:noescape
func geluAVX512(d, s *float32, n int)

//go:noescape
func geluTanhAVX2(d, s *float32, n int)

//go:noescape
func geluTanhAVX512(d, s *float32, n int)

//go:noescape
func geluGradAVX2(d, gs, xs *float32, n int)

//go:noescape
func geluGradAVX512(d, gs, xs *float32, n int)

//go:noescape
func geluTanhGradAVX2(d, gs, xs *float32, n int)

//go:noescape
func geluTanhGradAVX512(d, gs, xs *float32, n int)

// addTanhAVX2 and addTanhAVX512 set d = tanh(s + r) on whole vectors.
//
//go:noescape
func addTanhAVX2(d, s, r *float32, n int)

//go:noescape
func addTanhAVX512(d, s, r *float32, n int)

// addTanhVec sets d = tanh(s + r), the bits of binarySpan's Add then
// vtanh, on the longest prefix of whole vectors and returns its length: 0
// where there is no kernel.
func addTanhVec(d, s, r []float32) int {
	lanes := transcendLanes
	if lanes == 0 {
		return 0
	}
	n := len(d) / lanes * lanes
	if n == 0 {
		return 0
	}
	_, _ = s[n-1], r[n-1]
	if lanes == 16 {
		addTanhAVX512(&d[0], &s[0], &r[0], n)
	} else {
		addTanhAVX2(&d[0], &s[0], &r[0], n)
	}
	return n
}

// The vector functions, each its Go span where no assembly runs.
func vexp(d, s []float32)     { transcendSpan(transExp, d, s) }
func vtanh(d, s []float32)    { transcendSpan(transTanh, d, s) }
func vsigmoid(d, s []float32) { transcendSpan(transSigmoid, d, s) }

// vgelu sets d = x·Φ(x) for the x of s, with geluGo's bits; vgeluTanh
// d = x·σ(2u), with geluTanhGo's.
func vgelu(d, s []float32)     { transcendSpan(transGelu, d, s) }
func vgeluTanh(d, s []float32) { transcendSpan(transGeluTanh, d, s) }

// vgeluGrad sets d = g·(Φ(x) + x·φ(x)) with geluGradGo's bits, vgeluTanhGrad
// the tanh form's slope with geluTanhGradGo's.
func vgeluGrad(d, g, x []float32)     { slopeSpan(false, d, g, x) }
func vgeluTanhGrad(d, g, x []float32) { slopeSpan(true, d, g, x) }

// slopeSpan runs a GELU slope's widest kernel (tanh: the tanh form's), a
// ragged tail through the same vector code in padded buffers.
func slopeSpan(tanh bool, d, g, x []float32) {
	lanes := transcendLanes
	if lanes == 0 {
		if tanh {
			geluTanhGradGo(d, g, x)
		} else {
			geluGradGo(d, g, x)
		}
		return
	}
	g, x = g[:len(d)], x[:len(d)]
	full := len(d) / lanes * lanes
	if full > 0 {
		slopeKernel(tanh, &d[0], &g[0], &x[0], full)
	}
	if rest := len(d) - full; rest > 0 {
		var gb, xb [16]float32
		copy(gb[:], g[full:])
		copy(xb[:], x[full:])
		slopeKernel(tanh, &xb[0], &gb[0], &xb[0], lanes)
		copy(d[full:], xb[:rest])
	}
}

// slopeKernel runs a GELU slope's kernel of transcendLanes lanes on n
// values, a whole number of vectors.
func slopeKernel(tanh bool, d, g, x *float32, n int) {
	wide := transcendLanes == 16
	switch {
	case tanh && wide:
		geluTanhGradAVX512(d, g, x, n)
	case tanh:
		geluTanhGradAVX2(d, g, x, n)
	case wide:
		geluGradAVX512(d, g, x, n)
	default:
		geluGradAVX2(d, g, x, n)
	}
}

type transcend uint8

const (
	transExp transcend = iota
	transTanh
	transSigmoid
	transGelu
	transGeluTanh
)

// transcendLanes is the vector width of the kernels this CPU runs, 0 where
// none does.
var transcendLanes = func() int {
	switch {
	case cpu.X86.HasAVX512F:
		return 16
	case cpu.X86.HasAVX2 && cpu.X86.HasFMA:
		return 8
	}
	return 0
}()

// transcendSpan runs f's widest kernel, a ragged tail through the same
// vector code in a padded buffer: every element gets the same bits
// wherever a span or a thread's range ends. The kernels are called
// directly, not through function values, so the buffer stays on the stack
// (through an indirect call the compiler must assume it escapes: a heap
// allocation per call, 190 in an MLP step).
func transcendSpan(f transcend, d, s []float32) {
	lanes := transcendLanes
	if lanes == 0 {
		switch f {
		case transExp:
			expSpan(d, s)
		case transTanh:
			tanhSpan(d, s)
		case transGelu:
			geluGo(d, s)
		case transGeluTanh:
			geluTanhGo(d, s)
		default:
			sigmoidSpan(d, s)
		}
		return
	}
	s = s[:len(d)]
	full := len(d) / lanes * lanes
	if full > 0 {
		transcendKernel(f, &d[0], &s[0], full)
	}
	if rest := len(d) - full; rest > 0 {
		var buf [16]float32
		copy(buf[:], s[full:])
		transcendKernel(f, &buf[0], &buf[0], lanes)
		copy(d[full:], buf[:rest])
	}
}

// transcendKernel runs f's kernel of transcendLanes lanes on n values, a
// whole number of vectors.
func transcendKernel(f transcend, d, s *float32, n int) {
	wide := transcendLanes == 16
	switch {
	case f == transExp && wide:
		expAVX512(d, s, n)
	case f == transExp:
		expAVX2(d, s, n)
	case f == transTanh && wide:
		tanhAVX512(d, s, n)
	case f == transTanh:
		tanhAVX2(d, s, n)
	case f == transGelu && wide:
		geluAVX512(d, s, n)
	case f == transGelu:
		geluAVX2(d, s, n)
	case f == transGeluTanh && wide:
		geluTanhAVX512(d, s, n)
	case f == transGeluTanh:
		geluTanhAVX2(d, s, n)
	case wide:
		sigmoidAVX512(d, s, n)
	default:
		sigmoidAVX2(d, s, n)
	}
}
