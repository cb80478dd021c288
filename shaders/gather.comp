// Gather and its adjoint ScatterAdd along the middle axis of [Outer, ·, Inner]:
//   GATHER:  dst[o, m, i]  = src[o, idx(o, m, i), i]   (bit copy, any dtype)
//   SCATTER: dst[o, n, i] += Σ_{m: idx(o,m,i) = n} src[o, m, i]
//            (with SCATTER_SET, GatherParams.Overwrite: dst[o, n, i] = 0 + Σ)
// with idx(o, m, i) = ix[u_ixOff + o·s0 + m·s1 + i·s2]. ScatterAdd runs one
// invocation per destination element, summing its contributions in
// increasing m: deterministic, no float atomics.

uniform uint u_total; // elements of dst
uniform int u_n;
uniform int u_m;
uniform int u_inner;
uniform uvec2 u_dInner, u_dM, u_dN; // common.glsl's udiv pairs for u_inner, u_m and u_n
uniform int u_ixOff;
uniform int u_ixS0;
uniform int u_ixS1;
uniform int u_ixS2;

#ifdef GATHER
layout(std430, binding = 0) writeonly buffer Dst { uint dst[]; };
layout(std430, binding = 1) readonly buffer Src { uint src[]; };
#else
layout(std430, binding = 0) buffer Dst { float dst[]; };
layout(std430, binding = 1) readonly buffer Src { float src[]; };
#endif
layout(std430, binding = 2) readonly buffer Ix { int ix[]; };

int index(int o, int m, int i) { return ix[u_ixOff + o * u_ixS0 + m * u_ixS1 + i * u_ixS2]; }

void main() {
	uint t = globalX();
	if (t >= u_total) return;
	uint q = udiv(t, u_dInner);
	int i = int(t - q * uint(u_inner));
#ifdef GATHER
	int o = int(udiv(q, u_dM)), m = int(q) - o * u_m;
	int n = index(o, m, i);
	dst[t] = (n >= 0 && n < u_n) ? src[(o * u_n + n) * u_inner + i] : 0u;
#else
	int o = int(udiv(q, u_dN)), n = int(q) - o * u_n;
#ifdef SCATTER_SET
	float acc = 0.0f; // Overwrite: the sums alone
#else
	float acc = dst[t];
#endif
	for (int m = 0; m < u_m; m++) {
		if (index(o, m, i) == n) acc += src[(o * u_m + m) * u_inner + i];
	}
	dst[t] = acc;
#endif
}
