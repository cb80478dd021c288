package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestPhilox4x32KnownAnswers checks the Random123 known-answer vectors for
// Philox4x32-10.
func TestPhilox4x32KnownAnswers(t *testing.T) {
	for _, tc := range []struct {
		key       [2]uint32
		ctr, want [4]uint32
	}{
		{[2]uint32{0, 0}, [4]uint32{0, 0, 0, 0}, [4]uint32{0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}},
		{[2]uint32{0xffffffff, 0xffffffff}, [4]uint32{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff},
			[4]uint32{0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}},
		{[2]uint32{0xa4093822, 0x299f31d0}, [4]uint32{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344},
			[4]uint32{0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}},
	} {
		if got := Philox4x32(tc.key, tc.ctr); got != tc.want {
			t.Errorf("Philox4x32(%08x, %08x) = %08x, want %08x", tc.key, tc.ctr, got, tc.want)
		}
	}
}

// elementWords returns the words of element e of the stream seed as the
// device contract (device.RandomParams) assigns them, from Philox4x32
// itself: word e mod 4 of counter e/4 for draws of one word; for Normal,
// the pair of words 2p and 2p+1 of counter e/4, p = (e mod 4)/2, and
// whether e takes the pair's sine (e odd) or its cosine.
func elementWords(dist Distribution, seed, e uint64) (x, y uint32, sin bool) {
	key := [2]uint32{uint32(seed), uint32(seed >> 32)}
	c := e / 4
	w := Philox4x32(key, [4]uint32{uint32(c), uint32(c >> 32), 0, 0})
	if dist == Normal {
		p := e % 4 / 2
		return w[2*p], w[2*p+1], e%2 == 1
	}
	return w[e%4], 0, false
}

// TestRandomMapping recomputes the contract's bits-to-float mapping in
// float64 from the raw generator, at offsets whose counters cross 2³², from
// each place in a counter.
func TestRandomMapping(t *testing.T) {
	const seed uint64 = 0x0123456789abcdef
	u := func(x uint32) float64 { return float64(x>>8) / (1 << 24) }
	dst := make([]float32, 11)
	for _, offset := range []uint64{1<<34 - 12, 1<<34 - 11, 1<<34 - 10, 1<<34 - 9} {
		for _, tc := range []struct {
			dist Distribution
			a, b float32
			want func(x, y uint32, sin bool) float64
			tol  float64
		}{
			{Uniform, -2, 3, func(x, _ uint32, _ bool) float64 { return -2 + 5*u(x) }, 1e-6},
			{Normal, 1, 2, func(x, y uint32, sin bool) float64 {
				r, theta := math.Sqrt(-2*math.Log(1-u(x))), 2*math.Pi*u(y)
				if sin {
					return 1 + 2*r*math.Sin(theta)
				}
				return 1 + 2*r*math.Cos(theta)
			}, 1e-5},
			{Bernoulli, 0.5, 0, func(x, _ uint32, _ bool) float64 {
				if u(x) < 0.5 {
					return 1
				}
				return 0
			}, 0},
		} {
			Random(dst, tc.dist, tc.a, tc.b, seed, offset)
			for i, got := range dst {
				want := tc.want(elementWords(tc.dist, seed, offset+uint64(i)))
				if !(math.Abs(float64(got)-want) <= tc.tol*(1+math.Abs(want))) {
					t.Errorf("dist %d, offset %#x: element %d = %g, want %g", tc.dist, offset, i, got, want)
				}
			}
		}
	}
}

// TestRandomMoments checks the sample mean and variance of each distribution.
func TestRandomMoments(t *testing.T) {
	dst := make([]float32, 1<<16)
	for _, tc := range []struct {
		dist           Distribution
		a, b           float32
		mean, variance float64
	}{
		{Uniform, -1, 3, 1, 16.0 / 12},
		{Normal, 2, 0.5, 2, 0.25},
		{Bernoulli, 0.3, 0, 0.3, 0.21},
	} {
		Random(dst, tc.dist, tc.a, tc.b, 42, 0)
		var s, s2 float64
		for _, v := range dst {
			s += float64(v)
			s2 += float64(v) * float64(v)
		}
		n := float64(len(dst))
		mean := s / n
		variance := s2/n - mean*mean
		// Five standard errors of the mean; 5% on the variance.
		if !(math.Abs(mean-tc.mean) <= 5*math.Sqrt(tc.variance/n)) || !(math.Abs(variance-tc.variance) <= 0.05*tc.variance) {
			t.Errorf("dist %d: mean %g variance %g, want %g and %g", tc.dist, mean, variance, tc.mean, tc.variance)
		}
	}
}

func ExamplePhilox4x32() {
	// Random123's first known-answer vector: key and counter all zero.
	fmt.Printf("%08x\n", Philox4x32([2]uint32{0, 0}, [4]uint32{0, 0, 0, 0}))
	// Output: [6627e8d5 e169c58d bc57ac4c 9b00dbd8]
}

// TestPhilox2 checks the interleaved pair against Philox4x32 on counters
// whose high words are set.
func TestPhilox2(t *testing.T) {
	key := [2]uint32{0x89abcdef, 0x01234567}
	for i := range uint32(1000) {
		a, b := [4]uint32{i * 7919, i ^ 0xffff0000, 0, 0}, [4]uint32{^i, i, 0, 0}
		wa, wb := Philox4x32(key, a), Philox4x32(key, b)
		if ga, gb := philox2(key[0], key[1], a[0], a[1], b[0], b[1]); ga != wa || gb != wb {
			t.Fatalf("counter pair %d: philox2 gives %x / %x, want %x / %x", i, ga, gb, wa, wb)
		}
	}
}

// TestPhiloxCounters checks philoxCounters (the vector kernel where the
// CPU has it) and philoxCountersGo against Philox4x32 counter by counter,
// on counts across whole vectors, ragged tails and the kernel's groups of
// three and two, and on counters whose low word wraps inside a vector, at
// a vector's edge and in the high word; nothing is written past the
// counters.
func TestPhiloxCounters(t *testing.T) {
	seeds := []uint64{0, 1, 0x0123456789abcdef, math.MaxUint64}
	starts := []uint64{0, 5, 1 << 32, math.MaxUint32 - 20, math.MaxUint32 - 15, math.MaxUint32 - 7, math.MaxUint32, 3<<32 - 9, math.MaxUint64 - 40}
	type counters struct {
		name string
		fn   func(x []uint32, keys *[20]uint32, c uint64)
	}
	fns := []counters{{"philoxCountersGo", philoxCountersGo}}
	for _, w := range logWidths() {
		fns = append(fns, counters{"philoxCounters/" + w.name, func(x []uint32, keys *[20]uint32, c uint64) {
			defer w.set()()
			philoxCounters(x, keys, c)
		}})
	}
	for _, words := range fns {
		for _, seed := range seeds {
			key := [2]uint32{uint32(seed), uint32(seed >> 32)}
			for _, c0 := range starts {
				for _, n := range []int{0, 1, 7, 8, 9, 15, 16, 17, 24, 33, 40, 53, 64, 65, 80, 95, 137} {
					x := make([]uint32, 4*n+5)
					keys := philoxRoundKeys(seed)
					words.fn(x[:4*n], &keys, c0)
					for j := range n {
						c := c0 + uint64(j)
						w := Philox4x32(key, [4]uint32{uint32(c), uint32(c >> 32), 0, 0})
						if got := [4]uint32(x[4*j : 4*j+4]); got != w {
							t.Fatalf("%s(n=%d, seed %#x, counter %#x): counter %#x gives %08x, want %08x",
								words.name, n, seed, c0, c, got, w)
						}
					}
					for j := 4 * n; j < len(x); j++ {
						if x[j] != 0 {
							t.Fatalf("%s(n=%d): wrote word %d past the counters", words.name, n, j)
						}
					}
				}
			}
		}
	}
}

// TestRandomDraw: Random's loops give draw's bits for every distribution
// on the contract's words of each element, over more than one block, from
// offsets at each place in a counter, with a ragged end of each parity.
func TestRandomDraw(t *testing.T) {
	const seed uint64 = 99
	for _, n := range []int{3*philoxBlock + 7, 2*philoxBlock + 6, 1, 2} {
		dst := make([]float32, n)
		for _, offset := range []uint64{1<<32 - 300, 1<<32 - 299, 1<<32 - 298, 1<<32 - 297} {
			for _, tc := range []struct {
				dist Distribution
				a, b float32
			}{{Uniform, -2, 3}, {Uniform, 1e30, -3e38}, {Normal, 1, 2}, {Normal, -1, 0.5}, {Bernoulli, 0.3, 0}, {Bernoulli, 1, 0},
				{ScaledBernoulli, 0.9, 1 / 0.9}, {ScaledBernoulli, 0.5, -2.5}} {
				Random(dst, tc.dist, tc.a, tc.b, seed, offset)
				for i, got := range dst {
					x, y, sin := elementWords(tc.dist, seed, offset+uint64(i))
					if want := draw(tc.dist, tc.a, tc.b, x, y, sin); math.Float32bits(got) != math.Float32bits(want) {
						t.Fatalf("dist %d, n %d, offset %#x: element %d = %g, draw %g", tc.dist, n, offset, i, got, want)
					}
				}
			}
		}
	}
}

// TestRandMap checks randMap (vector code where the CPU has it) against
// draw bit for bit on words that include the extremes, on lengths across
// whole vectors and ragged ends, and on parameters that include zeros of
// both signs, infinities and NaN (which a multiply of the 0/1 mask by the
// scale passes on where a select would not).
func TestRandMap(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	inf, nan := float32(math.Inf(1)), float32(math.NaN())
	params := []float32{0, float32(math.Copysign(0, -1)), 0.3, 1, -2.5, 3e38, inf, -inf, nan}
	for _, n := range []int{0, 1, 7, 8, 9, 15, 16, 17, 31, 32, 33, 100} {
		x := make([]uint32, n)
		for j := range x {
			x[j] = rng.Uint32()
		}
		if n > 2 {
			x[0], x[1], x[2] = 0, math.MaxUint32, 0xff
		}
		out := make([]float32, n)
		for _, dist := range []Distribution{Uniform, Bernoulli, ScaledBernoulli} {
			for _, a := range params {
				for _, b := range params {
					switch dist {
					case Uniform:
						randMap(out, x, false, a, b-a)
					case Bernoulli:
						randMap(out, x, true, a, 1)
					default:
						randMap(out, x, true, a, b)
					}
					for j, got := range out {
						if want := draw(dist, a, b, x[j], 0, false); math.Float32bits(got) != math.Float32bits(want) {
							t.Fatalf("dist %d, a %g, b %g, n %d: element %d (word %#x) = %g (%#x), draw %g (%#x)",
								dist, a, b, n, j, x[j], got, math.Float32bits(got), want, math.Float32bits(want))
						}
					}
				}
			}
		}
	}
}

// BenchmarkPhiloxCounters times philoxCounters (the vector code where the
// CPU has it) on one thread, a block's counters a call as Random makes
// them, and reports the time an element's word takes.
func BenchmarkPhiloxCounters(b *testing.B) {
	var x [philoxBlockWords]uint32
	b.SetBytes(4 * philoxBlock) // the words a draw maps
	c, keys := uint64(0), philoxRoundKeys(12345)
	for b.Loop() {
		philoxCounters(x[:philoxBlock], &keys, c)
		c += philoxBlock / 4
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*philoxBlock), "ns/element")
}
