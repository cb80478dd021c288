//go:build !amd64 || purego

package kernels

var biasRelu, reluGrad = biasReluGo, reluGradGo
