package kernels

// biasReluGo sets d[i] = max(s[i]+b, 0): ReLU after a bias (b = 0 for
// ReLU alone, which leaves every result as max(s[i], 0) would). NaN stays
// NaN and −0 becomes +0, as Go's max gives. It is the portable biasRelu.
func biasReluGo(d, s []float32, b float32) {
	s = s[:len(d)]
	for i, v := range s {
		d[i] = max(v+b, 0)
	}
}

// reluGradGo sets d[i] = x[i] where y[i] > 0, else 0: ReLU's derivative
// from its output. It is the portable reluGrad.
func reluGradGo(d, x, y []float32) {
	x, y = x[:len(d)], y[:len(d)]
	for i, v := range x {
		d[i] = sel(y[i] > 0, v, 0)
	}
}

// leakyGo sets d[i] = x[i] where y[i] > 0, else a·x[i]: LeakyReLU (y =
// x) and its derivative from its output (x the incoming gradient). It is
// the portable leaky.
func leakyGo(d, x, y []float32, a float32) {
	x, y = x[:len(d)], y[:len(d)]
	for i, v := range x {
		d[i] = sel(y[i] > 0, v, a*v)
	}
}
