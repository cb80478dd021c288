package devicetest

import (
	"math/bits"

	"github.com/tensorgl/tensorgl/device"
)

// philox4x32 is Philox4x32-10 (Salmon et al., “Parallel random numbers: as
// easy as 1, 2, 3”, SC 2011), written from the paper for this suite.
func philox4x32(ctr [4]uint32, key [2]uint32) [4]uint32 {
	const (
		m0, m1 = 0xD2511F53, 0xCD9E8D57 // round multipliers
		w0, w1 = 0x9E3779B9, 0xBB67AE85 // Weyl key increments
	)
	for round := range 10 {
		if round > 0 {
			key[0] += w0
			key[1] += w1
		}
		hi0, lo0 := bits.Mul32(m0, ctr[0])
		hi1, lo1 := bits.Mul32(m1, ctr[2])
		ctr = [4]uint32{hi1 ^ ctr[1] ^ key[0], lo1, hi0 ^ ctr[3] ^ key[1], lo0}
	}
	return ctr
}

// philoxUniforms returns u(x) and u(y) of element i of a RandomParams
// stream (y for Normal alone), and whether a Normal element takes its
// pair's sine: the words and the bits-to-floats mapping of the device
// contract, exactly.
func philoxUniforms(p device.RandomParams, i int) (ux, uy float32, sin bool) {
	e := p.Offset + uint64(i)
	c := e / 4 // a counter's four words serve four elements
	x := philox4x32([4]uint32{uint32(c), uint32(c >> 32), 0, 0}, [2]uint32{uint32(p.Seed), uint32(p.Seed >> 32)})
	w0, w1 := x[e%4], uint32(0)
	if p.Dist == device.Normal {
		q := e % 4 / 2 // the pair of words
		w0, w1, sin = x[2*q], x[2*q+1], e%2 == 1
	}
	return float32(w0>>8) * 0x1p-24, float32(w1>>8) * 0x1p-24, sin
}
