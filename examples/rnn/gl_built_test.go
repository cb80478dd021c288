//go:build cgo && !nogl

package main

// glBuilt reports whether this test binary contains the real GL backend.
const glBuilt = true
