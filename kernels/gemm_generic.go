//go:build !amd64 || purego

package kernels

// sgemmArchs lists the micro-kernels this machine runs, fastest first.
var sgemmArchs = []*sgemmArch{sgemmGo}
