//go:build amd64 && !purego

package kernels

import "math"

// philoxAVX2 is philoxCounters on 8·groups counters (lo + j, hi, 0, 0);
// lo + 8·groups − 1 must not wrap. It is the operations of
// philoxCountersGo, lane by lane.
//
//go:noescape
func philoxAVX2(x *uint32, groups int, keys *uint32, lo, hi uint32)

// philoxAVX512 is philoxAVX2 on 16·groups counters; lo + 16·groups − 1
// must not wrap.
//
//go:noescape
func philoxAVX512(x *uint32, groups int, keys *uint32, lo, hi uint32)

// randMapAVX512 and randMapAVX2 are randMapGo on whole vectors (n a
// multiple of 16 or 8): the same operations in the same order, lane by
// lane.
//
//go:noescape
func randMapAVX512(out *float32, x *uint32, n int, bernoulli bool, a, s float32)

//go:noescape
func randMapAVX2(out *float32, x *uint32, n int, bernoulli bool, a, s float32)

// randMap is randMapGo by vector code where the CPU has it, the ragged end
// in Go: the same bits either way.
func randMap(out []float32, x []uint32, bernoulli bool, a, s float32) {
	x = x[:len(out)]
	full := 0
	switch {
	case hasAVX512:
		if full = len(out) &^ 15; full > 0 {
			randMapAVX512(&out[0], &x[0], full, bernoulli, a, s)
		}
	case hasAVX2:
		if full = len(out) &^ 7; full > 0 {
			randMapAVX2(&out[0], &x[0], full, bernoulli, a, s)
		}
	}
	randMapGo(out[full:], x[full:], bernoulli, a, s)
}

// philoxCounters writes the four words of Philox4x32-10 under the round
// keys keys (philoxRoundKeys of the seed) at
// the counters c, c+1, … (counter c+j as the words (lo32(c+j), hi32(c+j),
// 0, 0)) into x, each counter's in turn: x[4j+w] is word w of counter c+j,
// for the len(x)/4 counters. Whole vectors of counters whose low words do
// not wrap run in AVX-512 or AVX2 code where the CPU has it, the rest in
// philoxCountersGo: the same words either way.
func philoxCounters(x []uint32, keys *[20]uint32, c uint64) {
	if !hasAVX2 {
		philoxCountersGo(x, keys, c)
		return
	}
	n := len(x) / 4
	for j := 0; j < n; {
		d := c + uint64(j)
		// Counters before the low word wraps.
		run := int(min(uint64(n-j), math.MaxUint32-uint64(uint32(d))+1))
		switch {
		case hasAVX512 && run >= 16:
			groups := run / 16
			philoxAVX512(&x[4*j], groups, &keys[0], uint32(d), uint32(d>>32))
			j += groups * 16
		case run >= 8:
			groups := run / 8
			philoxAVX2(&x[4*j], groups, &keys[0], uint32(d), uint32(d>>32))
			j += groups * 8
		default:
			// A ragged tail, or a vector that straddles a wrap.
			m := min(n-j, 8)
			philoxCountersGo(x[4*j:4*(j+m)], keys, d)
			j += m
		}
	}
}
