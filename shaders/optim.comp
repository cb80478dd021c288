// Fused multi-tensor kernels: the optimizer updates following torch.optim
// (see device.SGDParams and device.AdamParams), and a gradient norm's
// square and clipping (device.SumSquares, ClipScale). One dispatch works on
// up to SLOTS tensors, one invocation per element (SUM_SQUARES: per
// NORM_PER elements). Tensor k owns the work groups
// [u_start[k], u_start[k+1]) (u_start[u_count] is the grid's end), so every
// group works on one tensor and indexes the arrays of storage blocks with a
// dynamically uniform index, as GLSL 4.30 requires.
// Defines: SGD (with MOMENTUM when the momentum buffer is bound), ADAM,
// SUM_SQUARES, SUM_PARTIALS (with NORM when the norm is written too) or
// CLIP_SCALE; SLOTS, and the first binding of
// each operand array after the tensors (binding 0 on): B_GRAD, B_BUF or B_M
// and B_V; B_EXTRA, the binding of the norm kernels' one other buffer.

#ifndef SUM_PARTIALS
uniform uint u_count;         // tensors bound, 1..SLOTS
uniform uint u_start[SLOTS + 1];
uniform uint u_n[SLOTS];      // elements of each tensor

layout(std430, binding = 0) buffer P { float d[]; } p[SLOTS];
#ifdef B_GRAD
uniform float u_lr;
uniform float u_wd;
layout(std430, binding = B_GRAD) readonly buffer G { float d[]; } grad[SLOTS];
#endif

// tensorOf returns the slot of the tensor that owns work group g.
uint tensorOf(uint g) {
	uint k = 0u;
	while (k + 1u < u_count && g >= u_start[k + 1u]) k++;
	return k;
}
#endif

#ifdef SGD
uniform float u_momentum;
uniform float u_dampening;
uniform int u_nesterov;
uniform int u_first[SLOTS];
#ifdef MOMENTUM
layout(std430, binding = B_BUF) buffer Buf { float d[]; } buf[SLOTS];
#endif

void main() {
	uint g = groupID().x;
	uint k = tensorOf(g);
	uint i = (g - u_start[k]) * uint(LOCAL_X) + gl_LocalInvocationID.x;
	if (i >= u_n[k]) return;
	float w = p[k].d[i];
	float gr = grad[k].d[i] + u_wd * w;
#ifdef MOMENTUM
	float b = u_first[k] != 0 ? gr : u_momentum * buf[k].d[i] + (1.0f - u_dampening) * gr;
	buf[k].d[i] = b;
	gr = u_nesterov != 0 ? gr + u_momentum * b : b;
#endif
	p[k].d[i] = w - u_lr * gr;
}

#elif defined(ADAM)
uniform float u_beta1;
uniform float u_beta2;
uniform float u_eps;
uniform float u_bc1[SLOTS]; // 1 − β1ᵗ of each tensor
uniform float u_bc2[SLOTS]; // 1 − β2ᵗ
uniform int u_decoupled;
layout(std430, binding = B_M) buffer M { float d[]; } m[SLOTS];
layout(std430, binding = B_V) buffer V { float d[]; } v[SLOTS];

void main() {
	uint g = groupID().x;
	uint k = tensorOf(g);
	uint i = (g - u_start[k]) * uint(LOCAL_X) + gl_LocalInvocationID.x;
	if (i >= u_n[k]) return;
	float w = p[k].d[i];
	float gr = grad[k].d[i];
	if (u_decoupled != 0) w *= 1.0f - u_lr * u_wd;
	else gr += u_wd * w;
	float mi = u_beta1 * m[k].d[i] + (1.0f - u_beta1) * gr;
	float vi = u_beta2 * v[k].d[i] + (1.0f - u_beta2) * gr * gr;
	m[k].d[i] = mi;
	v[k].d[i] = vi;
	p[k].d[i] = w - u_lr * (mi / u_bc1[k]) / (sqrt(vi / u_bc2[k]) + u_eps);
}
#elif defined(SUM_SQUARES)
// Each group sums the squares of LOCAL_X·NORM_PER elements of its tensor:
// invocation l those at l, l + LOCAL_X, …, in order, then a tree over the
// group in shared memory; the group's sum goes to partial[u_partBase + g].
// The order is fixed by the tensor's size.
layout(std430, binding = B_EXTRA) writeonly buffer Partial { float partial[]; };
uniform uint u_partBase;
shared float sums[LOCAL_X];

void main() {
	uint g = groupID().x;
	uint k = tensorOf(g);
	uint l = gl_LocalInvocationID.x;
	uint base = (g - u_start[k]) * uint(LOCAL_X * NORM_PER) + l;
	float s = 0.0f;
	for (uint e = 0u; e < uint(NORM_PER); e++) {
		uint i = base + e * uint(LOCAL_X);
		if (i < u_n[k]) {
			float x = p[k].d[i];
			s += x * x;
		}
	}
	sums[l] = s;
	barrier();
	for (uint w = uint(LOCAL_X) / 2u; w > 0u; w /= 2u) {
		if (l < w) sums[l] += sums[l + w];
		barrier();
	}
	if (l == 0u) partial[u_partBase + g] = sums[0];
}

#elif defined(SUM_PARTIALS)
// One group adds the u_parts partial sums into dst[0]: invocation l those
// at l, l + LOCAL_X, …, in order, then a tree in shared memory. With NORM,
// the sum's square root into norm[0] too.
layout(std430, binding = 0) writeonly buffer Dst { float dst[]; };
layout(std430, binding = 1) readonly buffer Partial { float partial[]; };
#ifdef NORM
layout(std430, binding = 2) writeonly buffer Norm { float norm[]; };
#endif
uniform uint u_parts;
shared float sums[LOCAL_X];

void main() {
	uint l = gl_LocalInvocationID.x;
	float s = 0.0f;
	for (uint i = l; i < u_parts; i += uint(LOCAL_X)) s += partial[i];
	sums[l] = s;
	barrier();
	for (uint w = uint(LOCAL_X) / 2u; w > 0u; w /= 2u) {
		if (l < w) sums[l] += sums[l + w];
		barrier();
	}
	if (l == 0u) {
		dst[0] = sums[0];
#ifdef NORM
		norm[0] = sqrt(sums[0]);
#endif
	}
}

#elif defined(CLIP_SCALE)
// Every element times maxNorm/(√sq + 1e-6) where that is below 1 and sq
// (the norm's square, sq[0]) is finite.
layout(std430, binding = B_EXTRA) readonly buffer Sq { float sq[]; };
uniform float u_maxNorm;

void main() {
	uint g = groupID().x;
	uint k = tensorOf(g);
	uint i = (g - u_start[k]) * uint(LOCAL_X) + gl_LocalInvocationID.x;
	float s = sq[0];
	if (i >= u_n[k] || isNaN(s) || isinf(s)) return;
	float c = u_maxNorm / (sqrt(s) + 1e-6f);
	if (c < 1.0f) p[k].d[i] *= c;
}
#else
#error optim: define SGD, ADAM, SUM_SQUARES, SUM_PARTIALS or CLIP_SCALE
#endif
