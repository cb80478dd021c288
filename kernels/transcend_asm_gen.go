//go:build ignore

// This program writes transcend_amd64.s, the vector code of the
// element-wise kernels: run it with go generate (see transcend_amd64.go).
// Both widths, AVX2 and AVX-512, come from one list of operations per
// function.
//
// The transcendentals are exp and tanh (the sequence of the Go twins in
// transcend_test.go), the logistic sigmoid (float64 lanes, sigmoidBody),
// and the GELUs and their slopes (gelu.go's sequences). Then come the ops
// that unarySpan and binarySpan otherwise run one element at a time: the affine map, square, |x|, 1/x, √x, 1/√x,
// the sign, clamping, the comparisons with a scalar and between operands,
// and the element-wise maximum and minimum. Each computes what the Go loop
// computes, the same IEEE operations on each element, so the bits are the
// same: 1/√x in float64 lanes as the loop does, and max and min with Go's
// rules for NaN and signed zeros (VMAXPS and VMINPS alone would return the
// second operand for a NaN or two zeros).
package main

import (
	"bytes"
	"fmt"
	"log"
	"math"
	"os"
	"regexp"
	"strings"
)

// consts are the values the kernels read, each stored as 16 copies so that
// a ymm or a zmm operand reads it whole.
var consts = []struct {
	name string
	bits uint32
}{
	{"expLo", f(-104)}, {"expHi", f(89)}, {"expLog2e", f(1.44269504088896341)},
	{"expC1", f(0.693359375)}, {"expC2", f(-2.12194440e-4)},
	{"expP0", f(1.9875691500e-4)}, {"expP1", f(1.3981999507e-3)}, {"expP2", f(8.3334519073e-3)},
	{"expP3", f(4.1665795894e-2)}, {"expP4", f(1.6666665459e-1)}, {"expP5", f(5.0000001201e-1)},
	{"one", f(1)}, {"two", f(2)},
	{"tanhSmall", f(0.625)}, {"tanhT0", f(-5.70498872745e-3)}, {"tanhT1", f(2.06390887954e-2)},
	{"tanhT2", f(-5.37397155531e-2)}, {"tanhT3", f(1.33314422036e-1)}, {"tanhT4", f(-3.33332819422e-1)},
	{"bias127", 127}, {"absMask", 0x7fffffff}, {"signMask", 0x80000000}, {"minusOne", f(-1)},
	{"erfLo", f(-4)}, {"erfHi", f(4)},
	{"erfP0", f(-2.72614225801306e-10)}, {"erfP1", f(2.77068142495902e-08)}, {"erfP2", f(-2.10102402082508e-06)},
	{"erfP3", f(-5.69250639462346e-05)}, {"erfP4", f(-7.34990630326855e-04)}, {"erfP5", f(-2.95459980854025e-03)},
	{"erfP6", f(-1.60960333262415e-02)},
	{"erfQ0", f(-1.45660718464996e-05)}, {"erfQ1", f(-2.13374055278905e-04)}, {"erfQ2", f(-1.68282697438203e-03)},
	{"erfQ3", f(-7.37332916720468e-03)}, {"erfQ4", f(-1.42647390514189e-02)},
	{"half", f(0.5)}, {"negHalf", f(-0.5)},
	{"geluInvSqrt2", f(0.7071067811865476)}, {"geluInvRoot", f(0.3989422804014327)},
	{"geluC", f(0.044715)}, {"gelu2K", f(2 * 0.7978845608028654)}, {"geluK", f(0.7978845608028654)},
	{"gelu3C", f(3 * 0.044715)},
}

func f(v float64) uint32 { return math.Float32bits(float32(v)) }

// consts64 are the sigmoid's float64 constants, each stored as 8 copies.
// e^t for t = −|x| ≥ −120 is 2ⁿ·p(r): n = round(t·log₂e) by the shifter
// 1.5·2⁵², r = t − n·ln 2 in two parts (|r| ≤ ln2/2), and p e^r's Taylor
// polynomial to r¹⁰/10!, within 3·10⁻¹³ relative: the float32 result is
// the float64 one's rounding but for ties closer than that.
var consts64 = func() []struct {
	name string
	bits uint64
} {
	cs := []struct {
		name string
		bits uint64
	}{
		{"sigLo", math.Float64bits(-120)}, {"sigLog2e", math.Float64bits(math.Log2E)},
		{"sigShift", math.Float64bits(1.5 * (1 << 52))},
		{"sigLn2Hi", math.Float64bits(6.93147180369123816490e-01)}, {"sigLn2Lo", math.Float64bits(1.90821492927058770002e-10)},
		{"sigOne", math.Float64bits(1)}, {"sigBias", 1023}, {"sigAbs", 1<<63 - 1},
	}
	fact := 1.0
	for k := 1; k <= 10; k++ {
		fact *= float64(k)
		cs = append(cs, struct {
			name string
			bits uint64
		}{fmt.Sprintf("sigP%d", k), math.Float64bits(1 / fact)})
	}
	return cs
}()

// isa is one vector width: R names its registers, and AND, OR and XOR are
// the bitwise ops it has for them (AVX-512F has no VANDPS on zmm).
type isa struct {
	suffix, R, AND, OR, XOR string
	lanes                   int
}

var (
	avx2   = isa{"AVX2", "Y", "VANDPS", "VORPS", "VXORPS", 8}
	avx512 = isa{"AVX512", "Z", "VPANDD", "VPORD", "VPXORD", 16}
)

// expCore takes x in R0 and leaves eˣ there, using R1–R4 (transcend.go's
// expf: clamp, n = round(x·log₂e), r in two parts, the polynomial, and the
// scaling by 2^(n>>1)·2^(n−n>>1)).
func expCore(i isa) []string {
	return []string{
		"VMOVUPS c_expLo<>(SB), R1",
		"VMAXPS R0, R1, R0 // NaN in x is what comes out",
		"VMOVUPS c_expHi<>(SB), R1",
		"VMINPS R0, R1, R0",
		"VMULPS c_expLog2e<>(SB), R0, R1",
		"VCVTPS2DQ R1, R2 // n, rounded to nearest even",
		"VCVTDQ2PS R2, R1",
		"VMOVUPS R0, R3",
		"VFNMADD231PS c_expC1<>(SB), R1, R3",
		"VFNMADD231PS c_expC2<>(SB), R1, R3 // r",
		"VMOVUPS c_expP0<>(SB), R4",
		"VFMADD213PS c_expP1<>(SB), R3, R4",
		"VFMADD213PS c_expP2<>(SB), R3, R4",
		"VFMADD213PS c_expP3<>(SB), R3, R4",
		"VFMADD213PS c_expP4<>(SB), R3, R4",
		"VFMADD213PS c_expP5<>(SB), R3, R4",
		"VMULPS R3, R3, R1 // z = r²",
		"VFMADD213PS R3, R1, R4",
		"VADDPS c_one<>(SB), R4, R4",
		"VPSRAD $1, R2, R1 // n1 = n>>1, n2 = n − n1",
		"VPSUBD R1, R2, R2",
		"VPADDD c_bias127<>(SB), R1, R1",
		"VPSLLD $23, R1, R1",
		"VPADDD c_bias127<>(SB), R2, R2",
		"VPSLLD $23, R2, R2",
		"VMULPS R1, R4, R4",
		"VMULPS R2, R4, R0",
	}
}

// tanhBody maps x in R0 to tanh x (transcend.go's tanhf): both forms, then
// the small one where |x| < 0.625.
func tanhBody(i isa) []string {
	body := []string{
		"VMOVUPS R0, R5 // x",
		i.AND + " c_absMask<>(SB), R0, R6 // a = |x|",
		"VADDPS R6, R6, R0",
	}
	body = append(body, expCore(i)...)
	body = append(body,
		"VADDPS c_one<>(SB), R0, R0",
		"VMOVUPS c_two<>(SB), R1",
		"VDIVPS R0, R1, R1",
		"VMOVUPS c_one<>(SB), R0",
		"VSUBPS R1, R0, R0 // 1 − 2/(e²ᵃ+1)",
		i.AND+" c_signMask<>(SB), R5, R2",
		i.OR+" R2, R0, R0 // with the sign of x",
		"VMULPS R5, R5, R1 // z = x²",
		"VMOVUPS c_tanhT0<>(SB), R2",
		"VFMADD213PS c_tanhT1<>(SB), R1, R2",
		"VFMADD213PS c_tanhT2<>(SB), R1, R2",
		"VFMADD213PS c_tanhT3<>(SB), R1, R2",
		"VFMADD213PS c_tanhT4<>(SB), R1, R2",
		"VMULPS R1, R2, R2",
		"VFMADD213PS R5, R5, R2 // x + x·z·P(z)",
	)
	if i.R == "Z" {
		return append(body, "VCMPPS $1, c_tanhSmall<>(SB), R6, K1", "VBLENDMPS R2, R0, K1, R0")
	}
	return append(body, "VCMPPS $1, c_tanhSmall<>(SB), R6, R7", "VBLENDVPS R7, R2, R0, R0")
}

// erfCore takes x in R0 and leaves erf32(x) there (gelu.go), using R1–R3:
// x clamped to [−4, 4] (a NaN stays), then x·p(x²)/q(x²) by Horner's rule
// with each product and sum rounded on its own, as the Go code computes.
func erfCore() []string {
	body := []string{
		"VMOVUPS c_erfLo<>(SB), R1",
		"VMAXPS R0, R1, R0 // NaN in x is what comes out",
		"VMOVUPS c_erfHi<>(SB), R1",
		"VMINPS R0, R1, R0",
		"VMULPS R0, R0, R1 // x²",
		"VMULPS c_erfP0<>(SB), R1, R2",
		"VADDPS c_erfP1<>(SB), R2, R2",
	}
	for k := 2; k <= 6; k++ {
		body = append(body, "VMULPS R1, R2, R2", fmt.Sprintf("VADDPS c_erfP%d<>(SB), R2, R2", k))
	}
	body = append(body, "VMULPS c_erfQ0<>(SB), R1, R3", "VADDPS c_erfQ1<>(SB), R3, R3")
	for k := 2; k <= 4; k++ {
		body = append(body, "VMULPS R1, R3, R3", fmt.Sprintf("VADDPS c_erfQ%d<>(SB), R3, R3", k))
	}
	return append(body, "VMULPS R0, R2, R2 // x·p", "VDIVPS R3, R2, R0 // x·p/q")
}

// phiCore maps x in R0 to Φ(x) = ½·(1 + erf32(x·(1/√2))), using R1–R3.
func phiCore() []string {
	body := append([]string{"VMULPS c_geluInvSqrt2<>(SB), R0, R0"}, erfCore()...)
	return append(body, "VADDPS c_one<>(SB), R0, R0", "VMULPS c_half<>(SB), R0, R0")
}

// geluBody maps x in R0 to x·Φ(x) (gelu.go's geluGo).
func geluBody() []string {
	body := append([]string{"VMOVUPS R0, R5 // x"}, phiCore()...)
	return append(body, "VMULPS R5, R0, R0")
}

// geluGradBody maps x in R0 and the gradient at (BX) to g·(Φ(x) +
// x·e^(−x²/2)·(1/√(2π))) (gelu.go's geluGradGo), the exponential by
// expCore.
func geluGradBody(i isa) []string {
	body := []string{
		"VMOVUPS R0, R6 // x",
		"VMULPS c_negHalf<>(SB), R0, R0",
		"VMULPS R6, R0, R0 // −½·x·x",
	}
	body = append(body, expCore(i)...)
	body = append(body,
		"VMULPS R6, R0, R7",
		"VMULPS c_geluInvRoot<>(SB), R7, R7 // x·e·(1/√(2π))",
		"VMOVUPS R6, R0",
	)
	body = append(body, phiCore()...)
	return append(body, "VADDPS R7, R0, R0", "VMULPS (BX), R0, R0")
}

// tanhArg maps x in R8 to 2u = 2·√(2/π)·(x + 0.044715·x³) in R9 (gelu.go's
// geluTanhGo: ((0.044715·x)·x)·x, added to x, then the product).
func tanhArg() []string {
	return []string{
		"VMULPS c_geluC<>(SB), R8, R9",
		"VMULPS R8, R9, R9",
		"VMULPS R8, R9, R9",
		"VADDPS R9, R8, R9",
		"VMULPS c_gelu2K<>(SB), R9, R9",
	}
}

// widen splits the float32 lanes of src into float64 halves in lo and hi
// (src may be lo, not hi); narrow joins lo and hi back into dst.
func widen(i isa, src, lo, hi string) []string {
	half := map[string]string{"Y": "X", "Z": "Y"}[i.R]
	extract := map[string]string{"Y": "VEXTRACTF128", "Z": "VEXTRACTF64X4"}[i.R]
	h, l := func(r string) string { return strings.Replace(r, "R", half, 1) }, strings.Replace(src, "R", half, 1)
	return []string{extract + " $1, " + src + ", " + h(hi), "VCVTPS2PD " + l + ", " + lo, "VCVTPS2PD " + h(hi) + ", " + hi}
}

func narrow(i isa, lo, hi, dst string) []string {
	half := map[string]string{"Y": "X", "Z": "Y"}[i.R]
	cvt := map[string]string{"Y": "VCVTPD2PSY", "Z": "VCVTPD2PS"}[i.R]
	insert := map[string]string{"Y": "VINSERTF128", "Z": "VINSERTF64X4"}[i.R]
	h := func(r string) string { return strings.Replace(r, "R", half, 1) }
	return []string{cvt + " " + lo + ", " + h(lo), cvt + " " + hi + ", " + h(hi), insert + " $1, " + h(hi) + ", " + lo + ", " + dst}
}

// geluTanhBody maps x at (SI) to x·σ(2u) in R0 (gelu.go's geluTanhGo), the
// sigmoid in float64 lanes as sigmoidBody computes it.
func geluTanhBody(i isa) []string {
	body := append([]string{"VMOVUPS (SI), R8"}, tanhArg()...)
	body = append(body, widen(i, "R9", "R0", "R1")...)
	body = append(body, sigmoidBody(i)...)
	body = append(body, narrow(i, "R0", "R1", "R0")...)
	return append(body, "VMULPS R8, R0, R0")
}

// geluTanhGradBody maps x at (SI) and the gradient at (BX) to g·(s + t)
// in R0, s = σ(2u), t = 2x·s·σ(−2u)·(√(2/π)·(1 + 3·0.044715·x²)) where
// s·σ(−2u) is not 0, else 0 (gelu.go's geluTanhGradGo).
func geluTanhGradBody(i isa) []string {
	body := append([]string{"VMOVUPS (SI), R8"}, tanhArg()...)
	body = append(body, widen(i, "R9", "R0", "R1")...)
	body = append(body, sigmoidBody(i)...)
	body = append(body, narrow(i, "R0", "R1", "R10")...)
	xor := map[string]string{"Y": "VXORPS", "Z": "VPXORD"}[i.R]
	body = append(body, xor+" c_signMask<>(SB), R9, R9 // −2u")
	body = append(body, widen(i, "R9", "R0", "R1")...)
	body = append(body, sigmoidBody(i)...)
	body = append(body, narrow(i, "R0", "R1", "R11")...)
	body = append(body,
		"VMULPS R11, R10, R11 // sr = s·σ(−2u)",
		"VMULPS c_gelu3C<>(SB), R8, R12",
		"VMULPS R8, R12, R12",
		"VADDPS c_one<>(SB), R12, R12",
		"VMULPS c_geluK<>(SB), R12, R12 // u′",
		"VMULPS c_two<>(SB), R8, R13",
		"VMULPS R11, R13, R13 // 2x·sr",
		xor+" R14, R14, R14",
	)
	if i.R == "Z" {
		body = append(body, "VCMPPS $4, R14, R11, K1 // sr ≠ 0 (or NaN)", "VMULPS.Z R12, R13, K1, R13")
	} else {
		body = append(body, "VMULPS R12, R13, R13", "VCMPPS $4, R14, R11, R14 // sr ≠ 0 (or NaN)", "VANDPS R14, R13, R13")
	}
	return append(body, "VADDPS R13, R10, R0", "VMULPS (BX), R0, R0")
}

// sigmoidBody maps x in R0 and R1 (float64 lanes) to 1/(1+e) for x ≥ 0
// and e/(1+e) below, e = e^−|x|, as unarySpan's float64 loop: both halves
// interleaved, R2–R7 their scratch.
func sigmoidBody(i isa) []string {
	var body []string
	both := func(ls ...string) {
		for _, l := range ls {
			body = append(body, l, strings.NewReplacer("R0", "R1", "R2", "R3", "R4", "R5", "R6", "R7", "K1", "K2").Replace(l))
		}
	}
	// AVX-512F has no VANDPD or VXORPD on zmm.
	and, xor := map[string]string{"Y": "VANDPD", "Z": "VPANDQ"}[i.R], map[string]string{"Y": "VXORPD", "Z": "VPXORQ"}[i.R]
	both(
		"VMOVUPD c_sigAbs<>(SB), R2",
		and+" R0, R2, R2 // |x|",
		xor+" R4, R4, R4",
		"VSUBPD R2, R4, R2 // t = −|x|",
		"VMOVUPD c_sigLo<>(SB), R4",
		"VMAXPD R2, R4, R2 // NaN in x is what comes out",
		"VMOVUPD c_sigShift<>(SB), R4",
		"VFMADD231PD c_sigLog2e<>(SB), R2, R4 // n in the low bits",
		"VMOVUPD R4, R6",
		"VSUBPD c_sigShift<>(SB), R4, R4 // n",
		"VFNMADD231PD c_sigLn2Hi<>(SB), R4, R2",
		"VFNMADD231PD c_sigLn2Lo<>(SB), R4, R2 // r",
		"VMOVUPD c_sigP10<>(SB), R4",
	)
	for k := 9; k >= 1; k-- {
		both(fmt.Sprintf("VFMADD213PD c_sigP%d<>(SB), R2, R4", k))
	}
	both(
		"VFMADD213PD c_sigOne<>(SB), R2, R4 // e^r",
		"VPADDQ c_sigBias<>(SB), R6, R6",
		"VPSLLQ $52, R6, R6 // 2ⁿ",
		"VMULPD R6, R4, R4 // e",
		"VADDPD c_sigOne<>(SB), R4, R2",
		"VMOVUPD c_sigOne<>(SB), R6",
		"VDIVPD R2, R6, R2 // 1/(1+e)",
		"VMULPD R2, R4, R4 // e/(1+e)",
	)
	if i.R == "Z" {
		both(xor+" R6, R6, R6", "VCMPPD $1, R6, R0, K1 // x < 0", "VBLENDMPD R4, R2, K1, R0")
	} else {
		both("VBLENDVPD R0, R4, R2, R0 // by x's sign: −0 and 0 agree")
	}
	return body
}

func main() {
	var b bytes.Buffer
	header(&b)
	for _, i := range []isa{avx2, avx512} {
		for _, fn := range []struct {
			name string
			body []string
		}{{"exp", expCore(i)}, {"tanh", tanhBody(i)}, {"gelu", geluBody()}} {
			name := fn.name + i.suffix
			fmt.Fprintf(&b, "\n// func %s(d, s *float32, n int), n a multiple of %d\n", name, i.lanes)
			fmt.Fprintf(&b, "TEXT ·%s(SB), NOSPLIT, $0-24\n", name)
			fmt.Fprintf(&b, "\tMOVQ d+0(FP), DI\n\tMOVQ s+8(FP), SI\n\tMOVQ n+16(FP), CX\n")
			fmt.Fprintf(&b, "\tSHRQ $%d, CX\n\tJZ done\nloop:\n\tVMOVUPS (SI), %s0\n", map[int]int{8: 3, 16: 4}[i.lanes], i.R)
			for _, l := range fn.body {
				fmt.Fprintf(&b, "\t%s\n", regs(l, i.R))
			}
			fmt.Fprintf(&b, "\tVMOVUPS %s0, (DI)\n\tADDQ $%d, SI\n\tADDQ $%d, DI\n\tDECQ CX\n\tJNZ loop\ndone:\n\tVZEROUPPER\n\tRET\n", i.R, 4*i.lanes, 4*i.lanes)
		}
		// The GELU's tanh form, the slopes and tanh of a sum with a
		// residual (the recurrences' epilogue; the sum rounded as
		// binarySpan's Add rounds it, s + r, s first): the kernels load
		// their own operands, the third pointer (the slopes' incoming
		// gradient gs, the residual r) through BX.
		for _, fn := range []struct {
			name string
			args [][2]string // the pointers after d and the registers they go to
			body []string
		}{
			{"geluTanh", [][2]string{{"s", "SI"}}, geluTanhBody(i)},
			{"geluGrad", [][2]string{{"gs", "BX"}, {"xs", "SI"}}, append([]string{"VMOVUPS (SI), R0"}, geluGradBody(i)...)},
			{"geluTanhGrad", [][2]string{{"gs", "BX"}, {"xs", "SI"}}, geluTanhGradBody(i)},
			{"addTanh", [][2]string{{"s", "SI"}, {"r", "BX"}}, append([]string{"VMOVUPS (SI), R0", "VADDPS (BX), R0, R0"}, tanhBody(i)...)},
		} {
			name := fn.name + i.suffix
			names := []string{"d"}
			for _, a := range fn.args {
				names = append(names, a[0])
			}
			fmt.Fprintf(&b, "\n// func %s(%s *float32, n int), n a multiple of %d\n", name, strings.Join(names, ", "), i.lanes)
			fmt.Fprintf(&b, "TEXT ·%s(SB), NOSPLIT, $0-%d\n", name, 8*len(names)+8)
			fmt.Fprintf(&b, "\tMOVQ d+0(FP), DI\n")
			for k, a := range fn.args {
				fmt.Fprintf(&b, "\tMOVQ %s+%d(FP), %s\n", a[0], 8*k+8, a[1])
			}
			fmt.Fprintf(&b, "\tMOVQ n+%d(FP), CX\n", 8*len(names))
			fmt.Fprintf(&b, "\tSHRQ $%d, CX\n\tJZ done\nloop:\n", map[int]int{8: 3, 16: 4}[i.lanes])
			for _, l := range fn.body {
				fmt.Fprintf(&b, "\t%s\n", regs(l, i.R))
			}
			fmt.Fprintf(&b, "\tVMOVUPS %s0, (DI)\n\tADDQ $%d, SI\n", i.R, 4*i.lanes)
			if len(fn.args) > 1 {
				fmt.Fprintf(&b, "\tADDQ $%d, BX\n", 4*i.lanes)
			}
			fmt.Fprintf(&b, "\tADDQ $%d, DI\n\tDECQ CX\n\tJNZ loop\ndone:\n\tVZEROUPPER\n\tRET\n", 4*i.lanes)
		}
		// The sigmoid widens each half of the lanes to float64 and narrows
		// the results back: R0 and R1 hold half the lanes each.
		name, half := "sigmoid"+i.suffix, 2*i.lanes
		narrow := map[string]string{"Y": "VCVTPD2PSY", "Z": "VCVTPD2PS"}[i.R]
		low := map[string]string{"Y": "X", "Z": "Y"}[i.R]
		fmt.Fprintf(&b, "\n// func %s(d, s *float32, n int), n a multiple of %d\n", name, i.lanes)
		fmt.Fprintf(&b, "TEXT ·%s(SB), NOSPLIT, $0-24\n", name)
		fmt.Fprintf(&b, "\tMOVQ d+0(FP), DI\n\tMOVQ s+8(FP), SI\n\tMOVQ n+16(FP), CX\n")
		fmt.Fprintf(&b, "\tSHRQ $%d, CX\n\tJZ done\nloop:\n\tVCVTPS2PD (SI), %s0\n\tVCVTPS2PD %d(SI), %s1\n", map[int]int{8: 3, 16: 4}[i.lanes], i.R, half, i.R)
		for _, l := range sigmoidBody(i) {
			fmt.Fprintf(&b, "\t%s\n", regs(l, i.R))
		}
		fmt.Fprintf(&b, "\t%s %s0, %s0\n\t%s %s1, %s1\n\tVMOVUPS %s0, (DI)\n\tVMOVUPS %s1, %d(DI)\n", narrow, i.R, low, narrow, i.R, low, low, low, half)
		fmt.Fprintf(&b, "\tADDQ $%d, SI\n\tADDQ $%d, DI\n\tDECQ CX\n\tJNZ loop\ndone:\n\tVZEROUPPER\n\tRET\n", 4*i.lanes, 4*i.lanes)
	}
	elementwise(&b)
	if err := os.WriteFile("transcend_amd64.s", broadcastConsts(b.Bytes()), 0o644); err != nil {
		log.Fatal(err)
	}
}

// header starts the file: the notice, the build constraint and the
// constants.
func header(b *bytes.Buffer) {
	fmt.Fprintln(b, "// Code generated by transcend_asm_gen.go; DO NOT EDIT.")
	fmt.Fprintln(b, "\n//go:build amd64 && !purego\n\n#include \"textflag.h\"")
	for _, c := range consts {
		fmt.Fprintln(b)
		for k := range 16 {
			fmt.Fprintf(b, "DATA c_%s<>+%d(SB)/4, $0x%08x\n", c.name, 4*k, c.bits)
		}
		fmt.Fprintf(b, "GLOBL c_%s<>(SB), RODATA|NOPTR, $64\n", c.name)
	}
	for _, c := range consts64 {
		fmt.Fprintln(b)
		for k := range 8 {
			fmt.Fprintf(b, "DATA c_%s<>+%d(SB)/8, $0x%016x\n", c.name, 8*k, c.bits)
		}
		fmt.Fprintf(b, "GLOBL c_%s<>(SB), RODATA|NOPTR, $64\n", c.name)
	}
}

// Comparison predicates of VCMPPS, each false for a NaN operand as Go's
// comparisons are, but for ≠, which is true.
const (
	predEQ = 0x00 // EQ_OQ
	predNE = 0x04 // NEQ_UQ
	predLT = 0x11 // LT_OQ
	predLE = 0x12 // LE_OQ
	predGE = 0x1d // GE_OQ
	predGT = 0x1e // GT_OQ
	predUN = 0x03 // UNORD_Q
)

// ones turns the comparison of R0 with src by pred into 1 or 0 in R0 (R5
// holds 1).
func ones(i isa, pred int, src string) []string {
	if i.R == "Z" {
		return []string{fmt.Sprintf("VCMPPS $%d, %s, R0, K1", pred, src), "VMOVAPS.Z R5, K1, R0"}
	}
	return []string{fmt.Sprintf("VCMPPS $%d, %s, R0, R0", pred, src), "VANDPS R5, R0, R0"}
}

// where sets dst to src in the lanes where R0 compares by pred with other
// (scratch: R4 and K1).
func where(i isa, pred int, other, src, dst string) []string {
	if i.R == "Z" {
		return []string{fmt.Sprintf("VCMPPS $%d, %s, R0, K1", pred, other), "VMOVAPS " + src + ", K1, " + dst}
	}
	return []string{fmt.Sprintf("VCMPPS $%d, %s, R0, R4", pred, other), "VBLENDVPS R4, " + src + ", " + dst + ", " + dst}
}

// extreme leaves Go's max(R0, other) (or min) in R0: VMAXPS with R0 as
// the second source, which it returns for a NaN in R0 or for two zeros;
// where the two are equal (±0 alike), their AND (OR for min), so that
// max(−0, 0) = 0 and min(−0, 0) = −0; where other may be NaN, their sum, a
// NaN.
func extreme(i isa, min bool, other string, otherNaN bool) []string {
	op, bits := "VMAXPS", i.AND
	if min {
		op, bits = "VMINPS", i.OR
	}
	body := []string{op + " R0, " + other + ", R2", bits + " " + other + ", R0, R3"}
	body = append(body, where(i, predEQ, other, "R3", "R2")...)
	if otherNaN {
		body = append(body, "VADDPS "+other+", R0, R3")
		body = append(body, where(i, predUN, other, "R3", "R2")...)
	}
	return append(body, "VMOVAPS R2, R0")
}

// unary lists the one-operand kernels: x in R0 becomes the result there,
// with a broadcast in R6, b in R7 and 1 in R5.
func unary(i isa) []struct {
	name string
	body []string
} {
	rsqrt := append(widen(i, "R0", "R1", "R2"), "VSQRTPD R1, R1", "VSQRTPD R2, R2", "VMOVUPD c_sigOne<>(SB), R3", "VDIVPD R1, R3, R1", "VDIVPD R2, R3, R2")
	// sel(x > 0, 1, sel(x < 0, −1, x)), both masks from x before it
	// changes.
	var sign []string
	if i.R == "Z" {
		sign = []string{i.XOR + " R3, R3, R3", "VCMPPS $30, R3, R0, K1", "VCMPPS $17, R3, R0, K2",
			"VMOVAPS R5, K1, R0", "VMOVUPS c_minusOne<>(SB), K2, R0"}
	} else {
		sign = []string{i.XOR + " R3, R3, R3", "VCMPPS $30, R3, R0, R1", "VCMPPS $17, R3, R0, R2",
			"VBLENDVPS R1, R5, R0, R0", "VMOVUPS c_minusOne<>(SB), R3", "VBLENDVPS R2, R3, R0, R0"}
	}
	return []struct {
		name string
		body []string
	}{
		{"affine", []string{"VMULPS R6, R0, R0", "VADDPS R7, R0, R0"}},
		{"square", []string{"VMULPS R0, R0, R0"}},
		{"abs", []string{i.AND + " c_absMask<>(SB), R0, R0"}},
		{"recip", []string{"VDIVPS R0, R5, R0"}},
		{"sqrt", []string{"VSQRTPS R0, R0"}},
		{"rsqrt", append(rsqrt, narrow(i, "R1", "R2", "R0")...)},
		{"sign", sign},
		{"clamp", append(extreme(i, false, "R6", false), extreme(i, true, "R7", false)...)},
		{"gtScalar", ones(i, predGT, "R6")},
		{"ltScalar", ones(i, predLT, "R6")},
		{"eqScalar", ones(i, predEQ, "R6")},
	}
}

// binary lists the two-operand kernels: x in R0 and y in R1 become the
// result in R0, with 1 in R5.
func binary(i isa) []struct {
	name string
	body []string
} {
	return []struct {
		name string
		body []string
	}{
		{"eq", ones(i, predEQ, "R1")}, {"ne", ones(i, predNE, "R1")},
		{"lt", ones(i, predLT, "R1")}, {"le", ones(i, predLE, "R1")},
		{"gt", ones(i, predGT, "R1")}, {"ge", ones(i, predGE, "R1")},
		{"maximum", extreme(i, false, "R1", true)}, {"minimum", extreme(i, true, "R1", true)},
	}
}

// elementwise writes the kernels of the ops unarySpan and binarySpan
// otherwise run one element at a time.
func elementwise(b *bytes.Buffer) {
	for _, i := range []isa{avx2, avx512} {
		shift := map[int]int{8: 3, 16: 4}[i.lanes]
		for _, fn := range unary(i) {
			name := fn.name + "U" + i.suffix
			fmt.Fprintf(b, "\n// func %s(d, s *float32, n int, a, b float32), n a multiple of %d\n", name, i.lanes)
			fmt.Fprintf(b, "TEXT ·%s(SB), NOSPLIT, $0-32\n", name)
			fmt.Fprintf(b, "\tMOVQ d+0(FP), DI\n\tMOVQ s+8(FP), SI\n\tMOVQ n+16(FP), CX\n")
			fmt.Fprintf(b, "\tVBROADCASTSS a+24(FP), %s6\n\tVBROADCASTSS b+28(FP), %s7\n\tVMOVUPS c_one<>(SB), %s5\n", i.R, i.R, i.R)
			fmt.Fprintf(b, "\tSHRQ $%d, CX\n\tJZ done\nloop:\n\tVMOVUPS (SI), %s0\n", shift, i.R)
			for _, l := range fn.body {
				fmt.Fprintf(b, "\t%s\n", regs(l, i.R))
			}
			fmt.Fprintf(b, "\tVMOVUPS %s0, (DI)\n\tADDQ $%d, SI\n\tADDQ $%d, DI\n\tDECQ CX\n\tJNZ loop\ndone:\n\tVZEROUPPER\n\tRET\n", i.R, 4*i.lanes, 4*i.lanes)
		}
		for _, fn := range binary(i) {
			name := fn.name + "B" + i.suffix
			fmt.Fprintf(b, "\n// func %s(d, x, y *float32, n int), n a multiple of %d\n", name, i.lanes)
			fmt.Fprintf(b, "TEXT ·%s(SB), NOSPLIT, $0-32\n", name)
			fmt.Fprintf(b, "\tMOVQ d+0(FP), DI\n\tMOVQ x+8(FP), SI\n\tMOVQ y+16(FP), DX\n\tMOVQ n+24(FP), CX\n")
			fmt.Fprintf(b, "\tVMOVUPS c_one<>(SB), %s5\n", i.R)
			fmt.Fprintf(b, "\tSHRQ $%d, CX\n\tJZ done\nloop:\n\tVMOVUPS (SI), %s0\n\tVMOVUPS (DX), %s1\n", shift, i.R, i.R)
			for _, l := range fn.body {
				fmt.Fprintf(b, "\t%s\n", regs(l, i.R))
			}
			fmt.Fprintf(b, "\tVMOVUPS %s0, (DI)\n\tADDQ $%d, SI\n\tADDQ $%d, DX\n\tADDQ $%d, DI\n\tDECQ CX\n\tJNZ loop\ndone:\n\tVZEROUPPER\n\tRET\n", i.R, 4*i.lanes, 4*i.lanes, 4*i.lanes)
		}
	}
}

// regs names the width's registers: R0 … R15 become Y0 … or Z0 ….
func regs(line, r string) string {
	for k := 15; k >= 0; k-- {
		line = strings.ReplaceAll(line, fmt.Sprintf("R%d", k), fmt.Sprintf("%s%d", r, k))
	}
	return line
}

// zmm matches a zmm register.
var zmm = regexp.MustCompile(`\bZ[0-9]+\b`)

// broadcastConsts rewrites the AVX-512 instructions that read a constant
// to read one element of it and broadcast it (VBROADCASTSS/SD for a move,
// .BCST otherwise). A constant's 64 bytes are aligned to 32 only (the Go
// linker aligns no symbol to more), so a zmm operand read whole crossed a
// cache line wherever the link put a constant at 32 mod 64, and every
// load of it was two: the exp, tanh and sigmoid kernels ran 1.4–1.5× as
// long in a binary laid out so as in one that was not
// (bench/results/broadcast-consts-2026-12-03-zen5.txt). An element never
// crosses a line. The AVX2 code reads 32 bytes, which alignment to 32
// keeps within a line.
func broadcastConsts(src []byte) []byte {
	lines := strings.Split(string(src), "\n")
	for k, l := range lines {
		if !strings.Contains(l, "<>(SB)") || !zmm.MatchString(l) || strings.HasPrefix(strings.TrimSpace(l), "//") {
			continue
		}
		indent := l[:len(l)-len(strings.TrimLeft(l, "\t "))]
		op, rest, _ := strings.Cut(strings.TrimLeft(l, "\t "), " ")
		switch {
		case op == "VMOVUPS":
			op = "VBROADCASTSS"
		case op == "VMOVUPD":
			op = "VBROADCASTSD"
		case strings.Contains(op, "."):
			log.Fatalf("a suffixed instruction reads a constant: %s", l)
		default:
			op += ".BCST"
		}
		lines[k] = indent + op + " " + rest
	}
	return []byte(strings.Join(lines, "\n"))
}
