package kernels

import (
	"math"
	"math/rand/v2"
	"os"
	"regexp"
	"strings"
	"testing"
)

// The Go twins of the vector kernels: the same float32 operations, one
// element at a time, and the constants transcend_asm_gen.go writes.
const (
	expLo    = -104 // eˣ rounds to 0 below (and to +Inf above expHi)
	expHi    = 89
	expLog2e = 1.44269504088896341
	expC1    = 0.693359375 // ln 2 = expC1 + expC2, expC1 exact in 10 bits
	expC2    = -2.12194440e-4
	expP0    = 1.9875691500e-4
	expP1    = 1.3981999507e-3
	expP2    = 8.3334519073e-3
	expP3    = 4.1665795894e-2
	expP4    = 1.6666665459e-1
	expP5    = 5.0000001201e-1
	// tanh x = x + x·z·P(z), z = x², below |x| = tanhSmall (Cephes' tanhf).
	tanhSmall = 0.625
	tanhT0    = -5.70498872745e-3
	tanhT1    = 2.06390887954e-2
	tanhT2    = -5.37397155531e-2
	tanhT3    = 1.33314422036e-1
	tanhT4    = -3.33332819422e-1
)

// fma32 is a·b + c rounded once to float32, as VFMADD computes it (the
// float64 fused result is exact to 2⁻⁵³ relative, so rounding it again to
// float32 agrees but for one in about 2²⁹ ties).
func fma32(a, b, c float32) float32 {
	return float32(math.FMA(float64(a), float64(b), float64(c)))
}

// pow2 is 2ᵏ for k in [−126, 127].
func pow2(k int32) float32 { return math.Float32frombits(uint32(k+127) << 23) }

// expf is eˣ in float32 arithmetic.
func expf(x float32) float32 {
	if x != x {
		return x
	}
	x = min(max(x, expLo), expHi)
	n := int32(math.RoundToEven(float64(float32(x * expLog2e))))
	nf := float32(n)
	r := fma32(-nf, expC1, x)
	r = fma32(-nf, expC2, r)
	y := fma32(r, expP0, expP1)
	y = fma32(r, y, expP2)
	y = fma32(r, y, expP3)
	y = fma32(r, y, expP4)
	y = fma32(r, y, expP5)
	z := float32(r * r)
	y = fma32(z, y, r) + 1
	n1 := n >> 1
	return float32(y*pow2(n1)) * pow2(n-n1)
}

// tanhf is x + x·z·P(z) for |x| < 0.625 and 1 − 2/(e^2|x| + 1) with the
// sign of x above, where that form loses nothing to cancellation.
func tanhf(x float32) float32 {
	a := abs32(x)
	if a < tanhSmall {
		z := float32(x * x)
		q := fma32(z, tanhT0, tanhT1)
		q = fma32(z, q, tanhT2)
		q = fma32(z, q, tanhT3)
		q = fma32(z, q, tanhT4)
		return fma32(x, float32(z*q), x)
	}
	t := 1 - 2/(expf(a+a)+1)
	return math.Float32frombits(math.Float32bits(t) | math.Float32bits(x)&(1<<31))
}

func abs32(x float32) float32 { return math.Float32frombits(math.Float32bits(x) &^ (1 << 31)) }

// transcendGo applies f to s into d.
func transcendGo(f func(float32) float32) func(d, s []float32) {
	return func(d, s []float32) {
		s = s[:len(d)]
		for i, x := range s {
			d[i] = f(x)
		}
	}
}

// ulps is the distance in units of the last place between two float32s
// (NaN only matches NaN; infinities only themselves).
// sigmoidf is the sigmoid vector kernels' twin: sigmoidSpan's float64
// formula, which they compute in float64 lanes with a polynomial e^−|x|.
func sigmoidf(x float32) float32 {
	var d [1]float32
	sigmoidSpan(d[:], []float32{x})
	return d[0]
}

func ulps(a, b float32) float64 {
	if a != a || b != b {
		if a != a && b != b {
			return 0
		}
		return math.Inf(1)
	}
	if a == b {
		return 0
	}
	if math.IsInf(float64(a), 0) || math.IsInf(float64(b), 0) {
		return math.Inf(1)
	}
	ord := func(x float32) int64 { // monotone integer order of floats
		u := int64(math.Float32bits(x))
		if u>>31 != 0 {
			return -(u & 0x7fffffff)
		}
		return u
	}
	return math.Abs(float64(ord(a) - ord(b)))
}

// transcendInputs covers the ranges that matter: ordinary values, tiny
// ones, the edges of eˣ's range (subnormal results, overflow), ±0, ±Inf
// and NaN.
func transcendInputs() []float32 {
	rng := rand.New(rand.NewPCG(5, 8))
	xs := []float32{0, float32(math.Copysign(0, -1)), 1, -1, 0.625, -0.625, 0.62499997, 88.72, 88.73, 89, 100,
		-87.3, -88, -95, -103.9, -104, -110, 1e-8, -1e-8, 3e-5, float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN())}
	for range 20000 {
		xs = append(xs, float32(rng.NormFloat64()*8), float32(rng.Float64()*220-110), float32(rng.NormFloat64()*1e-3))
	}
	return xs
}

// TestTranscendAccuracy: the Go twins against float64 math, within what the
// device contract allows the kernels (device/tolerance.go): 3 ULP and more
// for both; these stay within 2.
func TestTranscendAccuracy(t *testing.T) {
	for _, c := range []struct {
		name string
		f    func(float32) float32
		ref  func(float64) float64
		ulp  float64
	}{
		{"exp", expf, math.Exp, 2},
		{"tanh", tanhf, math.Tanh, 2},
	} {
		worst := 0.0
		for _, x := range transcendInputs() {
			got, want := c.f(x), float32(c.ref(float64(x)))
			if d := ulps(got, want); d > c.ulp {
				// Subnormal results carry fewer digits: a ULP there is
				// 2⁻¹⁴⁹ absolute.
				if !(math.Abs(float64(got)-float64(want)) <= 0x1p-149) {
					t.Errorf("%s(%g) = %g, float64 reference %g: %v ULP", c.name, x, got, want, d)
				}
			}
			if d := ulps(got, want); d > worst && !math.IsInf(d, 0) {
				worst = d
			}
		}
		t.Logf("%s: worst %v ULP against float64", c.name, worst)
	}
}

// TestTranscendTwins: the vector kernels this CPU runs give the Go twins'
// bits, element for element, for every length (whole vectors and ragged
// tails) and in place.
func TestTranscendTwins(t *testing.T) {
	xs := transcendInputs()
	for _, c := range []struct {
		name string
		vec  func(d, s []float32)
		twin func(float32) float32
	}{{"exp", vexp, expf}, {"tanh", vtanh, tanhf}, {"sigmoid", vsigmoid, sigmoidf}} {
		for _, n := range []int{0, 1, 7, 8, 9, 15, 16, 17, 33, len(xs)} {
			d := make([]float32, n)
			c.vec(d, xs[:n])
			inPlace := append([]float32(nil), xs[:n]...)
			c.vec(inPlace, inPlace)
			for i, x := range xs[:n] {
				want := c.twin(x)
				// One in about 2²⁹ fused multiply-adds may round the
				// float64 FMA's tie differently: allow that one ULP.
				if u := ulps(d[i], want); u > 1 {
					t.Fatalf("%s vector(%g) = %g, Go twin %g (n=%d)", c.name, x, d[i], want, n)
				}
				if math.Float32bits(inPlace[i]) != math.Float32bits(d[i]) && !(d[i] != d[i]) {
					t.Fatalf("%s in place (%g) = %g, out of place %g", c.name, x, inPlace[i], d[i])
				}
			}
		}
	}
}

func BenchmarkTranscend(b *testing.B) {
	xs := transcendInputs()[:1<<14]
	d := make([]float32, len(xs))
	for _, c := range []struct {
		name string
		f    func(d, s []float32)
	}{
		{"exp/vector", vexp}, {"exp/twin", transcendGo(expf)},
		{"exp/float64", expSpan},
		{"tanh/vector", vtanh}, {"tanh/twin", transcendGo(tanhf)}, {"tanh/float64", tanhSpan},
		{"sigmoid/vector", vsigmoid}, {"sigmoid/float64", sigmoidSpan},
	} {
		b.Run(c.name, func(b *testing.B) {
			for range b.N {
				c.f(d, xs)
			}
			b.ReportMetric(float64(len(xs))*float64(b.N)/b.Elapsed().Seconds()/1e9, "Gelem/s")
		})
	}
}

// TestConstantsBroadcast checks that the generated AVX-512 code reads each
// constant as one element broadcast to the lanes, never a whole zmm of it:
// the linker aligns a constant to 32 bytes only, so a 64-byte read of it
// crossed a cache line in some links, and the kernels' speed depended on
// where the link put them (see broadcastConsts in transcend_asm_gen.go).
func TestConstantsBroadcast(t *testing.T) {
	src, err := os.ReadFile("transcend_amd64.s")
	if err != nil {
		t.Fatal(err)
	}
	zmm := regexp.MustCompile(`\bZ[0-9]+\b`)
	reads := 0
	for n, l := range strings.Split(string(src), "\n") {
		if !strings.Contains(l, "<>(SB)") || !zmm.MatchString(l) || strings.HasPrefix(strings.TrimSpace(l), "DATA") {
			continue
		}
		reads++
		if op, _, _ := strings.Cut(strings.TrimSpace(l), " "); !strings.HasSuffix(op, ".BCST") && !strings.HasPrefix(op, "VBROADCASTS") {
			t.Errorf("transcend_amd64.s:%d reads a whole zmm of a constant: %s", n+1, strings.TrimSpace(l))
		}
	}
	if reads == 0 {
		t.Fatal("no AVX-512 instruction reads a constant: the pattern no longer matches the file")
	}
}
