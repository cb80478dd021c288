//go:build linux

// Command pingpong times a value going between CPUs 0 and 1 and back, two
// threads pinned (sched_setaffinity), 20 000 round trips: how near the two
// vCPUs of a VM are at the moment (bench/results/near-cores-2026-12-05-zen2.txt.gz).
package main

import (
	"fmt"
	"runtime"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
)

func pin(cpu int) {
	runtime.LockOSThread()
	var s unix.CPUSet
	s.Set(cpu)
	unix.SchedSetaffinity(0, &s)
}

func main() {
	var x atomic.Int64
	const N = 20000
	done := make(chan bool)
	go func() {
		pin(1)
		for i := int64(1); i <= N; i++ {
			for x.Load() != 2*i-1 {
			}
			x.Store(2 * i)
		}
		done <- true
	}()
	pin(0)
	t0 := time.Now()
	for i := int64(1); i <= N; i++ {
		x.Store(2*i - 1)
		for x.Load() != 2*i {
		}
	}
	<-done
	fmt.Printf("round trip %.0f ns\n", float64(time.Since(t0).Nanoseconds())/N)
}
