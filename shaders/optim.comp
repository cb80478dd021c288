// Fused multi-tensor optimizer updates following torch.optim (see
// device.SGDParams and device.AdamParams): one dispatch updates up to SLOTS
// tensors, one invocation per element. Tensor k owns the work groups
// [u_start[k], u_start[k+1]) (u_start[u_count] is the grid's end), so every
// group updates one tensor and indexes the arrays of storage blocks with a
// dynamically uniform index, as GLSL 4.30 requires.
// Defines: SGD (with MOMENTUM when the momentum buffer is bound) or ADAM;
// SLOTS, and the first binding of each operand array: B_GRAD, B_BUF or
// B_M and B_V (parameters start at binding 0).

uniform uint u_count;         // tensors bound, 1..SLOTS
uniform uint u_start[SLOTS + 1];
uniform uint u_n[SLOTS];      // elements of each tensor
uniform float u_lr;
uniform float u_wd;

layout(std430, binding = 0) buffer P { float d[]; } p[SLOTS];
layout(std430, binding = B_GRAD) readonly buffer G { float d[]; } grad[SLOTS];

// tensorOf returns the slot of the tensor that owns work group g.
uint tensorOf(uint g) {
	uint k = 0u;
	while (k + 1u < u_count && g >= u_start[k + 1u]) k++;
	return k;
}

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
#else
#error optim: define SGD or ADAM
#endif
