//go:build amd64 && !purego

package kernels

// gatherRowsAVX512 is gatherRowsGo for nr 16 or 32, each 16 values one
// masked load where they are a run, else one masked gather; masked-off
// lanes load nothing and stay zero.
//
//go:noescape
func gatherRowsAVX512(dst, src *float32, rows, nr int, base, sel *int32, mask *uint32, offs, starts *int32)

// convImplicit: convolutions pack from the images where the gather kernel
// runs (AVX-512); elsewhere im2col and packing by rows (a gather in Go is
// slower than both).
var convImplicit = hasAVX512

// gatherRows is gatherRowsGo.
func gatherRows(dst, src []float32, rows, nr int, base, sel []int32, mask []uint32, offs, starts []int32) {
	if !hasAVX512 || nr%16 != 0 || rows <= 0 {
		gatherRowsGo(dst, src, rows, nr, base, sel, mask, offs, starts)
		return
	}
	_, _, _, _ = dst[rows*nr-1], base[rows-1], sel[rows-1], mask[rows-1]
	// The offsets and runs are the callers' (im2colB's) to keep within
	// src and the tables; a masked load does not touch masked-off lanes.
	gatherRowsAVX512(&dst[0], &src[0], rows, nr, &base[0], &sel[0], &mask[0], &offs[0], &starts[0])
}
