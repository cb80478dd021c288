package testdevices

import (
	"runtime"
	"sync"
	"time"

	"github.com/tensorgl/tensorgl/device"
)

// GarbageWatcher wraps a device and counts, by size, the buffers allocated
// while it watches that the garbage collector's cleanups return
// (device.CollectedFreer): storage of tensors that belonged to no scope and
// that nobody released. Code run in tensor.Tidy should leave none.
type GarbageWatcher struct {
	device.Device
	mu        sync.Mutex
	watching  bool
	watched   map[device.Buffer]bool
	collected map[int]int // elements → buffers
}

// NewGarbageWatcher wraps dev.
func NewGarbageWatcher(dev device.Device) *GarbageWatcher {
	return &GarbageWatcher{Device: dev, watched: map[device.Buffer]bool{}, collected: map[int]int{}}
}

// Watch runs fn, noting every buffer allocated meanwhile, then collects
// garbage and returns how many of those buffers (by element count) came
// back through the collector's cleanups.
func (w *GarbageWatcher) Watch(fn func()) map[int]int {
	w.mu.Lock()
	w.watching = true
	clear(w.watched)
	clear(w.collected)
	w.mu.Unlock()
	fn()
	w.mu.Lock()
	w.watching = false
	w.mu.Unlock()
	for range 3 {
		runtime.GC()
		time.Sleep(time.Millisecond) // cleanups run on their own goroutine
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.collected) == 0 {
		return nil
	}
	out := make(map[int]int, len(w.collected))
	for n, c := range w.collected {
		out[n] = c
	}
	return out
}

// Alloc allocates on the wrapped device, noting the buffer while watching.
func (w *GarbageWatcher) Alloc(dt device.DType, n int) device.Buffer {
	b := w.Device.Alloc(dt, n)
	w.mu.Lock()
	if w.watching {
		w.watched[b] = true
	}
	w.mu.Unlock()
	return b
}

// FreeCollected counts b when it was allocated while watching, then frees
// it.
func (w *GarbageWatcher) FreeCollected(b device.Buffer) {
	w.mu.Lock()
	if w.watched[b] {
		w.collected[b.Len()]++
	}
	w.mu.Unlock()
	w.Device.Free(b)
}
