// One LSTM or GRU time step whole (device.LSTMStep, GRUStep and their
// backwards): the recurrent product on the tiled GEMM core of matmul.comp,
// appended after this file, with the pointwise cell of recurrent.comp as
// its store, so the step's gates never make a round trip through memory
// between two dispatches. Each output's sum is the one MatMul computes
// under the same tiling and split, and the cell the one LSTMCell (GRUCell,
// and their backwards) computes: the results are those of the two
// kernels, to the bit. Shapes: u_hidden = H units, rows b of the batch;
// gate blocks side by side in a row (PyTorch's order: LSTM i, f, g, o; GRU
// r, z, n).
//
// LSTM_STEP: M = batch, N = 4·H, K = H. Column n of the product is gate
// n % 4 of unit n / 4, so each invocation holds a unit's four gates in
// adjacent columns (STORE_RUNS4), stores their pre-activations in
// storeC4 and finishes the unit in finishC4:
//   a = xw + hPrev·whhᵀ;  gates = σ(a_i), σ(a_f), tanh(a_g), σ(a_o)
//   c = f·cPrev + i·g;  h = o·tanh(c)
// LSTM_STEP_BACKWARD: M = batch, N = H, K = 4·H:
//   dh = g + dnext·whh, then LSTMCellBackward with dc updated in place.
// GRU_STEP: M = batch, N = 4·H, K = H, laid out as LSTM_STEP's with the
// fourth column of each unit's run a zero (no fourth block of whh):
//   hh = hPrev·whhᵀ + bhh (HAS_BIAS), then GRUCell from xw and hh, its
//   saved gates r, z, n, hh_n.
// GRU_STEP_BACKWARD: M = batch, N = H, K = 3·H:
//   dh = (dnext·whh + dh) + g, then GRUCellBackward with dh updated in
//   place to dhPrev = dh·z (the sum's order MatMul's with β = 1 and g as
//   its residual).
// The next step's gradient (dnext: dgates, or dhh) is read from the
// binding this step's is written to, which keeps the bindings within GL
// 4.3's minimum of 8 storage blocks. A_VEC4 and B_VEC4 read the operands
// four values at a time along memory, as MatMul's do; the host sets them
// where the offsets and H allow.

#define CUSTOM_OPERANDS

uniform int u_hidden;

#if defined(LSTM_STEP)
#define STORE_RUNS4
layout(std430, binding = 0) buffer Gates { float gates[]; };
layout(std430, binding = 1) readonly buffer HPrev { float hPrev[]; };
layout(std430, binding = 2) readonly buffer Whh { float whh[]; };
layout(std430, binding = 4) readonly buffer XW { float xw[]; };
layout(std430, binding = 5) writeonly buffer H { float h[]; };
layout(std430, binding = 6) writeonly buffer C { float c[]; };
layout(std430, binding = 7) readonly buffer CPrev { float cPrev[]; };
uniform int u_offGates, u_offHPrev, u_offX, u_offH, u_offC, u_offCPrev;

float loadA(uint bt, uint m, uint k) { return hPrev[u_offHPrev + int(m) * u_hidden + int(k)]; }

// Column n reads row (n % 4)·H + n / 4 of whh, along k (B_K_FAST).
int whhRow(uint n) { return int(n & 3u) * u_hidden + int(n >> 2u); }

float loadB(uint bt, uint k, uint n) { return whh[whhRow(n) * u_hidden + int(k)]; }

#ifdef A_VEC4
layout(std430, binding = 1) readonly buffer HPrev4 { vec4 hPrev4[]; };
vec4 loadA4(uint bt, uint m, uint k) { return hPrev4[(u_offHPrev + int(m) * u_hidden + int(k)) >> 2]; }
#endif
#ifdef B_VEC4
layout(std430, binding = 2) readonly buffer Whh4 { vec4 whh4[]; };
vec4 loadB4(uint bt, uint k, uint n) { return whh4[(whhRow(n) * u_hidden + int(k)) >> 2]; }
#endif

// storeC4 stores the pre-activations of unit n / 4 of row m from its four
// sums; finishC4 reads them back and runs the cell.
void storeC4(uint bt, uint m, uint n, vec4 acc) {
	int row = int(m) * 4 * u_hidden + int(n >> 2u);
	int gi = u_offGates + row, xi = u_offX + row;
	for (int q = 0; q < 4; q++) gates[gi + q * u_hidden] = acc[q] + xw[xi + q * u_hidden];
}

void finishC4(uint bt, uint m, uint n) {
	int j = int(n >> 2u);
	int gi = u_offGates + int(m) * 4 * u_hidden + j;
	vec4 a = vec4(gates[gi], gates[gi + u_hidden], gates[gi + 2 * u_hidden], gates[gi + 3 * u_hidden]);
	int e = int(m) * u_hidden + j;
	float cv, hv;
	vec4 act = lstmCell(a, cPrev[u_offCPrev + e], cv, hv);
	for (int q = 0; q < 4; q++) gates[gi + q * u_hidden] = act[q];
	c[u_offC + e] = cv;
	h[u_offH + e] = hv;
}

#elif defined(LSTM_STEP_BACKWARD)
layout(std430, binding = 0) buffer DGates { float dgates[]; };
layout(std430, binding = 1) readonly buffer G { float gin[]; };
layout(std430, binding = 2) readonly buffer Whh { float whh[]; };
layout(std430, binding = 4) readonly buffer Gates { float gates[]; };
layout(std430, binding = 5) readonly buffer C { float c[]; };
layout(std430, binding = 6) readonly buffer CPrev { float cPrev[]; };
layout(std430, binding = 7) buffer DC { float dc[]; };
uniform int u_offDGates, u_offDNext, u_offDH, u_offDC, u_offGates, u_offC, u_offCPrev;

float loadA(uint bt, uint m, uint k) { return dgates[u_offDNext + int(m) * 4 * u_hidden + int(k)]; }

float loadB(uint bt, uint k, uint n) { return whh[int(k) * u_hidden + int(n)]; }

#ifdef A_VEC4
layout(std430, binding = 0) readonly buffer DNext4 { vec4 dnext4[]; };
vec4 loadA4(uint bt, uint m, uint k) { return dnext4[(u_offDNext + int(m) * 4 * u_hidden + int(k)) >> 2]; }
#endif
#ifdef B_VEC4
layout(std430, binding = 2) readonly buffer Whh4 { vec4 whh4[]; };
vec4 loadB4(uint bt, uint k, uint n) { return whh4[(int(k) * u_hidden + int(n)) >> 2]; }
#endif

// storeC finishes unit n of row m from its sum.
void storeC(uint bt, uint m, uint n, float acc) {
	int e = int(m) * u_hidden + int(n);
	int gi = u_offGates + int(m) * 4 * u_hidden + int(n);
	vec4 act = vec4(gates[gi], gates[gi + u_hidden], gates[gi + 2 * u_hidden], gates[gi + 3 * u_hidden]);
	float dcv = dc[u_offDC + e];
	vec4 dg = lstmCellBackward(acc + gin[u_offDH + e], dcv, act, c[u_offC + e], cPrev[u_offCPrev + e]);
	int di = u_offDGates + int(m) * 4 * u_hidden + int(n);
	for (int q = 0; q < 4; q++) dgates[di + q * u_hidden] = dg[q];
	dc[u_offDC + e] = dcv;
}
#elif defined(GRU_STEP)
#define STORE_RUNS4
layout(std430, binding = 0) buffer Gates { float gates[]; };
layout(std430, binding = 1) readonly buffer HPrev { float hPrev[]; };
layout(std430, binding = 2) readonly buffer Whh { float whh[]; };
layout(std430, binding = 4) readonly buffer XW { float xw[]; };
layout(std430, binding = 5) writeonly buffer H { float h[]; };
#ifdef HAS_BIAS
layout(std430, binding = 6) readonly buffer Bias { float bhh[]; };
#endif
uniform int u_offGates, u_offHPrev, u_offX, u_offH;

float loadA(uint bt, uint m, uint k) { return hPrev[u_offHPrev + int(m) * u_hidden + int(k)]; }

// Column n reads row (n % 4)·H + n / 4 of whh, along k (B_K_FAST); the
// fourth of each run reads nothing.
int whhRow(uint n) { return int(n & 3u) * u_hidden + int(n >> 2u); }

float loadB(uint bt, uint k, uint n) { return (n & 3u) == 3u ? 0.0f : whh[whhRow(n) * u_hidden + int(k)]; }

#ifdef A_VEC4
layout(std430, binding = 1) readonly buffer HPrev4 { vec4 hPrev4[]; };
vec4 loadA4(uint bt, uint m, uint k) { return hPrev4[(u_offHPrev + int(m) * u_hidden + int(k)) >> 2]; }
#endif
#ifdef B_VEC4
layout(std430, binding = 2) readonly buffer Whh4 { vec4 whh4[]; };
vec4 loadB4(uint bt, uint k, uint n) { return (n & 3u) == 3u ? vec4(0.0f) : whh4[(whhRow(n) * u_hidden + int(k)) >> 2]; }
#endif

// storeC4 stores hh_r, hh_z and hh_n (the bias added) of unit n / 4 of row
// m in the slots of r, z and hh_n; finishC4 reads them back and runs the
// cell.
void storeC4(uint bt, uint m, uint n, vec4 acc) {
	int j = int(n >> 2u);
	int gi = u_offGates + int(m) * 4 * u_hidden + j;
	for (int q = 0; q < 3; q++) {
		float v = acc[q];
#ifdef HAS_BIAS
		v += bhh[q * u_hidden + j];
#endif
		gates[gi + (q == 2 ? 3 : q) * u_hidden] = v;
	}
}

void finishC4(uint bt, uint m, uint n) {
	int j = int(n >> 2u);
	int gi = u_offGates + int(m) * 4 * u_hidden + j;
	int xi = u_offX + int(m) * 3 * u_hidden + j;
	int e = int(m) * u_hidden + j;
	vec4 saved;
	float hv = gruCell(vec3(xw[xi], xw[xi + u_hidden], xw[xi + 2 * u_hidden]),
		vec3(gates[gi], gates[gi + u_hidden], gates[gi + 3 * u_hidden]), hPrev[u_offHPrev + e], saved);
	for (int q = 0; q < 4; q++) gates[gi + q * u_hidden] = saved[q];
	h[u_offH + e] = hv;
}

#elif defined(GRU_STEP_BACKWARD)
layout(std430, binding = 0) buffer DHH { float dhh[]; };
layout(std430, binding = 1) readonly buffer G { float gin[]; };
layout(std430, binding = 2) readonly buffer Whh { float whh[]; };
layout(std430, binding = 4) writeonly buffer DX { float dx[]; };
layout(std430, binding = 5) readonly buffer Gates { float gates[]; };
layout(std430, binding = 6) readonly buffer HPrev { float hPrev[]; };
layout(std430, binding = 7) buffer DH { float dh[]; };
uniform int u_offDX, u_offDHH, u_offDNext, u_offDH, u_offG, u_offGates, u_offHPrev;

float loadA(uint bt, uint m, uint k) { return dhh[u_offDNext + int(m) * 3 * u_hidden + int(k)]; }

float loadB(uint bt, uint k, uint n) { return whh[int(k) * u_hidden + int(n)]; }

#ifdef A_VEC4
layout(std430, binding = 0) readonly buffer DNext4 { vec4 dnext4[]; };
vec4 loadA4(uint bt, uint m, uint k) { return dnext4[(u_offDNext + int(m) * 3 * u_hidden + int(k)) >> 2]; }
#endif
#ifdef B_VEC4
layout(std430, binding = 2) readonly buffer Whh4 { vec4 whh4[]; };
vec4 loadB4(uint bt, uint k, uint n) { return whh4[(int(k) * u_hidden + int(n)) >> 2]; }
#endif

// storeC finishes unit n of row m from its sum.
void storeC(uint bt, uint m, uint n, float acc) {
	int e = int(m) * u_hidden + int(n);
	float d = (acc + dh[u_offDH + e]) + gin[u_offG + e];
	int gi = u_offGates + int(m) * 4 * u_hidden + int(n);
	vec4 saved = vec4(gates[gi], gates[gi + u_hidden], gates[gi + 2 * u_hidden], gates[gi + 3 * u_hidden]);
	vec3 ax = gruCellBackward(d, saved, hPrev[u_offHPrev + e]);
	int xi = u_offDX + int(m) * 3 * u_hidden + int(n), hi = u_offDHH + int(m) * 3 * u_hidden + int(n);
	for (int q = 0; q < 3; q++) {
		dx[xi + q * u_hidden] = ax[q];
		dhh[hi + q * u_hidden] = q == 2 ? ax[q] * saved.x : ax[q];
	}
	dh[u_offDH + e] = d * saved.y;
}
#else
#error rnnstep: define LSTM_STEP, LSTM_STEP_BACKWARD, GRU_STEP or GRU_STEP_BACKWARD
#endif
