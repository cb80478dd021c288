//go:build !amd64 || purego

package kernels

func gather2Vec(dst, src []float32) int { return 0 }

func scatterAdd2Vec(dst, src []float32) int { return 0 }

func col2imS2Row(dst []float32, p *[2][3][]float32, pairs, n int) { col2imS2RowGo(dst, p, pairs, n) }

func s2RowsFast(n int) bool { return false }

func im2colS2Row(s0, s1, s2, src []float32, n int) { im2colS2RowGo(s0, s1, s2, src, n) }
