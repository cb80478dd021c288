//go:build amd64 && !purego

package kernels

// accAddAVX512 is accAddGo on 8 lanes: each lane adds the same values in
// the same order, so the same bits (tested in reduce_test.go).
//
//go:noescape
func accAddAVX512(a *float64, s *float32, n int)

// accAdd sets a[j] += float64(s[j]).
func accAdd(a []float64, s []float32) {
	if !hasAVX512 || len(a) == 0 {
		accAddGo(a, s)
		return
	}
	s = s[:len(a)]
	accAddAVX512(&a[0], &s[0], len(a))
}
