package cpu

import (
	"bufio"
	"fmt"
	"math/bits"
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
	return &cpuDevice{renderer: fmt.Sprintf("%s, %d threads", cpuModel(), runtime.GOMAXPROCS(0))}
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

// buffer is a CPU allocation: one of f or i is set, with capacity of a
// power of two (its pool bucket) and length n.
type buffer struct {
	dt     device.DType
	n      int
	bucket int
	f      []float32
	i      []int32
}

func (b *buffer) Len() int            { return b.n }
func (b *buffer) DType() device.DType { return b.dt }

// cpuDevice implements device.Device with Go slices. Pools hold freed
// buffers per DType and size bucket (log2 of the capacity).
type cpuDevice struct {
	renderer string

	mu    sync.Mutex
	pools [2][bits.UintSize][]*buffer

	allocated, reused, inUse, pooled, uploads, downloads, dispatches atomic.Int64
}

func (d *cpuDevice) Info() device.Info {
	return device.Info{
		Name:     "cpu",
		Renderer: d.renderer,
		Version:  runtime.Version(),
		Limits:   device.Limits{Threads: runtime.GOMAXPROCS(0)},
	}
}

// bucketOf returns the pool bucket of an n-element buffer: the smallest k
// with 2ᵏ ≥ n.
func bucketOf(n int) int { return bits.Len(uint(n - 1)) }

func (d *cpuDevice) Alloc(dt device.DType, n int) device.Buffer {
	k := bucketOf(n)
	size := int64(4) << k
	d.inUse.Add(size)
	d.mu.Lock()
	pool := &d.pools[dt][k]
	if m := len(*pool); m > 0 {
		b := (*pool)[m-1]
		(*pool)[m-1] = nil
		*pool = (*pool)[:m-1]
		d.mu.Unlock()
		d.reused.Add(1)
		d.pooled.Add(-size)
		b.n = n
		if dt == device.Float32 {
			b.f = b.f[:n]
		} else {
			b.i = b.i[:n]
		}
		return b
	}
	d.mu.Unlock()
	d.allocated.Add(1)
	b := &buffer{dt: dt, n: n, bucket: k}
	if dt == device.Float32 {
		b.f = make([]float32, n, 1<<k)
	} else {
		b.i = make([]int32, n, 1<<k)
	}
	return b
}

func (d *cpuDevice) Free(buf device.Buffer) {
	b := buf.(*buffer)
	size := int64(4) << b.bucket
	d.inUse.Add(-size)
	d.pooled.Add(size)
	d.mu.Lock()
	d.pools[b.dt][b.bucket] = append(d.pools[b.dt][b.bucket], b)
	d.mu.Unlock()
}

func (d *cpuDevice) Write(buf device.Buffer, src any) {
	d.uploads.Add(1)
	b := buf.(*buffer)
	switch s := src.(type) {
	case []float32:
		copy(b.f, s)
	case []int32:
		copy(b.i, s)
	default:
		panic(fmt.Sprintf("cpu: Write: source is %T, want []float32 or []int32", src))
	}
}

func (d *cpuDevice) Read(buf device.Buffer, dst any) error {
	d.downloads.Add(1)
	b := buf.(*buffer)
	switch s := dst.(type) {
	case []float32:
		copy(s, b.f)
	case []int32:
		copy(s, b.i)
	default:
		panic(fmt.Sprintf("cpu: Read: destination is %T, want []float32 or []int32", dst))
	}
	return nil
}

// Sync has nothing to wait for: kernels have finished when they return.
func (d *cpuDevice) Sync() error { return nil }

func (d *cpuDevice) Stats() device.Stats {
	return device.Stats{
		BuffersAllocated: d.allocated.Load(),
		BuffersReused:    d.reused.Load(),
		BytesInUse:       d.inUse.Load(),
		BytesPooled:      d.pooled.Load(),
		Uploads:          d.uploads.Load(),
		Downloads:        d.downloads.Load(),
		Dispatches:       d.dispatches.Load(),
	}
}

// Close drops the pooled buffers so the garbage collector can take them.
func (d *cpuDevice) Close() error {
	d.mu.Lock()
	for dt := range d.pools {
		for k := range d.pools[dt] {
			d.pools[dt][k] = nil
		}
	}
	d.mu.Unlock()
	d.pooled.Store(0)
	return nil
}
