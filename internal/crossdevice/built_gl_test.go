//go:build cgo && !nogl

package crossdevice

// glBuilt reports whether this test binary contains the real GL backend.
const glBuilt = true
