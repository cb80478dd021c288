// Package layering holds the test that keeps tensorgl's imports pointing
// downward (DESIGN.md, "Layers of the house") and cgo confined to the GL
// backend.
package layering
