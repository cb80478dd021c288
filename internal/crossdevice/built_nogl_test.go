//go:build !cgo || nogl

package crossdevice

const glBuilt = false
