// Counter-based random numbers: element i is element e = offset + i of the
// Philox4x32-10 stream keyed by the 64-bit seed, word e mod 4 of counter
// e/4 (for the normal draw, the cosine or sine of Box–Muller's pair in the
// counter's words 0, 1 or 2, 3); see device.RandomParams for the exact
// words and bit-to-float mapping, shared with the CPU backend.
// DIST names the device.Distribution (the backend defines each DIST_ name
// before this source): DIST_UNIFORM on [A, B), DIST_NORMAL (mean A, sd B),
// DIST_BERNOULLI (P = A), DIST_SCALEDBERNOULLI (B with P = A, else 0).
// With MUL the draw r multiplies src into dst (RandomMul), src read at
// u_off0 + Σ idx[d]·u_st0[d] over the row-major index space u_shape (rank
// u_rank ≤ MAX_RANK), and with MASK r is also written to mask; with
// RESIDUAL residual, read at u_off1 + Σ idx[d]·u_st1[d], is added to the
// product (precise: a rounded product, then the sum, as Mul and Add).

uniform uint u_n;
uniform uvec2 u_seed; // lo, hi
uniform uvec2 u_base; // the first counter: offset / 4, lo and hi
uniform uint u_skip;  // offset mod 4
uniform float u_a;
uniform float u_b;

layout(std430, binding = 0) writeonly buffer Dst { float dst[]; };
#ifdef MUL
uniform int u_rank;
uniform int u_shape[MAX_RANK];
uniform int u_st0[MAX_RANK];
uniform int u_off0;
layout(std430, binding = 1) readonly buffer Src { float src[]; };
#ifdef MASK
layout(std430, binding = 2) writeonly buffer Mask { float mask[]; };
#endif
#ifdef RESIDUAL
uniform int u_st1[MAX_RANK];
uniform int u_off1;
layout(std430, binding = 3) readonly buffer Residual { float residual[]; };
#endif
#endif

uvec4 philox(uvec4 ctr, uvec2 key) {
	for (int r = 0; r < 10; r++) {
		if (r > 0) key += uvec2(0x9E3779B9u, 0xBB67AE85u);
		uint hi0, lo0, hi1, lo1;
		umulExtended(0xD2511F53u, ctr.x, hi0, lo0);
		umulExtended(0xCD9E8D57u, ctr.z, hi1, lo1);
		ctr = uvec4(hi1 ^ ctr.y ^ key.x, lo1, hi0 ^ ctr.w ^ key.y, lo0);
	}
	return ctr;
}

float unit(uint x) { return float(x >> 8) * (1.0f / 16777216.0f); }

#ifdef MUL
// at is the offset, in an operand at off with strides st, of element i of
// the index space: with SRC_CONTIG (every operand contiguous over the
// whole space) off + i, without the divisions of the walk.
int at(uint i, int off, int st[MAX_RANK]) {
#ifdef SRC_CONTIG
	return off + int(i);
#else
	int o = off;
	for (int d = u_rank - 1; d >= 0; d--) {
		uint s = uint(u_shape[d]);
		o += int(i % s) * st[d];
		i /= s;
	}
	return o;
#endif
}
#endif

// draw maps the words x (and y, for the normal draw: its sine when sn,
// else its cosine) of one element to its sample. precise: the draw is
// formed as written in every variant. A precise result (RESIDUAL's y) makes
// every operation it depends on precise, so without it here a driver that
// contracts a·b + c into a fused multiply-add (NVIDIA's, for the normal
// draw) would draw other bits with a residual than without.
float draw(uint x, uint y, bool sn) {
	precise float r;
#if DIST == DIST_UNIFORM
	r = u_a + (u_b - u_a) * unit(x);
#elif DIST == DIST_NORMAL
	float rad = sqrt(-2.0f * log(1.0f - unit(x)));
	float theta = 6.2831853071795864f * unit(y);
	r = u_a + u_b * rad * (sn ? sin(theta) : cos(theta));
#elif DIST == DIST_BERNOULLI
	r = unit(x) < u_a ? 1.0f : 0.0f;
#elif DIST == DIST_SCALEDBERNOULLI
	r = unit(x) < u_a ? u_b : 0.0f;
#else
#error random: unknown DIST
#endif
	return r;
}

// put writes element i's draw r (or its product with src) to dst.
void put(uint i, float r) {
#ifdef MUL
#ifdef MASK
	mask[i] = r;
#endif
#ifdef RESIDUAL
	precise float y = src[at(i, u_off0, u_st0)] * r + residual[at(i, u_off1, u_st1)];
	dst[i] = y;
#else
	dst[i] = src[at(i, u_off0, u_st0)] * r;
#endif
#else
	dst[i] = r;
#endif
}

// Each invocation runs the generator once, on counter k of those the
// elements span (the first holding element offset, u_skip = offset mod 4
// elements before it), and writes the four elements its words serve.
void main() {
	uint k = globalX();
	uint carry;
	uint lo = uaddCarry(u_base.x, k, carry);
	uvec4 w = philox(uvec4(lo, u_base.y + carry, 0u, 0u), u_seed);
	for (uint q = 0u; q < 4u; q++) {
		uint e = k * 4u + q; // element offset − u_skip + e
		if (e < u_skip || e - u_skip >= u_n) continue;
#if DIST == DIST_NORMAL
		uvec2 x = q < 2u ? w.xy : w.zw;
		put(e - u_skip, draw(x.x, x.y, (q & 1u) != 0u));
#else
		put(e - u_skip, draw(w[q], 0u, false));
#endif
	}
}
