// Batched GEMM: C[b] = α·op(A[b])·op(B[b]) + β·C[b], op(A) M×K, op(B) K×N,
// then the epilogue of common.glsl (residual, bias by column n, activation).
// Each matrix's rows lie u_ldA, u_ldB or u_ldC apart (device.MatMulParams'
// leading dimensions, the host passing the row length for a packed one);
// the epilogue's operands are laid out as C.
//
// The tiled core below works on any operands through three functions,
//   float loadA(uint b, uint m, uint k), float loadB(uint b, uint k, uint n),
//   void storeC(uint b, uint m, uint n, float acc),
// which plain matmul defines here; conv.comp defines CUSTOM_OPERANDS and its
// own (implicit-GEMM convolution) and is compiled with this file appended.
//
// Each work group computes a TILE_M×TILE_N tile of C with LOCAL_X×LOCAL_Y
// invocations, each owning (TILE_M/LOCAL_Y)×(TILE_N/LOCAL_X) outputs held in
// registers; A and B stream through shared memory TILE_K at a time.
// Defines: TILE_M, TILE_N, TILE_K; A_M_FAST / B_K_FAST choose which index
// of a tile load runs along memory (TransA / TransB).
//
// Split K: when M×N×batch gives too few work groups to fill the device and K
// is long, the host runs two passes. SPLIT_K: work group z = bt·u_splits +
// slice sums k in [slice·u_kChunk, (slice+1)·u_kChunk) and writes its tile to
// partial[(slice·batch + bt)·M·N + m·N + n]. SPLIT_REDUCE: one invocation
// per output adds the slices in order and calls storeC. Both are
// deterministic: the order of every sum is fixed by the shape and tiling.
//
// ROW_SUM (plain matmul, and conv.comp's BACKWARD_W, whose op(A) is dy:
// the bias gradient; Epilogue.BiasGrad): op(A)'s row sums over K,
// rowSum[u_offRowSum + bt·M + m], from the A tiles in shared memory: in
// the work groups of the first column tile, invocation i adds up row i of
// each tile (rows past the invocations' count: i + THREADS, ...) in K
// order before its products, TILE_K adds a K step beside the
// WM·WN·TILE_K fma (kept out of the product's loop, which llvmpipe runs
// slower with a branch in it). Split, each slice's sums go to partial after
// the products' slices, and SPLIT_REDUCE adds them in order with
// invocations past the outputs'. ROW_SUM_RESIDUAL (Epilogue.BiasGradResidual,
// at the bias's binding): each complete sum s is stored as
// rowSumRes[u_offRowSumRes + bt·M + m] + s. ROW_SUM2 (Epilogue.BiasGrad2,
// plain matmul's, without the residual, at the saved activation's binding
// 6): each sum is stored again at rowSum2[u_offRowSum2 + bt·M + m].

// GEMM_UNROLL asks NVIDIA's compiler to unroll every loop of constant
// trip count (others ignore the pragma): the register tile acc[WM][WN]
// and the loads held between K steps stay in registers only where the
// loops over them are unrolled, and the H200 ran the double-buffered vec4
// tiles 8–120 times as long as the scalar ones, as code reading registers
// from local memory would (h200-run-2026-12-04-first/gemm-ab.txt.gz).
#ifdef GEMM_UNROLL
#pragma optionNV(unroll all)
#endif

uniform uint u_M;
uniform uint u_N;
uniform uint u_K;
uniform uint u_batch;
uniform uvec2 u_dMN, u_dN; // common.glsl's udiv pairs for M·N and N (the split-K sum)
uniform uint u_splits;
uniform uint u_kChunk;

// STORE_RUNS4: a custom operand file stores runs of 4 adjacent columns,
// starting at multiples of 4, through storeC4(bt, m, n, vec4 acc) in
// place of storeC, and then, once every run of the invocation is stored,
// finishes each with finishC4(bt, m, n), which may read back what storeC4
// wrote: each invocation owns its columns in such runs (as VEC_SMEM tiles
// do; scalar tiles then lay theirs out the same way), and the split-K sum
// runs one invocation per run. N must be a multiple of 4. Keeping
// storeC4 small keeps its loop unrolled and the register tile in
// registers: with the LSTM cell in it, llvmpipe ran the LSTM step's forward
// kernel 1.14–1.72 times as long as MatMul and LSTMCell together
// (bench/results/lstm-step-kernels-llvmpipe-2026-12-01.txt).


// SPLIT_FUSED (with SPLIT_K): one pass. Each work group, its slice of the
// tile written to partial, takes a ticket of its tile (tickets[u_offTicket
// + tile], binding 8, zero before the dispatch); the group that takes the
// last adds the tile's slices in order and stores them as SPLIT_REDUCE
// would, to the bit, then sets the ticket back to zero. The writes are
// made visible by memoryBarrierBuffer before the ticket, on coherent
// buffers. The host runs it only where the grid is one dispatch.
#if defined(SPLIT_K) && defined(SPLIT_FUSED)
layout(std430, binding = 3) coherent buffer Partial { float partial[]; };
layout(std430, binding = 8) coherent buffer Tickets { uint tickets[]; };
uniform int u_offTicket;
#elif defined(SPLIT_K)
layout(std430, binding = 3) writeonly buffer Partial { float partial[]; };
#elif defined(SPLIT_REDUCE)
layout(std430, binding = 3) readonly buffer Partial { float partial[]; };
#endif

#if defined(SPLIT_REDUCE) || defined(SPLIT_FUSED)
// sumStrided returns the sum of the u_splits values partial[first +
// p·stride], p = 0 first. Four loads are issued before their four adds: the
// same sum, in the same order, with a GPU's loads in flight together
// rather than each waited on before the next (the slices are far apart in
// memory; a split over hundreds of slices, as a GPU's long K makes, was a
// chain of that many loads).
float sumStrided(uint first, uint stride) {
	float acc = 0.0f;
	uint p = 0u;
	for (; p + 4u <= u_splits; p += 4u) {
		uint q = first + p * stride;
		float v0 = partial[q], v1 = partial[q + stride], v2 = partial[q + 2u * stride], v3 = partial[q + 3u * stride];
		acc += v0;
		acc += v1;
		acc += v2;
		acc += v3;
	}
	for (; p < u_splits; p++) acc += partial[first + p * stride];
	return acc;
}

// sumSlices returns the sum of element i's u_splits slices, slice 0 first;
// total is batch·M·N, the elements of a slice.
float sumSlices(uint i, uint total) { return sumStrided(i, total); }

// sumRowSlices returns row r's (of batch·M) row sum over the slices, in
// order, from after the products' slices.
float sumRowSlices(uint r, uint total) { return sumStrided(u_splits * total + r, u_batch * u_M); }
#endif

#if defined(ROW_SUM) && defined(CUSTOM_OPERANDS) && !defined(BACKWARD_W)
#error matmul: ROW_SUM sums plain matmul's A or conv.comp's dy (BACKWARD_W) only
#endif
#if defined(ROW_SUM) && (!defined(SPLIT_K) || defined(SPLIT_FUSED))
uniform int u_offRowSum;
layout(std430, binding = 7) writeonly buffer RowSum { float rowSum[]; };
#if defined(ROW_SUM_RESIDUAL)
#if defined(EPI_BIAS) || defined(EPI_SCALE)
#error matmul: ROW_SUM_RESIDUAL takes the bias's binding
#endif
#if defined(ROW_SUM2)
#error matmul: ROW_SUM2 writes the sums alone, without ROW_SUM_RESIDUAL
#endif
uniform int u_offRowSumRes;
layout(std430, binding = 4) readonly buffer RowSumRes { float rowSumRes[]; };
// storeRowSum stores row i's complete sum s (i counts from bt·M + m).
void storeRowSum(int i, float s) { rowSum[u_offRowSum + i] = rowSumRes[u_offRowSumRes + i] + s; }
#elif defined(ROW_SUM2)
#if defined(EPI_ACT_OUT) || defined(CUSTOM_OPERANDS)
#error matmul: ROW_SUM2 is plain matmul's, at the saved activation's binding
#endif
uniform int u_offRowSum2;
layout(std430, binding = 6) writeonly buffer RowSum2 { float rowSum2[]; };
void storeRowSum(int i, float s) {
	rowSum[u_offRowSum + i] = s;
	rowSum2[u_offRowSum2 + i] = s;
}
#else
void storeRowSum(int i, float s) { rowSum[u_offRowSum + i] = s; }
#endif
#endif

#ifndef CUSTOM_OPERANDS
uniform int u_offA;
uniform int u_offB;
uniform int u_offC;
uniform int u_strideA;
uniform int u_strideB;
uniform int u_strideC;
uniform int u_ldA; // the rows' strides (leading dimensions, never 0 here)
uniform int u_ldB;
uniform int u_ldC;
uniform float u_alpha;
uniform float u_beta;

layout(std430, binding = 0) buffer C { float c[]; };
layout(std430, binding = 1) readonly buffer A { float a[]; };
layout(std430, binding = 2) readonly buffer B { float b[]; };

float loadA(uint bt, uint m, uint k) {
	int base = u_offA + int(bt) * u_strideA;
#ifdef A_M_FAST
	return a[base + int(k) * u_ldA + int(m)];
#else
	return a[base + int(m) * u_ldA + int(k)];
#endif
}

float loadB(uint bt, uint k, uint n) {
	int base = u_offB + int(bt) * u_strideB;
#ifdef B_K_FAST
	return b[base + int(n) * u_ldB + int(k)];
#else
	return b[base + int(k) * u_ldB + int(n)];
#endif
}

// A_VEC4 / B_VEC4 read A / B four values at a time, the four that run
// along memory from (m, k) or (k, n), through a vec4 view of the same
// binding. The host sets them only where every such run starts at a
// multiple of 4 and lies inside its matrix: the offset, batch stride and
// leading dimension multiples of 4, and so the side along memory (K, or M
// with TransA; N, or K with TransB).
#ifdef A_VEC4
layout(std430, binding = 1) readonly buffer A4 { vec4 a4[]; };

vec4 loadA4(uint bt, uint m, uint k) {
	int base = u_offA + int(bt) * u_strideA;
#ifdef A_M_FAST
	return a4[(base + int(k) * u_ldA + int(m)) >> 2];
#else
	return a4[(base + int(m) * u_ldA + int(k)) >> 2];
#endif
}
#endif

#ifdef B_VEC4
layout(std430, binding = 2) readonly buffer B4 { vec4 b4[]; };

vec4 loadB4(uint bt, uint k, uint n) {
	int base = u_offB + int(bt) * u_strideB;
#ifdef B_K_FAST
	return b4[(base + int(n) * u_ldB + int(k)) >> 2];
#else
	return b4[(base + int(k) * u_ldB + int(n)) >> 2];
#endif
}
#endif

void storeC(uint bt, uint m, uint n, float acc) {
	int i = u_offC + int(bt) * u_strideC + int(m) * u_ldC + int(n);
	float r = u_alpha * acc;
	// β = 0 must not read C: it may hold NaNs.
	if (u_beta != 0.0f) r += u_beta * c[i];
	c[i] = epilogue(r, n, i - u_offC);
}
#endif

// An invocation's outputs of a TILE_M×TILE_N tile: WM rows, LOCAL_Y apart
// (ROW1), by WN columns, LOCAL_X apart or, with STORE_RUNS4, in runs of 4
// adjacent ones (COL1). The scalar tiles and GEMM_DIRECT lay them out so.
#define WM (TILE_M / LOCAL_Y)
#define WN (TILE_N / LOCAL_X)
#define ROW1(i) (ty + uint((i) * LOCAL_Y))
#ifdef STORE_RUNS4
#define COL1(j) (uint((j) / 4) * uint(4 * LOCAL_X) + tx * 4u + uint((j) % 4))
#else
#define COL1(j) (tx + uint((j) * LOCAL_X))
#endif

#if defined(GEMM_DIRECT) && (defined(SPLIT_K) || defined(VEC_SMEM) || defined(DOUBLE_BUFFER))
#error matmul: GEMM_DIRECT sums its own slices and keeps no tiles
#endif

#ifdef GEMM_DIRECT
// DIRECT_K(NA, NB, RA, CB): a direct tiling's products over K indices
// kBegin to kEnd, in order: op(A) at rows row0 + RA(i), i < NA, op(B) at
// columns col0 + CB(j), j < NB (zero outside the matrices), each output
// acc[i][j] summing with fma, ROW_SUM's rs[i] beside them (sumRows). The
// loads of DK indices come before their products: the same sums in the same
// order, a GPU's loads in flight together rather than each waited on in
// turn (K runs to its bounds in uniforms, a loop no compiler can unroll
// fully).
#define DK 4
#define DIRECT_IDX(i) uint(i)
#define DIRECT_LOAD(ra, rb, kk, NA, NB, RA, CB) { \
		for (int i = 0; i < NA; i++) { \
			uint gm = row0 + RA(i); \
			ra[i] = gm < u_M ? loadA(bt, gm, kk) : 0.0f; \
		} \
		for (int j = 0; j < NB; j++) { \
			uint gn = col0 + CB(j); \
			rb[j] = gn < u_N ? loadB(bt, kk, gn) : 0.0f; \
		} \
	}
#ifdef ROW_SUM
#define DIRECT_ROWSUM(ra, NA) \
	if (sumRows) \
		for (int i = 0; i < NA; i++) rs[i] += ra[i];
#else
#define DIRECT_ROWSUM(ra, NA)
#endif
#define DIRECT_FMA(ra, rb, NA, NB) { \
		DIRECT_ROWSUM(ra, NA) \
		for (int i = 0; i < NA; i++) \
			for (int j = 0; j < NB; j++) acc[i][j] = fma(ra[i], rb[j], acc[i][j]); \
	}
#define DIRECT_K(NA, NB, RA, CB) { \
		uint k = kBegin; \
		for (; k + uint(DK) <= kEnd; k += uint(DK)) { \
			float ra[DK][NA], rb[DK][NB]; \
			for (int u = 0; u < DK; u++) DIRECT_LOAD(ra[u], rb[u], k + uint(u), NA, NB, RA, CB) \
			for (int u = 0; u < DK; u++) DIRECT_FMA(ra[u], rb[u], NA, NB) \
		} \
		for (; k < kEnd; k++) { \
			float ra[NA], rb[NB]; \
			DIRECT_LOAD(ra, rb, k, NA, NB, RA, CB) \
			DIRECT_FMA(ra, rb, NA, NB) \
		} \
	}
#endif

#if defined(SPLIT_REDUCE) && defined(STORE_RUNS4)
void main() {
	uint total = u_batch * u_M * u_N;
	uint i = globalX() * 4u;
	if (i >= total) return;
	vec4 acc = vec4(sumSlices(i, total), sumSlices(i + 1u, total), sumSlices(i + 2u, total), sumSlices(i + 3u, total));
	uint bt = udiv(i, u_dMN), mn = i - bt * u_M * u_N, r = udiv(mn, u_dN);
	storeC4(bt, r, mn - r * u_N, acc);
	finishC4(bt, r, mn - r * u_N);
}
#elif defined(SPLIT_REDUCE)
void main() {
	uint total = u_batch * u_M * u_N;
	uint i = globalX();
#ifdef ROW_SUM
	if (i >= total) {
		uint r = i - total;
		if (r >= u_batch * u_M) return;
		storeRowSum(int(r), sumRowSlices(r, total));
		return;
	}
#endif
	if (i >= total) return;
	uint bt = udiv(i, u_dMN), mn = i - bt * u_M * u_N, r = udiv(mn, u_dN);
	storeC(bt, r, mn - r * u_N, sumSlices(i, total));
}
#elif defined(GEMM_DIRECT) && defined(DIRECT_SLICED)
// DIRECT_SLICED (with GEMM_DIRECT): a split product's slices of K spread
// over the group's LOCAL_X·LOCAL_Y invocations, which share its
// TILE_M×TILE_N outputs: each invocation sums every output of the tile
// over its slices (slice = its index, then THREADS on), one K index at a
// time in order with fma, into shared memory (SLICES_MAX ≥ u_splits
// slots); after a barrier the outputs' slices are added in order from
// zero, as SPLIT_REDUCE adds them: the split product's bits in one
// dispatch, its K as parallel as the two passes'. ROW_SUM: the op(A) row
// sums of the first column tile alike.
#define THREADS (LOCAL_X * LOCAL_Y)
#define OUTS (TILE_M * TILE_N)
shared float sliceSums[SLICES_MAX * OUTS];
#ifdef ROW_SUM
shared float sliceRows[SLICES_MAX * TILE_M];
#endif

// sumOf returns output o's sum over the slices (unsplit, its one sum).
float sumOf(uint o) {
	if (u_splits == 1u) return sliceSums[o];
	float tot = 0.0f;
	for (uint s = 0u; s < u_splits; s++) tot += sliceSums[s * uint(OUTS) + o];
	return tot;
}

void main() {
	uint bt = groupID().z;
	if (bt >= u_batch) return; // uniform per group
	uint tid = gl_LocalInvocationIndex;
	uint row0 = groupID().y * uint(TILE_M), col0 = groupID().x * uint(TILE_N);
#ifdef ROW_SUM
	bool sumRows = groupID().x == 0u; // uniform per group
#endif
	for (uint slice = tid; slice < u_splits; slice += uint(THREADS)) {
		uint kBegin = slice * u_kChunk, kEnd = min(u_K, kBegin + u_kChunk);
		float acc[TILE_M][TILE_N];
		for (int i = 0; i < TILE_M; i++)
			for (int j = 0; j < TILE_N; j++) acc[i][j] = 0.0f;
#ifdef ROW_SUM
		float rs[TILE_M];
		for (int i = 0; i < TILE_M; i++) rs[i] = 0.0f;
#endif
		DIRECT_K(TILE_M, TILE_N, DIRECT_IDX, DIRECT_IDX)
		for (int i = 0; i < TILE_M; i++)
			for (int j = 0; j < TILE_N; j++) sliceSums[slice * uint(OUTS) + uint(i * TILE_N + j)] = acc[i][j];
#ifdef ROW_SUM
		for (int i = 0; i < TILE_M; i++) sliceRows[slice * uint(TILE_M) + uint(i)] = rs[i];
#endif
	}
	barrier();
#ifdef ROW_SUM
	for (uint i = tid; i < uint(TILE_M); i += uint(THREADS)) {
		uint gm = row0 + i;
		if (!sumRows || gm >= u_M) continue;
		float tot = 0.0f;
		for (uint s = 0u; s < u_splits; s++) tot += sliceRows[s * uint(TILE_M) + i];
		storeRowSum(int(bt * u_M + gm), u_splits == 1u ? sliceRows[i] : tot);
	}
#endif
#ifdef STORE_RUNS4
	for (uint q = tid; q < uint(OUTS / 4); q += uint(THREADS)) {
		uint i = q / uint(TILE_N / 4), j = q % uint(TILE_N / 4) * 4u;
		uint gm = row0 + i, gn = col0 + j, o = i * uint(TILE_N) + j;
		if (gm >= u_M || gn >= u_N) continue;
		storeC4(bt, gm, gn, vec4(sumOf(o), sumOf(o + 1u), sumOf(o + 2u), sumOf(o + 3u)));
		finishC4(bt, gm, gn);
	}
#else
	for (uint o = tid; o < uint(OUTS); o += uint(THREADS)) {
		uint gm = row0 + o / uint(TILE_N), gn = col0 + o % uint(TILE_N);
		if (gm < u_M && gn < u_N) storeC(bt, gm, gn, sumOf(o));
	}
#endif
}
#elif defined(GEMM_DIRECT)
// GEMM_DIRECT: no shared memory and no barriers. Each invocation reads its
// WM rows of op(A) and WN columns of op(B) through loadA and loadB, one K
// index at a time, and sums each output's products in K order with fma,
// as the tiles do. A K split (u_splits slices of u_kChunk, the default
// tiling's) is summed slice by slice in registers and the slices added in
// order from zero, as SPLIT_REDUCE adds them from memory: the split
// product's bits in one dispatch, with no partial sums stored. ROW_SUM:
// the invocations of column 0 of the first column tile sum their rows of
// op(A) beside the products, in the same order. A GPU's small products
// wait on each K step's loads and barriers in the tiles (the tuner times
// both, see tuneCandidates).
void main() {
	uint bt = groupID().z;
	if (bt >= u_batch) return; // uniform per group
	uint tx = gl_LocalInvocationID.x, ty = gl_LocalInvocationID.y;
	uint row0 = groupID().y * uint(TILE_M), col0 = groupID().x * uint(TILE_N);
	float acc[WM][WN], tot[WM][WN];
	for (int i = 0; i < WM; i++)
		for (int j = 0; j < WN; j++) tot[i][j] = 0.0f;
#ifdef ROW_SUM
	bool sumRows = groupID().x == 0u && tx == 0u;
	float rs[WM], rsTot[WM];
	for (int i = 0; i < WM; i++) rsTot[i] = 0.0f;
#endif
	for (uint slice = 0u; slice < u_splits; slice++) {
		uint kBegin = slice * u_kChunk, kEnd = min(u_K, kBegin + u_kChunk);
		for (int i = 0; i < WM; i++)
			for (int j = 0; j < WN; j++) acc[i][j] = 0.0f;
#ifdef ROW_SUM
		for (int i = 0; i < WM; i++) rs[i] = 0.0f;
#endif
		DIRECT_K(WM, WN, ROW1, COL1)
		for (int i = 0; i < WM; i++)
			for (int j = 0; j < WN; j++) tot[i][j] += acc[i][j];
#ifdef ROW_SUM
		for (int i = 0; i < WM; i++) rsTot[i] += rs[i];
#endif
	}
	// Whole, an output is its one sum, as the tiles store it unsplit.
	bool whole = u_splits == 1u; // uniform
#ifdef ROW_SUM
	if (sumRows)
		for (int i = 0; i < WM; i++) {
			uint gm = row0 + ROW1(i);
			if (gm < u_M) storeRowSum(int(bt * u_M + gm), whole ? rs[i] : rsTot[i]);
		}
#endif
#ifdef STORE_RUNS4
	for (int i = 0; i < WM; i++) {
		uint gm = row0 + ROW1(i);
		for (int q = 0; q < WN / 4; q++) {
			uint gn = col0 + COL1(4 * q);
			if (gm >= u_M || gn >= u_N) continue;
			vec4 v = whole ? vec4(acc[i][4 * q], acc[i][4 * q + 1], acc[i][4 * q + 2], acc[i][4 * q + 3])
				: vec4(tot[i][4 * q], tot[i][4 * q + 1], tot[i][4 * q + 2], tot[i][4 * q + 3]);
			storeC4(bt, gm, gn, v);
		}
	}
	for (int i = 0; i < WM; i++) {
		uint gm = row0 + ROW1(i);
		for (int q = 0; q < WN / 4; q++) {
			uint gn = col0 + COL1(4 * q);
			if (gm < u_M && gn < u_N) finishC4(bt, gm, gn);
		}
	}
#else
	for (int i = 0; i < WM; i++) {
		uint gm = row0 + ROW1(i);
		for (int j = 0; j < WN; j++) {
			uint gn = col0 + COL1(j);
			if (gm < u_M && gn < u_N) storeC(bt, gm, gn, whole ? acc[i][j] : tot[i][j]);
		}
	}
#endif
}
#else
#define THREADS (LOCAL_X * LOCAL_Y)
#if defined(STORE_RUNS4) && (TILE_N / LOCAL_X) % 4 != 0
#error matmul: STORE_RUNS4 needs each invocation's columns in runs of 4
#endif

// VEC_SMEM keeps the tiles as vec4 in shared memory: each invocation owns
// WM/4 runs of 4 adjacent rows and WN/4 runs of 4 adjacent columns, and
// reads each run with one 16-byte load instead of four. DOUBLE_BUFFER keeps
// two tiles of each: while the group computes on one, each invocation's
// loads of the next K step are in flight into registers, then stored into
// the other, one barrier a step instead of two. Every output still sums its
// products in the same order, so neither changes the result by a bit.
// VEC_SMEM needs WM and WN divisible by 4.
#ifdef DOUBLE_BUFFER
#define NBUF 2
#else
#define NBUF 1
#endif
#ifdef VEC_SMEM
shared vec4 As[NBUF][TILE_K][TILE_M / 4];
shared vec4 Bs[NBUF][TILE_K][TILE_N / 4];
#define SET_A(b, k, m, v) As[b][k][(m) >> 2u][(m) & 3u] = (v)
#define SET_B(b, k, n, v) Bs[b][k][(n) >> 2u][(n) & 3u] = (v)
#define ROW(i) (uint((i) / 4) * uint(4 * LOCAL_Y) + ty * 4u + uint((i) % 4))
#define COL(j) (uint((j) / 4) * uint(4 * LOCAL_X) + tx * 4u + uint((j) % 4))
#define COMPUTE(b) \
	for (int k = 0; k < TILE_K; k++) { \
		vec4 ra[WM / 4], rb[WN / 4]; \
		for (int g = 0; g < WM / 4; g++) ra[g] = As[b][k][uint(g * LOCAL_Y) + ty]; \
		for (int g = 0; g < WN / 4; g++) rb[g] = Bs[b][k][uint(g * LOCAL_X) + tx]; \
		for (int i = 0; i < WM; i++) \
			for (int j = 0; j < WN; j++) acc[i][j] = fma(ra[i / 4][i % 4], rb[j / 4][j % 4], acc[i][j]); \
	}
#else
// PAD_SMEM: each K step's row 4 floats longer, so that the values a warp
// loads along K land in different banks (see gemmTiles.pad).
#ifdef PAD_SMEM
#define SPAD 4
#else
#define SPAD 0
#endif
shared float As[NBUF][TILE_K][TILE_M + SPAD];
shared float Bs[NBUF][TILE_K][TILE_N + SPAD];
#define SET_A(b, k, m, v) As[b][k][m] = (v)
#define SET_B(b, k, n, v) Bs[b][k][n] = (v)
#define ROW(i) ROW1(i)
#define COL(j) COL1(j)
#define COMPUTE(b) \
	for (int k = 0; k < TILE_K; k++) { \
		float ra[WM], rb[WN]; \
		for (int i = 0; i < WM; i++) ra[i] = As[b][k][ROW(i)]; \
		for (int j = 0; j < WN; j++) rb[j] = Bs[b][k][COL(j)]; \
		for (int i = 0; i < WM; i++) \
			for (int j = 0; j < WN; j++) acc[i][j] = fma(ra[i], rb[j], acc[i][j]); \
	}
#endif

// ROW_SUM: each invocation's rows of the tile (RS_ROWS of them, THREADS
// apart from its index), their sums in rs, and ROW_SUM_ADD(b), which adds
// tile b's values of a K step to them.
#ifdef ROW_SUM
#define RS_ROWS ((TILE_M + THREADS - 1) / THREADS)
#ifdef VEC_SMEM
#define TILE_A(b, k, m) As[b][k][(m) >> 2u][(m) & 3u]
#else
#define TILE_A(b, k, m) As[b][k][m]
#endif
#define ROW_SUM_ADD(b) \
	if (sumRows) \
		for (int r = 0; r < RS_ROWS; r++) { \
			uint m = tid + uint(r * THREADS); \
			if (m < uint(TILE_M)) \
				for (int k = 0; k < TILE_K; k++) rs[r] += TILE_A(b, k, m); \
		}
#else
#define ROW_SUM_ADD(b)
#endif

// The position in the tile of load e of a K step: A's (m, k), B's (k, n),
// running along memory (TransA / TransB decide which index that is). A
// load is AV (BV) values: 4 adjacent along memory with A_VEC4 (B_VEC4),
// else 1; e counts loads, and the position is that of the first value.
#ifdef A_VEC4
#define AV 4
#else
#define AV 1
#endif
#ifdef B_VEC4
#define BV 4
#else
#define BV 1
#endif
#ifdef A_M_FAST
#define A_POS(e) uint m = (e) % uint(TILE_M / AV) * uint(AV), k = (e) / uint(TILE_M / AV)
#else
#define A_POS(e) uint k = (e) % uint(TILE_K / AV) * uint(AV), m = (e) / uint(TILE_K / AV)
#endif
#ifdef B_K_FAST
#define B_POS(e) uint k = (e) % uint(TILE_K / BV) * uint(BV), n = (e) / uint(TILE_K / BV)
#else
#define B_POS(e) uint n = (e) % uint(TILE_N / BV) * uint(BV), k = (e) / uint(TILE_N / BV)
#endif
#define A_LOADS (TILE_M * TILE_K / AV)
#define B_LOADS (TILE_N * TILE_K / BV)

// A load's values, as a vec4 (unused lanes 0 when scalar), and their
// stores into the tile: value i of a load at (m, k) goes to (m + i, k)
// when A runs along m, else (m, k + i); B's likewise.
#ifdef A_VEC4
#define FETCH_A(bt, gm, gk) loadA4(bt, gm, gk)
#else
#define FETCH_A(bt, gm, gk) vec4(loadA(bt, gm, gk), 0.0f, 0.0f, 0.0f)
#endif
#ifdef B_VEC4
#define FETCH_B(bt, gk, gn) loadB4(bt, gk, gn)
#else
#define FETCH_B(bt, gk, gn) vec4(loadB(bt, gk, gn), 0.0f, 0.0f, 0.0f)
#endif
#ifdef A_M_FAST
#define PUT_A(b, k, m, v) for (uint i_ = 0u; i_ < uint(AV); i_++) SET_A(b, k, (m) + i_, (v)[i_])
#else
#define PUT_A(b, k, m, v) for (uint i_ = 0u; i_ < uint(AV); i_++) SET_A(b, (k) + i_, m, (v)[i_])
#endif
#ifdef B_K_FAST
#define PUT_B(b, k, n, v) for (uint i_ = 0u; i_ < uint(BV); i_++) SET_B(b, (k) + i_, n, (v)[i_])
#else
#define PUT_B(b, k, n, v) for (uint i_ = 0u; i_ < uint(BV); i_++) SET_B(b, k, (n) + i_, (v)[i_])
#endif

#ifdef DOUBLE_BUFFER
// Each invocation's share of a K step's loads, held in registers between
// fetchTiles and storeTiles.
#define LA ((A_LOADS + THREADS - 1) / THREADS)
#define LB ((B_LOADS + THREADS - 1) / THREADS)

void fetchTiles(uint bt, uint row0, uint col0, uint k0, uint kEnd, uint tid, out vec4 pa[LA], out vec4 pb[LB]) {
	for (int l = 0; l < LA; l++) {
		uint e = tid + uint(l * THREADS);
		A_POS(e);
		uint gm = row0 + m, gk = k0 + k;
		pa[l] = (e < uint(A_LOADS) && gm < u_M && gk < kEnd) ? FETCH_A(bt, gm, gk) : vec4(0.0f);
	}
	for (int l = 0; l < LB; l++) {
		uint e = tid + uint(l * THREADS);
		B_POS(e);
		uint gn = col0 + n, gk = k0 + k;
		pb[l] = (e < uint(B_LOADS) && gn < u_N && gk < kEnd) ? FETCH_B(bt, gk, gn) : vec4(0.0f);
	}
}

void storeTiles(int b, uint tid, vec4 pa[LA], vec4 pb[LB]) {
	for (int l = 0; l < LA; l++) {
		uint e = tid + uint(l * THREADS);
		A_POS(e);
		if (e < uint(A_LOADS)) PUT_A(b, k, m, pa[l]);
	}
	for (int l = 0; l < LB; l++) {
		uint e = tid + uint(l * THREADS);
		B_POS(e);
		if (e < uint(B_LOADS)) PUT_B(b, k, n, pb[l]);
	}
}
#endif

#ifdef SPLIT_FUSED
shared bool lastSlice;

// finishSplit runs after the group wrote its slice of tile (bt, row0,
// col0) to partial: the group that writes the tile's last slice stores the
// tile's sums (see SPLIT_FUSED).
void finishSplit(uint bt, uint row0, uint col0, uint tid) {
	memoryBarrierBuffer();
	barrier();
	uint tilesM = (u_M + uint(TILE_M) - 1u) / uint(TILE_M), tilesN = (u_N + uint(TILE_N) - 1u) / uint(TILE_N);
	uint tile = (bt * tilesM + row0 / uint(TILE_M)) * tilesN + col0 / uint(TILE_N);
	if (tid == 0u) lastSlice = atomicAdd(tickets[u_offTicket + int(tile)], 1u) == u_splits - 1u;
	barrier();
	if (!lastSlice) return; // uniform per group
	memoryBarrierBuffer();
	uint total = u_batch * u_M * u_N;
#ifdef STORE_RUNS4
	for (uint e = tid; e < uint(TILE_M * TILE_N / 4); e += uint(THREADS)) {
		uint gm = row0 + e / uint(TILE_N / 4), gn = col0 + e % uint(TILE_N / 4) * 4u;
		if (gm >= u_M || gn >= u_N) continue;
		uint i = (bt * u_M + gm) * u_N + gn;
		storeC4(bt, gm, gn, vec4(sumSlices(i, total), sumSlices(i + 1u, total), sumSlices(i + 2u, total), sumSlices(i + 3u, total)));
		finishC4(bt, gm, gn);
	}
#else
	for (uint e = tid; e < uint(TILE_M * TILE_N); e += uint(THREADS)) {
		uint gm = row0 + e / uint(TILE_N), gn = col0 + e % uint(TILE_N);
		if (gm < u_M && gn < u_N) storeC(bt, gm, gn, sumSlices((bt * u_M + gm) * u_N + gn, total));
	}
#endif
#ifdef ROW_SUM
	if (col0 == 0u)
		for (uint r = tid; r < uint(TILE_M); r += uint(THREADS)) {
			uint gm = row0 + r;
			if (gm < u_M) storeRowSum(int(bt * u_M + gm), sumRowSlices(bt * u_M + gm, total));
		}
#endif
	if (tid == 0u) tickets[u_offTicket + int(tile)] = 0u;
}
#endif

void main() {
#ifdef SPLIT_K
	uint bt = groupID().z / u_splits, slice = groupID().z % u_splits;
	uint kBegin = slice * u_kChunk, kEnd = min(u_K, kBegin + u_kChunk);
#else
	// Unsplit, the K loop runs to a uniform: llvmpipe's GEMM was 40% slower
	// with a bound computed from the group ID.
	uint bt = groupID().z;
#define kBegin 0u
#define kEnd u_K
#endif
	if (bt >= u_batch) return; // uniform per group
	uint row0 = groupID().y * uint(TILE_M);
	uint col0 = groupID().x * uint(TILE_N);
	uint tx = gl_LocalInvocationID.x, ty = gl_LocalInvocationID.y;
	uint tid = ty * uint(LOCAL_X) + tx;

	float acc[WM][WN];
	for (int i = 0; i < WM; i++)
		for (int j = 0; j < WN; j++) acc[i][j] = 0.0f;
#ifdef ROW_SUM
	bool sumRows = groupID().x == 0u; // uniform per group
	float rs[RS_ROWS];
	for (int r = 0; r < RS_ROWS; r++) rs[r] = 0.0f;
#endif

#ifdef DOUBLE_BUFFER
	vec4 pa[LA], pb[LB];
	fetchTiles(bt, row0, col0, kBegin, kEnd, tid, pa, pb);
	storeTiles(0, tid, pa, pb);
	barrier();
	int cur = 0;
	for (uint k0 = kBegin; k0 < kEnd; k0 += uint(TILE_K)) {
		bool more = k0 + uint(TILE_K) < kEnd; // uniform per group
		if (more) fetchTiles(bt, row0, col0, k0 + uint(TILE_K), kEnd, tid, pa, pb);
		ROW_SUM_ADD(cur)
		COMPUTE(cur)
		if (more) storeTiles(1 - cur, tid, pa, pb);
		barrier();
		cur = 1 - cur;
	}
#else
	for (uint k0 = kBegin; k0 < kEnd; k0 += uint(TILE_K)) {
		for (uint e = tid; e < uint(A_LOADS); e += uint(THREADS)) {
			A_POS(e);
			uint gm = row0 + m, gk = k0 + k;
			vec4 v = (gm < u_M && gk < kEnd) ? FETCH_A(bt, gm, gk) : vec4(0.0f);
			PUT_A(0, k, m, v);
		}
		for (uint e = tid; e < uint(B_LOADS); e += uint(THREADS)) {
			B_POS(e);
			uint gn = col0 + n, gk = k0 + k;
			vec4 v = (gn < u_N && gk < kEnd) ? FETCH_B(bt, gk, gn) : vec4(0.0f);
			PUT_B(0, k, n, v);
		}
		barrier();
		ROW_SUM_ADD(0)
		COMPUTE(0)
		barrier();
	}
#endif
#ifdef ROW_SUM
	if (sumRows) {
		for (int r = 0; r < RS_ROWS; r++) {
			uint m = tid + uint(r * THREADS), gm = row0 + m;
			if (m >= uint(TILE_M) || gm >= u_M) continue;
#ifdef SPLIT_K
			partial[u_splits * u_batch * u_M * u_N + (slice * u_batch + bt) * u_M + gm] = rs[r];
#else
			storeRowSum(int(bt * u_M + gm), rs[r]);
#endif
		}
	}
#endif
#ifdef STORE_RUNS4
	for (int i = 0; i < WM; i++) {
		uint gm = row0 + ROW(i);
		for (int q = 0; q < WN / 4; q++) {
			uint gn = col0 + COL(4 * q);
			if (gm >= u_M || gn >= u_N) continue;
			vec4 v = vec4(acc[i][4 * q], acc[i][4 * q + 1], acc[i][4 * q + 2], acc[i][4 * q + 3]);
#ifdef SPLIT_K
			uint p = ((slice * u_batch + bt) * u_M + gm) * u_N + gn;
			for (uint l = 0u; l < 4u; l++) partial[p + l] = v[l];
#else
			storeC4(bt, gm, gn, v);
#endif
		}
	}
#ifndef SPLIT_K
	for (int i = 0; i < WM; i++) {
		uint gm = row0 + ROW(i);
		for (int q = 0; q < WN / 4; q++) {
			uint gn = col0 + COL(4 * q);
			if (gm < u_M && gn < u_N) finishC4(bt, gm, gn);
		}
	}
#endif
#else
	for (int i = 0; i < WM; i++) {
		uint gm = row0 + ROW(i);
		for (int j = 0; j < WN; j++) {
			uint gn = col0 + COL(j);
#ifdef SPLIT_K
			if (gm < u_M && gn < u_N) partial[((slice * u_batch + bt) * u_M + gm) * u_N + gn] = acc[i][j];
#else
			if (gm < u_M && gn < u_N) storeC(bt, gm, gn, acc[i][j]);
#endif
		}
	}
#endif
#ifdef SPLIT_FUSED
	finishSplit(bt, row0, col0, tid);
#endif
}
#endif
