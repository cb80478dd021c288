package kernels

import (
	"runtime"
	"sync"
)

// ParallelFor calls fn(lo, hi) over disjoint ranges covering [0, n), in
// parallel across GOMAXPROCS goroutines. Ranges hold at least grain
// elements, so small loops run inline. Each index is handled by exactly one
// call, and the split never changes what a single index computes, so kernels
// that write only their own indices are deterministic.
func ParallelFor(n, grain int, fn func(lo, hi int)) {
	if n <= 0 {
		return
	}
	if grain < 1 {
		grain = 1
	}
	workers := runtime.GOMAXPROCS(0)
	if max := (n + grain - 1) / grain; workers > max {
		workers = max
	}
	if workers <= 1 {
		fn(0, n)
		return
	}
	chunk := (n + workers - 1) / workers
	var wg sync.WaitGroup
	for lo := chunk; lo < n; lo += chunk {
		hi := min(lo+chunk, n)
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn(lo, hi)
		}()
	}
	fn(0, min(chunk, n))
	wg.Wait()
}
