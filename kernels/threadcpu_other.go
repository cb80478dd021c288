//go:build !linux

package kernels

import "time"

// threadCPU reports false: only Linux tells the pool a thread's CPU time.
func threadCPU() (time.Duration, bool) { return 0, false }
