//go:build !amd64 || purego

package kernels

func gather2Vec(dst, src []float32) int { return 0 }

func scatterAdd2Vec(dst, src []float32) int { return 0 }

func col2imS2Row(dst, col []float32, a, b, ld, pairs, n int) {
	col2imS2RowGo(dst, col, a, b, ld, pairs, n)
}

func s2RowsFast(n int) bool { return false }

func im2colS2Row(col, x []float32, at, ld, src, n int) { im2colS2RowGo(col, x, at, ld, src, n) }
