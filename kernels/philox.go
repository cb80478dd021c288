package kernels

import (
	"math"
	"math/bits"
)

// Philox4x32 is the Philox4x32-10 counter-based generator of Salmon et al.,
// "Parallel random numbers: as easy as 1, 2, 3" (SC11): ten rounds of
// multiply-xor mixing of ctr under key.
func Philox4x32(key [2]uint32, ctr [4]uint32) [4]uint32 {
	const (
		m0, m1 = 0xD2511F53, 0xCD9E8D57
		w0, w1 = 0x9E3779B9, 0xBB67AE85
	)
	k0, k1 := key[0], key[1]
	c0, c1, c2, c3 := ctr[0], ctr[1], ctr[2], ctr[3]
	for round := 0; round < 10; round++ {
		hi0, lo0 := bits.Mul32(m0, c0)
		hi1, lo1 := bits.Mul32(m1, c2)
		c0, c1, c2, c3 = hi1^c1^k0, lo1, hi0^c3^k1, lo0
		k0 += w0
		k1 += w1
	}
	return [4]uint32{c0, c1, c2, c3}
}

// Distribution selects what Random draws; values mirror device.Distribution.
type Distribution uint8

const (
	Uniform   Distribution = iota // uniform on [a, b)
	Normal                        // mean a, standard deviation b
	Bernoulli                     // 1 with probability a, else 0
)

// unit maps 32 random bits to [0, 1) with 24 bits of resolution, exactly
// representable in float32.
func unit(x uint32) float32 { return float32(x>>8) * (1.0 / (1 << 24)) }

// Random fills dst: element i is drawn from Philox4x32-10 keyed by seed at
// counter offset+i, mapped as the device contract (device.RandomParams)
// states, so every backend produces the same numbers.
func Random(dst []float32, dist Distribution, a, b float32, seed, offset uint64) {
	key := [2]uint32{uint32(seed), uint32(seed >> 32)}
	ParallelFor(len(dst), elemGrain/8, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			c := offset + uint64(i)
			x := Philox4x32(key, [4]uint32{uint32(c), uint32(c >> 32), 0, 0})
			u := unit(x[0])
			switch dist {
			case Uniform:
				// The explicit conversion forbids fusing into an FMA, which
				// would change the bits on some platforms.
				dst[i] = a + float32((b-a)*u)
			case Normal:
				r := math.Sqrt(-2 * math.Log(1-float64(u)))
				dst[i] = a + float32(float64(b)*r*math.Cos(2*math.Pi*float64(unit(x[1]))))
			case Bernoulli:
				dst[i] = b2f(u < a)
			default:
				panic("kernels: unknown distribution")
			}
		}
	})
}
