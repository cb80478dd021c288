// Reduce over the middle axis of a contiguous [Outer, N, Inner] source into
// [Outer, Inner]. One work group per output: each invocation folds a strided
// slice of the row, then a shared-memory tree combines the LOCAL_X partials.
// OP: 0 sum, 1 max, 2 min, 3 argmax, 4 argmin (ReduceOp). Max/min propagate
// NaN; arg variants treat NaN as the extreme and keep the first index.

uniform uint u_outer;
uniform uint u_n;
uniform uint u_inner;

#if OP == 3 || OP == 4
layout(std430, binding = 0) writeonly buffer Dst { int dst[]; };
#else
layout(std430, binding = 0) writeonly buffer Dst { float dst[]; };
#endif
layout(std430, binding = 1) readonly buffer Src { float src[]; };

shared float sv[LOCAL_X];
shared int si[LOCAL_X];

#if OP == 1 || OP == 3
bool before(float a, float b) { return a > b; }
#else
bool before(float a, float b) { return a < b; }
#endif

// better reports whether (vb, ib) beats (va, ia); index −1 is "no element".
bool better(float va, int ia, float vb, int ib) {
	if (ib < 0) return false;
	if (ia < 0) return true;
	bool na = isNaN(va), nb = isNaN(vb);
	if (na || nb) return nb && (!na || ib < ia);
	return before(vb, va) || (vb == va && ib < ia);
}

void main() {
	uint out_ = groupID().x;
	if (out_ >= u_outer * u_inner) return; // uniform per group
	uint o = out_ / u_inner, in_ = out_ % u_inner;
	uint base = o * u_n * u_inner + in_;
	uint t = gl_LocalInvocationID.x;
#if OP == 0
	float acc = 0.0f;
	for (uint k = t; k < u_n; k += uint(LOCAL_X)) acc += src[base + k * u_inner];
	sv[t] = acc;
	barrier();
	for (uint s = uint(LOCAL_X) / 2u; s > 0u; s >>= 1) {
		if (t < s) sv[t] += sv[t + s];
		barrier();
	}
	if (t == 0u) dst[out_] = sv[0];
#else
	float v = 0.0f;
	int idx = -1;
	for (uint k = t; k < u_n; k += uint(LOCAL_X)) {
		float x = src[base + k * u_inner];
		if (better(v, idx, x, int(k))) { v = x; idx = int(k); }
	}
	sv[t] = v;
	si[t] = idx;
	barrier();
	for (uint s = uint(LOCAL_X) / 2u; s > 0u; s >>= 1) {
		if (t < s && better(sv[t], si[t], sv[t + s], si[t + s])) {
			sv[t] = sv[t + s];
			si[t] = si[t + s];
		}
		barrier();
	}
#if OP == 3 || OP == 4
	if (t == 0u) dst[out_] = si[0];
#else
	if (t == 0u) dst[out_] = sv[0];
#endif
#endif
}
