// Command allreduce times dist's allreduce as data-parallel training uses
// it: every process computes for a while (busy, a spin of the given
// length, standing for a training step's work), then all sum a buffer of
// float32 values; rank 0 prints the mean time in the allreduce and per
// iteration. Run it under mpirun with a build that has the MPI binding:
//
//	go build -tags mpi -o bin/allreduce ./bench/allreduce
//	mpirun -np 2 bin/allreduce -n 61706 -busy 2ms
//
// make bench-mpi runs it over loopback TCP and over shared memory.
package main

import (
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/tensorgl/tensorgl/dist"
)

func main() {
	n := flag.Int("n", 61706, "float32 values per allreduce (61 706: LeNet's gradients)")
	busy := flag.Duration("busy", 2*time.Millisecond, "work between allreduces, spinning")
	iters := flag.Int("iters", 500, "timed allreduces, after 20 untimed")
	flag.Parse()
	if err := run(*n, *busy, *iters); err != nil {
		fmt.Fprintln(os.Stderr, "allreduce:", err)
		os.Exit(1)
	}
}

func run(n int, busy time.Duration, iters int) error {
	c, err := dist.Init()
	if err != nil {
		return err
	}
	defer c.Finalize()
	buf := make([]float32, n)
	for range 20 {
		if err := c.AllreduceFloat32(buf); err != nil {
			return err
		}
	}
	var in time.Duration
	start := time.Now()
	for range iters {
		for t := time.Now(); time.Since(t) < busy; {
		}
		t := time.Now()
		if err := c.AllreduceFloat32(buf); err != nil {
			return err
		}
		in += time.Since(t)
	}
	total := time.Since(start)
	if c.Rank() == 0 {
		fmt.Printf("%d processes (%s), %d float32 values, %s of work between: %.1f µs in the allreduce, %.1f µs per iteration (mean of %d)\n",
			c.Size(), c.Library(), n, busy, float64(in.Microseconds())/float64(iters), float64(total.Microseconds())/float64(iters), iters)
	}
	return nil
}
