// ScatterAdd by buckets, for indices that do not depend on the inner
// position (idx(o, m, i) = idx(o, m, 0): embedding and IndexSelect
// gradients, or Inner = 1). gather.comp's SCATTER scans all M indices for
// every destination element, O(Outer·N·M·Inner); these passes build, per
// outer slice, the list of m for each destination row n in increasing m,
// then add only those: O((N + M)·Inner) plus the ordering below.
//
// Buffers: cnt and off hold Outer·(N+1) ints, list, row and sorted
// Outer·M. Passes, one dispatch each, in this order:
//   SC_CLEAR  cnt = 0                                    (Outer·(N+1))
//   SC_COUNT  cnt[o, n] = #{m : idx(o, m) = n}           (Outer·M, int atomics)
//   SC_SCAN   off[o, n] = Σ_{n' < n} cnt[o, n'], cnt = off (one group per o)
//   SC_FILL   list[o, atomicAdd(cnt[o, n])] = m, row[..] = n (Outer·M)
//   SC_RANK   sorted[o, off[n] + #{m' in bucket n : m' < m}] = m (Outer·M)
//   SC_ADD    dst[o, n, i] += Σ src[o, m, i] over sorted bucket n (Outer·N·Inner);
//             with SC_SET (GatherParams.Overwrite) dst[o, n, i] = 0 + Σ
// FILL's order within a bucket depends on thread timing; RANK puts each
// bucket back in increasing m, so the float sums in SC_ADD run in the
// contract's order and the result is deterministic, bit-identical to
// gather.comp's. Integer atomics only. Indices outside [0, N) are skipped.

uniform uint u_total; // invocations of this pass
uniform int u_n;
uniform int u_m;
uniform int u_inner;
uniform uvec2 u_dInner, u_dM, u_dN; // common.glsl's udiv pairs for u_inner, u_m and u_n
uniform int u_ixOff;
uniform int u_ixS0;
uniform int u_ixS1;

layout(std430, binding = 0) buffer Dst { float dst[]; };
layout(std430, binding = 1) readonly buffer Src { float src[]; };
layout(std430, binding = 2) readonly buffer Ix { int ix[]; };
layout(std430, binding = 3) buffer Cnt { int cnt[]; };
layout(std430, binding = 4) buffer Off { int off[]; };
layout(std430, binding = 5) buffer List { int list[]; };
layout(std430, binding = 6) buffer Row { int row[]; };
layout(std430, binding = 7) buffer Sorted { int sorted[]; };

int index(int o, int m) { return ix[u_ixOff + o * u_ixS0 + m * u_ixS1]; }

#if defined(SC_SCAN)
shared int partial[LOCAL_X];

// One work group per outer slice o; invocation t scans a contiguous chunk.
void main() {
	int o = int(groupID().x);
	int t = int(gl_LocalInvocationID.x);
	int base = o * (u_n + 1);
	int chunk = (u_n + LOCAL_X - 1) / LOCAL_X;
	int b = min(t * chunk, u_n), e = min(b + chunk, u_n);
	int s = 0;
	for (int n = b; n < e; n++) s += cnt[base + n];
	partial[t] = s;
	barrier();
	if (t == 0) {
		int run = 0;
		for (int j = 0; j < LOCAL_X; j++) {
			int v = partial[j];
			partial[j] = run;
			run += v;
		}
		off[base + u_n] = run;
		cnt[base + u_n] = run;
	}
	barrier();
	int run = partial[t];
	for (int n = b; n < e; n++) {
		int v = cnt[base + n];
		off[base + n] = run;
		cnt[base + n] = run;
		run += v;
	}
}
#else
void main() {
	uint t = globalX();
	if (t >= u_total) return;
#if defined(SC_CLEAR)
	cnt[t] = 0;
#elif defined(SC_COUNT) || defined(SC_FILL)
	int o = fdiv(int(t), u_dM), m = int(t) - o * u_m;
	int n = index(o, m);
	if (n < 0 || n >= u_n) return;
#ifdef SC_COUNT
	atomicAdd(cnt[o * (u_n + 1) + n], 1);
#else
	int at = o * u_m + atomicAdd(cnt[o * (u_n + 1) + n], 1);
	list[at] = m;
	row[at] = n;
#endif
#elif defined(SC_RANK)
	int o = fdiv(int(t), u_dM);
	if (int(t) - o * u_m >= off[o * (u_n + 1) + u_n]) return; // past the valid entries
	int m = list[t], n = row[t];
	int b = off[o * (u_n + 1) + n], e = off[o * (u_n + 1) + n + 1];
	int rank = 0;
	for (int j = b; j < e; j++) rank += int(list[o * u_m + j] < m);
	sorted[o * u_m + b + rank] = m;
#elif defined(SC_ADD)
	int q = fdiv(int(t), u_dInner), i = int(t) - q * u_inner;
	int o = fdiv(q, u_dN), n = q - o * u_n;
	int base = o * (u_n + 1);
	int b = off[base + n], e = off[base + n + 1];
#ifdef SC_SET
	float acc = 0.0f; // Overwrite: the sums alone
#else
	if (b == e) return; // no contributions: dst stays as it is
	float acc = dst[t];
#endif
	for (int j = b; j < e; j++)
		acc += src[(o * u_m + sorted[o * u_m + j]) * u_inner + i];
	dst[t] = acc;
#else
#error scatter: define SC_CLEAR, SC_COUNT, SC_SCAN, SC_FILL, SC_RANK or SC_ADD
#endif
}
#endif
