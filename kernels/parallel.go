package kernels

import (
	"runtime"
	"sync"
	"sync/atomic"
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
	workers := workers(n, grain)
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

// workers is how many goroutines ParallelFor(n, grain, …) runs on.
func workers(n, grain int) int {
	return min(runtime.GOMAXPROCS(0), (n+max(grain, 1)-1)/max(grain, 1))
}

// serial reports whether ParallelFor(n, grain, fn) would call fn(0, n) on
// the calling goroutine: a kernel that runs the loop itself then keeps its
// state off the heap (a closure handed to other goroutines moves what it
// captures there).
func serial(n, grain int) bool { return workers(n, grain) <= 1 }

// ParallelItems calls work(i) once for each i in [0, n), handing the
// items out one at a time to the calling goroutine and up to
// GOMAXPROCS−1 helpers, so a helper that starts late or runs slow takes
// fewer. Each worker gets its work function from newWorker when it claims
// its first item, and calls its release function (if not nil) when it runs
// out. ParallelItems returns once every item is done, without waiting for
// helpers that found none left: waking a parked thread can take longer than
// a whole small loop (on a 2-core VM, 0.2 ms of LeNet images ran no faster
// on two threads than on one, while ten times as many ran 1.55× as fast),
// and a late helper only finds the counter spent. Results are as
// deterministic as work(i) is on its own. (Helpers that spin between calls,
// as OpenMP's do, scaled the short loops on an idle machine but ran them
// twice as slow as one thread while another process used the second core.)
func ParallelItems(n int, newWorker func() (work func(i int), release func())) {
	if n <= 0 {
		return
	}
	var (
		next atomic.Int64
		wg   sync.WaitGroup
	)
	wg.Add(n)
	run := func() {
		var work func(int)
		var release func()
		for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
			if work == nil {
				work, release = newWorker()
			}
			work(i)
			wg.Done()
		}
		if release != nil {
			release()
		}
	}
	for range min(n, runtime.GOMAXPROCS(0)) - 1 {
		go run()
	}
	run()
	wg.Wait()
}
