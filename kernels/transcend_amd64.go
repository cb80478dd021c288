//go:build amd64 && !purego

package kernels

import "golang.org/x/sys/cpu"

//go:generate go run transcend_asm_gen.go

// The assembly handles whole vectors of 8 (AVX2) or 16 (AVX-512) lanes;
// exp and tanh are the same operation sequence as their Go twins in
// transcend_test.go, the sigmoid is sigmoidSpan's float64 formula.

//go:noescape
func expAVX2(d, s *float32, n int)

//go:noescape
func tanhAVX2(d, s *float32, n int)

//go:noescape
func expAVX512(d, s *float32, n int)

//go:noescape
func tanhAVX512(d, s *float32, n int)

//go:noescape
func sigmoidAVX2(d, s *float32, n int)

//go:noescape
func sigmoidAVX512(d, s *float32, n int)

var (
	vexp     = vectorized(expSpan, expAVX2, expAVX512)
	vtanh    = vectorized(tanhSpan, tanhAVX2, tanhAVX512)
	vsigmoid = vectorized(sigmoidSpan, sigmoidAVX2, sigmoidAVX512)
)

// vectorized returns the widest kernel this CPU runs, wrapped so that a
// ragged tail goes through the same vector code in a padded buffer: every
// element gets the same bits wherever a span or a thread's range ends.
func vectorized(portable func(d, s []float32), avx2, avx512 func(d, s *float32, n int)) func(d, s []float32) {
	lanes, kernel := 0, avx2
	switch {
	case cpu.X86.HasAVX512F:
		lanes, kernel = 16, avx512
	case cpu.X86.HasAVX2 && cpu.X86.HasFMA:
		lanes = 8
	default:
		return portable
	}
	return func(d, s []float32) {
		s = s[:len(d)]
		full := len(d) / lanes * lanes
		if full > 0 {
			kernel(&d[0], &s[0], full)
		}
		if rest := len(d) - full; rest > 0 {
			var buf [16]float32
			copy(buf[:], s[full:])
			kernel(&buf[0], &buf[0], lanes)
			copy(d[full:], buf[:rest])
		}
	}
}
