package tensor

import (
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/tensorgl/tensorgl/device"
	"github.com/tensorgl/tensorgl/device/cpu"
)

// freeCounter is the CPU device counting buffers freed on purpose and
// buffers the garbage collector's cleanups return.
type freeCounter struct {
	device.Device
	mu               sync.Mutex
	freed, collected map[device.Buffer]bool
}

func (f *freeCounter) Free(b device.Buffer) {
	f.mu.Lock()
	f.freed[b] = true
	f.mu.Unlock()
	f.Device.Free(b)
}

func (f *freeCounter) FreeCollected(b device.Buffer) {
	f.mu.Lock()
	f.collected[b] = true
	f.mu.Unlock()
	f.Device.Free(b)
}

// TestFreeCollected: storage whose tensor is released (here by its scope)
// goes back through Free, storage left to the garbage collector through
// FreeCollected, so a device can tell a working set from garbage.
func TestFreeCollected(t *testing.T) {
	dev := &freeCounter{Device: cpu.New(), freed: map[device.Buffer]bool{}, collected: map[device.Buffer]bool{}}
	defer dev.Close()
	var scoped device.Buffer
	Tidy(func(s *Scope) {
		scoped = fullOn(s, dev, 1, []int{3}).st.buf
	})
	loose := func() device.Buffer { return fullOn(nil, dev, 2, []int{1000}).st.buf }()
	// Guarded (persistent), then released: its cleanup is stopped.
	released := func() device.Buffer {
		p := fullOn(nil, dev, 3, []int{5})
		Persist(p)
		p.Release()
		p.Release() // a second release does nothing
		return p.st.buf
	}()
	for range 100 {
		runtime.GC()
		time.Sleep(time.Millisecond) // cleanups run on their own goroutine
		dev.mu.Lock()
		done := dev.collected[loose]
		dev.mu.Unlock()
		if done {
			break
		}
	}
	dev.mu.Lock()
	defer dev.mu.Unlock()
	if !dev.freed[scoped] || dev.collected[scoped] {
		t.Errorf("a tensor released by its scope: Free %v, FreeCollected %v; want Free only", dev.freed[scoped], dev.collected[scoped])
	}
	if !dev.freed[released] || dev.collected[released] {
		t.Errorf("a persistent tensor released: Free %v, FreeCollected %v; want Free only", dev.freed[released], dev.collected[released])
	}
	if !dev.collected[loose] || dev.freed[loose] {
		t.Errorf("a tensor left to the garbage collector: Free %v, FreeCollected %v; want FreeCollected only", dev.freed[loose], dev.collected[loose])
	}
}
