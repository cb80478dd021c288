package kernels

// GELU and its slope, exact (x·Φ(x)) and in the tanh form (x·σ(2u), as
// ½·(1 + tanh u) = σ(2u), u = √(2/π)·(x + 0.044715·x³)), in float32 as the
// GL kernels compute them: Φ(x) = ½·(1 + erf(x/√2)) from erf32, and the
// exponentials and sigmoids by the vector code of vexp and vsigmoid a block
// at a time. Where the CPU has vector code the GELUs and their slopes run
// as kernels of their own (vgelu, vgeluTanh, vgeluGrad, vgeluTanhGrad:
// transcend_asm_gen.go) with the bits of the Go functions here, which spell
// each rounding out (a conversion to float32 after every product that meets
// a sum, so no compiler fuses the two). The tanh form's slope takes σ(2u)·(1 − σ(2u)) as
// σ(2u)·σ(−2u), which does not cancel where σ(2u) is near 1.

const (
	geluK        = 0.7978845608028654 // √(2/π)
	geluC        = 0.044715
	geluInvSqrt2 = 0.7071067811865476 // 1/√2
	geluInvRoot  = 0.3989422804014327 // 1/√(2π), the normal density at 0
)

// geluBlock is how many elements the GELU kernels take through one vector
// step at a time, in buffers on the stack.
const geluBlock = 256

// erf32 is the error function as the rational p(x)/q(x) (odd p, even q;
// Eigen's float coefficients) on x clamped to [−4, 4], beyond which erf
// rounds to ±1 in float32: the GLSL kernels' erff, within 4 ULP of
// math.Erf (TestErf32).
func erf32(x float32) float32 {
	if x != x {
		return x
	}
	x = min(max(x, -4), 4)
	x2 := x * x
	p := float32(x2*-2.72614225801306e-10) + 2.77068142495902e-08
	p = float32(x2*p) - 2.10102402082508e-06
	p = float32(x2*p) - 5.69250639462346e-05
	p = float32(x2*p) - 7.34990630326855e-04
	p = float32(x2*p) - 2.95459980854025e-03
	p = float32(x2*p) - 1.60960333262415e-02
	q := float32(x2*-1.45660718464996e-05) - 2.13374055278905e-04
	q = float32(x2*q) - 1.68282697438203e-03
	q = float32(x2*q) - 7.37332916720468e-03
	q = float32(x2*q) - 1.42647390514189e-02
	return x * p / q
}

// geluPhi is Φ(x) = ½·(1 + erf(x/√2)).
func geluPhi(x float32) float32 { return 0.5 * (1 + erf32(x*geluInvSqrt2)) }

// geluGo sets d = x·Φ(x) for the x of s.
func geluGo(d, s []float32) {
	s = s[:len(d)]
	for i, x := range s {
		d[i] = x * geluPhi(x)
	}
}

// geluGradGo sets d = g·(Φ(x) + x·φ(x)), φ(x) = e^(−x²/2)/√(2π).
func geluGradGo(d, gs, xs []float32) {
	gs, xs = gs[:len(d)], xs[:len(d)]
	var e [geluBlock]float32
	for i0 := 0; i0 < len(d); i0 += geluBlock {
		n := min(geluBlock, len(d)-i0)
		x, g, eb := xs[i0:i0+n], gs[i0:i0+n], e[:n]
		for j, v := range x {
			eb[j] = -0.5 * v * v
		}
		vexp(eb, eb)
		for j, v := range x {
			d[i0+j] = g[j] * (geluPhi(v) + float32(v*eb[j]*geluInvRoot))
		}
	}
}

// geluTanhGo sets d = x·σ(2u(x)).
func geluTanhGo(d, s []float32) {
	s = s[:len(d)]
	var t [geluBlock]float32
	for i0 := 0; i0 < len(d); i0 += geluBlock {
		n := min(geluBlock, len(d)-i0)
		x, tb := s[i0:i0+n], t[:n]
		for j, v := range x {
			tb[j] = 2 * geluK * (v + float32(geluC*v*v*v))
		}
		vsigmoid(tb, tb)
		for j, v := range x {
			d[i0+j] = v * tb[j]
		}
	}
}

// geluTanhGradGo sets d = g·(s + 2x·s·σ(−2u)·u′(x)), s = σ(2u(x)),
// u′ = √(2/π)·(1 + 3·0.044715·x²). Where s·σ(−2u) is 0 (|x| large) its
// term is 0, without forming u′, which may overflow.
func geluTanhGradGo(d, gs, xs []float32) {
	gs, xs = gs[:len(d)], xs[:len(d)]
	var sp, sn [geluBlock]float32
	for i0 := 0; i0 < len(d); i0 += geluBlock {
		n := min(geluBlock, len(d)-i0)
		x, g, s, r := xs[i0:i0+n], gs[i0:i0+n], sp[:n], sn[:n]
		for j, v := range x {
			s[j] = 2 * geluK * (v + float32(geluC*v*v*v))
			r[j] = -s[j]
		}
		vsigmoid(s, s)
		vsigmoid(r, r)
		for j, v := range x {
			sr, t := s[j]*r[j], float32(0)
			if sr != 0 {
				t = float32(2 * v * sr * (geluK * (1 + float32(3*geluC*v*v))))
			}
			d[i0+j] = g[j] * (s[j] + t)
		}
	}
}
