//go:build amd64 && !purego

package kernels

import "math"

// philoxAVX512 and philoxAVX2 set x0[j], x1[j] (j < groups·lanes, 16 or 8
// lanes) to the first two words of Philox4x32-10 under the round keys keys
// (philoxRoundKeys) at counter (lo + j, hi, 0, 0); lo + j must not wrap.
// They are the operations of philoxWordsGo, lane by lane.
//
//go:noescape
func philoxAVX512(x0, x1 *uint32, groups int, keys *uint32, lo, hi uint32)

//go:noescape
func philoxAVX2(x0, x1 *uint32, groups int, keys *uint32, lo, hi uint32)

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

// philoxWords sets x0[j], x1[j] to the first two words of Philox4x32-10
// under seed at counter (offset+j, 0), for j < len(x0) ≤ len(x1). Whole
// vectors whose low counter words do not wrap run in the widest vector
// code this CPU has (about 10× the scalar rate with AVX-512), the rest in
// philoxWordsGo: the same words either way.
func philoxWords(x0, x1 []uint32, seed, offset uint64) {
	switch {
	case hasAVX512:
		philoxVector(16, x0, x1, seed, offset)
	case hasAVX2:
		philoxVector(8, x0, x1, seed, offset)
	default:
		philoxWordsGo(x0, x1, seed, offset)
	}
}

// philoxVector runs philoxAVX512 (lanes 16) or philoxAVX2 (8) on the whole
// vectors of counters within one run of low words, and philoxWordsGo on
// what is left. It calls them directly, not through a function value, so
// the round keys stay on the stack (through a function value they escaped:
// an allocation a call, 57 000 a Transformer language model's step).
func philoxVector(lanes int, x0, x1 []uint32, seed, offset uint64) {
	keys := philoxRoundKeys(seed)
	x1 = x1[:len(x0)]
	for j := 0; j < len(x0); {
		c := offset + uint64(j)
		// Counters before the low word wraps, in whole vectors.
		groups := int(min(uint64(len(x0)-j), math.MaxUint32-uint64(uint32(c))+1) / uint64(lanes))
		if groups == 0 {
			// A ragged tail, or a vector that straddles a wrap.
			n := min(len(x0)-j, lanes)
			philoxWordsGo(x0[j:j+n], x1[j:j+n], seed, c)
			j += n
			continue
		}
		if lanes == 16 {
			philoxAVX512(&x0[j], &x1[j], groups, &keys[0], uint32(c), uint32(c>>32))
		} else {
			philoxAVX2(&x0[j], &x1[j], groups, &keys[0], uint32(c), uint32(c>>32))
		}
		j += groups * lanes
	}
}
