// The pointwise parts of one LSTM and one GRU time step (device.LSTMCell,
// device.GRUCell and their backwards): one invocation per (row b, unit j)
// of a [u_batch, u_hidden] step, every operand read at its offset u_off*
// so that a step works on its slice of a sequence buffer. Gate blocks lie
// side by side in a row (LSTM i, f, g, o; GRU r, z, n; the GRU's saved
// gates r, z, n, hh_n).
// Defines: one of LSTM, LSTM_BACKWARD, GRU, GRU_BACKWARD.

uniform uint u_n; // u_batch·u_hidden
uniform int u_hidden;
uniform uvec2 u_dHidden; // common.glsl's udiv pair for u_hidden

#if defined(LSTM)
layout(std430, binding = 0) writeonly buffer H { float h[]; };
layout(std430, binding = 1) buffer C { float c[]; };
layout(std430, binding = 2) buffer Gates { float gates[]; };
layout(std430, binding = 3) readonly buffer CPrev { float cPrev[]; };
uniform int u_offH, u_offC, u_offGates, u_offCPrev;

void main() {
	uint e = globalX();
	if (e >= u_n) return;
	int b = fdiv(int(e), u_dHidden), j = int(e) - b * u_hidden;
	int gi = u_offGates + b * 4 * u_hidden + j;
	float i = sigmoid(gates[gi]);
	float f = sigmoid(gates[gi + u_hidden]);
	float g = stableTanh(gates[gi + 2 * u_hidden]);
	float o = sigmoid(gates[gi + 3 * u_hidden]);
	gates[gi] = i;
	gates[gi + u_hidden] = f;
	gates[gi + 2 * u_hidden] = g;
	gates[gi + 3 * u_hidden] = o;
	float cv = f * cPrev[u_offCPrev + int(e)] + i * g;
	c[u_offC + int(e)] = cv;
	h[u_offH + int(e)] = o * stableTanh(cv);
}

#elif defined(LSTM_BACKWARD)
layout(std430, binding = 0) writeonly buffer DGates { float dgates[]; };
layout(std430, binding = 1) buffer DCPrev { float dcPrev[]; };
layout(std430, binding = 2) readonly buffer DH { float dh[]; };
layout(std430, binding = 3) buffer DC { float dc[]; };
layout(std430, binding = 4) readonly buffer Gates { float gates[]; };
layout(std430, binding = 5) readonly buffer C { float c[]; };
layout(std430, binding = 6) readonly buffer CPrev { float cPrev[]; };
uniform int u_offDGates, u_offDCPrev, u_offDH, u_offDC, u_offGates, u_offC, u_offCPrev;

void main() {
	uint e = globalX();
	if (e >= u_n) return;
	int b = fdiv(int(e), u_dHidden), j = int(e) - b * u_hidden;
	int gi = u_offGates + b * 4 * u_hidden + j;
	float i = gates[gi], f = gates[gi + u_hidden], g = gates[gi + 2 * u_hidden], o = gates[gi + 3 * u_hidden];
	float tc = stableTanh(c[u_offC + int(e)]);
	float d = dh[u_offDH + int(e)];
	float dct = dc[u_offDC + int(e)] + d * o * (1.0f - tc * tc);
	int di = u_offDGates + b * 4 * u_hidden + j;
	dgates[di] = dct * g * i * (1.0f - i);
	dgates[di + u_hidden] = dct * cPrev[u_offCPrev + int(e)] * f * (1.0f - f);
	dgates[di + 2 * u_hidden] = dct * i * (1.0f - g * g);
	dgates[di + 3 * u_hidden] = d * tc * o * (1.0f - o);
	dcPrev[u_offDCPrev + int(e)] = dct * f;
}

#elif defined(GRU)
layout(std430, binding = 0) writeonly buffer H { float h[]; };
layout(std430, binding = 1) writeonly buffer Gates { float gates[]; };
layout(std430, binding = 2) readonly buffer X { float x[]; };
layout(std430, binding = 3) readonly buffer HH { float hh[]; };
layout(std430, binding = 4) readonly buffer HPrev { float hPrev[]; };
uniform int u_offH, u_offGates, u_offX, u_offHH, u_offHPrev;

void main() {
	uint e = globalX();
	if (e >= u_n) return;
	int b = fdiv(int(e), u_dHidden), j = int(e) - b * u_hidden;
	int xi = u_offX + b * 3 * u_hidden + j, hi = u_offHH + b * 3 * u_hidden + j;
	float r = sigmoid(x[xi] + hh[hi]);
	float z = sigmoid(x[xi + u_hidden] + hh[hi + u_hidden]);
	float hn = hh[hi + 2 * u_hidden];
	float n = stableTanh(x[xi + 2 * u_hidden] + r * hn);
	int gi = u_offGates + b * 4 * u_hidden + j;
	gates[gi] = r;
	gates[gi + u_hidden] = z;
	gates[gi + 2 * u_hidden] = n;
	gates[gi + 3 * u_hidden] = hn;
	h[u_offH + int(e)] = n + z * (hPrev[u_offHPrev + int(e)] - n);
}

#elif defined(GRU_BACKWARD)
layout(std430, binding = 0) writeonly buffer DX { float dx[]; };
layout(std430, binding = 1) writeonly buffer DHH { float dhh[]; };
layout(std430, binding = 2) buffer DHPrev { float dhPrev[]; };
layout(std430, binding = 3) buffer DH { float dh[]; };
layout(std430, binding = 4) readonly buffer Gates { float gates[]; };
layout(std430, binding = 5) readonly buffer HPrev { float hPrev[]; };
uniform int u_offDX, u_offDHH, u_offDHPrev, u_offDH, u_offGates, u_offHPrev;

void main() {
	uint e = globalX();
	if (e >= u_n) return;
	int b = fdiv(int(e), u_dHidden), j = int(e) - b * u_hidden;
	int gi = u_offGates + b * 4 * u_hidden + j;
	float r = gates[gi], z = gates[gi + u_hidden], n = gates[gi + 2 * u_hidden], hn = gates[gi + 3 * u_hidden];
	float d = dh[u_offDH + int(e)];
	float an = d * (1.0f - z) * (1.0f - n * n);
	float ar = an * hn * r * (1.0f - r);
	float az = d * (hPrev[u_offHPrev + int(e)] - n) * z * (1.0f - z);
	int xi = u_offDX + b * 3 * u_hidden + j, hi = u_offDHH + b * 3 * u_hidden + j;
	dx[xi] = ar;
	dx[xi + u_hidden] = az;
	dx[xi + 2 * u_hidden] = an;
	dhh[hi] = ar;
	dhh[hi + u_hidden] = az;
	dhh[hi + 2 * u_hidden] = an * r;
	dhPrev[u_offDHPrev + int(e)] = d * z;
}
#else
#error recurrent: define LSTM, LSTM_BACKWARD, GRU or GRU_BACKWARD
#endif
