package devicetest

import "math/bits"

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

// philoxUniforms returns u(x0) and u(x1) of element i of a RandomParams
// stream: the bits-to-floats mapping of the device contract, exactly.
func philoxUniforms(seed, offset uint64, i int) (u0, u1 float32) {
	c := offset + uint64(i)
	x := philox4x32([4]uint32{uint32(c), uint32(c >> 32), 0, 0}, [2]uint32{uint32(seed), uint32(seed >> 32)})
	return float32(x[0]>>8) * 0x1p-24, float32(x[1]>>8) * 0x1p-24
}
