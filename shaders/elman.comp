// Whole Elman recurrences in one dispatch (device.Elman, ElmanBackward):
// each work group runs every time step of ROWS batch rows, the rows' state
// (y_{t−1} forward, dz_{t+1} backward) in shared memory between steps, so
// the host issues one kernel per sequence instead of one per step. Rows do
// not interact; the steps of a row are ordered by barriers.
//
// Forward (ELMAN), for t in the order run, w at binding 1 being whhᵀ
// (whh itself with ELMAN_REGS, below):
//	y_t = act(xw_t + y_{t−1}·whhᵀ), y_{−1} = h0
// Backward (ELMAN_BACKWARD), in the reverse order, w being whh:
//	dz_t = (g_t + dz_{t+1}·whh) ⊙ act′(y_t)
// through the GEMM epilogue of common.glsl: EPI_RESIDUAL reads xw or g
// (binding 5), EPI_ACT the activation, EPI_ACT_OUT (backward) y (binding
// 6), all at absolute offsets (u_offRes = u_offActOut = 0), loaded at the
// start of each step (epilogueIn), before its sums. Each output
// sums its products over the hidden units k in increasing order with fma,
// as the GEMM core does, so the results are the per-step GEMMs' to the bit.
// Defines: ELMAN or ELMAN_BACKWARD; HIDDEN (units), ROWS (batch rows per
// work group), LOCAL_X; ELMAN_REGS; the epilogue's.
//
// ELMAN_REGS (one unit an invocation): each invocation reads its unit's
// weights into registers once, before the first step, instead of from
// memory at every step: a step is then its HIDDEN fma on the state in
// shared memory alone, where reading w each step waited on a load per
// multiply-add (on the H200 5.5 µs a step of 128 units, 64 steps in
// 0.355 ms). Forward, w is whh itself and the unit's weights its row: read
// once, a warp's loads need not lie side by side, so no transposed copy is
// made; backward, a column of whh. The same products in the same order:
// the same bits. The loops over the weights run with constant bounds, and
// NVIDIA's compiler is asked to unroll them all (its pragma; other
// compilers ignore it), so that they stay in registers (see ElmanRegsEnv).

uniform int u_steps;
uniform int u_batch;
uniform int u_reverse;

layout(std430, binding = 0) writeonly buffer Out { float outp[]; };
layout(std430, binding = 1) readonly buffer W { float w[]; };
#ifdef ELMAN
layout(std430, binding = 2) readonly buffer H0 { float h0[]; };
#endif

// PER: the units each invocation owns, j = tid, tid + LOCAL_X, ….
#define PER ((HIDDEN + LOCAL_X - 1) / LOCAL_X)

#ifdef ELMAN_REGS
#if PER != 1
#error elman: ELMAN_REGS holds one unit's weights an invocation
#endif
#pragma optionNV(unroll all)
#endif

shared float hs[ROWS * HIDDEN];

// stepAt returns the time step computed n-th in the order the forward ran.
int stepAt(int n) { return u_reverse != 0 ? u_steps - 1 - n : n; }

void main() {
	int r0 = int(groupID().x) * ROWS;
	int tid = int(gl_LocalInvocationID.x);
	int bh = u_batch * HIDDEN;
#ifdef ELMAN
	for (int r = 0; r < ROWS; r++)
		for (int j = tid; j < HIDDEN; j += LOCAL_X)
			hs[r * HIDDEN + j] = r0 + r < u_batch ? h0[(r0 + r) * HIDDEN + j] : 0.0f;
	int first = 0;
#else
	// The step the forward ran last has no later term: dz = g ⊙ act′(y).
	// −0 is the identity of the epilogue's addition, so v is g exactly.
	int last = stepAt(u_steps - 1);
	for (int r = 0; r < ROWS; r++)
		for (int j = tid; j < HIDDEN; j += LOCAL_X) {
			float v = 0.0f;
			if (r0 + r < u_batch) {
				int rel = last * bh + (r0 + r) * HIDDEN + j;
				v = epilogue(-0.0f, uint(j), rel);
				outp[rel] = v;
			}
			hs[r * HIDDEN + j] = v;
		}
	int first = 1;
#endif
#ifdef ELMAN_REGS
	float wr[HIDDEN];
#ifdef ELMAN
	for (int k = 0; k < HIDDEN; k++) wr[k] = tid < HIDDEN ? w[tid * HIDDEN + k] : 0.0f;
#else
	for (int k = 0; k < HIDDEN; k++) wr[k] = tid < HIDDEN ? w[k * HIDDEN + tid] : 0.0f;
#endif
#endif
	barrier();
	for (int n = first; n < u_steps; n++) {
#ifdef ELMAN
		int t = stepAt(n);
#else
		int t = stepAt(u_steps - 1 - n);
#endif
		// What the step's epilogue reads (xw_t; backward g_t and y_t),
		// loaded before its sums, which then hide the loads' latency.
		float acc[ROWS][PER];
		EpiIn ein[ROWS][PER];
		for (int r = 0; r < ROWS; r++)
			for (int q = 0; q < PER; q++) {
				acc[r][q] = 0.0f;
				ein[r][q] = EpiIn(0.0f, 1.0f, 0.0f);
				int j = tid + q * LOCAL_X;
				if (j < HIDDEN && r0 + r < u_batch) ein[r][q] = epilogueIn(t * bh + (r0 + r) * HIDDEN + j);
			}
		for (int k = 0; k < HIDDEN; k++) {
			for (int q = 0; q < PER; q++) {
				int j = tid + q * LOCAL_X;
				if (j < HIDDEN) {
					// Forward: w holds whhᵀ, whose row k is column k of
					// whh; backward: whh. Adjacent units, adjacent weights.
#ifdef ELMAN_REGS
					float wk = wr[k];
#else
					float wk = w[k * HIDDEN + j];
#endif
					for (int r = 0; r < ROWS; r++) acc[r][q] = fma(hs[r * HIDDEN + k], wk, acc[r][q]);
				}
			}
		}
		barrier(); // every read of the previous state is done
		for (int r = 0; r < ROWS; r++)
			for (int q = 0; q < PER; q++) {
				int j = tid + q * LOCAL_X;
				if (j < HIDDEN && r0 + r < u_batch) {
					int rel = t * bh + (r0 + r) * HIDDEN + j;
					float v = epilogueOf(acc[r][q], uint(j), ein[r][q]);
					outp[rel] = v;
					hs[r * HIDDEN + j] = v;
				}
			}
		barrier();
	}
}
