package kernels

import "math"

// The Normal draw's Box–Muller transform, written out so that vector code
// can repeat it operation for operation: a + b·√(−2·ln(1−u0))·cos(2π·u1)
// in float64, rounded to float32 once at the end. normalLog and sinCos
// are the algorithms of Go's math.Log (its amd64 assembly) and math.Cos on
// the arguments the draw gives them, each product that meets a sum
// converted to float64 so that no compiler fuses the two (math.Log and
// math.Cos themselves may be fused on other platforms or with GOAMD64=v3):
// on amd64 they return math.Log's and math.Cos's bits for every argument
// (TestNormalLogCos, all 2²⁴ of each), so the draws are the ones recorded
// before they were written out.

// Constants of math.Log (FreeBSD's e_log.c).
const (
	logHSqrt2 = 7.07106781186547524401e-01 // √2/2
	logLn2Hi  = 6.93147180369123816490e-01 // 0x3fe62e42fee00000
	logLn2Lo  = 1.90821492927058770002e-10 // 0x3dea39ef35793c76
	logL1     = 6.666666666666735130e-01   // 0x3FE5555555555593
	logL2     = 3.999999999940941908e-01   // 0x3FD999999997FA04
	logL3     = 2.857142874366239149e-01   // 0x3FD2492494229359
	logL4     = 2.222219843214978396e-01   // 0x3FCC71C51D8E78AF
	logL5     = 1.818357216161805012e-01   // 0x3FC7466496CB03DE
	logL6     = 1.531383769920937332e-01   // 0x3FC39A09D078C69F
	logL7     = 1.479819860511658591e-01   // 0x3FC2F112DF3E5244
)

// Constants of math.Cos (Cephes): π/4 in three parts and the
// coefficients of its sine and cosine polynomials.
const (
	cosPI4A = 7.85398125648498535156e-1  // 0x3fe921fb40000000
	cosPI4B = 3.77489470793079817668e-8  // 0x3e64442d00000000
	cosPI4C = 2.69515142907905952645e-15 // 0x3ce8469898cc5170
	cos4Pi  = 4 / math.Pi
)

var (
	cosSin = [6]float64{
		1.58962301576546568060e-10, // 0x3de5d8fd1fd19ccd
		-2.50507477628578072866e-8, // 0xbe5ae5e5a9291f5d
		2.75573136213857245213e-6,  // 0x3ec71de3567d48a1
		-1.98412698295895385996e-4, // 0xbf2a01a019bfdf03
		8.33333333332211858878e-3,  // 0x3f8111111110f7d0
		-1.66666666666666307295e-1, // 0xbfc5555555555548
	}
	cosCos = [6]float64{
		-1.13585365213876817300e-11, // 0xbda8fa49a0861a9b
		2.08757008419747316778e-9,   // 0x3e21ee9d7b4e3f05
		-2.75573141792967388112e-7,  // 0xbe927e4f7eac4bc6
		2.48015872888517045348e-5,   // 0x3efa01a019c844f5
		-1.38888888888730564116e-3,  // 0xbf56c16c16c14f91
		4.16666666666665929218e-2,   // 0x3fa555555555554b
	}
)

// normalLog is math.Log on amd64 for a positive normal finite x (the
// draw's 1−u0 ∈ [2⁻²⁴, 1]): x = f1·2^k with f1 ∈ (√2/2, √2], then
// FreeBSD's polynomial in s = f/(2+f), f = f1−1. As the assembly, f1 is
// doubled where it is at most √2/2.
func normalLog(x float64) float64 {
	bits := math.Float64bits(x)
	f1 := math.Float64frombits(bits&(1<<52-1) | 0x3FE0000000000000)
	k := float64(int64(bits>>52&0x7FF) - 0x3FE)
	if f1 <= logHSqrt2 {
		k--
		f1 *= 2
	}
	f := f1 - 1
	s := f / (2 + f)
	s2 := s * s
	s4 := s2 * s2
	t1 := float64(s2 * (logL1 + float64(s4*(logL3+float64(s4*(logL5+float64(s4*logL7)))))))
	t2 := float64(s4 * (logL2 + float64(s4*(logL4+float64(s4*logL6)))))
	R := t1 + t2
	hfsq := float64(0.5 * f * f)
	return float64(k*logLn2Hi) - ((hfsq - (float64(s*(hfsq+R)) + float64(k*logLn2Lo))) - f)
}

// sinCosMax bounds the arguments sinCos reduces itself: math.Sin and
// math.Cos reduce larger ones by Payne–Hanek (trigReduce).
const sinCosMax = 1 << 29

// sinCos is math.Sin (cos false) or math.Cos (cos true) of x: for
// |x| < 2²⁹ their Cody–Waite algorithm written out (the octant j of |x|,
// odd ones moved up to the next, |x| − j·π/4 in three parts, and the sine
// or cosine polynomial with the octant's sign); NaN, ±Inf and larger
// arguments are math's.
func sinCos(x float64, cos bool) float64 {
	if !(math.Abs(x) < sinCosMax) {
		if cos {
			return math.Cos(x)
		}
		return math.Sin(x)
	}
	sign := !cos && math.Signbit(x) // sin(−0) is −0
	x = math.Abs(x)
	j := uint64(x * cos4Pi)
	y := float64(j)
	if j&1 == 1 {
		j++
		y++
	}
	z := ((x - float64(y*cosPI4A)) - float64(y*cosPI4B)) - float64(y*cosPI4C)
	if j&4 != 0 {
		sign = !sign
	}
	if cos && j&2 != 0 {
		sign = !sign
	}
	zz := float64(z * z)
	if (j&2 != 0) == cos {
		y = z + float64(float64(z*zz)*cosPoly(&cosSin, zz))
	} else {
		y = (1.0 - float64(0.5*zz)) + float64(float64(zz*zz)*cosPoly(&cosCos, zz))
	}
	if sign {
		y = -y
	}
	return y
}

// cosPoly is (((((c0·zz + c1)·zz + c2)·zz + c3)·zz + c4)·zz + c5, each
// product rounded before its sum.
func cosPoly(c *[6]float64, zz float64) float64 {
	p := c[0]
	for _, ci := range c[1:] {
		p = float64(p*zz) + ci
	}
	return p
}

// normalPairGo is Box–Muller's pair of Normal draws of words x, y with
// mean a and standard deviation b (device.RandomParams): a + b·r·cos θ and
// a + b·r·sin θ, r = √(−2·ln(1−u(x))), θ = 2π·u(y).
func normalPairGo(x, y uint32, a, b float32) (c, s float32) {
	br := float64(float64(b) * math.Sqrt(-2*normalLog(1-float64(unit(x)))))
	theta := 2 * math.Pi * float64(unit(y))
	return a + float32(float64(br*sinCos(theta, true))), a + float32(float64(br*sinCos(theta, false)))
}

// normalPairsGo sets out[2j], out[2j+1] to normalPairGo(w[2j], w[2j+1],
// a, b).
func normalPairsGo(out []float32, w []uint32, a, b float32) {
	w = w[:len(out)]
	for j := 0; j+1 < len(out); j += 2 {
		out[j], out[j+1] = normalPairGo(w[j], w[j+1], a, b)
	}
}

// normalDraws sets out to the Normal draws of the pairs of words in w, in
// turn (the cosine's, then the sine's), from a pair's second draw where
// odd: element j of out is draw (j+odd) mod 2 of pair (j+odd)/2. Whole
// pairs go by normalPairs (vector code where the CPU has it).
func normalDraws(out []float32, w []uint32, odd bool, a, b float32) {
	if len(out) == 0 {
		return
	}
	if odd {
		_, out[0] = normalPairGo(w[0], w[1], a, b)
		out, w = out[1:], w[2:]
	}
	whole := len(out) &^ 1
	normalPairs(out[:whole], w[:whole], a, b)
	if whole < len(out) {
		out[whole], _ = normalPairGo(w[whole], w[whole+1], a, b)
	}
}

// vectorWidth names a set of vector kernels and switches to it (set
// returns the function that switches back): logWidths lists those of this
// build and CPU, for tests.
type vectorWidth struct {
	name string
	set  func() func()
}
