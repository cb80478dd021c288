//go:build !cgo || nogl

package testdevices

const glBuilt = false
