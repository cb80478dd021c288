package device

import "math/bits"

// MaxPooledBytes bounds the memory a backend keeps for reuse in its pool of
// freed buffers. Buffers freed beyond it are released (deleted on GL, left
// to the garbage collector on CPU), so neither a program whose shapes keep
// changing nor one whose tensors are freed late, in bursts, by
// garbage-collector cleanups (no Tidy or Release) can grow the pool
// without bound.
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

// Pool is a backend's free list: buffers of type B by size class K, holding
// at most Limit bytes. The zero value is not ready; use NewPool. A Pool is
// not safe for concurrent use: the backend's lock guards it.
type Pool[K comparable, B any] struct {
	Limit int64  // bytes kept at most
	owner string // names the backend in the warning

	free   map[K][]B
	bytes  int64
	closed bool
	warned bool
}

// NewPool returns an empty pool for the backend named owner that keeps at
// most limit bytes.
func NewPool[K comparable, B any](owner string, limit int64) *Pool[K, B] {
	return &Pool[K, B]{Limit: limit, owner: owner, free: map[K][]B{}}
}

// Get takes a buffer of class k, of size bytes, from the pool.
func (p *Pool[K, B]) Get(k K, size int64) (b B, ok bool) {
	free := p.free[k]
	if len(free) == 0 {
		return b, false
	}
	b = free[len(free)-1]
	var zero B
	free[len(free)-1] = zero
	p.free[k] = free[:len(free)-1]
	p.bytes -= size
	return b, true
}

// Put keeps b, of class k and size bytes, for reuse and reports true; or,
// when that would take the pool past Limit or the pool is closed, reports
// false, and the caller releases b. The first refusal of an open pool logs
// one line through Logf, since a full pool most often means that tensors
// are freed late by the garbage collector rather than by Tidy or Release.
func (p *Pool[K, B]) Put(k K, b B, size int64) bool {
	if p.closed {
		return false
	}
	if p.bytes+size > p.Limit {
		if !p.warned && Logf != nil {
			p.warned = true
			Logf("%s: the pool of freed buffers is full (%d MiB, want at most %d MiB); buffers freed from now on are released, not reused. "+
				"If tensors are not released by tensor.Tidy or Release, the garbage collector frees them late and in bursts: wrap each step in tensor.Tidy",
				p.owner, (p.bytes+size)>>20, p.Limit>>20)
		}
		return false
	}
	p.free[k] = append(p.free[k], b)
	p.bytes += size
	return true
}

// Bytes returns the bytes held.
func (p *Pool[K, B]) Bytes() int64 { return p.bytes }

// Close empties the pool for good and returns what it held; later Puts
// report false.
func (p *Pool[K, B]) Close() []B {
	var all []B
	for _, free := range p.free {
		all = append(all, free...)
	}
	clear(p.free)
	p.bytes = 0
	p.closed = true
	return all
}
