//go:build amd64 && !purego

package kernels

// accAddAVX512 is accAddGo on 8 lanes: each lane adds the same values in
// the same order, so the same bits (tested in reduce_test.go).
//
//go:noescape
func accAddAVX512(a *float64, s *float32, n int)

// accAddAVX2 is accAddGo on 4 lanes, n a positive multiple of 4.
//
//go:noescape
func accAddAVX2(a *float64, s *float32, n int)

// accAdd sets a[j] += float64(s[j]).
func accAdd(a []float64, s []float32) {
	s = s[:len(a)]
	switch {
	case len(a) == 0:
	case hasAVX512:
		accAddAVX512(&a[0], &s[0], len(a))
	case hasAVX2 && len(a) >= 4:
		// Whole vectors of 4 in AVX2 code, the ragged end in the Go loop.
		full := len(a) &^ 3
		accAddAVX2(&a[0], &s[0], full)
		accAddGo(a[full:], s[full:])
	default:
		accAddGo(a, s)
	}
}

// rowMaxAVX512 and rowMaxAVX2 return the largest of x[0..n) by VMAXPS,
// which drops NaNs and may pick either zero, and whether any is NaN; n is
// a positive multiple of 16 or 8.
//
//go:noescape
func rowMaxAVX512(x *float32, n int) (m float32, nan bool)

//go:noescape
func rowMaxAVX2(x *float32, n int) (m float32, nan bool)

// rowMaxVec returns the vector maximum of x[:full], full the most whole
// vectors of x (0 where the CPU has no vector kernel or x is shorter than
// rowMaxVecMin), and whether any of those is NaN.
func rowMaxVec(x []float32) (m float32, nan bool, full int) {
	switch {
	case len(x) < rowMaxVecMin:
	case hasAVX512:
		full = len(x) &^ 15
		m, nan = rowMaxAVX512(&x[0], full)
	case hasAVX2:
		full = len(x) &^ 7
		m, nan = rowMaxAVX2(&x[0], full)
	}
	return m, nan, full
}

// rowMaxVecMin is the shortest row rowMaxVec takes: a classifier's 10
// classes cost no less through a call and a ragged end.
const rowMaxVecMin = 32

// sumRuns8AVX512 and sumRuns8AVX2 set out[4r+j] to lane j of sum64's four
// partial sums over the first n values (a positive multiple of 4) of the
// run at src[offs[r]:], for 8 runs at once: sum64 adds one run in four
// dependent chains, too few to keep the vector adders busy; 8 runs give
// 32 (tested against sum64, bit for bit, in reduce_test.go).
//
//go:noescape
func sumRuns8AVX512(src *float32, offs *[8]int, n int, out *[32]float64)

//go:noescape
func sumRuns8AVX2(src *float32, offs *[8]int, n int, out *[32]float64)

// sumRuns sets out[r] = sum64(src[offs[r]:offs[r]+n]) for each r.
func sumRuns(src []float32, offs []int, n int, out []float64) {
	if len(offs) != 8 || n < sumRunsMin || !hasAVX2 {
		sumRunsGo(src, offs, n, out)
		return
	}
	o := (*[8]int)(offs)
	for _, off := range o {
		_ = src[off:][:n] // the assembly checks nothing
	}
	var lanes [32]float64
	full := n &^ 3
	if hasAVX512 {
		sumRuns8AVX512(&src[0], o, full, &lanes)
	} else {
		sumRuns8AVX2(&src[0], o, full, &lanes)
	}
	for r, off := range o {
		t := lanes[4*r : 4*r+4 : 4*r+4]
		for _, v := range src[off+full : off+n] {
			t[0] += float64(v)
		}
		out[r] = (t[0] + t[1]) + (t[2] + t[3])
	}
}
