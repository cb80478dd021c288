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

// TestRandomMapping recomputes the contract's bits-to-float mapping in
// float64 from the raw generator, at an offset whose counter crosses 2³².
func TestRandomMapping(t *testing.T) {
	const seed, offset uint64 = 0x0123456789abcdef, 1<<32 - 3
	key := [2]uint32{0x89abcdef, 0x01234567}
	u := func(x uint32) float64 { return float64(x>>8) / (1 << 24) }
	dst := make([]float32, 7)
	for _, tc := range []struct {
		dist Distribution
		a, b float32
		want func(x [4]uint32) float64
		tol  float64
	}{
		{Uniform, -2, 3, func(x [4]uint32) float64 { return -2 + 5*u(x[0]) }, 1e-6},
		{Normal, 1, 2, func(x [4]uint32) float64 {
			return 1 + 2*math.Sqrt(-2*math.Log(1-u(x[0])))*math.Cos(2*math.Pi*u(x[1]))
		}, 1e-5},
		{Bernoulli, 0.5, 0, func(x [4]uint32) float64 {
			if u(x[0]) < 0.5 {
				return 1
			}
			return 0
		}, 0},
	} {
		Random(dst, tc.dist, tc.a, tc.b, seed, offset)
		for i, got := range dst {
			c := uint64(offset) + uint64(i)
			want := tc.want(Philox4x32(key, [4]uint32{uint32(c), uint32(c >> 32), 0, 0}))
			if !(math.Abs(float64(got)-want) <= tc.tol*(1+math.Abs(want))) {
				t.Errorf("dist %d: element %d = %g, want %g", tc.dist, i, got, want)
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
		a0, a1, b0, b1 := philox2(key[0], key[1], a[0], a[1], b[0], b[1])
		if a0 != wa[0] || a1 != wa[1] || b0 != wb[0] || b1 != wb[1] {
			t.Fatalf("counter pair %d: philox2 gives %x %x / %x %x, want %x %x / %x %x", i, a0, a1, b0, b1, wa[0], wa[1], wb[0], wb[1])
		}
	}
}

// TestPhiloxWords checks philoxWords (the vector kernels where the CPU
// has them) and philoxWordsGo against Philox4x32 counter by counter, on
// lengths across whole vectors and ragged tails, and on offsets whose low
// word wraps inside a vector, at a vector's edge and in the high word.
func TestPhiloxWords(t *testing.T) {
	seeds := []uint64{0, 1, 0x0123456789abcdef, math.MaxUint64}
	offsets := []uint64{0, 5, 1 << 32, math.MaxUint32 - 20, math.MaxUint32 - 15, math.MaxUint32 - 7, math.MaxUint32, 3<<32 - 9, math.MaxUint64 - 40}
	for _, words := range []struct {
		name string
		fn   func(x0, x1 []uint32, seed, offset uint64)
	}{{"philoxWords", philoxWords}, {"philoxWordsGo", philoxWordsGo}} {
		for _, seed := range seeds {
			key := [2]uint32{uint32(seed), uint32(seed >> 32)}
			for _, off := range offsets {
				for _, n := range []int{0, 1, 7, 8, 15, 16, 17, 33, 53, 64, 100} {
					x0, x1 := make([]uint32, n), make([]uint32, n+3)
					words.fn(x0, x1, seed, off)
					for j := range n {
						c := off + uint64(j)
						w := Philox4x32(key, [4]uint32{uint32(c), uint32(c >> 32), 0, 0})
						if x0[j] != w[0] || x1[j] != w[1] {
							t.Fatalf("%s(n=%d, seed %#x, offset %#x): counter %#x gives %08x %08x, want %08x %08x",
								words.name, n, seed, off, c, x0[j], x1[j], w[0], w[1])
						}
					}
					for j := n; j < len(x1); j++ {
						if x1[j] != 0 {
							t.Fatalf("%s(n=%d): wrote x1[%d] past the counters", words.name, n, j)
						}
					}
				}
			}
		}
	}
}

// TestRandomDraw: Random's loops give draw's bits for every distribution,
// over more than one block of counters and a ragged end.
func TestRandomDraw(t *testing.T) {
	const seed, offset uint64 = 99, 1<<32 - 300
	n := 3*philoxBlock + 7
	x0, x1 := make([]uint32, n), make([]uint32, n)
	philoxWordsGo(x0, x1, seed, offset)
	dst := make([]float32, n)
	for _, tc := range []struct {
		dist Distribution
		a, b float32
	}{{Uniform, -2, 3}, {Uniform, 1e30, -3e38}, {Normal, 1, 2}, {Bernoulli, 0.3, 0}, {Bernoulli, 1, 0},
		{ScaledBernoulli, 0.9, 1 / 0.9}, {ScaledBernoulli, 0.5, -2.5}} {
		Random(dst, tc.dist, tc.a, tc.b, seed, offset)
		for i, got := range dst {
			if want := draw(tc.dist, tc.a, tc.b, x0[i], x1[i]); math.Float32bits(got) != math.Float32bits(want) {
				t.Fatalf("dist %d: element %d = %g, draw %g", tc.dist, i, got, want)
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
						if want := draw(dist, a, b, x[j], 0); math.Float32bits(got) != math.Float32bits(want) {
							t.Fatalf("dist %d, a %g, b %g, n %d: element %d (word %#x) = %g (%#x), draw %g (%#x)",
								dist, a, b, n, j, x[j], got, math.Float32bits(got), want, math.Float32bits(want))
						}
					}
				}
			}
		}
	}
}

// BenchmarkPhiloxWords times philoxWords (the widest vector code the CPU
// has) on one thread, a block of counters a call as Random makes them.
func BenchmarkPhiloxWords(b *testing.B) {
	var x0, x1 [philoxBlock]uint32
	b.SetBytes(4 * philoxBlock) // the words a draw maps
	off := uint64(0)
	for b.Loop() {
		philoxWords(x0[:], x1[:], 12345, off)
		off += philoxBlock
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*philoxBlock), "ns/counter")
}
