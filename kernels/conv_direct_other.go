//go:build !amd64 || purego

package kernels

// convArchs lists the direct-convolution kernels this machine runs.
var convArchs = []*convArch{convGoArch}
