// Softmax and log-softmax over the rows of a contiguous [Rows, N] matrix,
// forward and backward. A work group of LOCAL_X invocations takes LOCAL_X /
// ROW_W rows, ROW_W adjacent invocations a row (ROW_W a power of two dividing
// LOCAL_X), each summing every ROW_W-th element; every row-wide max or sum is
// then a shared-memory tree over the row's ROW_W partials. Invocations past
// the last row take part in the barriers and write nothing.
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
// forward writes each row's loss, or with TOTAL (one work group holding
// every row) their sum, a tree over the group; backward (BACKWARD) the
// logits' gradient.

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

// segSum returns the sum of v over the w adjacent invocations (w a power of
// two dividing LOCAL_X) that invocation t belongs to; called in uniform
// control flow.
float segSum(float v, uint w) {
	uint t = gl_LocalInvocationID.x, lane = t & (w - 1u);
	barrier();
	red[t] = v;
	barrier();
	for (uint s = w / 2u; s > 0u; s >>= 1) {
		if (lane < s) red[t] += red[t + s];
		barrier();
	}
	return red[t - lane];
}

// segMax is segSum's maximum; NaN wins.
float segMax(float v, uint w) {
	uint t = gl_LocalInvocationID.x, lane = t & (w - 1u);
	barrier();
	red[t] = v;
	barrier();
	for (uint s = w / 2u; s > 0u; s >>= 1) {
		if (lane < s) {
			float o = red[t + s];
			if (isNaN(o) || o > red[t]) red[t] = o;
		}
		barrier();
	}
	return red[t - lane];
}

float rowSum(float v) { return segSum(v, uint(ROW_W)); }
float rowMax(float v) { return segMax(v, uint(ROW_W)); }

#ifdef CROSS_ENTROPY
float w(uint c) {
#ifdef WEIGHTED
	return weight[c];
#else
	return 1.0f;
#endif
}

void main() {
	uint row = groupID().x * uint(LOCAL_X / ROW_W) + gl_LocalInvocationID.x / uint(ROW_W);
	bool live = row < u_rows;
	uint n = live ? u_n : 0u; // a row past the last one reads nothing
	uint base = row * u_n;
	uint t = gl_LocalInvocationID.x & uint(ROW_W - 1);
	uint tgt = live ? uint(target[row]) : 0u;
	// The row's log-sum-exp is m + ls, ls = ln Σ e^(x−m); terms are formed
	// as (m − x) + ls, whose first difference is exact for nearby values,
	// so rows far from 0 keep their precision.
	float m = uintBitsToFloat(0xff800000u); // −∞
	for (uint k = t; k < n; k += uint(ROW_W)) {
		float x = s0[base + k];
		if (isNaN(x) || x > m) m = x;
	}
	m = rowMax(m);
	float s = 0.0f;
	for (uint k = t; k < n; k += uint(ROW_W)) s += exp(s0[base + k] - m);
	float ls = log(rowSum(s));
	// div = D: Σ_b w[target[b]] or Rows for MEAN, else 1.
	float div = 1.0f;
#ifdef MEAN
#ifdef WEIGHTED
	float dw = 0.0f;
	for (uint b = gl_LocalInvocationID.x; b < u_rows; b += uint(LOCAL_X)) dw += weight[uint(target[b])];
	div = segSum(dw, uint(LOCAL_X)); // the whole group's
#else
	div = float(u_rows);
#endif
#endif
	float hard = (1.0f - u_eps) * w(tgt), soft = u_eps / float(u_n);
#ifndef BACKWARD
	// Σ_c w[c]·(lse − x[c]): every term ≥ 0.
	float sm = 0.0f;
	for (uint k = t; k < n; k += uint(ROW_W)) sm += w(k) * ((m - s0[base + k]) + ls);
	sm = rowSum(sm);
#ifdef TOTAL
	// Without smoothing the Σ stays out: it is +∞ where a logit is −∞
	// (a masked class), and 0·∞ would make the loss NaN.
	float spread = soft != 0.0f ? soft * sm : 0.0f;
	float l = live && t == 0u ? (hard * ((m - s0[base + tgt]) + ls) + spread) / div : 0.0f;
	l = segSum(l, uint(LOCAL_X));
	if (gl_LocalInvocationID.x == 0u) dst[0] = l;
#else
	float spread = soft != 0.0f ? soft * sm : 0.0f; // as above
	if (live && t == 0u) dst[row] = (hard * ((m - s0[base + tgt]) + ls) + spread) / div;
#endif
#else
	// A = Σ_c a[c] = hard + soft·Σ_c w[c].
	float sw = 0.0f;
#ifdef WEIGHTED
	for (uint k = t; k < n; k += uint(ROW_W)) sw += weight[k];
	sw = rowSum(sw);
#else
	sw = float(u_n);
#endif
	float a = hard + soft * sw;
	float g = live ? dloss[u_dlossOff + row * u_dlossStride] / div : 0.0f;
	for (uint k = t; k < n; k += uint(ROW_W)) {
		float ak = soft * w(k) + (k == tgt ? hard : 0.0f);
		dst[base + k] = g * (a * exp((s0[base + k] - m) - ls) - ak);
	}
#endif
}
#else
void main() {
	uint row = groupID().x * uint(LOCAL_X / ROW_W) + gl_LocalInvocationID.x / uint(ROW_W);
	uint n = row < u_rows ? u_n : 0u; // a row past the last one reads nothing
	uint base = row * u_n;
	uint t = gl_LocalInvocationID.x & uint(ROW_W - 1);
#ifndef BACKWARD
#ifdef CAUSAL
	uint valid = min(n, row % u_queries + 1u); // the elements that take part
#else
	uint valid = n;
#endif
	float m = uintBitsToFloat(0xff800000u); // −∞
	for (uint k = t; k < valid; k += uint(ROW_W)) {
		float x = s0[base + k];
		if (isNaN(x) || x > m) m = x;
	}
	m = rowMax(m);
	float s = 0.0f;
	for (uint k = t; k < valid; k += uint(ROW_W)) s += exp(s0[base + k] - m);
	s = rowSum(s);
#ifdef LOG
	float ls = log(s);
	for (uint k = t; k < n; k += uint(ROW_W)) dst[base + k] = s0[base + k] - m - ls;
#else
	float r = 1.0f / s;
	for (uint k = t; k < n; k += uint(ROW_W)) dst[base + k] = k < valid ? exp(s0[base + k] - m) * r : 0.0f;
#endif
#else
	float s = 0.0f;
	for (uint k = t; k < n; k += uint(ROW_W)) {
#ifdef LOG
		s += s1[base + k];
#else
		s += s1[base + k] * s0[base + k];
#endif
	}
	s = rowSum(s);
	for (uint k = t; k < n; k += uint(ROW_W)) {
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
