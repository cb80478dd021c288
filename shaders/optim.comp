// Fused optimizer updates, one invocation per parameter element, following
// torch.optim (see device.SGDParams and device.AdamParams).
// Defines: SGD or ADAM.

uniform uint u_n;
uniform float u_lr;
uniform float u_wd;

layout(std430, binding = 0) buffer P { float p[]; };
layout(std430, binding = 1) readonly buffer G { float grad[]; };

#ifdef SGD
uniform float u_momentum;
uniform float u_dampening;
uniform int u_nesterov;
uniform int u_first;
layout(std430, binding = 2) buffer Buf { float buf[]; }; // unused without momentum

void main() {
	uint i = globalX();
	if (i >= u_n) return;
	float w = p[i];
	float g = grad[i] + u_wd * w;
	if (u_momentum != 0.0f) {
		float b = u_first != 0 ? g : u_momentum * buf[i] + (1.0f - u_dampening) * g;
		buf[i] = b;
		g = u_nesterov != 0 ? g + u_momentum * b : b;
	}
	p[i] = w - u_lr * g;
}

#elif defined(ADAM)
uniform float u_beta1;
uniform float u_beta2;
uniform float u_eps;
uniform float u_bc1; // 1 − β1ᵗ
uniform float u_bc2; // 1 − β2ᵗ
uniform int u_decoupled;
layout(std430, binding = 2) buffer M { float m[]; };
layout(std430, binding = 3) buffer V { float v[]; };

void main() {
	uint i = globalX();
	if (i >= u_n) return;
	float w = p[i];
	float g = grad[i];
	if (u_decoupled != 0) w *= 1.0f - u_lr * u_wd;
	else g += u_wd * w;
	float mi = u_beta1 * m[i] + (1.0f - u_beta1) * g;
	float vi = u_beta2 * v[i] + (1.0f - u_beta2) * g * g;
	m[i] = mi;
	v[i] = vi;
	p[i] = w - u_lr * (mi / u_bc1) / (sqrt(vi / u_bc2) + u_eps);
}
#else
#error optim: define SGD or ADAM
#endif
