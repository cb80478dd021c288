package cpu

import (
	"bufio"
	"fmt"
	"github.com/tensorgl/tensorgl/kernels"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/tensorgl/tensorgl/device"
)

func init() { device.Register("cpu", Open) }

// Open returns a new CPU device; it never fails.
func Open() (device.Device, error) { return New(), nil }

// New returns a new CPU device.
func New() device.Device {
	maxElems := device.MaxElements(device.Info{})
	return &cpuDevice{
		renderer:  fmt.Sprintf("%s, %d threads, %s kernels", cpuModel(), runtime.GOMAXPROCS(0), kernels.ISA()),
		maxElems:  maxElems,
		pool:      newPool(device.MemoryBytes()),
		gcStep:    defaultGCStep,
		maxGCStep: maxGCStep(device.MemoryBytes()),
		nextGC:    defaultGCStep,
	}
}

// defaultGCStep is how far the bytes in unfreed buffers may grow before
// Alloc runs the garbage collector (see collect), at first and while the
// collections find garbage.
const defaultGCStep = 256 << 20

// maxGCStep is the most the step grows to (see pace) on a machine of mem
// bytes (0: unknown): 4 GiB, or an eighth of the memory when that is less.
func maxGCStep(mem int64) int64 {
	if mem > 0 {
		return max(min(4<<30, mem/8), defaultGCStep)
	}
	return 4 << 30
}

// newPool returns the pool for a machine of mem bytes of memory (0:
// unknown). It keeps the peak of the bytes in use, at least
// device.MaxPooledBytes (or an eighth of the memory when that is less) and
// at most a quarter of the memory: the pool is Go heap the garbage
// collector counts as live, so it also raises the heap goal.
func newPool(mem int64) *device.Pool[poolKey, *buffer] {
	if mem > 0 {
		return device.NewPool[poolKey, *buffer]("cpu", min(device.MaxPooledBytes, mem/8), mem/4)
	}
	return device.NewPool[poolKey, *buffer]("cpu", device.MaxPooledBytes, 0)
}

// cpuModel names the processor from /proc/cpuinfo where there is one, and
// the architecture otherwise.
func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err == nil {
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
				return strings.TrimSpace(v)
			}
		}
	}
	return runtime.GOARCH
}

// buffer is a CPU allocation: one of f or i is set, with the capacity of
// its pool size class and length n.
type buffer struct {
	dt   device.DType
	n    int
	size int // elements: the pool size class
	f    []float32
	i    []int32
}

func (b *buffer) Len() int            { return b.n }
func (b *buffer) DType() device.DType { return b.dt }

// poolKey is a pool size class: buffers of one DType and capacity.
type poolKey struct {
	dt   device.DType
	size int
}

// cpuDevice implements device.Device with Go slices. The pool holds freed
// buffers per DType and size class, up to its byte limit.
type cpuDevice struct {
	renderer string
	maxElems int // the largest buffer: what the machine's memory holds

	mu   sync.Mutex // guards pool, gcStep, maxGCStep, nextGC, collects, warned
	pool *device.Pool[poolKey, *buffer]

	gcStep    int64 // see collect
	maxGCStep int64 // the most gcStep grows to
	nextGC    int64 // bytes in use at which Alloc collects next
	collects  int   // times Alloc collected
	warned    bool  // collect has logged its warning

	allocated, reused, inUse, uploads, downloads atomic.Int64
	collected                                    atomic.Int64 // bytes FreeCollected returned since Alloc last collected

	// ops counts the dispatches in twos, its low bit set while profiling
	// (see profile.go): one atomic add an op.
	ops     atomic.Int64
	profMu  sync.Mutex // guards profile
	profile map[string]*device.KernelTime
}

func (d *cpuDevice) Info() device.Info {
	return device.Info{
		Name:     "cpu",
		Renderer: d.renderer,
		Version:  runtime.Version(),
		Limits:   device.Limits{MaxBufferElements: d.maxElems, Threads: runtime.GOMAXPROCS(0)},
	}
}

// Alloc panics with a *device.SizeError when n elements cannot fit in this
// machine's memory, rather than failing with Go's fatal "out of memory".
func (d *cpuDevice) Alloc(dt device.DType, n int) device.Buffer {
	if n < 0 || n > d.maxElems {
		panic(device.CheckAlloc(d.Info(), "cpu: Alloc", dt, n))
	}
	k := device.PoolBucket(n, d.maxElems)
	size := int64(4) * int64(k)
	inUse := d.inUse.Add(size)
	d.mu.Lock()
	b, ok := d.pool.Get(poolKey{dt, k}, size)
	collect := inUse > d.nextGC
	var garbage int64
	warn := false
	if collect {
		garbage, warn = d.pace()
		d.nextGC = inUse + d.gcStep
	}
	d.mu.Unlock()
	if collect {
		d.collect(inUse, garbage, warn)
	}
	if ok {
		d.reused.Add(1)
		b.n = n
		if dt == device.Float32 {
			b.f = b.f[:n]
		} else {
			b.i = b.i[:n]
		}
		return b
	}
	d.allocated.Add(1)
	b = &buffer{dt: dt, n: n, size: k}
	if dt == device.Float32 {
		b.f = make([]float32, n, k)
	} else {
		b.i = make([]int32, n, k)
	}
	return b
}

// Free returns buf to the pool; what the pool lets go (buf itself, or older
// buffers to make room for it) is left to the garbage collector.
func (d *cpuDevice) Free(buf device.Buffer) {
	b := buf.(*buffer)
	size := int64(4) * int64(b.size)
	inUse := d.inUse.Add(-size)
	d.mu.Lock()
	d.pool.Put(poolKey{b.dt, b.size}, b, size)
	if inUse+2*d.gcStep < d.nextGC {
		d.nextGC = inUse + d.gcStep
	}
	d.mu.Unlock()
}

// pace decides, with d.mu held, how far the bytes in unfreed buffers may
// grow before Alloc collects again, now that they grew by gcStep. It
// returns the bytes the collector's cleanups returned since the last
// collection (FreeCollected), and whether to warn about them. When the last
// collection found less than a quarter of gcStep of such garbage, the growth
// was the program's own working set (a ResNet-18 step at batch 128 holds
// 2 GiB of activations in a tensor.Tidy), so the step doubles, up to
// maxGCStep, and a steady program stops collecting; when garbage comes back
// it halves, down to defaultGCStep.
func (d *cpuDevice) pace() (garbage int64, warn bool) {
	garbage = d.collected.Swap(0)
	switch {
	case d.collects == 0:
	case garbage < d.gcStep/4:
		d.gcStep = min(2*d.gcStep, max(d.maxGCStep, d.gcStep))
	default:
		d.gcStep = max(d.gcStep/2, min(d.gcStep, defaultGCStep))
	}
	d.collects++
	warn = garbage >= d.gcStep/4 && !d.warned
	d.warned = d.warned || warn
	return garbage, warn
}

// collect runs the garbage collector because the bytes in unfreed buffers
// grew by gcStep since it last ran or since they last fell. Buffers of
// tensors that a program did not release (no tensor.Tidy, no Release) come
// back only through cleanups the collector runs, and a cleanup keeps its
// buffer alive for one more cycle, so the collector's own pacing lets such
// garbage grow cycle after cycle. Collecting here bounds it near gcStep
// above the live data; Free lowers the mark again as the buffers return.
// warn logs, once, the garbage the last collections found.
func (d *cpuDevice) collect(inUse, garbage int64, warn bool) {
	if warn && device.Logf != nil {
		device.Logf("cpu: %d MiB of buffers came back through the garbage collector since it last ran, not through tensor.Tidy or Release "+
			"(%d MiB in use now): running it whenever unfreed buffers grow by %d MiB. "+
			"Wrap each step in tensor.Tidy (or Release tensors) to free them at once", garbage>>20, inUse>>20, d.gcStep>>20)
	}
	runtime.GC()
}

// FreeCollected is Free for buffers the garbage collector's cleanups return
// (see device.CollectedFreer); it counts them for pace.
func (d *cpuDevice) FreeCollected(buf device.Buffer) {
	d.collected.Add(4 * int64(buf.(*buffer).size))
	d.Free(buf)
}

func (d *cpuDevice) Write(buf device.Buffer, src any) {
	d.uploads.Add(1)
	b := buf.(*buffer)
	n, err := hostLen("Write", b, src)
	if err != nil {
		panic(err.Error())
	}
	if n > b.n {
		panic(fmt.Sprintf("cpu: Write of %d elements into a buffer of %d", n, b.n))
	}
	switch s := src.(type) {
	case []float32:
		copy(b.f, s)
	case []int32:
		copy(b.i, s)
	}
}

func (d *cpuDevice) Read(buf device.Buffer, dst any) error {
	b := buf.(*buffer)
	n, err := hostLen("Read", b, dst)
	if err != nil {
		return err
	}
	if n > b.n {
		return fmt.Errorf("cpu: Read of %d elements from a buffer of %d", n, b.n)
	}
	d.downloads.Add(1)
	switch s := dst.(type) {
	case []float32:
		copy(s, b.f)
	case []int32:
		copy(s, b.i)
	}
	return nil
}

// hostLen returns the length of s, a []float32 or []int32 of b's dtype.
func hostLen(op string, b *buffer, s any) (int, error) {
	switch v := s.(type) {
	case []float32:
		if b.dt == device.Float32 {
			return len(v), nil
		}
	case []int32:
		if b.dt == device.Int32 {
			return len(v), nil
		}
	}
	return 0, fmt.Errorf("cpu: %s: want []%s for a %s buffer, got %T", op, b.dt, b.dt, s)
}

// Sync has nothing to wait for: kernels have finished when they return.
func (d *cpuDevice) Sync() error { return nil }

func (d *cpuDevice) Stats() device.Stats {
	return device.Stats{
		BuffersAllocated: d.allocated.Load(),
		BuffersReused:    d.reused.Load(),
		BytesInUse:       d.inUse.Load(),
		BytesPooled:      d.pooledBytes(),
		Uploads:          d.uploads.Load(),
		Downloads:        d.downloads.Load(),
		Dispatches:       d.ops.Load() >> 1,
	}
}

// pooledBytes returns the bytes the pool holds.
func (d *cpuDevice) pooledBytes() int64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.pool.Bytes()
}

// EmptyCache drops the pooled buffers for the garbage collector and
// forgets the pool's peak (device.CacheEmptier).
func (d *cpuDevice) EmptyCache() {
	d.mu.Lock()
	d.pool.Empty()
	d.mu.Unlock()
}

// Close drops the pooled buffers so the garbage collector can take them.
func (d *cpuDevice) Close() error {
	d.mu.Lock()
	d.pool.Close()
	d.mu.Unlock()
	return nil
}
