package kernels

import "math/bits"

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

// Distribution selects what Random draws, as the device.Distribution of the
// same name does.
type Distribution uint8

const (
	Uniform         Distribution = iota // uniform on [a, b)
	Normal                              // mean a, standard deviation b
	Bernoulli                           // 1 with probability a, else 0
	ScaledBernoulli                     // b with probability a, else 0
	numDistributions
)

// distributionNames names each Distribution as package device's catalogue
// does.
var distributionNames = map[string]Distribution{"uniform": Uniform, "normal": Normal, "bernoulli": Bernoulli, "scaledbernoulli": ScaledBernoulli}

// DistributionNamed returns the Distribution with the given catalogue name.
func DistributionNamed(name string) (Distribution, bool) {
	d, ok := distributionNames[name]
	return d, ok
}

// unit maps 32 random bits to [0, 1) with 24 bits of resolution, exactly
// representable in float32.
func unit(x uint32) float32 { return float32(x>>8) * (1.0 / (1 << 24)) }

// philox2 runs Philox4x32-10 under key (k0, k1) on the counters
// (a0, a1, 0, 0) and (b0, b1, 0, 0) side by side and returns their words.
// Each round's multiplies wait on the last round's, so one stream leaves
// the multiplier mostly idle; two interleaved ones run in about the time
// of one (27 → 16 ns for the pair on the development machine's Zen 5).
// Four spill registers on amd64 and are slower.
func philox2(k0, k1, a0, a1, b0, b1 uint32) (a, b [4]uint32) {
	const (
		m0, m1 = 0xD2511F53, 0xCD9E8D57
		w0, w1 = 0x9E3779B9, 0xBB67AE85
	)
	var a2, a3, b2, b3 uint32
	for round := 0; round < 10; round++ {
		ahi0, alo0 := bits.Mul32(m0, a0)
		ahi1, alo1 := bits.Mul32(m1, a2)
		bhi0, blo0 := bits.Mul32(m0, b0)
		bhi1, blo1 := bits.Mul32(m1, b2)
		a0, a1, a2, a3 = ahi1^a1^k0, alo1, ahi0^a3^k1, alo0
		b0, b1, b2, b3 = bhi1^b1^k0, blo1, bhi0^b3^k1, blo0
		k0 += w0
		k1 += w1
	}
	return [4]uint32{a0, a1, a2, a3}, [4]uint32{b0, b1, b2, b3}
}

// philoxBlockWords bounds the words philoxWords makes for a block of
// philoxBlock elements: a counter's worth more, for a block that starts
// inside one.
const philoxBlockWords = philoxBlock + 4

// philoxWords makes the words of the n ≤ philoxBlock elements of the
// stream whose round keys are keys (philoxRoundKeys of its seed) from
// element e = offset into w, a whole counter at a time (philoxCounters):
// element e+j takes w[skip+j], word (e+j) mod 4 of counter (e+j)/4, and a
// Normal draw the pair of words its counter's pair holds (see drawBlock).
// It returns the words made and skip, e mod 4.
func philoxWords(w *[philoxBlockWords]uint32, n int, keys *[20]uint32, offset uint64) ([]uint32, int) {
	skip := int(offset % 4)
	words := (skip + n + 3) &^ 3
	philoxCounters(w[:words], keys, offset/4)
	return w[:words], skip
}

// Random fills dst: element i is element offset+i of the Philox4x32-10
// stream keyed by seed, its words and their mapping as the device contract
// (device.RandomParams) states, so every backend produces the same
// numbers. The words are made a block at a time (philoxWords), then mapped
// (randMap, normalDraws; both by vector code where the CPU has it).
func Random(dst []float32, dist Distribution, a, b float32, seed, offset uint64) {
	if dist >= numDistributions {
		panic("kernels: unknown distribution")
	}
	ParallelFor(len(dst), elemGrain/8, func(lo, hi int) {
		// The round keys once a range, not a block (15 ns, 7% of a block's
		// words), here so that they stay on the stack.
		keys := philoxRoundKeys(seed)
		var buf [philoxBlockWords]uint32
		for i := lo; i < hi; i += philoxBlock {
			n := min(philoxBlock, hi-i)
			w, skip := philoxWords(&buf, n, &keys, offset+uint64(i))
			drawBlock(dst[i:i+n], w, skip, dist, a, b)
		}
	})
}

// RandomMul writes contiguous dst[i] = src[i]·r[i] over shape (src walked
// by its strides), r[i] being what Random draws at element i, and r[i]
// into mask[i] where mask is not nil: a draw and the product in one pass
// over the data, with the bits of Random and then a Mul (the draws of a
// block stay in cache between the two). Where residual.Data is not nil,
// residual[i] (walked likewise) is added to each product, with the bits of
// an Add after the Mul. src may be dst; residual must not overlap it.
func RandomMul(dst, mask []float32, src, residual Strided[float32], shape []int, dist Distribution, a, b float32, seed, offset uint64) {
	if dist >= numDistributions {
		panic("kernels: unknown distribution")
	}
	n := numElements(shape)
	if n == 0 {
		return
	}
	dst = dst[:n]
	if mask != nil {
		mask = mask[:n]
	}
	w := newWalker(shape, [3]int{src.Off, residual.Off}, [3][]int{src.Strides, residual.Strides})
	ParallelFor(n, elemGrain/8, func(lo, hi int) {
		keys := philoxRoundKeys(seed) // as in Random
		var buf [philoxBlockWords]uint32
		var tmp, xs, rs [philoxBlock]float32
		w := w
		w.seek(lo)
		for i := lo; i < hi; i += philoxBlock {
			n := min(philoxBlock, hi-i)
			r := tmp[:n]
			if mask != nil {
				r = mask[i : i+n]
			}
			words, skip := philoxWords(&buf, n, &keys, offset+uint64(i))
			drawBlock(r, words, skip, dist, a, b)
			for pos := i; pos < i+n; {
				m := w.span(i + n - pos)
				d := dst[pos : pos+m]
				binarySpan(Mul, 0, d, load(&w, 0, src.Data, m, xs[:]), r[pos-i:pos-i+m])
				if residual.Data != nil {
					binarySpan(Add, 0, d, load(&w, 1, residual.Data, m, rs[:]), d)
				}
				pos += m
				w.advance(m)
			}
		}
	})
}

// drawBlock maps the words w of the counters of len(out) elements, the
// first of them word skip, to dist's samples: a word an element, or, for
// Normal, Box–Muller's two draws from each pair of words, the cosine's for
// the pair's first element and the sine's for its second.
func drawBlock(out []float32, w []uint32, skip int, dist Distribution, a, b float32) {
	switch dist {
	case Uniform:
		randMap(out, w[skip:skip+len(out)], false, a, b-a)
	case Bernoulli:
		randMap(out, w[skip:skip+len(out)], true, a, 1)
	case ScaledBernoulli:
		randMap(out, w[skip:skip+len(out)], true, a, b)
	default: // Normal
		normalDraws(out, w[skip&^1:], skip&1 == 1, a, b)
	}
}

// randMapGo maps the words x[j] to out[j] as draw does for the
// distributions of one word: a + s·u(x) (Uniform, s = b−a), or with
// bernoulli s·(1 if u(x) < a else 0) (Bernoulli, s = 1; ScaledBernoulli,
// s = b). It is the portable randMap, a loop of each kind without a call
// and a switch an element.
func randMapGo(out []float32, x []uint32, bernoulli bool, a, s float32) {
	x = x[:len(out)]
	if bernoulli {
		for j, v := range x {
			out[j] = s * b2f(unit(v) < a)
		}
		return
	}
	for j, v := range x {
		// The explicit conversion forbids fusing into an FMA, which would
		// change the bits on some platforms.
		out[j] = a + float32(s*unit(v))
	}
}

// philoxBlock is how many counters Random makes words for at a time: a
// multiple of every vector width, small enough to stay on the stack.
const philoxBlock = 256

// philoxRoundKeys returns the keys of Philox4x32-10's ten rounds under
// seed: (k0, k1) at [2r] and [2r+1].
func philoxRoundKeys(seed uint64) (keys [20]uint32) {
	k0, k1 := uint32(seed), uint32(seed>>32)
	for r := range 10 {
		keys[2*r], keys[2*r+1] = k0, k1
		k0 += 0x9E3779B9
		k1 += 0xBB67AE85
	}
	return keys
}

// philoxCountersGo is the portable philoxCounters, two counters at a time.
func philoxCountersGo(x []uint32, keys *[20]uint32, c uint64) {
	k0, k1 := keys[0], keys[1]
	n := len(x) / 4
	j := 0
	for ; j+2 <= n; j += 2 {
		d := c + uint64(j)
		a, b := philox2(k0, k1, uint32(d), uint32(d>>32), uint32(d+1), uint32((d+1)>>32))
		copy(x[4*j:], a[:])
		copy(x[4*j+4:], b[:])
	}
	if j < n {
		d := c + uint64(j)
		a, _ := philox2(k0, k1, uint32(d), uint32(d>>32), 0, 0)
		copy(x[4*j:], a[:])
	}
}

// draw maps the words of one element to a sample of dist: x alone, or for
// Normal the pair (x, y) and whether the element takes the pair's sine.
func draw(dist Distribution, a, b float32, x, y uint32, sin bool) float32 {
	u := unit(x)
	switch dist {
	case Uniform:
		// The explicit conversion forbids fusing into an FMA, which would
		// change the bits on some platforms.
		return a + float32((b-a)*u)
	case Normal:
		c, s := normalPairGo(x, y, a, b)
		if sin {
			return s
		}
		return c
	case ScaledBernoulli:
		return b * b2f(u < a)
	default: // Bernoulli
		return b2f(u < a)
	}
}
