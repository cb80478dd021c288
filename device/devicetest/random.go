package devicetest

import (
	"fmt"
	"math"

	"github.com/tensorgl/tensorgl/device"
)

// randomCases cover both halves of the 64-bit seed and counter, a single
// element, odd lengths and starts at each place in a counter.
var randomCases = []struct {
	name   string
	seed   uint64
	offset uint64
	n      int
}{
	{"seed0", 0, 0, 257},
	{"one", 42, 7, 1},
	{"bigSeed", 0x9e3779b97f4a7c15, 1000, 1001},
	{"bigOffset", 12345, 1<<32 - 100, 333},
	{"bigCounter", 777, 1<<34 - 102, 333}, // counters cross 2³² (four elements a counter)
}

// randomRef returns the reference draw of element i and its error bound.
func randomRef(p device.RandomParams, i int) (want, bound float64) {
	u0, u1, sin := philoxUniforms(p, i)
	a, b := float64(p.A), float64(p.B)
	switch p.Dist {
	case device.Uniform:
		return a + (b-a)*float64(u0), tol(p.Dist.Info().Tol).Bound(math.Abs(a)+math.Abs(b), 0)
	case device.Bernoulli:
		return indicator(u0 < p.A), 0
	case device.ScaledBernoulli:
		return b * indicator(u0 < p.A), 0
	}
	// Box–Muller, with the errors GLSL's log, sqrt and cos (or sin) may add.
	ln := math.Log(1 - float64(u0))
	r := math.Sqrt(-2 * ln)
	c := math.Cos(2 * math.Pi * float64(u1)) // the pair's cosine draw, or its sine
	if sin {
		c = math.Sin(2 * math.Pi * float64(u1))
	}
	dL := 2 * tol("log").Bound(ln, 0)
	dr := tol("sqrt").Bound(r, 0) + math.Sqrt(dL)
	if r > 0 {
		dr = tol("sqrt").Bound(r, 0) + math.Min(dL/(2*r), math.Sqrt(dL))
	}
	dc := tol("sincos").Bound(c, 0) + tol("round").Bound(2*math.Pi, 0) // 2π·u rounds
	v := a + b*r*c
	return v, math.Abs(b)*(dr*math.Abs(c)+r*dc) + 2*tol("round").Bound(math.Abs(a)+math.Abs(b*r*c), 0)
}

// randomParams returns the parameters dist is tested with: those of its
// catalogue entry.
func randomParams(dist device.Distribution) device.RandomParams {
	ab := dist.Info().ParamSets()[0]
	return device.RandomParams{Dist: dist, A: ab[0], B: ab[1]}
}

func testRandom(t tb, d device.Device) {
	for _, dist := range device.Distributions() {
		for _, c := range randomCases {
			subtest(t, dist.String()+"/"+c.name, func(t tb) {
				p := randomParams(dist)
				p.Seed, p.Offset = c.seed, c.offset
				got := generate(t, d, p, c.n)
				want, bound := make([]float64, c.n), make([]float64, c.n)
				for i := range want {
					want[i], bound[i] = randomRef(p, i)
				}
				expectClose(t, "Philox4x32-10 mapping: "+describe(p), got, want, bound)
			})
		}
	}
	subtest(t, "bernoulli/extremes", func(t tb) {
		for _, a := range []float32{0, 1} {
			p := device.RandomParams{Dist: device.Bernoulli, A: a, Seed: 3}
			expectEqual(t, describe(p), generate(t, d, p, 100), filled(100, a))
		}
	})
	subtest(t, "offset", func(t tb) {
		// Element i is element Offset+i of the stream, so a stream started
		// later (here inside a counter) is a suffix of one started earlier,
		// and a repeat call repeats it.
		for _, dist := range []device.Distribution{device.Normal, device.Uniform} {
			p := device.RandomParams{Dist: dist, A: 0, B: 1, Seed: 77}
			whole := generate(t, d, p, 300)
			p.Offset = 101
			part := generate(t, d, p, 199)
			expectEqual(t, dist.String()+": Offset 101 versus elements 101… of Offset 0", part, whole[101:])
			expectEqual(t, dist.String()+": the same Seed and Offset again", generate(t, d, p, 199), part)
			p.Seed = 78
			other := generate(t, d, p, 199)
			if same := countEqual(other, part); same > 2 {
				t.Errorf("%s: Seed 77 and 78 agree in %d of 199 draws: the seed must key the generator", dist, same)
			}
		}
	})
	subtest(t, "statistics", func(t tb) {
		const n = 8192
		for _, dist := range device.Distributions() {
			p := randomParams(dist)
			p.Seed = 2024
			checkMoments(t, dist.String(), p, generate(t, d, p, n))
		}
	})
}

// randomMulLayouts are the source layouts RandomMul is tested with: the
// shape walked, the strides and offset into a buffer of size elements.
var randomMulLayouts = []struct {
	name    string
	shape   []int
	strides []int
	off     int
	size    int
}{
	{"contiguous", nil, nil, 0, 0}, // shape [c.n], the case's own length
	{"transposed", []int{7, 37}, []int{1, 7}, 5, 5 + 37*7},
	{"broadcast", []int{5, 3, 11}, []int{0, 11, 1}, 2, 2 + 33},
}

// testRandomMul checks RandomMul against the reference draws times src
// (specials included: ±0, ±Inf, NaN, ±1e30), against Random followed by
// Binary Mul on the same strided src to the bit, its mask against
// Random's, with a residual (contiguous, or strided as src) against
// Binary Add after the product to the bit, and, for a contiguous src,
// that dst may be src.
func testRandomMul(t tb, d device.Device) {
	for _, dist := range device.Distributions() {
		for _, c := range randomCases {
			for _, l := range randomMulLayouts {
				if l.shape != nil && c.name != "seed0" && c.name != "bigOffset" {
					continue
				}
				subtest(t, dist.String()+"/"+c.name+"/"+l.name, func(t tb) {
					shape, strides, off, size := l.shape, l.strides, l.off, l.size
					if shape == nil {
						shape, strides, size = []int{c.n}, []int{1}, c.n
					}
					n := 1
					for _, m := range shape {
						n *= m
					}
					r := newRand(t)
					p := randomParams(dist)
					p.Seed, p.Offset = c.seed, c.offset
					buf := uniform(r, size, -3, 3)
					specials := []float32{0, negZero, float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()), 1e30, -1e30}
					for i := range buf {
						if r.IntN(8) == 0 {
							buf[i] = specials[r.IntN(len(specials))]
						}
					}
					// src[i]: element i of the index space, as the kernel reads it.
					src := make([]float32, n)
					for i := range src {
						o, rest := off, i
						for dim := len(shape) - 1; dim >= 0; dim-- {
							o += rest % shape[dim] * strides[dim]
							rest /= shape[dim]
						}
						src[i] = buf[o]
					}
					sb := upload(t, d, buf)
					ss := device.Strided{Buf: sb, Offset: off, Strides: strides}
					dst, mask := upload(t, d, filled(n+3, float32(math.NaN()))), upload(t, d, filled(n+3, float32(math.NaN())))
					d.RandomMul(dst, mask, ss, device.Strided{}, shape, p)
					got := downloadOutput(t, d, "dst", dst, n)
					gotMask := downloadOutput(t, d, "mask", mask, n)

					want, bound := make([]float64, n), make([]float64, n)
					for i := range want {
						s := float64(src[i])
						if math.IsInf(s, 0) || math.IsNaN(s) {
							// The product with the draw (checked against
							// Random below): NaN where it is 0.
							want[i] = float64(src[i] * gotMask[i])
							continue
						}
						ri, rb := randomRef(p, i)
						want[i] = s * ri
						bound[i] = math.Abs(s)*rb + tol("round").Bound(want[i], 0)
					}
					expectClose(t, "src·draw: "+describe(p), got, want, bound)

					draws := generate(t, d, p, n)
					expectEqual(t, "mask against Random: "+describe(p), gotMask, draws)
					prod := upload(t, d, filled(n, 0))
					d.Binary(prod, ss, device.Strided{Buf: upload(t, d, draws), Strides: device.Contiguous(shape)},
						device.BinaryParams{Op: device.Mul, Shape: shape})
					expectEqual(t, "against Random then Binary Mul: "+describe(p), got, download(t, d, prod, n))

					// With a residual added: Binary Add's bits after the
					// product, the residual contiguous from an offset, or
					// laid out as src.
					res := uniform(r, max(size, n)+1, -3, 3)
					for i := range res {
						if r.IntN(8) == 0 {
							res[i] = specials[r.IntN(len(specials))]
						}
					}
					rb := upload(t, d, res)
					for _, rs := range []device.Strided{{Buf: rb, Offset: 1, Strides: device.Contiguous(shape)}, {Buf: rb, Offset: off, Strides: strides}} {
						sum := upload(t, d, filled(n, 0))
						d.Binary(sum, rs, device.Strided{Buf: prod, Strides: device.Contiguous(shape)},
							device.BinaryParams{Op: device.Add, Shape: shape})
						withRes := upload(t, d, filled(n+3, float32(math.NaN())))
						d.RandomMul(withRes, nil, ss, rs, shape, p)
						expectEqual(t, fmt.Sprintf("with a residual (offset %d, strides %v), against Binary Add after: %s", rs.Offset, rs.Strides, describe(p)),
							downloadOutput(t, d, "dst", withRes, n), download(t, d, sum, n))
					}

					if l.shape == nil {
						// Without a mask, and in place.
						d.RandomMul(sb, nil, ss, device.Strided{}, shape, p)
						expectEqual(t, "in place, no mask: "+describe(p), download(t, d, sb, n), got)
					}
				})
			}
		}
	}
}

// generate draws n elements from d.
func generate(t tb, d device.Device, p device.RandomParams, n int) []float32 {
	t.Helper()
	b := upload(t, d, filled(n, float32(math.NaN())))
	d.Random(b, p)
	return download(t, d, b, n)
}

func countEqual(a, b []float32) int {
	n := 0
	for i := range a {
		if a[i] == b[i] {
			n++
		}
	}
	return n
}

// checkMoments compares the sample mean and standard deviation of x with
// those of p's distribution, within five standard errors, and checks the
// support.
func checkMoments(t tb, name string, p device.RandomParams, x []float32) {
	t.Helper()
	a, b := float64(p.A), float64(p.B)
	var mean, std float64
	switch p.Dist {
	case device.Uniform:
		mean, std = (a+b)/2, (b-a)/math.Sqrt(12)
	case device.Normal:
		mean, std = a, b
	case device.Bernoulli:
		mean, std = a, math.Sqrt(a*(1-a))
	case device.ScaledBernoulli:
		mean, std = a*b, math.Abs(b)*math.Sqrt(a*(1-a))
	}
	n := float64(len(x))
	sum, sq := 0.0, 0.0
	for _, v := range x {
		sum += float64(v)
		sq += float64(v) * float64(v)
		if p.Dist == device.Uniform && (float64(v) < a || float64(v) > b) ||
			p.Dist == device.Bernoulli && v != 0 && v != 1 ||
			p.Dist == device.ScaledBernoulli && v != 0 && v != p.B {
			t.Errorf("%s: %v is outside the support", name, v)
			return
		}
	}
	m := sum / n
	s := math.Sqrt(sq/n - m*m)
	if math.Abs(m-mean) > 5*std/math.Sqrt(n) {
		t.Errorf("%s %s: sample mean %.4f, want %.4f ± %.4f", name, describe(p), m, mean, 5*std/math.Sqrt(n))
	}
	if math.Abs(s-std) > 5*std/math.Sqrt(2*n) {
		t.Errorf("%s %s: sample std %.4f, want %.4f ± %.4f", name, describe(p), s, std, 5*std/math.Sqrt(2*n))
	}
}
