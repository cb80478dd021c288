// Batch normalisation of x [u_n, u_c, u_inner] over each channel's
// u_m = u_n·u_inner values (device.BatchNormStats, BatchNorm and their
// backwards). STATS and BACKWARD_REDUCE run one work group per channel:
// each invocation sums the channel's values e = tid, tid + LOCAL_X, … (e
// counts the channel's rows of u_inner values in order) and a
// shared-memory tree combines the partials, so the order is fixed.
// NORMALISE and BACKWARD run one invocation per element.
// BACKWARD_REDUCE with SPLIT sums slices of a channel's values in work
// groups of their own and BACKWARD_COMBINE adds them in order (a GPU with
// few channels to spread, see Device.bnSlices); STATS with SPLIT likewise
// takes each slice's mean and sum of squared deviations, and
// STATS_COMBINE merges them in order (Chan, Golub and LeVeque's pairwise
// update, one slice at a time).
// Defines: one of STATS (SPLIT), STATS_COMBINE, NORMALISE,
// BACKWARD_REDUCE (SPLIT), BACKWARD_COMBINE, BACKWARD; TRACK
// (STATS and STATS_COMBINE update the running statistics); EVAL (the invstd operand holds
// the running variance and the statistics are constants); RELU (NORMALISE
// writes max(y, 0); BACKWARD_REDUCE masks dy by the output y > 0, writes
// the masked gradient dz and sums it); RESIDUAL (NORMALISE adds r before
// the ReLU).

uniform int u_n, u_c, u_inner;
uniform float u_eps;
uniform uvec2 u_dInner, u_dC; // common.glsl's udiv pairs for u_inner and u_c

// at returns the offset in x of channel ch's value e.
int at(int ch, int e) {
	int row = fdiv(e, u_dInner);
	return (row * u_c + ch) * u_inner + e - row * u_inner;
}

// channelOf returns the channel of element e of x.
int channelOf(uint e) {
	int row = fdiv(int(e), u_dInner);
	return row - fdiv(row, u_dC) * u_c;
}

// invStd returns channel ch's 1/σ from the invstd operand v.
float invStd(float v) {
#ifdef EVAL
	return inversesqrt(v + u_eps);
#else
	return v;
#endif
}

#if defined(STATS) || defined(STATS_COMBINE)
#if defined(STATS) && defined(SPLIT)
// Split: work group (ch, s) takes the channel's values e in
// [s·u_chunk, (s+1)·u_chunk), and writes their mean and sum of squared
// deviations from it to partial[2·(ch·u_slices + s)].
layout(std430, binding = 0) writeonly buffer Partial { float partial[]; };
uniform int u_chunk, u_slices;
#else
layout(std430, binding = 0) writeonly buffer Mean { float mean[]; };
layout(std430, binding = 1) writeonly buffer InvStd { float invstd[]; };
layout(std430, binding = 2) buffer RunMean { float runMean[]; };
layout(std430, binding = 3) buffer RunVar { float runVar[]; };
uniform float u_momentum;

// store writes channel ch's mean mu and biased variance v over m values,
// and with TRACK updates its running statistics (the variance unbiased).
void store(int ch, float mu, float v, int m) {
	mean[ch] = mu;
	invstd[ch] = inversesqrt(v + u_eps);
#ifdef TRACK
	float k = u_momentum;
	runMean[ch] = (1.0f - k) * runMean[ch] + k * mu;
	runVar[ch] = (1.0f - k) * runVar[ch] + k * (v * float(m) / float(m - 1));
#endif
}
#endif
#endif

#if defined(STATS)
layout(std430, binding = 4) readonly buffer X { float x[]; };

shared float part[LOCAL_X];

// total combines every invocation's v in a shared-memory tree and returns
// the sum to all of them.
float total(float v) {
	uint t = gl_LocalInvocationID.x;
	barrier(); // the previous call's readers are done with part
	part[t] = v;
	barrier();
	for (uint s = uint(LOCAL_X) / 2u; s > 0u; s >>= 1) {
		if (t < s) part[t] += part[t + s];
		barrier();
	}
	return part[0];
}

void main() {
	int ch = int(groupID().x);
	int m = u_n * u_inner;
	int t = int(gl_LocalInvocationID.x);
#ifdef SPLIT
	int first = int(groupID().y) * u_chunk;
	int end = min(m, first + u_chunk);
#else
	int first = 0, end = m;
#endif
	int count = max(end - first, 1); // an empty slice's sums are 0
	float s = 0.0f;
	for (int e = first + t; e < end; e += LOCAL_X) s += x[at(ch, e)];
	float mu = total(s) / float(count);
	// The deviations from the mean, in a second pass: a large mean does
	// not cancel as it would in E[x²] − E[x]².
	float q = 0.0f;
	for (int e = first + t; e < end; e += LOCAL_X) {
		float d = x[at(ch, e)] - mu;
		q += d * d;
	}
	float sq = total(q);
	if (t == 0) {
#ifdef SPLIT
		int at = 2 * (ch * u_slices + int(groupID().y));
		partial[at] = mu;
		partial[at + 1] = sq;
#else
		store(ch, mu, sq / float(m), m);
#endif
	}
}

#elif defined(STATS_COMBINE)
// One invocation per channel merges its u_slices slices of u_chunk values
// (the last one the rest) in order: with n values of mean μ and squared
// deviations q so far and a slice of n_s, μ_s, q_s, the n + n_s values
// have mean μ + (μ_s − μ)·n_s/(n + n_s) and squared deviations
// q + q_s + (μ_s − μ)²·n·n_s/(n + n_s).
layout(std430, binding = 4) readonly buffer Partial { float partial[]; };
uniform int u_chunk, u_slices;

void main() {
	uint c = globalX();
	if (c >= uint(u_c)) return;
	int ch = int(c), m = u_n * u_inner;
	float n = 0.0f, mu = 0.0f, q = 0.0f;
	for (int s = 0; s < u_slices; s++) {
		int first = s * u_chunk, count = min(m, first + u_chunk) - first;
		if (count <= 0) break;
		int at = 2 * (ch * u_slices + s);
		float ns = float(count), d = partial[at] - mu, tot = n + ns;
		mu += d * (ns / tot);
		q += partial[at + 1] + d * d * (n * ns / tot);
		n = tot;
	}
	store(ch, mu, q / float(m), m);
}

#elif defined(NORMALISE)
layout(std430, binding = 0) writeonly buffer Y { float y[]; };
layout(std430, binding = 1) readonly buffer X { float x[]; };
layout(std430, binding = 2) readonly buffer Mean { float mean[]; };
layout(std430, binding = 3) readonly buffer InvStd { float invstd[]; };
layout(std430, binding = 4) readonly buffer W { float w[]; };
layout(std430, binding = 5) readonly buffer B { float b[]; };
#ifdef RESIDUAL
layout(std430, binding = 6) readonly buffer R { float r[]; };
#endif

void main() {
	uint e = globalX();
	if (e >= uint(u_n * u_c * u_inner)) return;
	int ch = channelOf(e);
	float k = invStd(invstd[ch]) * w[ch];
	float v = (x[e] - mean[ch]) * k + b[ch];
#ifdef RESIDUAL
	v += r[e];
#endif
#ifdef RELU
	v = max(v, 0.0f);
#endif
	y[e] = v;
}

#elif defined(BACKWARD_REDUCE)
#ifdef SPLIT
// Split: work group (ch, s) sums the channel's values e in
// [s·u_chunk, (s+1)·u_chunk) and writes its two sums to partial
// [2·(ch·u_slices + s)], BACKWARD_COMBINE then adds the slices in order.
layout(std430, binding = 0) writeonly buffer Partial { float partial[]; };
uniform int u_chunk, u_slices;
#else
layout(std430, binding = 0) writeonly buffer DW { float dw[]; };
layout(std430, binding = 1) writeonly buffer DB { float db[]; };
#endif
layout(std430, binding = 2) readonly buffer DY { float dy[]; };
layout(std430, binding = 3) readonly buffer X { float x[]; };
layout(std430, binding = 4) readonly buffer Mean { float mean[]; };
layout(std430, binding = 5) readonly buffer InvStd { float invstd[]; };
#ifdef RELU
layout(std430, binding = 6) readonly buffer Y { float y[]; };
layout(std430, binding = 7) writeonly buffer DZ { float dz[]; };
#endif

shared float pg[LOCAL_X];
shared float pgx[LOCAL_X];

void main() {
	int ch = int(groupID().x);
	int m = u_n * u_inner;
	uint t = gl_LocalInvocationID.x;
	float mu = mean[ch];
	float sg = 0.0f, sgx = 0.0f;
#ifdef SPLIT
	int first = int(groupID().y) * u_chunk;
	int end = min(m, first + u_chunk);
#else
	int first = 0, end = m;
#endif
	for (int e = first + int(t); e < end; e += LOCAL_X) {
		int i = at(ch, e);
		float g = dy[i];
#ifdef RELU
		g = y[i] > 0.0f ? g : 0.0f;
		dz[i] = g;
#endif
		sg += g;
		sgx += g * (x[i] - mu);
	}
	pg[t] = sg;
	pgx[t] = sgx;
	barrier();
	for (uint s = uint(LOCAL_X) / 2u; s > 0u; s >>= 1) {
		if (t < s) {
			pg[t] += pg[t + s];
			pgx[t] += pgx[t + s];
		}
		barrier();
	}
	if (t == 0u) {
#ifdef SPLIT
		int at = 2 * (ch * u_slices + int(groupID().y));
		partial[at] = pg[0];
		partial[at + 1] = pgx[0];
#else
		db[ch] = pg[0];
		dw[ch] = pgx[0] * invStd(invstd[ch]);
#endif
	}
}

#elif defined(BACKWARD_COMBINE)
// One invocation per channel adds its u_slices slices' sums in order.
layout(std430, binding = 0) writeonly buffer DW { float dw[]; };
layout(std430, binding = 1) writeonly buffer DB { float db[]; };
layout(std430, binding = 2) readonly buffer Partial { float partial[]; };
layout(std430, binding = 5) readonly buffer InvStd { float invstd[]; };
uniform int u_slices;

void main() {
	uint ch = globalX();
	if (ch >= uint(u_c)) return;
	float sg = 0.0f, sgx = 0.0f;
	for (int s = 0; s < u_slices; s++) {
		int at = 2 * (int(ch) * u_slices + s);
		sg += partial[at];
		sgx += partial[at + 1];
	}
	db[ch] = sg;
	dw[ch] = sgx * invStd(invstd[ch]);
}

#elif defined(BACKWARD)
layout(std430, binding = 0) writeonly buffer DX { float dx[]; };
layout(std430, binding = 1) readonly buffer DY { float dy[]; };
layout(std430, binding = 2) readonly buffer X { float x[]; };
layout(std430, binding = 3) readonly buffer Mean { float mean[]; };
layout(std430, binding = 4) readonly buffer InvStd { float invstd[]; };
layout(std430, binding = 5) readonly buffer W { float w[]; };
layout(std430, binding = 6) readonly buffer DW { float dw[]; };
layout(std430, binding = 7) readonly buffer DB { float db[]; };

void main() {
	uint e = globalX();
	if (e >= uint(u_n * u_c * u_inner)) return;
	int ch = channelOf(e);
	float is = invStd(invstd[ch]);
	float k = w[ch] * is;
#ifdef EVAL
	dx[e] = k * dy[e];
#else
	float m = float(u_n * u_inner);
	dx[e] = k * (dy[e] - db[ch] / m - (x[e] - mean[ch]) * (dw[ch] / m * is));
#endif
}

#else
#error batchnorm: no kernel selected
#endif
