package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"

	"golang.org/x/sys/cpu"
)

// TestNormalLogCos checks normalLog and sinCos against math.Log, math.Cos
// and math.Sin on every argument the Normal draw gives them (1−u and 2π·u
// for all 2²⁴ values of u), and normalPairGo against the formula with
// math's functions. math.Log's assembly on amd64 and normalLog are the
// same algorithm; elsewhere math.Log is pure Go, which a compiler may fuse,
// so the comparison is exact on amd64 only (the draws are normalPairGo's
// on every platform).
func TestNormalLogCos(t *testing.T) {
	if testing.Short() {
		t.Skip("2²⁵ evaluations")
	}
	exact := runtime.GOARCH == "amd64"
	const n = 1 << 24
	for i := range n {
		u := float32(i) * (1.0 / 16777216.0)
		x := 1 - float64(u)
		if got, want := normalLog(x), math.Log(x); got != want && (exact || !(math.Abs(got-want) <= 1e-15*math.Abs(want))) {
			t.Fatalf("normalLog(%v) = %v, math.Log gives %v", x, got, want)
		}
		c := 2 * math.Pi * float64(u)
		if got, want := sinCos(c, true), math.Cos(c); got != want && (exact || !(math.Abs(got-want) <= 1e-15)) {
			t.Fatalf("sinCos(%v, true) = %v, math.Cos gives %v", c, got, want)
		}
		if got, want := sinCos(c, false), math.Sin(c); got != want && (exact || !(math.Abs(got-want) <= 1e-15)) {
			t.Fatalf("sinCos(%v, false) = %v, math.Sin gives %v", c, got, want)
		}
	}
	for i := range 100000 {
		x0, x1 := uint32(i)*2654435761, uint32(i)*40503+uint32(i>>3)
		br := float64(float32(-2.5)) * math.Sqrt(-2*math.Log(1-float64(unit(x0))))
		theta := 2 * math.Pi * float64(unit(x1))
		wantC, wantS := float32(1.5)+float32(br*math.Cos(theta)), float32(1.5)+float32(br*math.Sin(theta))
		if c, s := normalPairGo(x0, x1, 1.5, -2.5); (c != wantC || s != wantS) && exact {
			t.Fatalf("normalPairGo(%#x, %#x) = %v, %v, the formula gives %v, %v", x0, x1, c, s, wantC, wantS)
		}
	}
}

// TestNormalPairs checks normalPairs (vector code where the CPU has it)
// against normalPairGo bit for bit, both draws of each pair: every u(x)
// with a few y, every u(y) with a few x (all 2²⁴ of each, the words' low
// bytes varied), random words, and every length of pairs up to 20; and
// normalDraws from each parity of start and end.
func TestNormalPairs(t *testing.T) {
	const n = 1 << 24
	step := 1
	if testing.Short() {
		step = 61
	}
	w, out := make([]uint32, 0, 2*n), make([]float32, 2*n)
	check := func(what string, a, b float32) {
		t.Helper()
		out := out[:len(w)]
		for _, width := range logWidths() {
			restore := width.set()
			normalPairs(out, w, a, b)
			restore()
			for j := 0; j < len(out); j += 2 {
				c, s := normalPairGo(w[j], w[j+1], a, b)
				if math.Float32bits(out[j]) != math.Float32bits(c) || math.Float32bits(out[j+1]) != math.Float32bits(s) {
					t.Fatalf("%s, %s: normalPairs(%#x, %#x, %v, %v) = %v, %v, normalPairGo gives %v, %v", what, width.name, w[j], w[j+1], a, b, out[j], out[j+1], c, s)
				}
			}
		}
	}
	for _, fixed := range []uint32{0, 0xFF, 0x80000000, 0xFFFFFFFF, 0x3243F6A8} {
		w = w[:0]
		for i := 0; i < n; i += step {
			w = append(w, uint32(i)<<8|uint32(i)&0xFF, fixed)
		}
		check("every u(x)", 0, 1)
		for j := 0; j < len(w); j += 2 {
			w[j], w[j+1] = w[j+1], w[j]
		}
		check("every u(y)", 1.5, -2.5)
	}
	w = w[:0]
	var s uint32 = 1
	for range 1 << 17 {
		s = s*1664525 + 1013904223
		w = append(w, s)
	}
	check("random words", -3, 0.25)
	check("random words, b = 0", 2, 0)
	all := slices.Clone(w)
	for l := range 37 {
		w = all[:2*l]
		check(fmt.Sprintf("%d pairs", l), 0, 1)
	}
	for _, odd := range []bool{false, true} {
		for l := range 19 {
			got := make([]float32, l)
			normalDraws(got, all, odd, 0.5, 2)
			for j, v := range got {
				k := j
				if odd {
					k++
				}
				c, s := normalPairGo(all[k/2*2], all[k/2*2+1], 0.5, 2)
				want := c
				if k%2 == 1 {
					want = s
				}
				if math.Float32bits(v) != math.Float32bits(want) {
					t.Fatalf("normalDraws(%d elements, odd %v): element %d = %v, want %v", l, odd, j, v, want)
				}
			}
		}
	}
}

// TestLogVector checks Unary's Log (vector code where the CPU has it)
// against float32(math.Log(float64(x))) bit for bit, NaNs included, over a
// sweep of float32 bit patterns (every 61st; every 6007th with -short)
// and the special values, each width this CPU has (logWidths).
func TestLogVector(t *testing.T) {
	step := sampleStep(61)
	var xs []float32
	for b := uint64(0); b < 1<<32; b += step {
		xs = append(xs, math.Float32frombits(uint32(b)))
	}
	for _, b := range []uint32{0, 0x80000000, 0x7F800000, 0xFF800000, 0x7FC00000, 0xFFC00000, 0x7F800001, 0xFF800001,
		0x00000001, 0x007FFFFF, 0x00800000, 0x3F800000, 0x7F7FFFFF, 0x3F3504F3, 0x3F3504F4, 0xBF800000} {
		xs = append(xs, math.Float32frombits(b))
	}
	for len(xs)%16 != 0 {
		xs = append(xs, 1)
	}
	checkUnaryVector(t, Log, 0, xs, "math.Log", func(x float32) float32 { return float32(math.Log(float64(x))) })
}

// TestSinCosVector checks Unary's Sin and Cos (vector code where the CPU
// has it, sinCos elsewhere) against math.Sin and math.Cos bit for bit on
// every 509th float32 pattern, the special values, the edges of sinCos's
// own reduction (2²⁹) and runs of arguments it leaves to math among
// others; elsewhere than amd64, where math's pure Go may be fused, against
// sinCos, and sinCos against math within 10⁻¹⁵.
func TestSinCosVector(t *testing.T) {
	step := sampleStep(509)
	var xs []float32
	for b := uint64(0); b < 1<<32; b += step {
		xs = append(xs, math.Float32frombits(uint32(b)))
	}
	specials := []uint32{0, 0x80000000, 0x7F800000, 0xFF800000, 0x7FC00000, 0xFFC00000, 0x7F800001, 0xFF800001,
		0x00000001, 0x80000001, 0x007FFFFF, 0x00800000, 0x7F7FFFFF, 0xFF7FFFFF, 0x4DFFFFFF, 0xCDFFFFFF, 0x4E000000,
		0xCE000000, 0x4E000001, 0x3F490FDB, 0x3FC90FDB, 0x40490FDB, 0x40C90FDB, 0xC0490FDB}
	for _, b := range specials {
		xs = append(xs, math.Float32frombits(b))
	}
	// A vector's worth of ordinary arguments around each lone large one,
	// and a long ordinary run after it.
	for _, b := range specials {
		for i := range 37 {
			xs = append(xs, float32(i)*0.37-5)
			if i == 20 {
				xs = append(xs, math.Float32frombits(b))
			}
		}
	}
	exact := runtime.GOARCH == "amd64"
	for _, op := range []UnaryOp{Sin, Cos} {
		checkUnaryVector(t, op, 0, xs, "math.Sin or math.Cos (sinCos off amd64)", func(x float32) float32 {
			switch {
			case !exact:
				return float32(sinCos(float64(x), op == Cos))
			case op == Cos:
				return float32(math.Cos(float64(x)))
			}
			return float32(math.Sin(float64(x)))
		})
	}
	if !exact {
		for _, x := range xs {
			v := float64(x)
			if d := math.Abs(sinCos(v, false) - math.Sin(v)); d > 1e-15 {
				t.Fatalf("sinCos(%v, false) is %g from math.Sin", v, d)
			}
			if d := math.Abs(sinCos(v, true) - math.Cos(v)); d > 1e-15 {
				t.Fatalf("sinCos(%v, true) is %g from math.Cos", v, d)
			}
		}
	}
}

// sampleStep is the stride of a sweep over float32 bit patterns: full, or
// every 6007th pattern in short mode.
func sampleStep(full uint64) uint64 {
	if testing.Short() {
		return 6007
	}
	return full
}

// mathBitsExact reports whether Go's math gives the bits the written-out
// functions repeat: amd64, whose math.Exp assembly takes its FMA path on a
// CPU with AVX and FMA, and whose pure Go math is compiled unfused.
func mathBitsExact() bool {
	return runtime.GOARCH == "amd64" && cpu.X86.HasAVX && cpu.X86.HasFMA
}

// checkUnaryVector runs Unary's op with parameter a over xs on each width
// this CPU has (logWidths), whole and in ragged spans at odd offsets, and
// fails where a result's bits differ from want's (named in the message).
func checkUnaryVector(t *testing.T, op UnaryOp, a float32, xs []float32, wantName string, want func(float32) float32) {
	t.Helper()
	for _, width := range logWidths() {
		t.Run(width.name, func(t *testing.T) {
			defer width.set()()
			got := make([]float32, len(xs))
			for _, span := range [][2]int{{0, len(xs)}, {3, 40}, {1, 1}} {
				unarySpan(op, a, 0, got[span[0]:span[1]], xs[span[0]:span[1]])
			}
			for i, x := range xs {
				if w := want(x); math.Float32bits(got[i]) != math.Float32bits(w) {
					t.Fatalf("op %d (a = %v) of %v (bits %#08x) = %v (%#08x), %s gives %v (%#08x)",
						op, a, x, math.Float32bits(x), got[i], math.Float32bits(got[i]), wantName, w, math.Float32bits(w))
				}
			}
		})
	}
}

// softplusArgs returns every step-th float32 pattern, the special values
// and the edges of softplusGo's branches, padded to a multiple of 16, with
// runs of ordinary values around lone special ones.
func softplusArgs(step uint64) []float32 {
	var xs []float32
	for b := uint64(0); b < 1<<32; b += step {
		xs = append(xs, math.Float32frombits(uint32(b)))
	}
	specials := []float32{0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1)),
		float32(math.NaN()), 708, -708, math.Nextafter32(708, 1000), math.Nextafter32(-708, -1000), 20.1, -20.1,
		0x1p-149, -0x1p-149, 0.881374, -0.881374, 37.42, -37.42, math.MaxFloat32, -math.MaxFloat32, 1e-8, -1e-8,
		math.Float32frombits(0x7FC00001), math.Float32frombits(0xFF800001)}
	xs = append(xs, specials...)
	for _, v := range specials {
		for i := range 37 {
			xs = append(xs, float32(i)*1.37-25)
			if i == 20 {
				xs = append(xs, v)
			}
		}
	}
	for len(xs)%16 != 0 {
		xs = append(xs, 1)
	}
	return xs
}

// TestSoftplusParts checks exp64 and softplusLog1p against math.Exp
// and math.Log1p bit for bit on the arguments softplusGo gives them, on
// amd64 with FMA (whose math.Exp assembly exp64 writes out, and
// where math.Log1p is compiled unfused); elsewhere within 2 ULP.
func TestSoftplusParts(t *testing.T) {
	exact := mathBitsExact()
	for _, x := range softplusArgs(sampleStep(509)) {
		a := math.Abs(float64(x))
		if !(a <= softplusMax) {
			continue
		}
		e, want := exp64(-a), math.Exp(-a)
		if e != want && (exact || !(math.Abs(e-want) <= 0x1p-51*want)) {
			t.Fatalf("exp64(%v) = %v, math.Exp gives %v", -a, e, want)
		}
		if got, want := softplusLog1p(e), math.Log1p(e); got != want && (exact || !(math.Abs(got-want) <= 0x1p-51*want)) {
			t.Fatalf("softplusLog1p(%v) = %v, math.Log1p gives %v", e, got, want)
		}
	}
}

// TestSoftplusVector checks Unary's Softplus (vector code where the CPU
// has it) against softplusGo bit for bit, and softplusGo against the
// formula with math's functions (bit for bit where TestSoftplusParts is).
func TestSoftplusVector(t *testing.T) {
	xs := softplusArgs(sampleStep(509))
	if mathBitsExact() {
		for _, x := range xs {
			v := float64(x)
			formula := float32(max(v, 0) + math.Log1p(math.Exp(-math.Abs(v))))
			// NaN's payload is the compiler's choice in max.
			if want := softplusGo(x); math.Float32bits(want) != math.Float32bits(formula) && !(want != want && formula != formula) {
				t.Fatalf("softplusGo(%v) = %v, math's functions give %v", x, want, formula)
			}
		}
	}
	checkUnaryVector(t, Softplus, 0, xs, "softplusGo", softplusGo)
}

// TestErfVector checks Unary's Erf (vector code where the CPU has it)
// against erfGo bit for bit, and erf64 against math.Erf: bit for bit on
// amd64 with FMA (math.Exp's assembly is exp64 there), elsewhere within
// 2 ULP.
func TestErfVector(t *testing.T) {
	xs := softplusArgs(sampleStep(509))
	xs = append(xs, 0.84375, -0.84375, math.Nextafter32(0.84375, 0), 1.25, math.Nextafter32(1.25, 0), 6,
		math.Nextafter32(6, 0), float32(1/0.35), math.Nextafter32(float32(1/0.35), 0), 0x1p-28, 0x1p-29, -0x1p-28)
	for len(xs)%16 != 0 {
		xs = append(xs, 0.5)
	}
	exact := mathBitsExact()
	for _, x := range xs {
		v := float64(x)
		got, want := erf64(v), math.Erf(v)
		if got != want && !(got != got && want != want) && (exact || !(math.Abs(got-want) <= 0x1p-51*math.Abs(want))) {
			t.Fatalf("erf64(%v) = %v, math.Erf gives %v", v, got, want)
		}
	}
	checkUnaryVector(t, Erf, 0, xs, "erfGo", erfGo)
}

// powExponents are the p TestPowScalarVector tries: the special ones of
// math.Pow, integers, halves and fractions either side of ½, both signs.
var powExponents = []float32{2, 3, 0.5, -0.5, -1.5, 2.5, 1.7, -3, 7, 0.3, 10, -0.25, 1, 0, -1, 4, 0.75, 33.3, 1 << 20, -2, 1<<20 - 1}

// TestPowScalarVector checks Unary's PowScalar (vector code where the CPU
// has it) against powGo bit for bit, and powGo against
// float32(math.Pow): bit for bit on amd64 with FMA (math.Log's and
// math.Exp's assembly are normalLog and exp64 there), elsewhere within
// 2 ULP of float32.
func TestPowScalarVector(t *testing.T) {
	xs := softplusArgs(sampleStep(4001)) // math.Pow takes 20–100 ns; 21 exponents
	exact := mathBitsExact()
	for _, p := range powExponents {
		pl := newPowPlan(p)
		for _, x := range xs {
			got, want := powGo(x, &pl), float32(math.Pow(float64(x), float64(p)))
			if math.Float32bits(got) != math.Float32bits(want) && !(got != got && want != want) &&
				(exact || !(math.Abs(float64(got-want)) <= 0x1p-22*math.Abs(float64(want)))) {
				t.Fatalf("powGo(%v, %v) = %v, math.Pow gives %v", x, p, got, want)
			}
		}
	}
	for _, p := range powExponents {
		pl := newPowPlan(p)
		checkUnaryVector(t, PowScalar, p, xs, "powGo", func(x float32) float32 { return powGo(x, &pl) })
	}
}

// TestPowVector checks Binary's Pow (vector code where the CPU has it)
// against powGo with each pair's plan bit for bit, and that against
// float32(math.Pow) (bit for bit on amd64 with FMA, elsewhere within
// 2 ULP of float32), on pairs of every 997th float32 pattern with
// exponents drawn from powExponents, random integers, halves and
// fractions of both signs, NaN and ±Inf, mixed within each vector.
func TestPowVector(t *testing.T) {
	xs := softplusArgs(sampleStep(997))
	// The magnitudes again, so that most vectors' pairs all have plans.
	for _, x := range xs[:len(xs)&^15] {
		xs = append(xs, float32(math.Abs(float64(x))))
	}
	ys := make([]float32, len(xs))
	r := rand.New(rand.NewPCG(5, 9))
	for i := range ys {
		switch r.IntN(6) {
		case 0:
			ys[i] = powExponents[r.IntN(len(powExponents))]
		case 1:
			ys[i] = float32(r.IntN(41) - 20)
		case 2:
			ys[i] = float32(r.IntN(21)-10) + 0.5
		case 3:
			ys[i] = []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)), 1 << 21, -0.5, 0}[r.IntN(6)]
		default:
			ys[i] = float32(r.NormFloat64() * 4)
		}
	}
	exact := mathBitsExact()
	for i, x := range xs {
		pl := newPowPlan(ys[i])
		got, want := powGo(x, &pl), float32(math.Pow(float64(x), float64(ys[i])))
		if math.Float32bits(got) != math.Float32bits(want) && !(got != got && want != want) &&
			(exact || !(math.Abs(float64(got-want)) <= 0x1p-22*math.Abs(float64(want)))) {
			t.Fatalf("powGo(%v, %v) = %v, math.Pow gives %v", x, ys[i], got, want)
		}
	}
	for _, width := range logWidths() {
		t.Run(width.name, func(t *testing.T) {
			defer width.set()()
			got := make([]float32, len(xs))
			for _, span := range [][2]int{{0, len(xs)}, {3, 40}, {1, 1}} {
				binarySpan(Pow, 0, got[span[0]:span[1]], xs[span[0]:span[1]], ys[span[0]:span[1]])
			}
			for i, x := range xs {
				pl := newPowPlan(ys[i])
				if want := powGo(x, &pl); math.Float32bits(got[i]) != math.Float32bits(want) {
					t.Fatalf("Pow(%v, %v) = %v (%#08x), powGo gives %v (%#08x)",
						x, ys[i], got[i], math.Float32bits(got[i]), want, math.Float32bits(want))
				}
			}
		})
	}
}
