// Direct 2-D convolution for layers of few channels (LeNet's), NCHW: one
// invocation computes PIX adjacent pixels of a row for all NOUT output
// channels of its group, reading each input value once for all of them
// (and each weight once for its PIX pixels), with the group's weights
// staged in shared memory. Where the implicit GEMM (conv.comp) fills few
// rows of its tiles (6 or 16 filters) and splits every operand index it
// loads, this reads its operands with plain loops.
//
// Shapes as in conv.comp: x [N, C, H, W], w [K, C/G, R, S], y [N, K, OH, OW];
// Cg = C/G, Kg = K/G. Work group y is the group g.
//
// FORWARD:    invocation (n, oh, ow…ow+PIX−1): y[n, g·Kg + k, oh, ow] for k < NOUT = Kg,
//             the sum over (c, r, s) of w[g·Kg + k, c, r, s]·x[n, g·Cg + c, ih, iw],
//             then the epilogue of common.glsl (bias by output channel, …)
// BACKWARD_X: invocation (n, ih, iw…iw+PIX−1), stride 1: dx[n, g·Cg + c, ih, iw] for c < NOUT = Cg,
//             the sum over (k, r, s) of w[g·Kg + k, c, r, s]·dy[n, g·Kg + k, oh, ow]
//             with oh = ih + padH − r·dilH, ow = iw + padW − s·dilW, then the epilogue
// FOLD:       invocation (n, c, ih, iw), any stride: dx[n, c, ih, iw] = the sum over the
//             taps (r, s), in order, of conv.comp's BACKWARD_COLS columns (at
//             binding 1) cols[g, (c − g·Cg)·RS + r·S + s, n·OH·OW + oh·OW + ow] for
//             the output pixel (oh, ow) whose window puts tap (r, s) on (ih, iw),
//             where there is one; then the epilogue
//
// Each sum runs over its taps in the implicit GEMM's order ((c, r, s) or
// (k, r, s), the last fastest), as fma(weight, value, sum): the padding's
// columns add 0 as the GEMM's do, its rows are skipped (for finite weights
// the same), so the results are the implicit GEMM's bits where it sums K
// in one pass.
//
// Defines: FORWARD or BACKWARD_X with NOUT, PIX (adjacent pixels of a row
// an invocation) and WSIZE = Kg·Cg·R·S (the shared weights); FOLD; or WGRAD
// with NS, or WGRAD_SUM (the weight gradient, below), each with BIAS (the
// bias gradient too) and WGRAD with BIAS_DB (… written to db directly).

uniform uint u_pixels; // invocations along x: N·OH·⌈OW/PIX⌉ (FORWARD) or N·H·⌈W/PIX⌉
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
uniform uvec2 u_dPlane; // common.glsl's udiv pair for an image's invocations (OH·⌈OW/PIX⌉ or H·⌈W/PIX⌉)
uniform uvec2 u_dRow;   // … and for a row's (⌈OW/PIX⌉ or ⌈W/PIX⌉)

layout(std430, binding = 0) writeonly buffer Out { float outp[]; };
#ifdef FOLD
layout(std430, binding = 1) readonly buffer Cols { float cols[]; };
#else
layout(std430, binding = 1) readonly buffer In0 { float in0[]; }; // x (FORWARD, WGRAD), or dy
layout(std430, binding = 2) readonly buffer In1 { float in1[]; }; // w, or dy (WGRAD)
#endif

#if defined(WGRAD)
// WGRAD: the weight gradient, dw[g·Kg + k, c, r, s] = the sum over (n, oh, ow) of
// dy[n, g·Kg + k, oh, ow]·x[n, g·Cg + c, oh·sH − pH + r·dH, ow·sW − pW + s·dW],
// in u_slices slices of u_sliceRows output rows (of the N·OH): invocation
// (slice, g, k, c, r) sums its slice's pixels in order for the NS = S taps
// s, fma(dy, x, sum) as the implicit GEMM's BACKWARD_W, into
// partial[slice·u_weights + w] (w the weight's index in dw), or into dw
// itself with one slice; WGRAD_SUM then adds the slices in order. Taps in
// the padding add 0, or (rows) are skipped. With BIAS, u_items more
// invocations (slice, k) sum dy[n, k, oh, ow] over their slice's pixels in
// order, the bias gradient db[k], into partial[slice·u_stride + u_weights
// + k] (u_stride = u_weights + K), or with BIAS_DB (one slice) into db.
uniform uint u_items;   // invocations: slices·K·Cg·R
uniform int u_weights;  // K·Cg·R·S
uniform int u_stride;   // a slice's values in partial: u_weights (+ K with BIAS)
uniform int u_slices;
uniform int u_sliceRows;
uniform uvec2 u_dItem;  // udiv pair for K·Cg·R (the items of a slice)
uniform uvec2 u_dR;     // … for R
uniform uvec2 u_dCg;    // … for Cg
uniform uvec2 u_dOH;    // … for OH

#ifdef BIAS_DB
layout(std430, binding = 3) writeonly buffer DB { float db[]; };
#endif

#ifdef BIAS
// biasGrad sums invocation b's (slice, k) share of the bias gradient.
void biasGrad(int b) {
	int slice = b / u_k, kk = b - slice * u_k;
	int row0 = slice * u_sliceRows, row1 = min(u_n * u_oh, row0 + u_sliceRows);
	float sum = 0.0f;
	for (int row = row0; row < row1; row++) {
		int n = fdiv(row, u_dOH), oh = row - n * u_oh;
		int dyBase = ((n * u_k + kk) * u_oh + oh) * u_ow;
		for (int ow = 0; ow < u_ow; ow++) sum += in1[dyBase + ow];
	}
#ifdef BIAS_DB
	db[kk] = sum;
#else
	outp[slice * u_stride + u_weights + kk] = sum;
#endif
}
#endif

void main() {
	uint t = globalX();
	if (t >= u_items) {
#ifdef BIAS
		if (t < u_items + uint(u_slices * u_k)) biasGrad(int(t - u_items));
#endif
		return;
	}
	int cg = u_c / u_groups, kg = u_k / u_groups;
	int perSlice = u_k * cg * u_r;
	int slice = int(udiv(t, u_dItem)), item = int(t) - slice * perSlice;
	int q = fdiv(item, u_dR), r = item - q * u_r;
	int kk = fdiv(q, u_dCg), c = q - kk * cg; // kk = g·Kg + k
	int g = kk / kg;
	float acc[NS];
	for (int s = 0; s < NS; s++) acc[s] = 0.0f;
	int row0 = slice * u_sliceRows, row1 = min(u_n * u_oh, row0 + u_sliceRows);
	for (int row = row0; row < row1; row++) {
		int n = fdiv(row, u_dOH), oh = row - n * u_oh;
		int ih = oh * u_strideH - u_padH + r * u_dilH;
		if (ih < 0 || ih >= u_h) continue;
		int dyBase = ((n * u_k + kk) * u_oh + oh) * u_ow;
		int xBase = ((n * u_c + g * cg + c) * u_h + ih) * u_w;
		for (int ow = 0; ow < u_ow; ow++) {
			float d = in1[dyBase + ow];
			for (int s = 0; s < NS; s++) {
				int iw = ow * u_strideW - u_padW + s * u_dilW;
				float v = (iw >= 0 && iw < u_w) ? in0[xBase + iw] : 0.0f;
				acc[s] = fma(d, v, acc[s]);
			}
		}
	}
	int w = ((kk * cg + c) * u_r + r) * NS;
	for (int s = 0; s < NS; s++) outp[slice * u_stride + w + s] = acc[s];
}
#elif defined(WGRAD_SUM)
// WGRAD_SUM: invocation t < u_stride adds value t of every slice in order,
// into dw, or (t ≥ u_weights, BIAS) into db.
uniform int u_weights;
uniform int u_stride;
uniform int u_slices;
layout(std430, binding = 3) readonly buffer Partial { float partial[]; };
#ifdef BIAS
layout(std430, binding = 4) writeonly buffer DB { float db[]; };
#endif

void main() {
	uint t = globalX();
	if (t >= uint(u_stride)) return;
	float sum = 0.0f;
	for (int sl = 0; sl < u_slices; sl++) sum += partial[sl * u_stride + int(t)];
#ifdef BIAS
	if (int(t) >= u_weights) {
		db[int(t) - u_weights] = sum;
		return;
	}
#endif
	outp[t] = sum;
}
#elif defined(FOLD)
// FOLD (see the top): u_pixels = N·C·H·W invocations; u_dPlane divides by
// H·W, u_dRow by W.
void main() {
	uint t = globalX();
	if (t >= u_pixels) return;
	int nc = int(udiv(t, u_dPlane)), pixel = int(t) - nc * u_h * u_w;
	int ih = int(udiv(uint(pixel), u_dRow)), iw = pixel - ih * u_w;
	int n = nc / u_c, c = nc - n * u_c;
	int p = u_oh * u_ow, np = u_n * p;
	// cols[g, (c − g·Cg)·RS, n·P] is cols[c·RS, n·P]: the groups' rows follow
	// each other as the channels do.
	int base = c * u_r * u_s * np + n * p;
	float acc = 0.0f;
	for (int r = 0; r < u_r; r++) {
		int th = ih + u_padH - r * u_dilH;
		if (th < 0) break; // th falls as r grows
		int oh = th / u_strideH;
		if (oh * u_strideH != th || oh >= u_oh) continue;
		for (int s = 0; s < u_s; s++) {
			int tw = iw + u_padW - s * u_dilW;
			if (tw < 0) break;
			int ow = tw / u_strideW;
			if (ow * u_strideW != tw || ow >= u_ow) continue;
			acc += cols[base + (r * u_s + s) * np + oh * u_ow + ow];
		}
	}
	outp[t] = epilogue(acc, uint(c), int(t));
}
#else
shared float ws[WSIZE];

void main() {
	int g = int(groupID().y);
	int cg = u_c / u_groups, kg = u_k / u_groups;
	// The group's weights, [Kg, Cg, R, S] as in memory.
	for (uint i = gl_LocalInvocationID.x; i < uint(WSIZE); i += uint(LOCAL_X))
		ws[i] = in1[g * WSIZE + int(i)];
	barrier();
	uint t = globalX();
	if (t >= u_pixels) return;
	uint n = udiv(t, u_dPlane);
	int rs = u_r * u_s;
#if defined(FORWARD)
	// PIX adjacent pixels of a row an invocation (u_pixels counts N·OH·⌈OW/PIX⌉):
	// each weight read from shared memory serves all of them.
	int owb = (u_ow + PIX - 1) / PIX;
	int rowAt = int(t - n * uint(u_oh * owb));
	int oh = int(udiv(uint(rowAt), u_dRow));
	int ow0 = (rowAt - oh * owb) * PIX;
	float accp[NOUT * PIX];
	for (int o = 0; o < NOUT * PIX; o++) accp[o] = 0.0f;
	for (int c = 0; c < cg; c++) {
		int base = (int(n) * u_c + g * cg + c) * u_h * u_w;
		for (int r = 0; r < u_r; r++) {
			int ih = oh * u_strideH - u_padH + r * u_dilH;
			if (ih < 0 || ih >= u_h) continue;
			for (int s = 0; s < u_s; s++) {
				float v[PIX];
				for (int q = 0; q < PIX; q++) {
					int iw = (ow0 + q) * u_strideW - u_padW + s * u_dilW;
					v[q] = (iw >= 0 && iw < u_w) ? in0[base + ih * u_w + iw] : 0.0f;
				}
				int wi = (c * u_r + r) * u_s + s;
				for (int k = 0; k < NOUT; k++) {
					float wk = ws[k * cg * rs + wi];
					for (int q = 0; q < PIX; q++) accp[k * PIX + q] = fma(wk, v[q], accp[k * PIX + q]);
				}
			}
		}
	}
	int plane = u_oh * u_ow;
	for (int k = 0; k < NOUT; k++) {
		int ch = g * kg + k;
		for (int q = 0; q < PIX && ow0 + q < u_ow; q++) {
			int i = (int(n) * u_k + ch) * plane + oh * u_ow + ow0 + q;
			outp[i] = epilogue(accp[k * PIX + q], uint(ch), i);
		}
	}
#elif defined(BACKWARD_X)
	// PIX adjacent pixels of a row an invocation (u_pixels counts N·H·⌈W/PIX⌉).
	int iwb = (u_w + PIX - 1) / PIX;
	int rowAt = int(t - n * uint(u_h * iwb));
	int ih = int(udiv(uint(rowAt), u_dRow));
	int iw0 = (rowAt - ih * iwb) * PIX;
	float accp[NOUT * PIX];
	for (int o = 0; o < NOUT * PIX; o++) accp[o] = 0.0f;
	for (int k = 0; k < kg; k++) {
		int base = (int(n) * u_k + g * kg + k) * u_oh * u_ow;
		for (int r = 0; r < u_r; r++) {
			int oh = ih + u_padH - r * u_dilH;
			if (oh < 0 || oh >= u_oh) continue;
			for (int s = 0; s < u_s; s++) {
				float v[PIX];
				for (int q = 0; q < PIX; q++) {
					int ow = iw0 + q + u_padW - s * u_dilW;
					v[q] = (ow >= 0 && ow < u_ow) ? in0[base + oh * u_ow + ow] : 0.0f;
				}
				int wi = k * NOUT * rs + r * u_s + s;
				for (int c = 0; c < NOUT; c++) {
					float wc = ws[wi + c * rs];
					for (int q = 0; q < PIX; q++) accp[c * PIX + q] = fma(wc, v[q], accp[c * PIX + q]);
				}
			}
		}
	}
	int plane = u_h * u_w;
	for (int c = 0; c < NOUT; c++) {
		int ch = g * cg + c;
		for (int q = 0; q < PIX && iw0 + q < u_w; q++) {
			int i = (int(n) * u_c + ch) * plane + ih * u_w + iw0 + q;
			outp[i] = epilogue(accp[c * PIX + q], uint(ch), i);
		}
	}
#else
#error convdirect: define FORWARD, BACKWARD_X, WGRAD or WGRAD_SUM
#endif
}
#endif
