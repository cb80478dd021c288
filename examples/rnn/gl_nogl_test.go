//go:build !cgo || nogl

package main

const glBuilt = false
