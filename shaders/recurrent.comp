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
	vec4 a = vec4(gates[gi], gates[gi + u_hidden], gates[gi + 2 * u_hidden], gates[gi + 3 * u_hidden]);
	float cv, hv;
	vec4 act = lstmCell(a, cPrev[u_offCPrev + int(e)], cv, hv);
	for (int q = 0; q < 4; q++) gates[gi + q * u_hidden] = act[q];
	c[u_offC + int(e)] = cv;
	h[u_offH + int(e)] = hv;
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
	vec4 act = vec4(gates[gi], gates[gi + u_hidden], gates[gi + 2 * u_hidden], gates[gi + 3 * u_hidden]);
	float dcv = dc[u_offDC + int(e)]; // read before dcPrev, which may be dc, is written
	vec4 dg = lstmCellBackward(dh[u_offDH + int(e)], dcv, act, c[u_offC + int(e)], cPrev[u_offCPrev + int(e)]);
	int di = u_offDGates + b * 4 * u_hidden + j;
	for (int q = 0; q < 4; q++) dgates[di + q * u_hidden] = dg[q];
	dcPrev[u_offDCPrev + int(e)] = dcv;
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
	vec4 saved;
	float hv = gruCell(vec3(x[xi], x[xi + u_hidden], x[xi + 2 * u_hidden]),
		vec3(hh[hi], hh[hi + u_hidden], hh[hi + 2 * u_hidden]), hPrev[u_offHPrev + int(e)], saved);
	int gi = u_offGates + b * 4 * u_hidden + j;
	for (int q = 0; q < 4; q++) gates[gi + q * u_hidden] = saved[q];
	h[u_offH + int(e)] = hv;
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
	vec4 saved = vec4(gates[gi], gates[gi + u_hidden], gates[gi + 2 * u_hidden], gates[gi + 3 * u_hidden]);
	float d = dh[u_offDH + int(e)];
	vec3 ax = gruCellBackward(d, saved, hPrev[u_offHPrev + int(e)]);
	int xi = u_offDX + b * 3 * u_hidden + j, hi = u_offDHH + b * 3 * u_hidden + j;
	for (int q = 0; q < 3; q++) {
		dx[xi + q * u_hidden] = ax[q];
		dhh[hi + q * u_hidden] = q == 2 ? ax[q] * saved.x : ax[q];
	}
	dhPrev[u_offDHPrev + int(e)] = d * saved.y;
}
#else
#error recurrent: define LSTM, LSTM_BACKWARD, GRU or GRU_BACKWARD
#endif
