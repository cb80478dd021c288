//go:build race

package kernels

// raceEnabled says the race detector is on: it makes sync.Pool drop items
// at random, so pooled buffers get reallocated.
const raceEnabled = true
