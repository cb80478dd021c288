//go:build nogl

package gl

const why = "tensorgl was built with -tags nogl"
