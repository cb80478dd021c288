package tensor

import (
	"runtime"
	"slices"
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

// TestIndexKeptForBackward: a gather's and a scatter's backward rules
// hold their index tensor, so that an index the caller drops before
// Backward, outside every scope, is not collected (and its buffer reused)
// while the graph needs it; the gradients then scatter to the right rows.
func TestIndexKeptForBackward(t *testing.T) {
	dev := &freeCounter{Device: cpu.New(), freed: map[device.Buffer]bool{}, collected: map[device.Buffer]bool{}}
	defer dev.Close()
	w := fullOn(nil, dev, 1, []int{5, 3}).SetRequiresGrad(true)
	src := fullOn(nil, dev, 1, []int{2, 3}).SetRequiresGrad(true)
	var idxBufs []device.Buffer
	index := func(vs ...int32) *Tensor {
		i := FromInts(vs).To(dev)
		idxBufs = append(idxBufs, i.st.buf)
		return i
	}
	y := w.IndexSelect(0, index(1, 4, 0, 1, 4, 2, 1)).Sum().
		Add(fullOn(nil, dev, 0, []int{5, 3}).ScatterAdd(0, index(3, 0, 3, 4, 1, 0).Reshape(2, 3), src).Mul(Arange(0, 15, 1).To(dev).Reshape(5, 3)).Sum())
	for range 20 {
		runtime.GC()
		time.Sleep(time.Millisecond)
		FromInts([]int32{0, 0, 0, 0, 0, 0, 0}).To(dev) // garbage that would reuse a collected index's buffer
	}
	dev.mu.Lock()
	for i, b := range idxBufs {
		if dev.collected[b] || dev.freed[b] {
			t.Errorf("index %d was freed before Backward", i)
		}
	}
	dev.mu.Unlock()
	y.Backward()
	if got, want := w.Grad().Data(), []float32{1, 1, 1, 3, 3, 3, 1, 1, 1, 0, 0, 0, 2, 2, 2}; !slices.Equal(got, want) {
		t.Errorf("IndexSelect's weight gradient %v, want %v", got, want)
	}
	if got, want := src.Grad().Data(), []float32{9, 1, 11, 12, 4, 2}; !slices.Equal(got, want) {
		t.Errorf("ScatterAdd's source gradient %v, want %v", got, want)
	}
}
