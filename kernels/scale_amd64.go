//go:build amd64 && !purego

package kernels

// The vector kernels compute what scaleGo does, bit for bit (tested in
// scale_test.go): AVX-512 handles a ragged end with a masked step, AVX2
// leaves it to the Go loop.

//go:noescape
func scaleAVX512(d, s *float32, n int, a float32)

//go:noescape
func scaleAVX2(d, s *float32, n int, a float32)

func scale(d, s []float32, a float32) {
	switch {
	case hasAVX512:
		scaleAVX512(&d[0], &s[0], len(d), a)
	case hasAVX2:
		full := len(d) &^ 7
		if full > 0 {
			scaleAVX2(&d[0], &s[0], full, a)
		}
		scaleGo(d[full:], s[full:], a)
	default:
		scaleGo(d, s, a)
	}
}
