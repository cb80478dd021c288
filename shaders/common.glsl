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

// The pointwise LSTM and GRU cells, shared by the step kernels
// (recurrent.comp), the steps fused into their products (rnnstep.comp) and
// the whole sequences (sequence.comp), so that all compute the same bits.
// Gate blocks in PyTorch's order: LSTM i, f, g, o; GRU r, z, n.

// The cells' results are precise: a compiler may contract a·b + c into a
// fused multiply-add where it chooses, and NVIDIA's chooses by the code
// around it (the normal draw of random.comp drew other bits beside a
// precise sum on the H200), so the step kernels, the fused steps and the
// whole recurrences, each calling these, could round the same cell
// differently; precise makes every operation their results depend on
// round as written, in all of them.

// lstmCell turns the gates' pre-activations a into their activations
// (returned: σ(a_i), σ(a_f), tanh(a_g), σ(a_o)) and sets c = f·cPrev + i·g
// and h = o·tanh(c).
vec4 lstmCell(vec4 a, float cPrev, out float c, out float h) {
	float i = sigmoid(a.x);
	float f = sigmoid(a.y);
	float g = stableTanh(a.z);
	float o = sigmoid(a.w);
	precise float cn = f * cPrev + i * g;
	precise float hn = o * stableTanh(cn);
	precise vec4 act = vec4(i, f, g, o);
	c = cn;
	h = hn;
	return act;
}

// lstmCellBackward returns the gradient of the gates' pre-activations from
// dh (d), the activations act and c that lstmCell gave, and cPrev; dc, the
// gradient of c on entry, becomes that of cPrev.
vec4 lstmCellBackward(float d, inout float dc, vec4 act, float c, float cPrev) {
	float i = act.x, f = act.y, g = act.z, o = act.w;
	float tc = stableTanh(c);
	precise float dct = dc + d * o * (1.0f - tc * tc);
	precise float dcPrev = dct * f;
	precise vec4 da = vec4(dct * g * i * (1.0f - i), dct * cPrev * f * (1.0f - f), dct * i * (1.0f - g * g), d * tc * o * (1.0f - o));
	dc = dcPrev;
	return da;
}

// gruCell returns h = (1 − z)·n + z·hPrev from x and hh, the projections
// of the input and of hPrev (their biases added), with r = σ(x_r + hh_r),
// z = σ(x_z + hh_z), n = tanh(x_n + r·hh_n), and sets saved to r, z, n
// and hh_n for the backward.
float gruCell(vec3 x, vec3 hh, float hPrev, out vec4 saved) {
	float r = sigmoid(x.x + hh.x);
	float z = sigmoid(x.y + hh.y);
	float n = stableTanh(x.z + r * hh.z);
	precise vec4 s = vec4(r, z, n, hh.z);
	precise float h = n + z * (hPrev - n);
	saved = s;
	return h;
}

// gruCellBackward returns the gradient of x (r, z, n) from dh (d), the
// gates gruCell saved and hPrev; that of hh is the same but for its n
// block, an·r, and the part of hPrev's not through hh is d·z.
vec3 gruCellBackward(float d, vec4 saved, float hPrev) {
	float r = saved.x, z = saved.y, n = saved.z, hn = saved.w;
	float an = d * (1.0f - z) * (1.0f - n * n);
	float ar = an * hn * r * (1.0f - r);
	float az = d * (hPrev - n) * z * (1.0f - z);
	precise vec3 da = vec3(ar, az, an);
	return da;
}

// Epilogue of the GEMM core and the forward convolution (device.Epilogue),
// for an output in column (or channel) j at position rel from the output's
// start: EPI_RESIDUAL adds residual[u_offRes + rel] (binding 5), EPI_BIAS
// adds bias[u_offBias + j] (binding 4), with EPI_BIAS2 (MatMul's alone)
// the sum bias[u_offBias + j] + bias2[u_offBias2 + j] (binding 7, the row
// sums'), rounded before it is added, as an Add of the two vectors would
// round it (precise: in that order); EPI_ACT=OP_<name> then applies that
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
#ifdef EPI_BIAS2
#if !defined(EPI_BIAS) || defined(ROW_SUM)
#error epilogue: EPI_BIAS2 joins EPI_BIAS, at the row sums' binding
#endif
layout(std430, binding = 7) readonly buffer Bias2 { float bias2[]; };
uniform int u_offBias2;
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

// EpiIn holds what the epilogue reads at an output's position rel (the
// residual, the scale, the saved activation; 0, 1 and 0 where it reads
// none), so that a kernel can load them before the output's sum instead of
// waiting on them after it (elman.comp's steps). epilogueOf applies the
// epilogue with them; epilogue(v, j, rel) loads them and applies it.
struct EpiIn {
	float res, scale, act;
};

EpiIn epilogueIn(int rel) {
	EpiIn e = EpiIn(0.0f, 1.0f, 0.0f);
#ifdef EPI_RESIDUAL
	e.res = residual[u_offRes + rel];
#endif
#ifdef EPI_SCALE
	e.scale = epiScale[u_offScale + rel];
#endif
#ifdef EPI_ACT_OUT
	e.act = actOut[u_offActOut + rel];
#endif
	return e;
}

float epilogueOf(float v, uint j, EpiIn e) {
#ifdef EPI_RESIDUAL
	v += e.res;
#endif
#if defined(EPI_BIAS2)
	precise float b = bias[u_offBias + int(j)] + bias2[u_offBias2 + int(j)];
	v += b;
#elif defined(EPI_BIAS)
	v += bias[u_offBias + int(j)];
#endif
#ifdef EPI_SCALE
	v *= e.scale;
#endif
#if !defined(EPI_ACT)
	return v;
#elif defined(EPI_ACT_OUT)
	float y = e.act;
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

float epilogue(float v, uint j, int rel) { return epilogueOf(v, j, epilogueIn(rel)); }
