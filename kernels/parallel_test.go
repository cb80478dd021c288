package kernels

import (
	"sync/atomic"
	"testing"
)

// TestParallelItems checks that every item is worked on exactly once, by
// at most GOMAXPROCS workers, and that no worker starts for no items.
func TestParallelItems(t *testing.T) {
	for _, procs := range []int{1, 2, 5} {
		for _, n := range []int{0, 1, 3, 100} {
			withProcs(procs, func() {
				counts := make([]atomic.Int32, n)
				var workers atomic.Int32
				ParallelItems(n, func() (func(int), func()) {
					workers.Add(1)
					return func(i int) { counts[i].Add(1) }, nil
				})
				for i := range counts {
					if c := counts[i].Load(); c != 1 {
						t.Fatalf("GOMAXPROCS=%d n=%d: item %d done %d times", procs, n, i, c)
					}
				}
				if w := workers.Load(); w > int32(min(n, procs)) || (n > 0) != (w > 0) {
					t.Fatalf("GOMAXPROCS=%d n=%d: %d workers", procs, n, w)
				}
			})
		}
	}
}
