package kernels

import "math"

// Erf in float64 rounded once to float32, written out so that vector code
// can repeat it operation for operation: math.Erf's algorithm (FreeBSD's
// s_erf.c) with exp64 for its exponentials, each product that meets a sum
// converted to float64 so that no compiler fuses the two. On amd64 with
// FMA it returns math.Erf's bits (TestErfVector), and the same on every
// platform.

// Coefficients of math.Erf: erx, efx, and the rational functions of its
// four ranges, each listed from the constant term up (the denominators
// with their leading 1). The last range's are padded with a zero to the
// third's length, which leaves their values as they were.
const (
	erfErx  = 8.45062911510467529297e-01
	erfEfx  = 1.28379167095512586316e-01
	erfEfx8 = 1.02703333676410069053e+00
)

var (
	erfPP = [...]float64{1.28379167095512558561e-01, -3.25042107247001499370e-01, -2.84817495755985104766e-02,
		-5.77027029648944159157e-03, -2.37630166566501626084e-05}
	erfQQ = [...]float64{1, 3.97917223959155352819e-01, 6.50222499887672944485e-02, 5.08130628187576562776e-03,
		1.32494738004321644526e-04, -3.96022827877536812320e-06}
	erfPA = [...]float64{-2.36211856075265944077e-03, 4.14856118683748331666e-01, -3.72207876035701323847e-01,
		3.18346619901161753674e-01, -1.10894694282396677476e-01, 3.54783043256182359371e-02, -2.16637559486879084300e-03}
	erfQA = [...]float64{1, 1.06420880400844228286e-01, 5.40397917702171048937e-01, 7.18286544141962662868e-02,
		1.26171219808761642112e-01, 1.36370839120290507362e-02, 1.19844998467991074170e-02}
	erfRA = [...]float64{-9.86494403484714822705e-03, -6.93858572707181764372e-01, -1.05586262253232909814e+01,
		-6.23753324503260060396e+01, -1.62396669462573470355e+02, -1.84605092906711035994e+02,
		-8.12874355063065934246e+01, -9.81432934416914548592e+00}
	erfSA = [...]float64{1, 1.96512716674392571292e+01, 1.37657754143519042600e+02, 4.34565877475229228821e+02,
		6.45387271733267880336e+02, 4.29008140027567833386e+02, 1.08635005541779435134e+02,
		6.57024977031928170135e+00, -6.04244152148580987438e-02}
	erfRB = [...]float64{-9.86494292470009928597e-03, -7.99283237680523006574e-01, -1.77579549177547519889e+01,
		-1.60636384855821916062e+02, -6.37566443368389627722e+02, -1.02509513161107724954e+03,
		-4.83519191608651397019e+02, 0}
	erfSB = [...]float64{1, 3.03380607434824582924e+01, 3.25792512996573918826e+02, 1.53672958608443695994e+03,
		3.19985821950859553908e+03, 2.55305040643316442583e+03, 4.74528541206955367215e+02,
		-2.24409524465858183362e+01, 0}
)

// erfPoly is c[0] + z·(c[1] + z·(… + z·c[n])), each product rounded before
// its sum.
func erfPoly(z float64, c []float64) float64 {
	p := c[len(c)-1]
	for i := len(c) - 2; i >= 0; i-- {
		p = c[i] + float64(z*p)
	}
	return p
}

// erf64 is math.Erf(x): odd, x + x·P(x²)/Q(x²) below 0.84375 (x + efx·x
// below 2⁻²⁸), erx + P(x−1)/Q(x−1) below 1.25, 1 − e^(−z²−0.5625)·e^((z−x)(z+x)+R/S)/x
// with R and S in 1/x² below 6 (z is x cut to 20 bits of mantissa), and 1
// beyond.
func erf64(x float64) float64 {
	switch {
	case x != x:
		return math.NaN()
	case math.IsInf(x, 0):
		return math.Copysign(1, x)
	}
	sign := math.Signbit(x) // erf(−0) is −0
	x = math.Abs(x)
	var r float64
	switch {
	case x < 0x1p-28:
		r = x + float64(erfEfx*x)
		if x < 0x1p-1015 { // no float32 but 0, where both give 0
			r = 0.125 * (float64(8.0*x) + float64(erfEfx8*x))
		}
	case x < 0.84375:
		z := float64(x * x)
		r = x + float64(x*(erfPoly(z, erfPP[:])/erfPoly(z, erfQQ[:])))
	case x < 1.25:
		s := x - 1
		r = erfErx + erfPoly(s, erfPA[:])/erfPoly(s, erfQA[:])
	case x < 6:
		s := 1 / float64(x*x)
		R, S := erfPoly(s, erfRA[:]), erfPoly(s, erfSA[:])
		if x >= 1/0.35 {
			R, S = erfPoly(s, erfRB[:]), erfPoly(s, erfSB[:])
		}
		z := math.Float64frombits(math.Float64bits(x) & 0xffffffff00000000)
		r = 1 - exp64(float64(-z*z)-0.5625)*exp64(float64((z-x)*(z+x))+R/S)/x
	default:
		r = 1
	}
	if sign {
		return -r
	}
	return r
}

// erfGo is Unary's Erf of x.
func erfGo(x float32) float32 { return float32(erf64(float64(x))) }
