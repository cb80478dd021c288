// Reduce a contiguous source over any set of its axes in one pass. The host
// describes it (see device.ReduceParams.Coalesce) as u_inner adjacent kept
// positions (1 when the last axis is reduced), u_outer kept positions of the
// kept axes before them (u_kept sizes, u_kstride source strides) and u_n
// reduced positions (u_red, u_rstride), numbered row-major. Dst is
// [u_outer, u_inner]. Each output's reduced elements are split among
// SPLIT invocations (below), whose partials a shared-memory tree combines.
// OP names the device.ReduceOp: OP_SUM, OP_MAX, OP_MIN, OP_ARGMAX or
// OP_ARGMIN (the backend defines each before this source). Max/min propagate
// NaN; arg variants treat NaN as the extreme and keep the first index.

uniform uint u_outer;
uniform uint u_n;
uniform uint u_inner;
uniform int u_nkept;
uniform int u_kept[MAX_RANK];
uniform int u_kstride[MAX_RANK];
uniform int u_nred;
uniform int u_red[MAX_RANK];
uniform int u_rstride[MAX_RANK];
uniform uvec2 u_rmagic[MAX_RANK]; // udiv's pairs for u_red

// keptOffset and reducedOffset return the source offset of position p of a
// row-major walk over the kept (reduced) axes.
uint keptOffset(uint p) {
	uint off = 0u;
	for (int i = u_nkept - 1; i >= 0; i--) {
		off += (p % uint(u_kept[i])) * uint(u_kstride[i]);
		p /= uint(u_kept[i]);
	}
	return off;
}

// reducedOffset runs for every element read, so it divides by
// multiplication (udiv), and not at all for one reduced axis.
uint reducedOffset(uint p) {
	if (u_nred == 1) return p * uint(u_rstride[0]);
	uint off = 0u;
	for (int i = u_nred - 1; i >= 0; i--) {
		uint q = udiv(p, u_rmagic[i]);
		off += (p - q * uint(u_red[i])) * uint(u_rstride[i]);
		p = q;
	}
	return off;
}

#if OP == OP_ARGMAX || OP == OP_ARGMIN
layout(std430, binding = 0) writeonly buffer Dst { int dst[]; };
#else
layout(std430, binding = 0) writeonly buffer Dst { float dst[]; };
#endif
layout(std430, binding = 1) readonly buffer Src { float src[]; };

// A work group covers INNER adjacent inner positions of one outer index
// (adjacent in memory) and splits N among SPLIT invocations per position:
// along y, or with SPLIT_X (one inner position) along x, which llvmpipe
// runs as vector lanes (along y each invocation ran alone, and a group's
// barriers switched between 256 of them).
#ifdef SPLIT_X
#define INNER 1
#define SPLIT LOCAL_X
#else
#define INNER LOCAL_X
#define SPLIT LOCAL_Y
#endif
shared float sv[SPLIT][INNER];
shared int si[SPLIT][INNER];

#if OP == OP_MAX || OP == OP_ARGMAX
bool before(float a, float b) { return a > b; }
#elif OP == OP_MIN || OP == OP_ARGMIN
bool before(float a, float b) { return a < b; }
#elif OP != OP_SUM
#error reduce: unknown OP
#endif

#if OP != OP_SUM
// better reports whether (vb, ib) beats (va, ia); index −1 is "no element".
bool better(float va, int ia, float vb, int ib) {
	if (ib < 0) return false;
	if (ia < 0) return true;
	bool na = isNaN(va), nb = isNaN(vb);
	if (na || nb) return nb && (!na || ib < ia);
	return before(vb, va) || (vb == va && ib < ia);
}
#endif

void main() {
	uint o = groupID().y;
	if (o >= u_outer) return; // uniform per group
#ifdef SPLIT_X
	uint tx = 0u, ty = gl_LocalInvocationID.x;
#else
	uint tx = gl_LocalInvocationID.x, ty = gl_LocalInvocationID.y;
#endif
	uint in_ = groupID().x * uint(INNER) + tx;
	// Invocations past the last inner position still take part in barriers.
	uint n = in_ < u_inner ? u_n : 0u;
	uint base = keptOffset(o) + in_;
#if OP == OP_SUM
	float acc = 0.0f;
	for (uint k = ty; k < n; k += uint(SPLIT)) acc += src[base + reducedOffset(k)];
	sv[ty][tx] = acc;
	barrier();
	for (uint s = uint(SPLIT) / 2u; s > 0u; s >>= 1) {
		if (ty < s) sv[ty][tx] += sv[ty + s][tx];
		barrier();
	}
	if (ty == 0u && n > 0u) dst[o * u_inner + in_] = sv[0][tx];
#else
	float v = 0.0f;
	int idx = -1;
	for (uint k = ty; k < n; k += uint(SPLIT)) {
		float x = src[base + reducedOffset(k)];
		if (better(v, idx, x, int(k))) { v = x; idx = int(k); }
	}
	sv[ty][tx] = v;
	si[ty][tx] = idx;
	barrier();
	for (uint s = uint(SPLIT) / 2u; s > 0u; s >>= 1) {
		if (ty < s && better(sv[ty][tx], si[ty][tx], sv[ty + s][tx], si[ty + s][tx])) {
			sv[ty][tx] = sv[ty + s][tx];
			si[ty][tx] = si[ty + s][tx];
		}
		barrier();
	}
	if (ty == 0u && n > 0u) {
#if OP == OP_ARGMAX || OP == OP_ARGMIN
		dst[o * u_inner + in_] = si[0][tx];
#else
		dst[o * u_inner + in_] = sv[0][tx];
#endif
	}
#endif
}
