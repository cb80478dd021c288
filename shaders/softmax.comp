// Softmax and log-softmax over the rows of a contiguous [Rows, N] matrix,
// forward and backward. One work group per row; every row-wide max or sum is
// a shared-memory tree over LOCAL_X partials.
//
// Defines: BACKWARD (else forward), LOG (log-softmax).
// Forward:  y = e^(x−m)/Σe^(x−m)            or  y = x − m − ln Σe^(x−m)
// Backward: dx = y·(dy − Σ dy·y)            or  dx = dy − e^y·Σ dy

uniform uint u_rows;
uniform uint u_n;

layout(std430, binding = 0) writeonly buffer Dst { float dst[]; };
layout(std430, binding = 1) readonly buffer S0 { float s0[]; }; // x, or y
#ifdef BACKWARD
layout(std430, binding = 2) readonly buffer S1 { float s1[]; }; // dy
#endif

shared float red[LOCAL_X];

// rowSum returns the work-group sum of v (called in uniform control flow).
float rowSum(float v) {
	uint t = gl_LocalInvocationID.x;
	barrier();
	red[t] = v;
	barrier();
	for (uint s = uint(LOCAL_X) / 2u; s > 0u; s >>= 1) {
		if (t < s) red[t] += red[t + s];
		barrier();
	}
	return red[0];
}

// rowMax returns the work-group maximum of v; NaN wins.
float rowMax(float v) {
	uint t = gl_LocalInvocationID.x;
	barrier();
	red[t] = v;
	barrier();
	for (uint s = uint(LOCAL_X) / 2u; s > 0u; s >>= 1) {
		if (t < s) {
			float o = red[t + s];
			if (isNaN(o) || o > red[t]) red[t] = o;
		}
		barrier();
	}
	return red[0];
}

void main() {
	uint row = groupID().x;
	if (row >= u_rows) return; // uniform per group
	uint base = row * u_n;
	uint t = gl_LocalInvocationID.x;
#ifndef BACKWARD
	float m = uintBitsToFloat(0xff800000u); // −∞
	for (uint k = t; k < u_n; k += uint(LOCAL_X)) {
		float x = s0[base + k];
		if (isNaN(x) || x > m) m = x;
	}
	m = rowMax(m);
	float s = 0.0f;
	for (uint k = t; k < u_n; k += uint(LOCAL_X)) s += exp(s0[base + k] - m);
	s = rowSum(s);
#ifdef LOG
	float ls = log(s);
	for (uint k = t; k < u_n; k += uint(LOCAL_X)) dst[base + k] = s0[base + k] - m - ls;
#else
	float r = 1.0f / s;
	for (uint k = t; k < u_n; k += uint(LOCAL_X)) dst[base + k] = exp(s0[base + k] - m) * r;
#endif
#else
	float s = 0.0f;
	for (uint k = t; k < u_n; k += uint(LOCAL_X)) {
#ifdef LOG
		s += s1[base + k];
#else
		s += s1[base + k] * s0[base + k];
#endif
	}
	s = rowSum(s);
	for (uint k = t; k < u_n; k += uint(LOCAL_X)) {
		float y = s0[base + k], dy = s1[base + k];
#ifdef LOG
		dst[base + k] = dy - exp(y) * s;
#else
		dst[base + k] = y * (dy - s);
#endif
	}
#endif
}
