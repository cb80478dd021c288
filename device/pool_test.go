package device

import (
	"fmt"
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

// TestPoolLimit: a pool keeps buffers up to its limit, refuses the rest
// with one warning, hands buffers back by class, and refuses all once closed.
func TestPoolLimit(t *testing.T) {
	var logged []string
	saved := Logf
	Logf = func(format string, args ...any) { logged = append(logged, fmt.Sprintf(format, args...)) }
	defer func() { Logf = saved }()

	p := NewPool[int, string]("test", 3<<20)
	for i, want := range []bool{true, true, true, false, false} {
		if got := p.Put(1<<20, fmt.Sprint("b", i), 1<<20); got != want {
			t.Errorf("Put #%d = %v, want %v", i, got, want)
		}
	}
	if p.Bytes() != 3<<20 {
		t.Errorf("Bytes = %d, want %d", p.Bytes(), 3<<20)
	}
	want := "test: the pool of freed buffers is full (4 MiB, want at most 3 MiB); buffers freed from now on are released, not reused."
	if len(logged) != 1 || !strings.HasPrefix(logged[0], want) || !strings.Contains(logged[0], "tensor.Tidy") {
		t.Errorf("logged %q, want one line starting %q and naming tensor.Tidy", logged, want)
	}
	if b, ok := p.Get(1<<20, 1<<20); !ok || b != "b2" {
		t.Errorf("Get = %q, %v; want the last buffer put, b2", b, ok)
	}
	if _, ok := p.Get(64, 256); ok {
		t.Error("Get of an empty class succeeded")
	}
	if all := p.Close(); len(all) != 2 || p.Bytes() != 0 {
		t.Errorf("Close returned %q with %d bytes left, want 2 buffers and 0", all, p.Bytes())
	}
	if p.Put(64, "late", 256) {
		t.Error("Put after Close kept the buffer")
	}
}
