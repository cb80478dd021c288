// Softmax and log-softmax over the rows of a contiguous [Rows, N] matrix,
// forward and backward. One work group per row; every row-wide max or sum is
// a shared-memory tree over LOCAL_X partials.
//
// Defines: BACKWARD (else forward), LOG (log-softmax), CAUSAL (forward:
// row r is query i = r mod u_queries of a block, and only its first i+1
// elements take part; the rest of the row is 0).
// Forward:  y = e^(x−m)/Σe^(x−m)            or  y = x − m − ln Σe^(x−m)
// Backward: dx = y·(dy − Σ dy·y)            or  dx = dy − e^y·Σ dy
//
// With CROSS_ENTROPY the family is instead the fused softmax cross-entropy
// of logits [Rows, N] against int target [Rows] (device.CrossEntropyParams),
// with WEIGHTED (class weights) and MEAN (rows divided by Σ w[target]):
// forward writes each row's loss, backward (BACKWARD) its logits' gradient.

uniform uint u_rows;
uniform uint u_n;
#ifdef CAUSAL
uniform uint u_queries;
#endif

#ifdef CROSS_ENTROPY
uniform float u_eps;
uniform uint u_dlossOff;
uniform uint u_dlossStride;
layout(std430, binding = 0) writeonly buffer Dst { float dst[]; }; // loss, or dlogits
layout(std430, binding = 1) readonly buffer S0 { float s0[]; };    // logits
layout(std430, binding = 2) readonly buffer Target { int target[]; };
#ifdef WEIGHTED
layout(std430, binding = 3) readonly buffer Weight { float weight[]; };
#endif
#ifdef BACKWARD
layout(std430, binding = 4) readonly buffer DLoss { float dloss[]; };
#endif
#else
layout(std430, binding = 0) writeonly buffer Dst { float dst[]; };
layout(std430, binding = 1) readonly buffer S0 { float s0[]; }; // x, or y
#ifdef BACKWARD
layout(std430, binding = 2) readonly buffer S1 { float s1[]; }; // dy
#endif
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

#ifdef CROSS_ENTROPY
float w(uint c) {
#ifdef WEIGHTED
	return weight[c];
#else
	return 1.0f;
#endif
}

void main() {
	uint row = groupID().x;
	if (row >= u_rows) return; // uniform per group
	uint base = row * u_n;
	uint t = gl_LocalInvocationID.x;
	uint tgt = uint(target[row]);
	// The row's log-sum-exp is m + ls, ls = ln Σ e^(x−m); terms are formed
	// as (m − x) + ls, whose first difference is exact for nearby values,
	// so rows far from 0 keep their precision.
	float m = uintBitsToFloat(0xff800000u); // −∞
	for (uint k = t; k < u_n; k += uint(LOCAL_X)) {
		float x = s0[base + k];
		if (isNaN(x) || x > m) m = x;
	}
	m = rowMax(m);
	float s = 0.0f;
	for (uint k = t; k < u_n; k += uint(LOCAL_X)) s += exp(s0[base + k] - m);
	float ls = log(rowSum(s));
	// div = D: Σ_b w[target[b]] or Rows for MEAN, else 1.
	float div = 1.0f;
#ifdef MEAN
#ifdef WEIGHTED
	float dw = 0.0f;
	for (uint b = t; b < u_rows; b += uint(LOCAL_X)) dw += weight[uint(target[b])];
	div = rowSum(dw);
#else
	div = float(u_rows);
#endif
#endif
	float hard = (1.0f - u_eps) * w(tgt), soft = u_eps / float(u_n);
#ifndef BACKWARD
	// Σ_c w[c]·(lse − x[c]): every term ≥ 0.
	float sm = 0.0f;
	for (uint k = t; k < u_n; k += uint(LOCAL_X)) sm += w(k) * ((m - s0[base + k]) + ls);
	sm = rowSum(sm);
	if (t == 0u) dst[row] = (hard * ((m - s0[base + tgt]) + ls) + soft * sm) / div;
#else
	// A = Σ_c a[c] = hard + soft·Σ_c w[c].
	float sw = 0.0f;
#ifdef WEIGHTED
	for (uint k = t; k < u_n; k += uint(LOCAL_X)) sw += weight[k];
	sw = rowSum(sw);
#else
	sw = float(u_n);
#endif
	float a = hard + soft * sw;
	float g = dloss[u_dlossOff + row * u_dlossStride] / div;
	for (uint k = t; k < u_n; k += uint(LOCAL_X)) {
		float ak = soft * w(k) + (k == tgt ? hard : 0.0f);
		dst[base + k] = g * (a * exp((s0[base + k] - m) - ls) - ak);
	}
#endif
}
#else
void main() {
	uint row = groupID().x;
	if (row >= u_rows) return; // uniform per group
	uint base = row * u_n;
	uint t = gl_LocalInvocationID.x;
#ifndef BACKWARD
#ifdef CAUSAL
	uint valid = min(u_n, row % u_queries + 1u); // the elements that take part
#else
	uint valid = u_n;
#endif
	float m = uintBitsToFloat(0xff800000u); // −∞
	for (uint k = t; k < valid; k += uint(LOCAL_X)) {
		float x = s0[base + k];
		if (isNaN(x) || x > m) m = x;
	}
	m = rowMax(m);
	float s = 0.0f;
	for (uint k = t; k < valid; k += uint(LOCAL_X)) s += exp(s0[base + k] - m);
	s = rowSum(s);
#ifdef LOG
	float ls = log(s);
	for (uint k = t; k < u_n; k += uint(LOCAL_X)) dst[base + k] = s0[base + k] - m - ls;
#else
	float r = 1.0f / s;
	for (uint k = t; k < u_n; k += uint(LOCAL_X)) dst[base + k] = k < valid ? exp(s0[base + k] - m) * r : 0.0f;
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
#endif
