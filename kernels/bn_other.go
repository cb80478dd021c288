//go:build !amd64 || purego

package kernels

var (
	bnNorm    = bnNormGo
	bnBack    = bnBackGo
	bnReduce  = bnReduceGo
	bnMoments = bnMomentsGo
)
