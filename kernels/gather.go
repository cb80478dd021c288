package kernels

// IndexStrides locate the index of (o, m, i) in a gather's index slice:
// Off + o·Strides[0] + m·Strides[1] + i·Strides[2].
type IndexStrides struct {
	Off     int
	Strides [3]int
}

// Gather sets dst [outer, m, inner] to src [outer, n, inner] picked along n
// by idx: dst[o, j, i] = src[o, idx(o, j, i), i].
func Gather[T float32 | int32](dst, src []T, idx []int32, is IndexStrides, outer, n, m, inner int) {
	ParallelFor(outer*m, max(1, elemGrain/inner), func(lo, hi int) {
		for t := lo; t < hi; t++ {
			o, j := t/m, t%m
			d := dst[t*inner : (t+1)*inner]
			ip := is.Off + o*is.Strides[0] + j*is.Strides[1]
			if is.Strides[2] == 0 {
				// One index for the whole inner row: a row copy.
				base := (o*n + int(idx[ip])) * inner
				copy(d, src[base:base+inner])
				continue
			}
			for i := range d {
				d[i] = src[(o*n+int(idx[ip+i*is.Strides[2]]))*inner+i]
			}
		}
	})
}

// ScatterAdd adds src [outer, m, inner] into dst [outer, n, inner] at the
// rows picked by idx: dst[o, idx(o, j, i), i] += src[o, j, i], in increasing
// j for every destination, so repeated indices sum deterministically; with
// overwrite, dst's part is zeroed first (0 + Σ). Work is split across o
// and blocks of i, which never share a destination.
func ScatterAdd(dst, src []float32, idx []int32, is IndexStrides, outer, n, m, inner int, overwrite bool) {
	const block = 1024
	blocks := (inner + block - 1) / block
	ParallelFor(outer*blocks, max(1, elemGrain/(max(m, 1)*min(inner, block))), func(lo, hi int) {
		for t := lo; t < hi; t++ {
			o, i0 := t/blocks, (t%blocks)*block
			w := min(block, inner-i0)
			if overwrite {
				for r := range n {
					clear(dst[(o*n+r)*inner+i0:][:w])
				}
			}
			for j := 0; j < m; j++ {
				s := src[(o*m+j)*inner+i0:][:w]
				ip := is.Off + o*is.Strides[0] + j*is.Strides[1] + i0*is.Strides[2]
				if is.Strides[2] == 0 {
					d := dst[(o*n+int(idx[ip]))*inner+i0:][:w]
					for i, v := range s {
						d[i] += v
					}
					continue
				}
				for i, v := range s {
					dst[(o*n+int(idx[ip+i*is.Strides[2]]))*inner+i0+i] += v
				}
			}
		}
	})
}
