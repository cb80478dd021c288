package ddp

import (
	"fmt"
	"sync"
)

// Balance configures a Balancer (Config.Balance).
type Balance struct {
	// PerProcess is the mean number of samples a process takes per step:
	// each step's PerProcess·Size samples are dealt out between the
	// processes.
	PerProcess int
	// Lead is how many steps ahead of its use a step's split is decided:
	// at least one more than the batches the data loader prepares ahead of
	// the one in use (data.LoaderConfig.Prefetch+1), so that the loader,
	// which asks for a batch's split before filling it, never waits.
	Lead int
}

// A Balancer deals each step's samples out between the processes in
// proportion to how fast each has been computing, so that a process on a
// slower core or GPU (or one slowed by other work) takes fewer samples and
// no process waits for another at the gradient exchange. Every step's
// samples are the same whatever the split (data.LoaderConfig.Split gives
// each process a run of the batch one process would take), and the
// gradients are averaged weighted by each process's samples, so training
// computes what it computes with equal shares, up to the order of its
// sums.
//
// Each step, every process carries its own busy time (since its last
// exchange ended, waiting for the exchange excluded) and sample count in
// slots of the last bucket's allreduce, so every process learns every
// process's speed in samples per second. The split of a step Lead steps
// later follows from them in integer arithmetic alone, so all processes,
// whatever their CPU, decide the same split. Speeds are smoothed over
// steps (each new measurement weighs 1/16: a single step's time is noisy,
// and a process that is slower for a while stays slower for many steps),
// and no process gets fewer than a quarter of an equal share, so that a
// stalled process keeps being measured.
type Balancer struct {
	size, rank int
	all        int // samples per step, over all processes
	lead       int

	mu      sync.Mutex
	changed sync.Cond
	speed   []int64       // smoothed samples per 1000 s, per process; 0: not measured yet
	cuts    map[int][]int // decided step → the processes' boundaries (size+1 of them)
	asked   int           // steps whose split Split has returned
	done    int           // steps observed
	last    []int         // the shares of the latest split decided
	low     []int         // each process's smallest share decided
	high    []int         // and largest
}

func newBalancer(size, rank int, b Balance) (*Balancer, error) {
	if b.PerProcess < 1 || b.Lead < 1 {
		return nil, fmt.Errorf("ddp: balance with %d samples per process, %d steps ahead: want at least 1 of each", b.PerProcess, b.Lead)
	}
	l := &Balancer{size: size, rank: rank, all: b.PerProcess * size, lead: b.Lead,
		speed: make([]int64, size), cuts: map[int][]int{}}
	l.changed.L = &l.mu
	even := l.even()
	l.last, l.low, l.high = shares(even), shares(even), shares(even)
	return l, nil
}

// Split returns the run [lo, hi) of the next step's PerProcess·Size
// samples that this process takes: data.LoaderConfig.Split's form. The
// loader calls it once per batch, in order, and the n-th call is the n-th
// step of the run (epoch and batch only name it in messages). The first
// Lead steps split evenly; a later one waits until the step Lead before it
// has been exchanged.
func (l *Balancer) Split(epoch, batch int) (lo, hi int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := l.asked
	l.asked++
	if n < l.lead {
		c := l.even()
		return c[l.rank], c[l.rank+1]
	}
	for {
		if c, ok := l.cuts[n]; ok {
			delete(l.cuts, n)
			return c[l.rank], c[l.rank+1]
		}
		l.changed.Wait()
	}
}

// even is the equal split: process r takes from r·PerProcess.
func (l *Balancer) even() []int {
	c := make([]int, l.size+1)
	for r := range c {
		c[r] = r * l.all / l.size
	}
	return c
}

// observe takes every process's busy time (µs) and samples of the step
// just exchanged, and decides the split of the step Lead later.
func (l *Balancer) observe(busy []int64, samples []int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	step := l.done
	l.done++
	if step > 0 { // the first step's time holds the run's start-up
		for r := range l.size {
			if busy[r] <= 0 || samples[r] <= 0 {
				continue
			}
			v := samples[r] * 1_000_000_000 / busy[r]
			if l.speed[r] == 0 {
				l.speed[r] = v
			} else {
				l.speed[r] += (v - l.speed[r]) / 16
			}
		}
	}
	c := l.decide()
	l.cuts[step+l.lead] = c
	l.last = shares(c)
	for r, s := range l.last {
		l.low[r], l.high[r] = min(l.low[r], s), max(l.high[r], s)
	}
	l.changed.Broadcast()
}

// decide splits a step's samples in proportion to the speeds, rounding
// down and giving the samples left one each to the largest remainders (the
// lower rank first on a tie); then a process below a quarter of an equal
// share is raised to it, one sample at a time from the largest share.
func (l *Balancer) decide() []int {
	var sum int64
	for _, v := range l.speed {
		if v == 0 { // not every process measured yet
			return l.even()
		}
		sum += v
	}
	all := int64(l.all)
	share := make([]int, l.size)
	rem := make([]int64, l.size)
	given := 0
	for r, v := range l.speed {
		// all·v < 2^63 for batches below 10^6 samples at under 10^6
		// samples per µs (v: samples per 1000 s).
		q := all * v
		share[r] = int(q / sum)
		rem[r] = q % sum
		given += share[r]
	}
	for ; given < l.all; given++ {
		r := argmax(rem)
		share[r]++
		rem[r] = -1
	}
	floor := l.all / (4 * l.size)
	for r := range share {
		for share[r] < floor {
			share[r]++
			share[argmax(share)]--
		}
	}
	c := make([]int, l.size+1)
	for r, n := range share {
		c[r+1] = c[r] + n
	}
	return c
}

// argmax returns the index of the largest value, the first of equals.
func argmax[T int | int64](v []T) int {
	best := 0
	for i := range v {
		if v[i] > v[best] {
			best = i
		}
	}
	return best
}

// shares turns boundaries into counts.
func shares(cuts []int) []int {
	s := make([]int, len(cuts)-1)
	for r := range s {
		s[r] = cuts[r+1] - cuts[r]
	}
	return s
}

// Shares returns the shares of the latest split decided, and each
// process's smallest and largest share decided so far.
func (l *Balancer) Shares() (last, low, high []int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]int(nil), l.last...), append([]int(nil), l.low...), append([]int(nil), l.high...)
}
