//go:build !cgo && !nogl

package gl

const why = "tensorgl was built without cgo (CGO_ENABLED=0); the OpenGL backend needs it"
