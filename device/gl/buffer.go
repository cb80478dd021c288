//go:build cgo && !nogl

package gl

import (
	"fmt"
	"os"
	"unsafe"

	"github.com/go-gl/gl/v4.3-core/gl"
	"github.com/tensorgl/tensorgl/device"
)

// Buffer is a device.Buffer on a GL Device: a view of n elements of a pooled
// GL buffer object.
type Buffer struct {
	n  int
	dt device.DType
	g  *glBuffer
}

// Len returns the number of elements.
func (b *Buffer) Len() int { return b.n }

// DType returns the element type.
func (b *Buffer) DType() device.DType { return b.dt }

// glBuffer is a GL buffer object of size elements (a bucket size). name and
// the epochs are set and read only on the GL thread.
type glBuffer struct {
	name uint32
	size int
	// written and read are the storage epochs (glState.epoch) of the last
	// dispatch that wrote or read the buffer; hostWritten is the host epoch
	// (glState.hostEpoch) of the last dispatch that wrote it.
	written, read, hostWritten uint64
}

func (d *Device) buf(b device.Buffer) *glBuffer { return b.(*Buffer).g }

// bufs returns the GL buffers of bs in order, nil for a nil (absent)
// operand, for a kernel that binds them from binding 0.
func (d *Device) bufs(bs []device.Buffer) []*glBuffer {
	gs := make([]*glBuffer, len(bs))
	for i, b := range bs {
		if b != nil {
			gs[i] = d.buf(b)
		}
	}
	return gs
}

// Alloc returns a buffer of n elements from the pool, or a new GL buffer. A
// buffer larger than MAX_SHADER_STORAGE_BLOCK_SIZE is still created, but
// shaders cannot address all of it, so the allocation records an error for
// the next Read or Sync.
func (d *Device) Alloc(dt device.DType, n int) device.Buffer {
	limit := d.info.Limits.MaxBufferElements
	if limit > 0 && n > limit {
		d.setErr(fmt.Errorf("gl: Alloc of %d %s elements (%d bytes) exceeds MAX_SHADER_STORAGE_BLOCK_SIZE (%d bytes)",
			n, dt, 4*int64(n), d.info.Limits.MaxStorageBlockSize))
	}
	size := device.PoolBucket(n, limit)
	d.mu.Lock()
	g, ok := d.pool.Get(size, 4*int64(size))
	fresh := false
	if ok {
		d.stats.BuffersReused++
	} else {
		g = &glBuffer{size: size}
		fresh = true
		d.stats.BuffersAllocated++
	}
	d.stats.BytesInUse += 4 * int64(size)
	d.mu.Unlock()
	if fresh {
		d.enqueue("alloc", func() {
			gl.GenBuffers(1, &g.name)
			d.st.forget(g.name)
			gl.BindBuffer(gl.SHADER_STORAGE_BUFFER, g.name)
			gl.BufferData(gl.SHADER_STORAGE_BUFFER, 4*g.size, nil, gl.DYNAMIC_COPY)
		})
	}
	return &Buffer{n: n, dt: dt, g: g}
}

// Free returns b's storage to the pool and deletes what the pool lets go:
// the storage itself, or older buffers to make room for it.
func (d *Device) Free(b device.Buffer) {
	g := d.buf(b)
	bytes := 4 * int64(g.size)
	d.mu.Lock()
	d.stats.BytesInUse -= bytes
	release := d.pool.Put(g.size, g, bytes)
	d.mu.Unlock()
	b.(*Buffer).g = nil
	d.deleteBuffers("free", release)
}

// EmptyCache deletes the pooled GL buffers and forgets the pool's peak
// (device.CacheEmptier); buffers in use stay.
func (d *Device) EmptyCache() {
	d.mu.Lock()
	release := d.pool.Empty()
	d.mu.Unlock()
	d.deleteBuffers("empty cache", release)
}

// deleteBuffers enqueues one command, named name, deleting gs.
func (d *Device) deleteBuffers(name string, gs []*glBuffer) {
	if len(gs) == 0 {
		return
	}
	d.enqueue(name, func() {
		for _, g := range gs {
			d.st.forget(g.name)
			gl.DeleteBuffers(1, &g.name)
		}
	})
}

// hostSlice returns the address and element count of a []float32 or []int32
// of dtype dt.
func hostSlice(op string, dt device.DType, s any) (unsafe.Pointer, int, error) {
	switch v := s.(type) {
	case []float32:
		if dt == device.Float32 {
			if len(v) == 0 {
				return nil, 0, nil
			}
			return unsafe.Pointer(&v[0]), len(v), nil
		}
	case []int32:
		if dt == device.Int32 {
			if len(v) == 0 {
				return nil, 0, nil
			}
			return unsafe.Pointer(&v[0]), len(v), nil
		}
	}
	return nil, 0, fmt.Errorf("gl: %s: want []%s for a %s buffer, got %T", op, dt, dt, s)
}

// Write copies src into the start of b. The data is copied before Write
// returns, so the caller may reuse src at once.
func (d *Device) Write(b device.Buffer, src any) {
	g := d.buf(b)
	_, n, err := hostSlice("Write", b.DType(), src)
	if err != nil {
		d.setErr(err)
		return
	}
	if n == 0 {
		return
	}
	if n > b.Len() {
		d.setErr(fmt.Errorf("gl: Write of %d elements into a buffer of %d", n, b.Len()))
		return
	}
	data := make([]uint32, n)
	switch v := src.(type) {
	case []float32:
		copy(data, unsafe.Slice((*uint32)(unsafe.Pointer(&v[0])), n))
	case []int32:
		copy(data, unsafe.Slice((*uint32)(unsafe.Pointer(&v[0])), n))
	}
	d.count(func(s *device.Stats) { s.Uploads++ })
	d.enqueue("write", func() {
		d.hostBarrier(g)
		gl.BindBuffer(gl.SHADER_STORAGE_BUFFER, g.name)
		gl.BufferSubData(gl.SHADER_STORAGE_BUFFER, 0, 4*n, unsafe.Pointer(&data[0]))
	})
}

// Read copies the first len(dst) elements of b into dst after the queued
// work, and returns any deferred error.
func (d *Device) Read(b device.Buffer, dst any) error {
	g := d.buf(b)
	ptr, n, err := hostSlice("Read", b.DType(), dst)
	if err != nil {
		return err
	}
	if n > b.Len() {
		return fmt.Errorf("gl: Read of %d elements from a buffer of %d", n, b.Len())
	}
	if n > 0 {
		d.count(func(s *device.Stats) { s.Downloads++ })
	}
	d.wait("read", func() {
		if n == 0 {
			return
		}
		d.hostBarrier(g)
		if d.stagedRead && n <= stagedReadMax {
			d.readStaged(g, ptr, n)
			return
		}
		gl.BindBuffer(gl.SHADER_STORAGE_BUFFER, g.name)
		gl.GetBufferSubData(gl.SHADER_STORAGE_BUFFER, 0, 4*n, ptr)
	})
	return d.takeErr()
}

// ReadEnv names the environment variable that chooses, when a device is
// opened, how Read brings values back: direct (unset, the default:
// glGetBufferSubData from the tensor's buffer, which lives where the
// driver puts buffers the GPU writes) or staged (for at most
// stagedReadMax elements: glCopyBufferSubData into a buffer of the
// device's made for reading back, GL_STREAM_READ, which drivers keep in
// memory the host reads, then glGetBufferSubData from it). Each training
// step reads its loss; on the H200 a step's read showed 0.2–0.4 ms of GPU
// time in the device's profile (bench/results/h200-run-2026-12-04-first/
// profile.txt.gz), PyTorch's loss.item() a copy of 4 bytes. That profile
// left the timestamp after a read unflushed until the next step's first
// dispatches were, so those 0.2–0.4 ms were at least in part the host's
// time before them (see Device.exec, since 2026-12-05). Untimed on a GPU:
// bench/gpu/run.sh's host-ab times both.
const ReadEnv = "TENSORGL_GL_READ"

// stagedReadMax is the largest Read, in elements, that a staged device
// copies through its staging buffer (4 MiB).
const stagedReadMax = 1 << 20

// readSetting reads ReadEnv: whether Reads are staged.
func readSetting() (bool, error) {
	switch v := os.Getenv(ReadEnv); v {
	case "", "direct":
		return false, nil
	case "staged":
		return true, nil
	default:
		return false, fmt.Errorf("%s=%q: want direct or staged", ReadEnv, v)
	}
}

// readStaged copies the first n elements of g into dst through the
// staging buffer, grown to a power of two when short (GL thread).
func (d *Device) readStaged(g *glBuffer, dst unsafe.Pointer, n int) {
	if d.stageSize < n {
		size := 256
		for size < n {
			size *= 2
		}
		if d.stage == 0 {
			gl.GenBuffers(1, &d.stage)
		}
		gl.BindBuffer(gl.COPY_WRITE_BUFFER, d.stage)
		gl.BufferData(gl.COPY_WRITE_BUFFER, 4*size, nil, gl.STREAM_READ)
		d.stageSize = size
	}
	gl.BindBuffer(gl.COPY_READ_BUFFER, g.name)
	gl.BindBuffer(gl.COPY_WRITE_BUFFER, d.stage)
	gl.CopyBufferSubData(gl.COPY_READ_BUFFER, gl.COPY_WRITE_BUFFER, 0, 0, 4*n)
	gl.GetBufferSubData(gl.COPY_WRITE_BUFFER, 0, 4*n, dst)
}

// hostBarrier makes shader writes to g visible to a transfer of g (GL
// thread), and counts the barrier when it takes one.
func (d *Device) hostBarrier(g *glBuffer) {
	d.st.hostBarrier(g)
	d.countGL(0)
}
