// Whole LSTM and GRU recurrences in one dispatch (device.LSTM, GRU and
// their backwards), as elman.comp runs Elman's: each work group runs every
// time step of ROWS batch rows, the rows' state in shared memory between
// steps, so the host issues one kernel per sequence instead of one or two
// per step. Rows do not interact; the steps of a row are ordered by
// barriers. Each output of a step's product sums over k in increasing
// order with fma, as the GEMM core does, and the cells are common.glsl's:
// the results are those of one step at a time, to the bit. H = HIDDEN
// units, G gates (LSTM 4: i, f, g, o; GRU 3: r, z, n); rows b of the
// batch; t the time step.
//
// SEQ_LSTM, w at binding 1 being whhᵀ [H, 4H] (column n of a step's
// product, gate n / H of unit n % H, reads along a row of it):
//	a_t = xw_t + h_{t−1}·whhᵀ;  gates_t, c_t, h_t = lstmCell(a_t, c_{t−1})
// with h_{−1}, c_{−1} = h0, c0, y = [h_t for every t, then c_t].
// SEQ_LSTM_BACKWARD, in the reverse order, w being whh [4H, H]:
//	dh_t = g_t + dgates_{t+1}·whh (g_t alone, and dc from g's c part,
//	for the step run last);  dgates_t = lstmCellBackward(dh_t, dc, …)
// with dc carried from step to step and written at the end.
// SEQ_GRU, w being whhᵀ [H, 3H]:
//	hh_t = h_{t−1}·whhᵀ + bhh (HAS_BIAS);  h_t = gruCell(xw_t, hh_t, h_{t−1})
// SEQ_GRU_BACKWARD, w being whh [3H, H]:
//	dh_t = (dhh_{t+1}·whh + dh) + g_t (g_t alone for the step run last);
//	dx_t, dhh_t from gruCellBackward; dh = dh_t·z carried, written at the end.
// Forward, invocation i computes columns i, i + LOCAL_X, … of a step's
// product for its rows into shared memory, then after a barrier the cells
// of units i, i + LOCAL_X, …; backward, it computes units i, i + LOCAL_X,
// … and their cells. Defines: one of the four modes; HIDDEN, ROWS,
// LOCAL_X; HAS_BIAS (SEQ_GRU).

uniform int u_steps;
uniform int u_batch;
uniform int u_reverse;

#if defined(SEQ_LSTM) || defined(SEQ_LSTM_BACKWARD)
#define GATES 4
#else
#define GATES 3
#endif
#define COLS (GATES * HIDDEN)
// PER_COL: the columns each invocation owns; PER_UNIT: the units.
#define PER_COL ((COLS + LOCAL_X - 1) / LOCAL_X)
#define PER_UNIT ((HIDDEN + LOCAL_X - 1) / LOCAL_X)

layout(std430, binding = 1) readonly buffer W { float w[]; };

#if defined(SEQ_LSTM)
layout(std430, binding = 0) writeonly buffer Y { float y[]; };
layout(std430, binding = 2) writeonly buffer Gates { float gates[]; };
layout(std430, binding = 3) readonly buffer XW { float xw[]; };
layout(std430, binding = 4) readonly buffer H0 { float h0[]; };
layout(std430, binding = 5) readonly buffer C0 { float c0[]; };
#elif defined(SEQ_GRU)
layout(std430, binding = 0) writeonly buffer Y { float y[]; };
layout(std430, binding = 2) writeonly buffer Gates { float gates[]; };
layout(std430, binding = 3) readonly buffer XW { float xw[]; };
layout(std430, binding = 4) readonly buffer H0 { float h0[]; };
#ifdef HAS_BIAS
layout(std430, binding = 5) readonly buffer Bias { float bhh[]; };
#endif
#elif defined(SEQ_LSTM_BACKWARD)
layout(std430, binding = 0) writeonly buffer DGates { float dgates[]; };
layout(std430, binding = 2) writeonly buffer DC { float dcOut[]; };
layout(std430, binding = 3) readonly buffer G { float gin[]; };
layout(std430, binding = 4) readonly buffer Gates { float gates[]; };
layout(std430, binding = 5) readonly buffer Y { float y[]; };
layout(std430, binding = 6) readonly buffer C0 { float c0[]; };
#elif defined(SEQ_GRU_BACKWARD)
layout(std430, binding = 0) writeonly buffer DX { float dx[]; };
layout(std430, binding = 2) writeonly buffer DH { float dhOut[]; };
layout(std430, binding = 3) readonly buffer G { float gin[]; };
layout(std430, binding = 4) readonly buffer Gates { float gates[]; };
layout(std430, binding = 5) readonly buffer Y { float y[]; };
layout(std430, binding = 6) readonly buffer H0 { float h0[]; };
layout(std430, binding = 7) writeonly buffer DHH { float dhh[]; };
#else
#error sequence: define SEQ_LSTM, SEQ_LSTM_BACKWARD, SEQ_GRU or SEQ_GRU_BACKWARD
#endif

// stepAt returns the time step computed n-th in the order the forward ran.
int stepAt(int n) { return u_reverse != 0 ? u_steps - 1 - n : n; }

#if defined(SEQ_LSTM) || defined(SEQ_GRU)
shared float hs[ROWS * HIDDEN]; // h_{t−1} of each row
shared float pre[ROWS * COLS];  // the step's product, its bias or xw added

void main() {
	int r0 = int(groupID().x) * ROWS;
	int tid = int(gl_LocalInvocationID.x);
	int bh = u_batch * HIDDEN;
#ifdef SEQ_LSTM
	float cs[ROWS][PER_UNIT]; // c_{t−1} of the units this invocation runs
#endif
	for (int r = 0; r < ROWS; r++)
		for (int q = 0; q < PER_UNIT; q++) {
			int j = tid + q * LOCAL_X;
			bool live = j < HIDDEN && r0 + r < u_batch;
			if (j < HIDDEN) hs[r * HIDDEN + j] = live ? h0[(r0 + r) * HIDDEN + j] : 0.0f;
#ifdef SEQ_LSTM
			cs[r][q] = live ? c0[(r0 + r) * HIDDEN + j] : 0.0f;
#endif
		}
	barrier();
	for (int n = 0; n < u_steps; n++) {
		int t = stepAt(n);
		for (int q = 0; q < PER_COL; q++) {
			int col = tid + q * LOCAL_X;
			if (col < COLS) {
				float acc[ROWS];
				for (int r = 0; r < ROWS; r++) acc[r] = 0.0f;
				for (int k = 0; k < HIDDEN; k++) {
					float wk = w[k * COLS + col]; // adjacent columns, adjacent weights
					for (int r = 0; r < ROWS; r++) acc[r] = fma(hs[r * HIDDEN + k], wk, acc[r]);
				}
				for (int r = 0; r < ROWS; r++) {
					if (r0 + r >= u_batch) continue;
#ifdef SEQ_LSTM
					pre[r * COLS + col] = acc[r] + xw[t * GATES * bh + (r0 + r) * COLS + col];
#elif defined(HAS_BIAS)
					pre[r * COLS + col] = acc[r] + bhh[col];
#else
					pre[r * COLS + col] = acc[r];
#endif
				}
			}
		}
		barrier(); // every column of the step is in pre, every read of hs done
		for (int r = 0; r < ROWS; r++) {
			if (r0 + r >= u_batch) continue;
			int b = r0 + r;
			for (int q = 0; q < PER_UNIT; q++) {
				int j = tid + q * LOCAL_X;
				if (j >= HIDDEN) continue;
				int p = r * COLS + j, e = t * bh + b * HIDDEN + j, gi = t * 4 * bh + b * 4 * HIDDEN + j;
#ifdef SEQ_LSTM
				float cv, hv;
				vec4 act = lstmCell(vec4(pre[p], pre[p + HIDDEN], pre[p + 2 * HIDDEN], pre[p + 3 * HIDDEN]), cs[r][q], cv, hv);
				for (int g = 0; g < 4; g++) gates[gi + g * HIDDEN] = act[g];
				y[u_steps * bh + e] = cv;
				cs[r][q] = cv;
#else
				int xi = t * 3 * bh + b * 3 * HIDDEN + j;
				vec4 saved;
				float hv = gruCell(vec3(xw[xi], xw[xi + HIDDEN], xw[xi + 2 * HIDDEN]),
					vec3(pre[p], pre[p + HIDDEN], pre[p + 2 * HIDDEN]), hs[r * HIDDEN + j], saved);
				for (int g = 0; g < 4; g++) gates[gi + g * HIDDEN] = saved[g];
#endif
				y[e] = hv;
				hs[r * HIDDEN + j] = hv;
			}
		}
		barrier(); // the new state is in hs, every read of pre done
	}
}

#else // the backward passes
shared float dn[ROWS * COLS]; // the gates' gradient of the step after, in the forward order

void main() {
	int r0 = int(groupID().x) * ROWS;
	int tid = int(gl_LocalInvocationID.x);
	int bh = u_batch * HIDDEN;
	// carry: dc (LSTM) or dh (GRU) of the units this invocation runs.
	float carry[ROWS][PER_UNIT];
	for (int r = 0; r < ROWS; r++)
		for (int q = 0; q < PER_UNIT; q++) carry[r][q] = 0.0f;
	for (int n = u_steps - 1; n >= 0; n--) {
		int t = stepAt(n);
		bool last = n == u_steps - 1; // the step the forward ran last: no product
		float acc[ROWS][PER_UNIT];
		for (int r = 0; r < ROWS; r++)
			for (int q = 0; q < PER_UNIT; q++) acc[r][q] = 0.0f;
		if (!last) {
			for (int k = 0; k < COLS; k++)
				for (int q = 0; q < PER_UNIT; q++) {
					int j = tid + q * LOCAL_X;
					if (j < HIDDEN) {
						float wk = w[k * HIDDEN + j]; // adjacent units, adjacent weights
						for (int r = 0; r < ROWS; r++) acc[r][q] = fma(dn[r * COLS + k], wk, acc[r][q]);
					}
				}
		}
		barrier(); // every read of dn done
		for (int r = 0; r < ROWS; r++) {
			if (r0 + r >= u_batch) continue;
			int b = r0 + r;
			for (int q = 0; q < PER_UNIT; q++) {
				int j = tid + q * LOCAL_X;
				if (j >= HIDDEN) continue;
				int e = t * bh + b * HIDDEN + j, gi = t * 4 * bh + b * 4 * HIDDEN + j;
				vec4 saved = vec4(gates[gi], gates[gi + HIDDEN], gates[gi + 2 * HIDDEN], gates[gi + 3 * HIDDEN]);
				int prev = b * HIDDEN + j; // the state before: h0 or c0, else the step run before's
				bool first = n == 0;
				if (!first) prev += stepAt(n - 1) * bh;
#ifdef SEQ_LSTM_BACKWARD
				// dc is g's c part for the step run last, then the carry.
				float dcv = last ? gin[u_steps * bh + e] : carry[r][q];
				float d = last ? gin[e] : acc[r][q] + gin[e];
				float cPrev = first ? c0[prev] : y[u_steps * bh + prev];
				vec4 dg = lstmCellBackward(d, dcv, saved, y[u_steps * bh + e], cPrev);
				carry[r][q] = dcv;
				int di = t * 4 * bh + b * 4 * HIDDEN + j;
				for (int g = 0; g < 4; g++) {
					dgates[di + g * HIDDEN] = dg[g];
					dn[r * COLS + g * HIDDEN + j] = dg[g];
				}
#else
				float d = last ? gin[e] : (acc[r][q] + carry[r][q]) + gin[e];
				float hPrev = first ? h0[prev] : y[prev];
				vec3 ax = gruCellBackward(d, saved, hPrev);
				carry[r][q] = d * saved.y;
				int xi = t * 3 * bh + b * 3 * HIDDEN + j;
				for (int g = 0; g < 3; g++) {
					float v = g == 2 ? ax[g] * saved.x : ax[g];
					dx[xi + g * HIDDEN] = ax[g];
					dhh[xi + g * HIDDEN] = v;
					dn[r * COLS + g * HIDDEN + j] = v;
				}
#endif
			}
		}
		barrier(); // the step's gradient is in dn
	}
	for (int r = 0; r < ROWS; r++)
		for (int q = 0; q < PER_UNIT; q++) {
			int j = tid + q * LOCAL_X;
			if (j < HIDDEN && r0 + r < u_batch) {
#ifdef SEQ_LSTM_BACKWARD
				dcOut[(r0 + r) * HIDDEN + j] = carry[r][q];
#else
				dhOut[(r0 + r) * HIDDEN + j] = carry[r][q];
#endif
			}
		}
}
#endif
