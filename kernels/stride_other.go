//go:build !amd64 || purego

package kernels

func gather2Vec(dst, src []float32) int { return 0 }

func scatterAdd2Vec(dst, src []float32) int { return 0 }

func col2imS2Row(dst []float32, p *[2][3][]float32, pairs, n int) { col2imS2RowGo(dst, p, pairs, n) }

func col2imS2Fast(n int) bool { return false }
