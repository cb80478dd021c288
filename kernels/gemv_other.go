//go:build !amd64 || purego

package kernels

// gemvKernels is nil: one-row products run as the others do.
var gemvKernels *gemvArch
