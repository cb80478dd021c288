//go:build !amd64 || purego

package kernels

// philoxWords is philoxWordsGo where there is no vector code.
var philoxWords = philoxWordsGo
