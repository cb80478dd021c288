//go:build race

package cpu

// raceEnabled says the race detector is on: it makes sync.Pool drop items
// at random, so pooled values get reallocated.
const raceEnabled = true
