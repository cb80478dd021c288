// 2-D max and average pooling over NCHW planes, forward and backward, one
// invocation per output element (forward) or per input element (backward:
// it sums, in a fixed order, every pooled output whose window covers it, so
// no atomics are needed).
//
// Defines: MAX or AVG; BACKWARD; COUNT_PAD (AVG divisor KH·KW).

uniform uint u_total;   // elements of the output (forward) or input (backward)
uniform int u_h;
uniform int u_w;
uniform int u_oh;
uniform int u_ow;
uniform int u_kh;
uniform int u_kw;
uniform int u_strideH;
uniform int u_strideW;
uniform int u_padH;
uniform int u_padW;
uniform int u_dilH;     // max pooling's tap spacing (1: none)
uniform int u_dilW;
// common.glsl's udiv pairs for the output width and height (forward), the
// input width and height (backward) and the strides.
uniform uvec2 u_dW, u_dH, u_dSH, u_dSW;

#ifndef BACKWARD
layout(std430, binding = 0) writeonly buffer Y { float y[]; };
layout(std430, binding = 1) writeonly buffer Idx { int idx[]; };
layout(std430, binding = 2) readonly buffer X { float x[]; };
#else
layout(std430, binding = 0) writeonly buffer DX { float dx[]; };
layout(std430, binding = 1) readonly buffer DY { float dy[]; };
layout(std430, binding = 2) readonly buffer Idx { int idx[]; };
#endif

// divisor of the average window starting at (h0, w0).
float divisor(int h0, int w0) {
#ifdef COUNT_PAD
	return float(u_kh * u_kw);
#else
	int hs = max(h0, 0), he = min(h0 + u_kh, u_h);
	int ws = max(w0, 0), we = min(w0 + u_kw, u_w);
	return float((he - hs) * (we - ws));
#endif
}

void main() {
	uint i = globalX();
	if (i >= u_total) return;
#ifndef BACKWARD
	uint q = udiv(i, u_dW), pl = udiv(q, u_dH);
	int ow = int(i - q * uint(u_ow)), oh = int(q - pl * uint(u_oh)), plane = int(pl);
	int h0 = oh * u_strideH - u_padH, w0 = ow * u_strideW - u_padW;
	int xb = plane * u_h * u_w;
#ifdef MAX
	float best = uintBitsToFloat(0xff800000u);
	int at = -1;
	for (int r = 0; r < u_kh; r++) {
		int ih = h0 + r * u_dilH;
		if (ih < 0 || ih >= u_h) continue;
		for (int s = 0; s < u_kw; s++) {
			int iw = w0 + s * u_dilW;
			if (iw < 0 || iw >= u_w) continue;
			float v = x[xb + ih * u_w + iw];
			// The first maximum wins; NaN propagates.
			if (at < 0 || (!isNaN(best) && (v > best || isNaN(v)))) {
				best = v;
				at = ih * u_w + iw;
			}
		}
	}
	y[i] = best;
	idx[i] = at;
#else
	float sum = 0.0f;
	for (int r = 0; r < u_kh; r++) {
		int ih = h0 + r;
		if (ih < 0 || ih >= u_h) continue;
		for (int s = 0; s < u_kw; s++) {
			int iw = w0 + s;
			if (iw >= 0 && iw < u_w) sum += x[xb + ih * u_w + iw];
		}
	}
	y[i] = sum / divisor(h0, w0);
#endif
#else
	uint q = udiv(i, u_dW), pl = udiv(q, u_dH);
	int iw = int(i - q * uint(u_w)), ih = int(q - pl * uint(u_h)), plane = int(pl);
	// Outputs whose window spans ih: oh·sH − pH ≤ ih < oh·sH − pH + EH,
	// EH = dH·(KH−1) + 1 its extent (a dilated max window has holes: the
	// argmax test below picks the taps).
	int eh = u_dilH * (u_kh - 1) + 1, ew = u_dilW * (u_kw - 1) + 1;
	int th = ih + u_padH, tw = iw + u_padW;
	int ohLo = th < eh ? 0 : fdiv(th - eh, u_dSH) + 1;
	int ohHi = min(fdiv(th, u_dSH), u_oh - 1);
	int owLo = tw < ew ? 0 : fdiv(tw - ew, u_dSW) + 1;
	int owHi = min(fdiv(tw, u_dSW), u_ow - 1);
	int ob = plane * u_oh * u_ow;
	float sum = 0.0f;
	for (int oh = ohLo; oh <= ohHi; oh++) {
		for (int ow = owLo; ow <= owHi; ow++) {
			int o = ob + oh * u_ow + ow;
#ifdef MAX
			if (idx[o] == ih * u_w + iw) sum += dy[o];
#else
			sum += dy[o] / divisor(oh * u_strideH - u_padH, ow * u_strideW - u_padW);
#endif
		}
	}
	dx[i] = sum;
#endif
}
