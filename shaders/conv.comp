// 2-D convolution (NCHW, cross-correlation, groups) as implicit GEMM: the
// operand loaders below index the tensors directly (no im2col buffer) and
// matmul.comp, appended after this file, supplies the tiled core. Every
// output element is one dot product in a fixed order, so the backward
// passes are deterministic without atomics.
//
// Shapes: x [N, C, H, W], w [K, C/G, R, S], y [N, K, OH, OW];
// Cg = C/G, Kg = K/G, RS = R·S, P = OH·OW.
//
// FORWARD:      batch g; M = Kg, N = N·P, K = Cg·RS;   y = w · im2col(x), then the
//               epilogue of common.glsl (residual, bias by output channel, activation)
// BACKWARD_X:   batch g; M = Cg, N = N·H·W, K = Kg·RS; dx = wᵀ · col2im(dy), then the
//               epilogue (bias by input channel)
// BACKWARD_W:   batch g; M = Kg, N = Cg·RS, K = N·P;   dw = dy · im2col(x)ᵀ
// BACKWARD_COLS: batch g; M = Cg·RS, N = N·P, K = Kg;  cols = wᵀ · dy, each input
//               pixel's terms by tap, for convdirect.comp's FOLD to sum into dx
//
// The images lie side by side along the columns (col = n·P + position), so
// that a small plane (a ResNet's 4×4, LeNet's 10×10) still fills the tiles.

#define CUSTOM_OPERANDS

uniform int u_n;
uniform int u_c;
uniform int u_h;
uniform int u_w;
uniform int u_k;
uniform int u_r;
uniform int u_s;
uniform int u_oh;
uniform int u_ow;
uniform int u_strideH;
uniform int u_strideW;
uniform int u_padH;
uniform int u_padW;
uniform int u_dilH;
uniform int u_dilW;
uniform int u_groups;
// Magic numbers (m, l) dividing by R·S, S, OW, W, OH·OW, H·W and the
// strides (common.glsl's fdiv), set by the backend (device/gl's divMagic):
// the loaders split every index they read without a division.
uniform uvec2 u_dRS;
uniform uvec2 u_dS;
uniform uvec2 u_dOW;
uniform uvec2 u_dW;
uniform uvec2 u_dP;
uniform uvec2 u_dSH;
uniform uvec2 u_dSW;
uniform uvec2 u_dHW; // H·W (BACKWARD_X's columns)

layout(std430, binding = 0) writeonly buffer Out { float outp[]; };
layout(std430, binding = 1) readonly buffer In0 { float in0[]; };
layout(std430, binding = 2) readonly buffer In1 { float in1[]; };

int cg() { return u_c / u_groups; }
int kg() { return u_k / u_groups; }

// xAt reads x (always in0) at [n, ch, oh·sH − pH + r·dH, ow·sW − pW + s·dW], 0 in the padding.
float xAt(int n, int ch, int oh, int ow, int r, int s) {
	int ih = oh * u_strideH - u_padH + r * u_dilH;
	int iw = ow * u_strideW - u_padW + s * u_dilW;
	if (ih < 0 || ih >= u_h || iw < 0 || iw >= u_w) return 0.0f;
	return in0[((n * u_c + ch) * u_h + ih) * u_w + iw];
}

// tapOf splits k = (c·R + r)·S + s into (c, r, s).
ivec3 tapOf(int k) {
	int rs = u_r * u_s;
	int c = fdiv(k, u_dRS), t = k - c * rs;
	int r = fdiv(t, u_dS);
	return ivec3(c, r, t - r * u_s);
}

#if defined(FORWARD)
// in0 = x, in1 = w.
float loadA(uint g, uint m, uint k) {
	return in1[(int(g) * kg() + int(m)) * cg() * u_r * u_s + int(k)];
}
float loadB(uint g, uint k, uint col) {
	int p = u_oh * u_ow;
	int n = fdiv(int(col), u_dP), pos = int(col) - n * p;
	ivec3 t = tapOf(int(k));
	int oh = fdiv(pos, u_dOW);
	return xAt(n, int(g) * cg() + t.x, oh, pos - oh * u_ow, t.y, t.z);
}
void storeC(uint g, uint m, uint col, float acc) {
	int p = u_oh * u_ow;
	int n = fdiv(int(col), u_dP);
	int k = int(g) * kg() + int(m);
	int i = (n * u_k + k) * p + int(col) - n * p;
	outp[i] = epilogue(acc, uint(k), i);
}

#elif defined(BACKWARD_X)
// in0 = dy, in1 = w.
float loadA(uint g, uint m, uint kk) {
	int rs = u_r * u_s;
	int k = fdiv(int(kk), u_dRS);
	return in1[((int(g) * kg() + k) * cg() + int(m)) * rs + int(kk) - k * rs];
}
// loadB reads dy[n, k, oh, ow] for the output position whose window puts
// tap (r, s) on input pixel (n, pixel) of column col, or 0 when there is
// none.
float loadB(uint g, uint kk, uint col) {
	int hw = u_h * u_w;
	int n = fdiv(int(col), u_dHW), pixel = int(col) - n * hw;
	ivec3 t = tapOf(int(kk));
	int ih = fdiv(pixel, u_dW);
	int th = ih + u_padH - t.y * u_dilH;
	int tw = pixel - ih * u_w + u_padW - t.z * u_dilW;
#ifdef UNIT_STRIDE
	// Stride 1: no divisibility test and no division, the common case.
	int oh = th, ow = tw;
	if (th < 0 || tw < 0 || oh >= u_oh || ow >= u_ow) return 0.0f;
#else
	if (th < 0 || tw < 0) return 0.0f;
	int oh = fdiv(th, u_dSH), ow = fdiv(tw, u_dSW);
	if (oh * u_strideH != th || ow * u_strideW != tw || oh >= u_oh || ow >= u_ow) return 0.0f;
#endif
	return in0[((n * u_k + int(g) * kg() + t.x) * u_oh + oh) * u_ow + ow];
}
void storeC(uint g, uint m, uint col, float acc) {
	int hw = u_h * u_w;
	int n = fdiv(int(col), u_dHW);
	int c = int(g) * cg() + int(m);
	int i = (n * u_c + c) * hw + int(col) - n * hw;
	outp[i] = epilogue(acc, uint(c), i);
}

#elif defined(BACKWARD_W)
// in0 = x, in1 = dy.
float loadA(uint g, uint m, uint kk) {
	int p = u_oh * u_ow;
	int n = fdiv(int(kk), u_dP);
	return in1[(n * u_k + int(g) * kg() + int(m)) * p + int(kk) - n * p];
}
float loadB(uint g, uint kk, uint col) {
	int p = u_oh * u_ow;
	int n = fdiv(int(kk), u_dP), pos = int(kk) - n * p;
	ivec3 t = tapOf(int(col));
	int oh = fdiv(pos, u_dOW);
	return xAt(n, int(g) * cg() + t.x, oh, pos - oh * u_ow, t.y, t.z);
}
void storeC(uint g, uint m, uint col, float acc) {
	outp[(int(g) * kg() + int(m)) * cg() * u_r * u_s + int(col)] = acc;
}

#elif defined(BACKWARD_COLS)
// in0 = dy, in1 = w; out = cols [G, Cg·RS, N·P]: cols[g, (c·R + r)·S + s, col]
// is what output pixel col sends through tap (r, s) to input channel c.
float loadA(uint g, uint m, uint k) {
	return in1[(int(g) * kg() + int(k)) * cg() * u_r * u_s + int(m)];
}
float loadB(uint g, uint k, uint col) {
	int p = u_oh * u_ow;
	int n = fdiv(int(col), u_dP);
	return in0[(n * u_k + int(g) * kg() + int(k)) * p + int(col) - n * p];
}
void storeC(uint g, uint m, uint col, float acc) {
	outp[(int(g) * cg() * u_r * u_s + int(m)) * u_n * u_oh * u_ow + int(col)] = acc;
}

#else
#error conv: define FORWARD, BACKWARD_X, BACKWARD_W or BACKWARD_COLS
#endif
