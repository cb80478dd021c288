//go:build amd64 && !purego

package kernels

import "golang.org/x/sys/cpu"

// The vector ReLU kernels compute what the Go loops of biasReluGo,
// reluGradGo and leakyGo do, bit for bit (tested in relu_test.go): AVX-512 handles a
// ragged end with a masked step, AVX2 leaves it to the Go loop.

//go:noescape
func biasReluAVX512(d, s *float32, n int, b float32)

//go:noescape
func reluGradAVX512(d, x, y *float32, n int)

//go:noescape
func leakyAVX512(d, x, y *float32, n int, a float32)

//go:noescape
func leakyAVX2(d, x, y *float32, n int, a float32)

//go:noescape
func biasReluAVX2(d, s *float32, n int, b float32)

//go:noescape
func reluGradAVX2(d, x, y *float32, n int)

// Plain functions rather than function values chosen at start-up: through
// an indirect call the compiler must assume the slices escape, which moved
// the span buffers of every elementwise Binary (4 KiB) to the heap.
var hasAVX512, hasAVX2 = cpu.X86.HasAVX512F, cpu.X86.HasAVX2

func biasRelu(d, s []float32, b float32) {
	switch {
	case hasAVX512:
		if n := len(d); n > 0 {
			_ = s[n-1]
			biasReluAVX512(&d[0], &s[0], n, b)
		}
	case hasAVX2:
		s = s[:len(d)]
		full := len(d) &^ 7
		if full > 0 {
			biasReluAVX2(&d[0], &s[0], full, b)
		}
		biasReluGo(d[full:], s[full:], b)
	default:
		biasReluGo(d, s, b)
	}
}

func reluGrad(d, x, y []float32) {
	switch {
	case hasAVX512:
		if n := len(d); n > 0 {
			_, _ = x[n-1], y[n-1]
			reluGradAVX512(&d[0], &x[0], &y[0], n)
		}
	case hasAVX2:
		x, y = x[:len(d)], y[:len(d)]
		full := len(d) &^ 7
		if full > 0 {
			reluGradAVX2(&d[0], &x[0], &y[0], full)
		}
		reluGradGo(d[full:], x[full:], y[full:])
	default:
		reluGradGo(d, x, y)
	}
}

func leaky(d, x, y []float32, a float32) {
	switch {
	case hasAVX512:
		if n := len(d); n > 0 {
			_, _ = x[n-1], y[n-1]
			leakyAVX512(&d[0], &x[0], &y[0], n, a)
		}
	case hasAVX2:
		x, y = x[:len(d)], y[:len(d)]
		full := len(d) &^ 7
		if full > 0 {
			leakyAVX2(&d[0], &x[0], &y[0], full, a)
		}
		leakyGo(d[full:], x[full:], y[full:], a)
	default:
		leakyGo(d, x, y, a)
	}
}
