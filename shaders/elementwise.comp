// Strided element-wise kernels. The kernel's index space is row-major over
// u_shape (rank u_rank ≤ MAX_RANK); operand k is read at
// u_off[k] + Σ idx[d]·u_st<k>[d] (stride 0 broadcasts) and the result is
// written contiguously at u_dstOff + i.
//
// Variants: MODE_COPY (bit copy, any dtype), MODE_UNARY (OP names a
// device.UnaryOp: OP_EXP, …), MODE_BINARY (OP names a device.BinaryOp:
// OP_ADD, …), MODE_WHERE (COND_INT when cond is Int32), MODE_BCEGRAD
// (u_a·s2·(σ(s0) − s1), device.BCEWithLogitsBackward). The backend defines
// every OP_ name of the catalogue before this source, so ops are selected
// by name and their codes may change.

uniform uint u_n;
uniform int u_rank;
uniform int u_shape[MAX_RANK];
uniform uvec2 u_shapeMagic[MAX_RANK]; // common.glsl's udiv pairs for u_shape
uniform int u_st0[MAX_RANK];
uniform int u_st1[MAX_RANK];
uniform int u_st2[MAX_RANK];
uniform int u_off0;
uniform int u_off1;
uniform int u_off2;
uniform int u_dstOff;
uniform float u_a;
uniform float u_b;

#if defined(MODE_COPY)
layout(std430, binding = 0) writeonly buffer Dst { uint dst[]; };
layout(std430, binding = 1) readonly buffer S0 { uint s0[]; };
#elif defined(MODE_UNARY)
layout(std430, binding = 0) writeonly buffer Dst { float dst[]; };
layout(std430, binding = 1) readonly buffer S0 { float s0[]; };
#elif defined(MODE_BINARY)
layout(std430, binding = 0) writeonly buffer Dst { float dst[]; };
layout(std430, binding = 1) readonly buffer S0 { float s0[]; };
layout(std430, binding = 2) readonly buffer S1 { float s1[]; };
#elif defined(MODE_WHERE) || defined(MODE_BCEGRAD)
layout(std430, binding = 0) writeonly buffer Dst { float dst[]; };
#ifdef COND_INT
layout(std430, binding = 1) readonly buffer S0 { int s0[]; };
#else
layout(std430, binding = 1) readonly buffer S0 { float s0[]; };
#endif
layout(std430, binding = 2) readonly buffer S1 { float s1[]; };
layout(std430, binding = 3) readonly buffer S2 { float s2[]; };
#else
#error elementwise: no MODE_ defined
#endif

// offsets turns flat index i into the three operand offsets.
ivec3 offsets(uint i) {
	ivec3 o = ivec3(u_off0, u_off1, u_off2);
	// One dimension (every contiguous operand, after the backend merges
	// dimensions): i is the index, with no division by the size.
	if (u_rank == 1) return o + int(i) * ivec3(u_st0[0], u_st1[0], u_st2[0]);
	for (int d = u_rank - 1; d >= 0; d--) {
		uint q = udiv(i, u_shapeMagic[d]);
		int c = int(i - q * uint(u_shape[d]));
		i = q;
		o += c * ivec3(u_st0[d], u_st1[d], u_st2[d]);
	}
	return o;
}

// log1p without cancellation for small u (Goldberg's trick). The trick
// needs 1 + u rounded and w − 1 formed as written: precise keeps a
// compiler from folding them to u (llvmpipe did, and returned log(1) = 0
// for u below 2⁻²⁴).
float log1pf(float u) {
	precise float w = 1.0f + u;
	if (w == 1.0f) return u;
	precise float d = w - 1.0f;
	return log(w) * (u / d);
}

// powf follows C pow for the cases GLSL pow leaves undefined or
// exp2(y·log2 x) misses: x ≤ 0, y = 0, x = 1 (even for a NaN y), infinite
// y and x = −∞.
float powf(float x, float y) {
	if (y == 0.0f || x == 1.0f) return 1.0f;
	if (isNaN(x) || isNaN(y)) return x + y;
	float inf = uintBitsToFloat(0x7f800000u);
	if (isinf(y)) {
		float ax = abs(x);
		if (ax == 1.0f) return 1.0f;
		return (ax < 1.0f) == (y > 0.0f) ? 0.0f : inf;
	}
	if (x == -inf) { // (−0)^(−y) turned over: ±∞ for y > 0, ±0 for y < 0, the sign for odd integers y
		float r = y > 0.0f ? inf : 0.0f;
		return (floor(y) == y && fract(y * 0.5f) == 0.5f) ? -r : r;
	}
	if (x == 0.0f) {
		if (y > 0.0f) return (fract(y * 0.5f) == 0.5f) ? x : 0.0f;
		bool oddNeg = fract(y * 0.5f) == 0.5f && floatBitsToUint(x) != 0u;
		return oddNeg ? uintBitsToFloat(0xff800000u) : uintBitsToFloat(0x7f800000u);
	}
	if (x < 0.0f) {
		if (floor(y) != y) return uintBitsToFloat(0x7fc00000u);
		float r = pow(-x, y);
		return (fract(y * 0.5f) == 0.5f) ? -r : r;
	}
	return pow(x, y);
}

// erff is the error function as a rational approximation p(x)/q(x) with
// odd p and even q, Eigen's float coefficients, for x clamped to [−4, 4]
// (beyond, erf rounds to ±1 in float32). Mirrors kernels.Unary's Erf, which
// rounds math.Erf; device/tolerance.go states the bound.
float erff(float x) {
	if (isNaN(x)) return x;
	x = clamp(x, -4.0f, 4.0f);
	float x2 = x * x;
	float p = x2 * -2.72614225801306e-10f + 2.77068142495902e-08f;
	p = x2 * p - 2.10102402082508e-06f;
	p = x2 * p - 5.69250639462346e-05f;
	p = x2 * p - 7.34990630326855e-04f;
	p = x2 * p - 2.95459980854025e-03f;
	p = x2 * p - 1.60960333262415e-02f;
	float q = x2 * -1.45660718464996e-05f - 2.13374055278905e-04f;
	q = x2 * q - 1.68282697438203e-03f;
	q = x2 * q - 7.37332916720468e-03f;
	q = x2 * q - 1.42647390514189e-02f;
	return x * p / q;
}

// GELU: Φ(x) = ½·(1 + erf(x/√2)) (there is no erfc to keep x ≪ 0
// relative, so its bound is against |x|); the tanh form as x·σ(2u), since
// ½·(1 + tanh u) = σ(2u), and its slope with σ(2u)·(1 − σ(2u)) as
// σ(2u)·σ(−2u), which does not cancel. Mirror kernels' gelu functions;
// device/tolerance.go states the bounds.
float geluPhi(float x) { return 0.5f * (1.0f + erff(x * 0.70710678118654752f)); }

float geluU(float x) { return 0.79788456080286536f * (x + 0.044715f * x * x * x); }

float geluSlope(float x) { return geluPhi(x) + x * exp(-0.5f * x * x) * 0.39894228040143268f; }

float geluTanhSlope(float x) {
	float u = geluU(x);
	float s = sigmoid(2.0f * u), sr = s * sigmoid(-2.0f * u);
	// sr is 0 where |x| is large; u′ may then overflow, and 0·∞ is NaN.
	float up = 0.79788456080286536f * (1.0f + 0.134145f * x * x);
	return s + (sr == 0.0f ? 0.0f : 2.0f * x * sr * up);
}

// reduce2pi maps x into [−π, π] with a two-part 2π (Cody–Waite), so GPUs
// whose sin/cos are only accurate near zero stay accurate for large |x|.
float reduce2pi(float x) {
	float k = floor(x * 0.15915494309189535f + 0.5f);
	return (x - k * 6.28125f) - k * 0.0019353071795864769f;
}

#ifdef MODE_UNARY
float op(float x) {
	float a = u_a, b = u_b;
#if OP == OP_AFFINE
	return a * x + b;
#elif OP == OP_EXP
	return exp(x);
#elif OP == OP_LOG
	return log(x);
#elif OP == OP_SQRT
	return sqrt(x);
#elif OP == OP_RSQRT
	return 1.0f / sqrt(x);
#elif OP == OP_ABS
	return abs(x);
#elif OP == OP_RELU
	return (x > 0.0f || isNaN(x)) ? x : 0.0f;
#elif OP == OP_LEAKYRELU
	return (x > 0.0f || isNaN(x)) ? x : a * x;
#elif OP == OP_SIGMOID
	return sigmoid(x);
#elif OP == OP_TANH
	return stableTanh(x);
#elif OP == OP_SIN
	return sin(reduce2pi(x));
#elif OP == OP_COS
	return cos(reduce2pi(x));
#elif OP == OP_SQUARE
	return x * x;
#elif OP == OP_RECIP
	return 1.0f / x;
#elif OP == OP_SIGN
	return isNaN(x) ? x : (x > 0.0f ? 1.0f : (x < 0.0f ? -1.0f : 0.0f));
#elif OP == OP_POWSCALAR
	return powf(x, a);
#elif OP == OP_CLAMP
	return isNaN(x) || isNaN(a) || isNaN(b) ? x + a + b : min(max(x, a), b);
#elif OP == OP_GTSCALAR
	return x > a ? 1.0f : 0.0f;
#elif OP == OP_LTSCALAR
	return x < a ? 1.0f : 0.0f;
#elif OP == OP_EQSCALAR
	return x == a ? 1.0f : 0.0f;
#elif OP == OP_SOFTPLUS
	return max(x, 0.0f) + log1pf(exp(-abs(x)));
#elif OP == OP_ERF
	return erff(x);
#elif OP == OP_GELU
	return x * geluPhi(x);
#elif OP == OP_GELUTANH
	return x * sigmoid(2.0f * geluU(x));
#else
#error elementwise: unknown unary OP
#endif
}
#endif

#ifdef MODE_BINARY
float op(float x, float y) {
	float a = u_a;
#if OP == OP_ADD
	return x + y;
#elif OP == OP_SUB
	return x - y;
#elif OP == OP_MUL
	return x * y;
#elif OP == OP_DIV
	return x / y;
#elif OP == OP_POW
	return powf(x, y);
#elif OP == OP_MAXIMUM
	return (isNaN(x) || isNaN(y)) ? x + y : max(x, y);
#elif OP == OP_MINIMUM
	return (isNaN(x) || isNaN(y)) ? x + y : min(x, y);
#elif OP == OP_EQ
	return x == y ? 1.0f : 0.0f;
#elif OP == OP_NE
	return x != y ? 1.0f : 0.0f;
#elif OP == OP_LT
	return x < y ? 1.0f : 0.0f;
#elif OP == OP_LE
	return x <= y ? 1.0f : 0.0f;
#elif OP == OP_GT
	return x > y ? 1.0f : 0.0f;
#elif OP == OP_GE
	return x >= y ? 1.0f : 0.0f;
#elif OP == OP_RELUGRAD
	return y > 0.0f ? x : 0.0f;
#elif OP == OP_SIGMOIDGRAD
	return x * y * (1.0f - y);
#elif OP == OP_TANHGRAD
	return x * (1.0f - y * y);
#elif OP == OP_LEAKYRELUGRAD
	return y > 0.0f ? x : a * x;
#elif OP == OP_GELUGRAD
	return x * geluSlope(y);
#elif OP == OP_GELUTANHGRAD
	return x * geluTanhSlope(y);
#elif OP == OP_BCEWITHLOGITS
	// Both terms are ≥ 0 for y in [0, 1]: nothing cancels.
	return a * (log1pf(exp(-abs(x))) + (x >= 0.0f ? x * (1.0f - y) : -x * y));
#else
#error elementwise: unknown binary OP
#endif
}
#endif

void main() {
	uint i = globalX();
	if (i >= u_n) return;
	ivec3 o = offsets(i);
	uint di = uint(u_dstOff) + i;
#if defined(MODE_COPY)
	dst[di] = s0[o.x];
#elif defined(MODE_UNARY)
	dst[di] = op(s0[o.x]);
#elif defined(MODE_BINARY)
	dst[di] = op(s0[o.x], s1[o.y]);
#elif defined(MODE_BCEGRAD)
	dst[di] = u_a * s2[o.z] * (sigmoid(s0[o.x]) - s1[o.y]);
#else
	dst[di] = (s0[o.x] != 0) ? s1[o.y] : s2[o.z];
#endif
}
