//go:build !amd64 || purego

package kernels

func gather2Vec(dst, src []float32) int { return 0 }

func scatterAdd2Vec(dst, src []float32) int { return 0 }
