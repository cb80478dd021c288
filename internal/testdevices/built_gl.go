//go:build cgo && !nogl

package testdevices

// glBuilt reports whether this binary contains the real GL backend: only
// then does TENSORGL_REQUIRE_GL make a GL run mandatory.
const glBuilt = true
