package device

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// TestPoolBucket checks the pool's size classes.
func TestPoolBucket(t *testing.T) {
	for _, c := range []struct{ n, limit, want int }{
		{1, 0, 64}, {64, 0, 64}, {65, 0, 128}, {4096, 0, 4096}, {4097, 0, 5120}, {5121, 0, 6144},
		{1 << 20, 0, 1 << 20}, {1<<20 + 1, 0, 1<<20 + 1<<18}, {1<<20 + 1, 1<<20 + 100, 1<<20 + 100},
	} {
		if got := PoolBucket(c.n, c.limit); got != c.want {
			t.Errorf("PoolBucket(%d, %d) = %d, want %d", c.n, c.limit, got, c.want)
		}
	}
}

// TestPoolKeepsPeak: a pool keeps what was in use at the peak, beyond its
// Limit, so the next step of the same shapes allocates nothing; Max bounds
// it, with one warning where it holds the pool below the step's buffers.
func TestPoolKeepsPeak(t *testing.T) {
	var logged []string
	saved := Logf
	Logf = func(format string, args ...any) { logged = append(logged, fmt.Sprintf(format, args...)) }
	defer func() { Logf = saved }()

	for _, c := range []struct {
		max        int64
		kept, hits int
	}{{0, 5, 5}, {8 << 20, 5, 5}, {4 << 20, 4, 4}} {
		logged = nil
		p := NewPool[int, string]("test", 2<<20, c.max)
		step := func() (hits int) {
			var out []string
			for i := range 5 {
				b, ok := p.Get(1<<20, 1<<20)
				if ok {
					hits++
				} else {
					b = fmt.Sprint("b", i)
				}
				out = append(out, b)
			}
			for _, b := range out {
				if rel := p.Put(1<<20, b, 1<<20); len(rel) > 0 && c.kept == 5 {
					t.Errorf("max %d: Put released %q with the peak within bounds", c.max, rel)
				}
			}
			return hits
		}
		if hits := step(); hits != 0 {
			t.Errorf("max %d: first step took %d buffers from an empty pool", c.max, hits)
		}
		if got := p.Bytes(); got != int64(c.kept)<<20 {
			t.Errorf("max %d: pool keeps %d MiB after a step of 5 MiB, want %d MiB", c.max, got>>20, c.kept)
		}
		if hits := step(); hits != c.hits {
			t.Errorf("max %d: second step took %d buffers from the pool, want %d", c.max, hits, c.hits)
		}
		want := "test: the pool of freed buffers is full (5 MiB, want at most 4 MiB); buffers freed beyond it are released, not reused."
		if warned := len(logged) == 1 && strings.HasPrefix(logged[0], want); warned != (c.kept < 5) || len(logged) > 1 {
			t.Errorf("max %d: logged %q; want one line starting %q only where Max holds the pool below the peak", c.max, logged, want)
		}
		bound := int64(10 << 20) // twice the peak
		if c.max > 0 {
			bound = min(bound, c.max)
		}
		if b := p.Bound(); b != bound {
			t.Errorf("max %d: Bound = %d, want %d (twice the peak within Max)", c.max, b, bound)
		}
	}
}

// TestPoolLimit: a pool holds at most its bound, letting the buffers
// returned longest ago go, whatever their class, to make room; hands back a
// buffer larger than the bound; serves the last buffer returned of a class
// first; and keeps nothing once closed.
func TestPoolLimit(t *testing.T) {
	var logged []string
	saved := Logf
	Logf = func(format string, args ...any) { logged = append(logged, fmt.Sprintf(format, args...)) }
	defer func() { Logf = saved }()

	p := NewPool[int, string]("test", 3<<20, 0)
	p.Put(1<<20, "a0", 1<<20)
	p.Put(2<<20, "b0", 2<<20)
	if rel := p.Put(1<<20, "a1", 1<<20); !slices.Equal(rel, []string{"a0"}) {
		t.Errorf("third MiB into a 3 MiB pool released %q, want the oldest, a0", rel)
	}
	if rel := p.Put(4<<20, "big", 4<<20); !slices.Equal(rel, []string{"big"}) {
		t.Errorf("Put of 4 MiB into a 3 MiB pool released %q, want the buffer itself", rel)
	}
	if rel := p.Put(1<<20, "a2", 1<<20); !slices.Equal(rel, []string{"b0"}) {
		t.Errorf("Put released %q, want b0, the oldest of another class", rel)
	}
	if p.Bytes() != 2<<20 {
		t.Errorf("Bytes = %d, want %d", p.Bytes(), 2<<20)
	}
	if len(logged) != 0 {
		t.Errorf("logged %q with no Max, want nothing", logged)
	}
	if b, ok := p.Get(1<<20, 1<<20); !ok || b != "a2" {
		t.Errorf("Get = %q, %v; want the last buffer put, a2", b, ok)
	}
	if _, ok := p.Get(64, 256); ok {
		t.Error("Get of an empty class succeeded")
	}
	if all := p.Close(); !slices.Equal(all, []string{"a1"}) || p.Bytes() != 0 {
		t.Errorf("Close returned %q with %d bytes left, want [a1] and 0", all, p.Bytes())
	}
	if rel := p.Put(64, "late", 256); !slices.Equal(rel, []string{"late"}) {
		t.Errorf("Put after Close released %q, want the buffer itself", rel)
	}
}

// TestPoolEmpty: Empty hands back every pooled buffer and forgets the peak,
// so the pool keeps only up to twice what is in use at the peak from then
// on.
func TestPoolEmpty(t *testing.T) {
	p := NewPool[int, string]("test", 1<<20, 0)
	var out []string
	for i := range 4 {
		if _, ok := p.Get(1<<20, 1<<20); ok {
			t.Fatal("Get from an empty pool succeeded")
		}
		out = append(out, fmt.Sprint("b", i))
	}
	held, _ := p.Get(64, 256) // stays in use across Empty
	for _, b := range out {
		p.Put(1<<20, b, 1<<20)
	}
	if p.Bytes() != 4<<20 || p.Bound() != 2*(4<<20+256) {
		t.Fatalf("after a 4 MiB peak: %d bytes pooled, bound %d; want 4 MiB and twice the peak", p.Bytes(), p.Bound())
	}
	all := p.Empty()
	slices.Sort(all)
	if !slices.Equal(all, []string{"b0", "b1", "b2", "b3"}) || p.Bytes() != 0 {
		t.Errorf("Empty returned %q with %d bytes left, want the 4 buffers and 0", all, p.Bytes())
	}
	if p.Bound() != 1<<20 {
		t.Errorf("bound after Empty = %d, want Limit (1 MiB): the peak is forgotten", p.Bound())
	}
	p.Put(64, held, 256)
	for i := range 2 {
		p.Get(1<<20, 1<<20)
		p.Get(1<<20, 1<<20)
		p.Put(1<<20, fmt.Sprint("c", 2*i), 1<<20)
		p.Put(1<<20, fmt.Sprint("c", 2*i+1), 1<<20)
	}
	if p.Bound() != 4<<20 || p.Bytes() != 2<<20+256 {
		t.Errorf("after a 2 MiB peak following Empty: bound %d, %d bytes pooled; want 4 MiB and 2 MiB and the buffer held across Empty", p.Bound(), p.Bytes())
	}
}

// TestPoolKeepsPhases: a step that takes buffers of one size, frees them,
// then takes as many of another (a forward pass's, then a backward's) uses
// twice its peak in distinct buffers: the pool keeps them all, so the next
// step allocates nothing, where a bound of the peak let the first phase's
// go to make room for the second's every step.
func TestPoolKeepsPhases(t *testing.T) {
	p := NewPool[int, string]("test", 1<<20, 0)
	step := func() (misses int, released []string) {
		for phase, class := range []int{1 << 20, 2 << 20} {
			var out []string
			for i := range 4 {
				b, ok := p.Get(class, 1<<20)
				if !ok {
					misses++
					b = fmt.Sprint("p", phase, "b", i)
				}
				out = append(out, b)
			}
			for _, b := range out {
				released = append(released, p.Put(class, b, 1<<20)...)
			}
		}
		return misses, released
	}
	if misses, _ := step(); misses != 8 {
		t.Fatalf("first step: %d misses, want 8", misses)
	}
	for i := range 3 {
		if misses, released := step(); misses != 0 || len(released) != 0 {
			t.Errorf("step %d: %d misses, released %q; want none (peak 4 MiB, 8 MiB of buffers)", i+2, misses, released)
		}
	}
}
