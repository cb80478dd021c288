// Layer normalisation of x [u_rows, u_cols] over each row's u_cols values
// (device.LayerNorm and LayerNormBackward). FORWARD and BACKWARD give a row
// ROW_W adjacent invocations (a power of two dividing LOCAL_X; a group
// takes LOCAL_X / ROW_W rows): each sums the row's values j = lane,
// lane + ROW_W, … and a shared-memory tree over the row's invocations
// combines the partials, so the order is fixed. Invocations past the last
// row join the barriers and write nothing. GRADS (LayerNormBackward's weight and bias gradients)
// runs one work group per 32 columns, each invocation summing every 8th
// row of its column in order, then a fixed tree.
// Defines: one of FORWARD, BACKWARD, GRADS; HAS_W (a weight operand),
// HAS_B (a bias operand; FORWARD), HAS_DW and HAS_DB (GRADS writes them).

uniform int u_rows, u_cols;
uniform float u_eps;

#if defined(FORWARD)
layout(std430, binding = 0) writeonly buffer Y { float y[]; };
layout(std430, binding = 1) writeonly buffer Mean { float mean[]; };
layout(std430, binding = 2) writeonly buffer Rstd { float rstd[]; };
layout(std430, binding = 3) readonly buffer X { float x[]; };
#ifdef HAS_W
layout(std430, binding = 4) readonly buffer W { float w[]; };
#endif
#ifdef HAS_B
layout(std430, binding = 5) readonly buffer B { float b[]; };
#endif

shared float part[LOCAL_X];

// total combines the v of the row's ROW_W invocations in a shared-memory
// tree and returns the sum to all of them.
float total(float v) {
	uint t = gl_LocalInvocationID.x, lane = t & uint(ROW_W - 1);
	barrier(); // the previous call's readers are done with part
	part[t] = v;
	barrier();
	for (uint s = uint(ROW_W) / 2u; s > 0u; s >>= 1) {
		if (lane < s) part[t] += part[t + s];
		barrier();
	}
	return part[t - lane];
}

void main() {
	int row = int(groupID().x) * (LOCAL_X / ROW_W) + int(gl_LocalInvocationID.x) / ROW_W;
	int cols = row < u_rows ? u_cols : 0; // a row past the last one reads nothing
	int at = row * u_cols;
	int t = int(gl_LocalInvocationID.x) & (ROW_W - 1);
	float s = 0.0f;
	for (int j = t; j < cols; j += ROW_W) s += x[at + j];
	float mu = total(s) / float(u_cols);
	// The deviations from the mean, in a second pass: a large mean does
	// not cancel as it would in E[x²] − E[x]².
	float q = 0.0f;
	for (int j = t; j < cols; j += ROW_W) {
		float d = x[at + j] - mu;
		q += d * d;
	}
	float rs = inversesqrt(total(q) / float(u_cols) + u_eps);
	if (t == 0 && cols > 0) {
		mean[row] = mu;
		rstd[row] = rs;
	}
	for (int j = t; j < cols; j += ROW_W) {
		float v = (x[at + j] - mu) * rs;
#ifdef HAS_W
		v *= w[j];
#endif
#ifdef HAS_B
		v += b[j];
#endif
		y[at + j] = v;
	}
}

#elif defined(BACKWARD)
layout(std430, binding = 0) writeonly buffer DX { float dx[]; };
layout(std430, binding = 1) readonly buffer DY { float dy[]; };
layout(std430, binding = 2) readonly buffer X { float x[]; };
layout(std430, binding = 3) readonly buffer Mean { float mean[]; };
layout(std430, binding = 4) readonly buffer Rstd { float rstd[]; };
#ifdef HAS_W
layout(std430, binding = 5) readonly buffer W { float w[]; };
#endif

shared float pg[LOCAL_X];
shared float pgx[LOCAL_X];

// grad returns g = dy·w at column j of the row at at.
float grad(int at, int j) {
#ifdef HAS_W
	return dy[at + j] * w[j];
#else
	return dy[at + j];
#endif
}

void main() {
	int row = int(groupID().x) * (LOCAL_X / ROW_W) + int(gl_LocalInvocationID.x) / ROW_W;
	bool live = row < u_rows;
	int cols = live ? u_cols : 0; // a row past the last one reads nothing
	int at = row * u_cols;
	uint t = gl_LocalInvocationID.x, lane = t & uint(ROW_W - 1);
	float mu = live ? mean[row] : 0.0f, rs = live ? rstd[row] : 0.0f;
	float sg = 0.0f, sgx = 0.0f;
	for (int j = int(lane); j < cols; j += ROW_W) {
		float g = grad(at, j);
		sg += g;
		sgx += g * (x[at + j] - mu);
	}
	pg[t] = sg;
	pgx[t] = sgx;
	barrier();
	for (uint s = uint(ROW_W) / 2u; s > 0u; s >>= 1) {
		if (lane < s) {
			pg[t] += pg[t + s];
			pgx[t] += pgx[t + s];
		}
		barrier();
	}
	float n = float(u_cols);
	float a = pg[t - lane] / n, c = rs * rs * pgx[t - lane] / n;
	for (int j = int(lane); j < cols; j += ROW_W) {
		dx[at + j] = rs * ((grad(at, j) - a) - (x[at + j] - mu) * c);
	}
}

#elif defined(GRADS)
#ifdef HAS_DW
layout(std430, binding = 0) writeonly buffer DW { float dw[]; };
#endif
#ifdef HAS_DB
layout(std430, binding = 1) writeonly buffer DB { float db[]; };
#endif
layout(std430, binding = 2) readonly buffer DY { float dy[]; };
layout(std430, binding = 3) readonly buffer X { float x[]; };
layout(std430, binding = 4) readonly buffer Mean { float mean[]; };
layout(std430, binding = 5) readonly buffer Rstd { float rstd[]; };

// One work group per 32 columns (LOCAL_X = 256): invocation t sums column
// c0 + t % 32 over the rows t / 32, t / 32 + 8, … (a row's 32 columns are
// read together), and a shared-memory tree adds the 8 row lanes.
shared float pw[LOCAL_X];
shared float pb[LOCAL_X];

void main() {
	uint t = gl_LocalInvocationID.x;
	int col = int(groupID().x) * 32 + int(t % 32u);
	float sw = 0.0f, sb = 0.0f;
	if (col < u_cols) {
		for (int r = int(t / 32u); r < u_rows; r += LOCAL_X / 32) {
			int i = r * u_cols + col;
			float g = dy[i];
			sw += g * ((x[i] - mean[r]) * rstd[r]);
			sb += g;
		}
	}
	pw[t] = sw;
	pb[t] = sb;
	barrier();
	for (uint s = uint(LOCAL_X) / 2u; s >= 32u; s >>= 1) {
		if (t < s) {
			pw[t] += pw[t + s];
			pb[t] += pb[t + s];
		}
		barrier();
	}
	if (t < 32u && col < u_cols) {
#ifdef HAS_DW
		dw[col] = pw[t];
#endif
#ifdef HAS_DB
		db[col] = pb[t];
#endif
	}
}

#else
#error layernorm: no kernel selected
#endif
