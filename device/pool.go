package device

import "math/bits"

// MaxPooledBytes is what a backend's pool of freed buffers may keep for
// reuse whatever the peak of the bytes in use (see Pool): the pool's Limit.
const MaxPooledBytes = 1 << 30

// PoolBucket rounds n elements up to a pool size class: powers of two up to
// 4096 elements, then quarter steps between powers of two (at most 25%
// waste), never beyond limit (when positive) when n itself fits.
func PoolBucket(n, limit int) int {
	if n <= 64 {
		return 64
	}
	p := 1 << (bits.Len(uint(n-1)) - 1) // largest power of two < n
	step := p
	if p >= 4096 {
		step = p / 4
	}
	b := (n + step - 1) / step * step
	if limit > 0 && n <= limit && b > limit {
		b = limit
	}
	return b
}

// Pool is a backend's free list: buffers of type B by size class K. Like
// PyTorch's caching allocator it keeps what the program had in use at its
// peak, so a training step whose working set is more than a GiB (ResNet-18
// at batch 128 holds about 2 GiB at its peak) is served from the pool every
// step instead of allocating and zeroing that memory anew. It keeps up to
// twice the peak: a step takes buffers of some sizes, frees them, and takes
// others (the forward pass's, then the backward's; a convolution's
// scratch), and all of them, more than the peak together, must stay pooled
// for the next step to allocate nothing (bounded by the peak, GL's
// ResNet-18 step at batch 128 allocated 3 buffers anew every step). It
// keeps at least Limit bytes and never more than Max (when positive), and
// makes room by releasing the buffers returned longest ago, whatever their
// class: a program whose shapes change (a second model, an evaluation at
// another batch size) gets its new working set pooled, and neither it nor
// one whose tensors are freed late by garbage-collector cleanups (no Tidy
// or Release) can grow the pool beyond twice the most it once had in use,
// or Max.
//
// The zero value is not ready; use NewPool. A Pool is not safe for
// concurrent use: the backend's lock guards it.
type Pool[K comparable, B any] struct {
	Limit int64  // bytes kept at least, whatever the peak
	Max   int64  // bytes kept at most; 0: no bound but the peak
	owner string // names the backend in the warning

	free      map[K][]pooled[B] // by class, oldest first
	bytes     int64
	out, peak int64  // bytes handed out by Get and not yet Put back; their most
	tick      uint64 // counts Puts, to order the buffers by age
	closed    bool
	warned    bool
}

// pooled is a buffer in the pool, of size bytes, returned at Put number
// tick.
type pooled[B any] struct {
	b    B
	size int64
	tick uint64
}

// NewPool returns an empty pool for the backend named owner that keeps the
// peak of the bytes in use, at least limit and at most max (0: no bound).
func NewPool[K comparable, B any](owner string, limit, max int64) *Pool[K, B] {
	return &Pool[K, B]{Limit: limit, Max: max, owner: owner, free: map[K][]pooled[B]{}}
}

// Get takes a buffer of class k, of size bytes, from the pool (the one
// returned last), or reports false when it holds none. The backend calls it
// for every allocation and allocates anew on false: either way size bytes
// count as in use until Put.
func (p *Pool[K, B]) Get(k K, size int64) (b B, ok bool) {
	p.out += size
	p.peak = max(p.peak, p.out)
	free := p.free[k]
	if len(free) == 0 {
		return b, false
	}
	e := free[len(free)-1]
	free[len(free)-1] = pooled[B]{}
	p.free[k] = free[:len(free)-1]
	p.bytes -= e.size
	return e.b, true
}

// Put returns b, of class k and size bytes, to the pool, and returns the
// buffers the caller must release now: none when b is kept; b itself when
// it is larger than the pool's bound (Bound) or the pool is closed; else
// those the pool let go, oldest first, to make room for b. The first time
// Max holds the pool below what it would keep, Put logs one line through
// Logf.
func (p *Pool[K, B]) Put(k K, b B, size int64) (release []B) {
	p.out -= size
	if p.closed {
		return []B{b}
	}
	bound := p.Bound()
	if p.bytes+size > bound && !p.warned && p.Max > 0 && 2*p.peak > p.Max && Logf != nil {
		p.warned = true
		Logf("%s: the pool of freed buffers is full (%d MiB, want at most %d MiB); buffers freed beyond it are released, not reused. "+
			"If tensors are not released by tensor.Tidy or Release, the garbage collector frees them late and in bursts: wrap each step in tensor.Tidy",
			p.owner, (p.bytes+size)>>20, bound>>20)
	}
	if size > bound {
		return []B{b}
	}
	for p.bytes+size > bound {
		release = append(release, p.evictOldest())
	}
	p.tick++
	p.free[k] = append(p.free[k], pooled[B]{b, size, p.tick})
	p.bytes += size
	return release
}

// evictOldest removes the buffer returned longest ago and returns it.
func (p *Pool[K, B]) evictOldest() B {
	var oldest K
	first := true
	for k, free := range p.free {
		if len(free) > 0 && (first || free[0].tick < p.free[oldest][0].tick) {
			oldest, first = k, false
		}
	}
	free := p.free[oldest]
	e := free[0]
	copy(free, free[1:])
	free[len(free)-1] = pooled[B]{}
	p.free[oldest] = free[:len(free)-1]
	p.bytes -= e.size
	return e.b
}

// Bytes returns the bytes held.
func (p *Pool[K, B]) Bytes() int64 { return p.bytes }

// Bound returns the most bytes the pool keeps now: twice the peak of the
// bytes in use, at least Limit and at most Max (when positive).
func (p *Pool[K, B]) Bound() int64 {
	b := max(p.Limit, 2*p.peak)
	if p.Max > 0 {
		b = min(b, p.Max)
	}
	return b
}

// Empty takes every buffer out of the pool and returns them, to be
// released, and forgets the peak: from now on the pool keeps what is in use
// at the peak from here on (at least Limit). A program calls it through its
// backend's EmptyCache after a phase whose working set it will not need
// again.
func (p *Pool[K, B]) Empty() []B {
	var all []B
	for k, free := range p.free {
		for _, e := range free {
			all = append(all, e.b)
		}
		delete(p.free, k)
	}
	p.bytes = 0
	p.peak = max(p.out, 0)
	return all
}

// Close empties the pool for good and returns what it held; later Puts
// hand their buffer back to be released.
func (p *Pool[K, B]) Close() []B {
	p.closed = true
	return p.Empty()
}
