// A 3×3 stride-1 convolution by Winograd's minimal filtering F(2×2, 3×3)
// (Lavin and Gray, "Fast Algorithms for Convolutional Neural Networks",
// 2016): each 2×2 tile of the output comes from the 4×4 patch of the input
// under it with 16 multiply-adds per channel pair where the direct sum
// takes 36,
//
//	Y = Aᵀ [ Σ_i (G w[o,i] Gᵀ) ⊙ (Bᵀ d[i] B) ] A,
//
//	Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1]
//	G  = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1]
//	Aᵀ = [1 1 1 0; 0 1 −1 −1]
//
// in three kernels around a batched GEMM over the 16 elements ξ of the
// transformed tiles, M_ξ [out, P] = U_ξ [out, in] · V_ξ [in, P] (device/gl's
// winograd runs MatMul for it), P tiles of u_tilesH × u_tilesW per image:
//
// WEIGHTS: U[ξ][o][i] = (G w[o,i] Gᵀ)_ξ, one invocation per (o, i); with
//          FLIP, w[o,i] is the filter w[i,o] turned by 180° (the input
//          gradient's correlation: its output channels are the forward
//          pass's inputs).
// INPUT:   V[ξ][i][p] = (Bᵀ d Bᵀᵀ)_ξ, d the 4×4 patch of input channel i at
//          (2·ty − u_padH, 2·tx − u_padW) of tile p = (n, ty, tx), 0 in the
//          padding; one invocation per (i, p), so that adjacent
//          invocations write adjacent tiles.
// OUTPUT:  y[n, o, 2·ty + a, 2·tx + b] = epilogue((Aᵀ m A)_ab), m the 4×4
//          tile M[·][o][p]; one invocation per (o, p), the outputs that
//          fall outside the u_oh × u_ow plane not written. The epilogue is
//          common.glsl's (bias by channel o).
//
// The weight gradient is the adjoint: dU_ξ [out, in] = dM_ξ [out, P] ·
// V_ξᵀ (MatMul, batch 16) from
// DY:      dM[ξ][o][p] = (A dY Aᵀ)_ξ, dY the 2×2 tile p of the output
//          gradient of channel o (0 outside the u_oh × u_ow plane); one
//          invocation per (o, p);
// and then
// WGRAD:   dw[o, i] = Gᵀ dU[·][o][i] G, one invocation per (o, i).

uniform uint u_n; // invocations: u_out·u_in, u_in·P or u_out·P
uniform int u_out;
uniform int u_in;

#if defined(INPUT) || defined(OUTPUT) || defined(DY)
uniform int u_tiles, u_tilesW, u_tilesHW; // P, tiles a row, tiles an image
uniform uvec2 u_dTiles, u_dTilesW, u_dTilesHW;

// tileOf splits invocation e = channel·P + p into (channel, image n, tile
// row ty, tile column tx) of tile p.
ivec4 tileOf(uint e) {
	int c = fdiv(int(e), u_dTiles), p = int(e) - c * u_tiles;
	int n = fdiv(p, u_dTilesHW), q = p - n * u_tilesHW;
	int ty = fdiv(q, u_dTilesW);
	return ivec4(c, n, ty, q - ty * u_tilesW);
}
#endif

#if defined(WEIGHTS)
layout(std430, binding = 0) writeonly buffer U { float u[]; };
layout(std430, binding = 1) readonly buffer W { float w[]; };
uniform uvec2 u_dIn; // common.glsl's udiv pair for u_in

void main() {
	uint e = globalX();
	if (e >= u_n) return;
	int o = fdiv(int(e), u_dIn), i = int(e) - o * u_in;
	float g[9];
	for (int t = 0; t < 9; t++) {
#ifdef FLIP
		g[t] = w[(i * u_out + o) * 9 + 8 - t];
#else
		g[t] = w[(o * u_in + i) * 9 + t];
#endif
	}
	// G·g by columns s: (g0, ½(g0 + g1 + g2), ½(g0 − g1 + g2), g2).
	float r[12];
	for (int s = 0; s < 3; s++) {
		float g0 = g[s], g1 = g[3 + s], g2 = g[6 + s];
		r[s] = g0;
		r[3 + s] = 0.5f * (g0 + g1 + g2);
		r[6 + s] = 0.5f * (g0 - g1 + g2);
		r[9 + s] = g2;
	}
	// Then ·Gᵀ by rows.
	for (int a = 0; a < 4; a++) {
		float t0 = r[a * 3], t1 = r[a * 3 + 1], t2 = r[a * 3 + 2];
		u[(a * 4) * u_n + e] = t0;
		u[(a * 4 + 1) * u_n + e] = 0.5f * (t0 + t1 + t2);
		u[(a * 4 + 2) * u_n + e] = 0.5f * (t0 - t1 + t2);
		u[(a * 4 + 3) * u_n + e] = t2;
	}
}

#elif defined(INPUT)
layout(std430, binding = 0) writeonly buffer V { float v[]; };
layout(std430, binding = 1) readonly buffer X { float x[]; };
uniform int u_h, u_w; // the input plane
uniform int u_padH, u_padW;

void main() {
	uint e = globalX();
	if (e >= u_n) return;
	ivec4 t4 = tileOf(e);
	int i = t4.x, n = t4.y, ty = t4.z, tx = t4.w;
	int y0 = 2 * ty - u_padH, x0 = 2 * tx - u_padW;
	int base = (n * u_in + i) * u_h * u_w;
	float d[16];
	for (int a = 0; a < 4; a++) {
		int yy = y0 + a;
		for (int b = 0; b < 4; b++) {
			int xx = x0 + b;
			d[a * 4 + b] = (yy >= 0 && yy < u_h && xx >= 0 && xx < u_w) ? x[base + yy * u_w + xx] : 0.0f;
		}
	}
	// Bᵀ·d by columns b: (d0 − d2, d1 + d2, d2 − d1, d1 − d3) of rows.
	float t[16];
	for (int b = 0; b < 4; b++) {
		float d0 = d[b], d1 = d[4 + b], d2 = d[8 + b], d3 = d[12 + b];
		t[b] = d0 - d2;
		t[4 + b] = d1 + d2;
		t[8 + b] = d2 - d1;
		t[12 + b] = d1 - d3;
	}
	// Then ·B by rows.
	for (int a = 0; a < 4; a++) {
		float t0 = t[a * 4], t1 = t[a * 4 + 1], t2 = t[a * 4 + 2], t3 = t[a * 4 + 3];
		v[(a * 4) * u_n + e] = t0 - t2;
		v[(a * 4 + 1) * u_n + e] = t1 + t2;
		v[(a * 4 + 2) * u_n + e] = t2 - t1;
		v[(a * 4 + 3) * u_n + e] = t1 - t3;
	}
}

#elif defined(OUTPUT)
layout(std430, binding = 0) writeonly buffer Y { float y[]; };
layout(std430, binding = 1) readonly buffer M { float m[]; };
uniform int u_oh, u_ow; // the output plane

void main() {
	uint e = globalX();
	if (e >= u_n) return;
	ivec4 t4 = tileOf(e);
	int o = t4.x, n = t4.y, ty = t4.z, tx = t4.w;
	// Aᵀ·m by columns b: (m0 + m1 + m2, m1 − m2 − m3) of rows.
	float s[8];
	for (int b = 0; b < 4; b++) {
		float m0 = m[b * u_n + e], m1 = m[(4 + b) * u_n + e], m2 = m[(8 + b) * u_n + e], m3 = m[(12 + b) * u_n + e];
		s[b] = m0 + m1 + m2;
		s[4 + b] = m1 - m2 - m3;
	}
	int plane = (n * u_out + o) * u_oh * u_ow;
	for (int a = 0; a < 2; a++) {
		int yy = 2 * ty + a;
		if (yy >= u_oh) break;
		// Then ·A by rows.
		float r0 = s[a * 4], r1 = s[a * 4 + 1], r2 = s[a * 4 + 2], r3 = s[a * 4 + 3];
		int at = plane + yy * u_ow + 2 * tx;
		y[at] = epilogue(r0 + r1 + r2, uint(o), at);
		if (2 * tx + 1 < u_ow) {
			y[at + 1] = epilogue(r1 - r2 - r3, uint(o), at + 1);
		}
	}
}

#elif defined(DY)
layout(std430, binding = 0) writeonly buffer DM { float dm[]; };
layout(std430, binding = 1) readonly buffer OutGrad { float dy[]; };
uniform int u_oh, u_ow;

void main() {
	uint e = globalX();
	if (e >= u_n) return;
	ivec4 t4 = tileOf(e);
	int o = t4.x, n = t4.y, ty = t4.z, tx = t4.w;
	int at = (n * u_out + o) * u_oh * u_ow + 2 * ty * u_ow + 2 * tx;
	bool right = 2 * tx + 1 < u_ow, below = 2 * ty + 1 < u_oh;
	float y00 = dy[at];
	float y01 = right ? dy[at + 1] : 0.0f;
	float y10 = below ? dy[at + u_ow] : 0.0f;
	float y11 = right && below ? dy[at + u_ow + 1] : 0.0f;
	// A·dY by rows: (y0, y0 + y1, y0 − y1, −y1), then ·Aᵀ the same by columns.
	float r[8] = float[8](y00, y01, y00 + y10, y01 + y11, y00 - y10, y01 - y11, -y10, -y11);
	for (int a = 0; a < 4; a++) {
		float r0 = r[a * 2], r1 = r[a * 2 + 1];
		dm[(a * 4) * u_n + e] = r0;
		dm[(a * 4 + 1) * u_n + e] = r0 + r1;
		dm[(a * 4 + 2) * u_n + e] = r0 - r1;
		dm[(a * 4 + 3) * u_n + e] = -r1;
	}
}

#elif defined(WGRAD)
layout(std430, binding = 0) writeonly buffer DW { float dw[]; };
layout(std430, binding = 1) readonly buffer DU { float du[]; };

void main() {
	uint e = globalX();
	if (e >= u_n) return;
	// Gᵀ·dU by columns j: (u0 + ½(u1 + u2), ½(u1 − u2), ½(u1 + u2) + u3).
	float s[12];
	for (int j = 0; j < 4; j++) {
		float u0 = du[j * u_n + e], u1 = du[(4 + j) * u_n + e], u2 = du[(8 + j) * u_n + e], u3 = du[(12 + j) * u_n + e];
		float h = 0.5f * (u1 + u2);
		s[j] = u0 + h;
		s[4 + j] = 0.5f * (u1 - u2);
		s[8 + j] = h + u3;
	}
	// Then ·G by rows; dw[o, i] is [3, 3] at e·9.
	for (int a = 0; a < 3; a++) {
		float s0 = s[a * 4], s1 = s[a * 4 + 1], s2 = s[a * 4 + 2], s3 = s[a * 4 + 3];
		float h = 0.5f * (s1 + s2);
		dw[int(e) * 9 + a * 3] = s0 + h;
		dw[int(e) * 9 + a * 3 + 1] = 0.5f * (s1 - s2);
		dw[int(e) * 9 + a * 3 + 2] = h + s3;
	}
}

#else
#error winograd: define WEIGHTS, INPUT, OUTPUT, DY or WGRAD
#endif
