package kernels

import (
	"math/rand/v2"
	"testing"
)

func TestGatherScatterAdd(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	for _, sh := range [][4]int{{1, 5, 3, 1}, {2, 4, 6, 3}, {3, 1, 2, 5}, {1, 10, 40, 700}, {2, 3, 5, 2100}} {
		outer, n, m, inner := sh[0], sh[1], sh[2], sh[3]
		for _, st := range [][3]int{{0, 1, 0}, {m * inner, inner, 1}} { // IndexSelect, torch.gather
			is := IndexStrides{Off: 2, Strides: st}
			idx := make([]int32, 2+(outer-1)*st[0]+(m-1)*st[1]+(inner-1)*st[2]+1)
			for i := range idx {
				idx[i] = int32(rng.IntN(n)) // repeats are likely: scatter must sum them
			}
			at := func(o, j, i int) int { return int(idx[is.Off+o*st[0]+j*st[1]+i*st[2]]) }
			src := randSlice(rng, outer*n*inner, 1)
			dst := make([]float32, outer*m*inner)
			Gather(dst, src, idx, is, outer, n, m, inner)
			grad := randSlice(rng, outer*m*inner, 1)
			acc := randSlice(rng, outer*n*inner, 1)
			want := make([]float64, len(acc))
			for i, v := range acc {
				want[i] = float64(v)
			}
			ScatterAdd(acc, grad, idx, is, outer, n, m, inner, false)
			for o := 0; o < outer; o++ {
				for j := 0; j < m; j++ {
					for i := 0; i < inner; i++ {
						k := at(o, j, i)
						if got, w := dst[(o*m+j)*inner+i], src[(o*n+k)*inner+i]; got != w {
							t.Fatalf("%v %v: gather [%d,%d,%d] = %g, want %g", sh, st, o, j, i, got, w)
						}
						want[(o*n+k)*inner+i] += float64(grad[(o*m+j)*inner+i])
					}
				}
			}
			for i, w := range want {
				if d := float64(acc[i]) - w; d > 1e-5 || d < -1e-5 {
					t.Fatalf("%v %v: scatter-add [%d] = %g, want %g", sh, st, i, acc[i], w)
				}
			}
		}
	}
}
