// Prelude shared by every kernel family. The host defines LOCAL_X (and
// LOCAL_Y) per variant before this text.

#ifndef LOCAL_X
#define LOCAL_X 64
#endif
#ifndef LOCAL_Y
#define LOCAL_Y 1
#endif
#define MAX_RANK 8

layout(local_size_x = LOCAL_X, local_size_y = LOCAL_Y, local_size_z = 1) in;

// A grid larger than MAX_COMPUTE_WORK_GROUP_COUNT is split by the host into
// several dispatches; u_groupBase is the first group of this one.
uniform uvec3 u_groupBase;

uvec3 groupID() { return gl_WorkGroupID + u_groupBase; }

// globalX is the flat element index of a 1-D kernel.
uint globalX() { return groupID().x * uint(LOCAL_X) + gl_LocalInvocationID.x; }

// udiv returns x / d for x < 2³¹ from d's magic pair (m, l), computed by
// the host (device/gl's divMagic): (⌊x·m / 2³²⌋ + x) >> l, a multiplication
// in place of a division by a uniform (a loop of tens of instructions on
// GPUs, scalar code on llvmpipe); fdiv is the same for int x ≥ 0.
uint udiv(uint x, uvec2 d) {
	uint hi, lo;
	umulExtended(x, d.x, hi, lo);
	return (hi + x) >> d.y;
}

int fdiv(int x, uvec2 d) { return int(udiv(uint(x), d)); }

// NaN test that survives fast-math: compilers may fold x != x.
bool isNaN(float x) { return (floatBitsToUint(x) & 0x7fffffffu) > 0x7f800000u; }

// The activations shared by the element-wise kernels and the GEMM epilogue.
float sigmoid(float x) {
	if (x >= 0.0f) return 1.0f / (1.0f + exp(-x));
	float e = exp(x);
	return e / (1.0f + e);
}

float stableTanh(float x) {
	float ax = abs(x);
	if (ax < 0.2f) {
		// Taylor series: 1 − e^(−2|x|) cancels badly near 0.
		float x2 = x * x;
		return x * (1.0f + x2 * (-1.0f / 3.0f + x2 * (2.0f / 15.0f + x2 * (-17.0f / 315.0f + x2 * (62.0f / 2835.0f)))));
	}
	float t = exp(-2.0f * ax);
	float r = (1.0f - t) / (1.0f + t);
	return x < 0.0f ? -r : r;
}

// Epilogue of the GEMM core and the forward convolution (device.Epilogue),
// for an output in column (or channel) j at position rel from the output's
// start: EPI_RESIDUAL adds residual[u_offRes + rel] (binding 5), EPI_BIAS
// adds bias[u_offBias + j] (binding 4); EPI_ACT=OP_<name> then applies that
// unary op as the element-wise kernel does (u_slope is LeakyRelu's slope),
// or, with EPI_ACT_OUT, multiplies by its derivative read from the saved
// activation actOut[u_offActOut + rel] (binding 6), as the element-wise
// *grad ops do; before that, EPI_SCALE (MatMul's alone) multiplies by
// epiScale[u_offScale + rel] (binding 4, the bias's). Without any the value
// is stored as it is.
#ifdef EPI_RESIDUAL
layout(std430, binding = 5) readonly buffer Residual { float residual[]; };
uniform int u_offRes;
#endif
#ifdef EPI_BIAS
layout(std430, binding = 4) readonly buffer Bias { float bias[]; };
uniform int u_offBias;
#endif
#ifdef EPI_SCALE
#ifdef EPI_BIAS
#error epilogue: EPI_SCALE takes the bias's binding
#endif
layout(std430, binding = 4) readonly buffer EpiScale { float epiScale[]; };
uniform int u_offScale;
#endif
#ifdef EPI_ACT
uniform float u_slope;
#endif
#ifdef EPI_ACT_OUT
layout(std430, binding = 6) readonly buffer ActOut { float actOut[]; };
uniform int u_offActOut;
#endif

float epilogue(float v, uint j, int rel) {
#ifdef EPI_RESIDUAL
	v += residual[u_offRes + rel];
#endif
#ifdef EPI_BIAS
	v += bias[u_offBias + int(j)];
#endif
#ifdef EPI_SCALE
	v *= epiScale[u_offScale + rel];
#endif
#if !defined(EPI_ACT)
	return v;
#elif defined(EPI_ACT_OUT)
	float y = actOut[u_offActOut + rel];
#if EPI_ACT == OP_RELU
	return y > 0.0f ? v : 0.0f;
#elif EPI_ACT == OP_LEAKYRELU
	return y > 0.0f ? v : u_slope * v;
#elif EPI_ACT == OP_SIGMOID
	return v * y * (1.0f - y);
#elif EPI_ACT == OP_TANH
	return v * (1.0f - y * y);
#else
#error epilogue: EPI_ACT names no activation
#endif
#elif EPI_ACT == OP_RELU
	return (v > 0.0f || isNaN(v)) ? v : 0.0f;
#elif EPI_ACT == OP_LEAKYRELU
	return (v > 0.0f || isNaN(v)) ? v : u_slope * v;
#elif EPI_ACT == OP_SIGMOID
	return sigmoid(v);
#elif EPI_ACT == OP_TANH
	return stableTanh(v);
#else
#error epilogue: EPI_ACT names no activation
#endif
}
