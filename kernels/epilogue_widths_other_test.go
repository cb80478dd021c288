//go:build !amd64 || purego

package kernels

// epilogueWidths: the Go loops alone.
func epilogueWidths() []vectorWidth { return []vectorWidth{{"go", func() func() { return func() {} }}} }
