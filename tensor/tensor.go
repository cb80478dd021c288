package tensor

import (
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/tensorgl/tensorgl/device"
	_ "github.com/tensorgl/tensorgl/device/cpu" // the default device
)

// Tensor is an n-dimensional array on a device: a view (shape, strides,
// offset) of a storage buffer, plus autograd state.
type Tensor struct {
	st      *storage
	shape   []int
	strides []int
	offset  int
	// scope is where results computed from this tensor go (see Scope);
	// the storage's owner may differ for views made by Scope.Use.
	scope *Scope

	requiresGrad bool
	grad         *Tensor
	node         *node // the op that produced this tensor, nil for leaves
	// hooks run after Backward has accumulated a gradient into this leaf
	// (RegisterPostAccumulateGradHook); nil for nearly every tensor, and
	// a pointer so that every other tensor is 16 bytes smaller.
	hooks *[]gradHook
	// actApplied, on a gradient a backward rule made, is the activation
	// output whose derivative the gradient already carries (a ReLU's mask,
	// output > 0, or another activation's for an output of one reader),
	// so that the rule of the op that produced it skips its own (see
	// readerAct, pool2d); nil for nearly every tensor.
	actApplied *Tensor
	// scaleApplied, on a gradient a backward rule made, is the Dropout
	// output whose mask the gradient already carries, so that the
	// Dropout's rule passes it on as it is (see dropoutOf); nil for nearly
	// every tensor.
	scaleApplied *Tensor
}

// storage is a device buffer shared by a tensor and its views.
type storage struct {
	dev device.Device
	buf device.Buffer
	// cleanup is the garbage collector's cleanup once state is
	// storageGuarded.
	cleanup runtime.Cleanup
	// scope owns the storage (nil: none); persistent storage outlives
	// every scope.
	scope atomic.Pointer[Scope]
	// lo, hi bound the values of an Int32 storage when they are known
	// without reading the device (host data, ArgMax results), so index
	// checks cost no readback. known is false otherwise.
	lo, hi int32
	// state is storagePlain, storageGuarding, storageGuarded or
	// storageReleased (see guard and release).
	state      atomic.Int32
	persistent atomic.Bool
	known      bool
}

// The states of a storage: its buffer held, released by nothing but a
// call of release (plain); a cleanup being registered (guarding); a
// cleanup registered, which frees the buffer once the storage is
// unreachable unless release stops it first (guarded); the buffer
// released (released, for good).
const (
	storagePlain = iota
	storageGuarding
	storageGuarded
	storageReleased
)

// cleanupArg is what a storage's cleanup frees: not the storage, which
// the cleanup must not keep reachable.
type cleanupArg struct {
	dev device.Device
	buf device.Buffer
}

// freeCollected frees the buffer of a storage the garbage collector found
// unreachable, telling a device.CollectedFreer that its tensors were never
// released. It runs only if release never did (release stops it).
func freeCollected(a cleanupArg) {
	if cf, ok := a.dev.(device.CollectedFreer); ok {
		cf.FreeCollected(a.buf)
	} else {
		a.dev.Free(a.buf)
	}
}

func newStorage(sc *Scope, dev device.Device, dt device.DType, n int) *storage {
	st := &storage{dev: dev, buf: dev.Alloc(dt, max(n, 1))}
	sc.join(st)
	return st
}

// guard has the garbage collector free st's buffer once st is unreachable,
// for storage that no scope will release: created outside every scope,
// kept past the outermost one, or persistent. A scope holds its storage
// until it closes and releases it then, so storage in a scope needs no
// guard (registering one cost a quarter of a small tensor op). Released
// storage gets none.
func (st *storage) guard() {
	if st.state.CompareAndSwap(storagePlain, storageGuarding) {
		st.cleanup = runtime.AddCleanup(st, freeCollected, cleanupArg{st.dev, st.buf})
		st.state.Store(storageGuarded)
	}
}

// release frees st's buffer, once: the first call stops the cleanup of a
// guarded storage and frees it, later ones do nothing. A call while
// another goroutine registers the cleanup waits for it.
func (st *storage) release() {
	for {
		switch s := st.state.Load(); s {
		case storageReleased:
			return
		case storageGuarding:
			runtime.Gosched()
		default:
			if st.state.CompareAndSwap(s, storageReleased) {
				if s == storageGuarded {
					st.cleanup.Stop()
				}
				st.dev.Free(st.buf)
				return
			}
		}
	}
}

// released reports whether st's buffer was released.
func (st *storage) released() bool { return st.state.Load() == storageReleased }

var (
	defaultMu  sync.Mutex
	defaultDev device.Device
)

// DefaultDevice returns the device new tensors are created on: the one set
// by SetDefaultDevice, else the CPU backend.
func DefaultDevice() device.Device {
	defaultMu.Lock()
	defer defaultMu.Unlock()
	if defaultDev == nil {
		d, err := device.Open("cpu")
		if err != nil {
			panic("tensor: the CPU backend failed to open: " + err.Error())
		}
		defaultDev = d
	}
	return defaultDev
}

// SetDefaultDevice makes d the device new tensors are created on.
func SetDefaultDevice(d device.Device) {
	defaultMu.Lock()
	defaultDev = d
	defaultMu.Unlock()
}

// newTensor allocates a contiguous tensor of the given shape in scope sc.
func newTensor(sc *Scope, dev device.Device, dt device.DType, shape []int) *Tensor {
	if len(shape) > device.MaxRank {
		fail("New", "rank %d exceeds the maximum %d: %v", len(shape), device.MaxRank, shape)
	}
	n := numElements("New", shape)
	// Every GL 4.3 device holds buffers of 2²⁷ bytes, every host more:
	// only larger ones need asking the device.
	if n > 1<<25 {
		if err := device.CheckAlloc(dev.Info(), "tensor: New", dt, n); err != nil {
			panic(err)
		}
	}
	// The shape (copied) and its contiguous strides share one allocation.
	r := len(shape)
	dims := make([]int, 2*r)
	own, strides := dims[:r:r], dims[r:]
	copy(own, shape)
	step := 1
	for d := r - 1; d >= 0; d-- {
		strides[d] = step
		step *= own[d]
	}
	return &Tensor{st: newStorage(sc, dev, dt, n), shape: own, strides: strides, scope: sc}
}

// numElements returns the element count of shape, panicking when a
// dimension is negative or the count overflows (4 bytes an element).
func numElements(op string, shape []int) int { return numElementsAs(op, shape, shape) }

// numElementsAs is numElements naming shape as the caller wrote it (with
// its -1, say) in the message.
func numElementsAs(op string, shape, written []int) int {
	n, ok := device.CheckedNumElements(shape)
	if !ok {
		if slices.Min(append([]int{0}, shape...)) < 0 {
			fail(op, "negative dimension in shape %v", written)
		}
		fail(op, "shape %v has more elements than memory can address (at most %d float32)", written, math.MaxInt/4)
	}
	return n
}

// Shape returns a copy of the tensor's dimensions.
func (t *Tensor) Shape() []int { return slices.Clone(t.shape) }

// Dim returns the number of dimensions.
func (t *Tensor) Dim() int { return len(t.shape) }

// Size returns dimension d; negative d counts from the end.
func (t *Tensor) Size(d int) int { return t.shape[t.axis("Size", d)] }

// NumEl returns the number of elements.
func (t *Tensor) NumEl() int { return device.NumElements(t.shape) }

// Strides returns a copy of the element strides of the view.
func (t *Tensor) Strides() []int { return slices.Clone(t.strides) }

// DType returns the element type.
func (t *Tensor) DType() device.DType { return t.st.buf.DType() }

// Device returns the device the tensor lives on.
func (t *Tensor) Device() device.Device { return t.st.dev }

// IsContiguous reports whether the view is row-major with no gaps.
func (t *Tensor) IsContiguous() bool {
	s := 1
	for d := len(t.shape) - 1; d >= 0; d-- {
		if t.shape[d] != 1 && t.strides[d] != s {
			return false
		}
		s *= t.shape[d]
	}
	return true
}

// axis normalises a possibly negative axis, panicking when out of range.
func (t *Tensor) axis(op string, d int) int {
	return normAxis(op, d, len(t.shape), t.shape)
}

func normAxis(op string, d, rank int, shape []int) int {
	if d < -rank || d >= rank || (rank == 0 && d != 0 && d != -1) {
		fail(op, "axis %d out of range for shape %v", d, shape)
	}
	if d < 0 {
		d += rank
	}
	return d
}

func (t *Tensor) live(op string) {
	if t.st.released() {
		fail(op, "tensor of shape %v was released", t.shape)
	}
}

func (t *Tensor) strided() device.Strided {
	return device.Strided{Buf: t.st.buf, Offset: t.offset, Strides: t.strides}
}

// sameDevice panics unless every tensor lives on the device of the first.
func sameDevice(op string, ts ...*Tensor) device.Device {
	dev := ts[0].st.dev
	for _, t := range ts {
		t.live(op)
		if t.st.dev != dev {
			fail(op, "tensors on different devices: %s %v and %s %v", dev.Info().Name, ts[0].shape, t.st.dev.Info().Name, t.shape)
		}
	}
	return dev
}

func wantFloat(op string, ts ...*Tensor) {
	for _, t := range ts {
		if t.DType() != device.Float32 {
			fail(op, "want a float32 tensor, got %s %v", t.DType(), t.shape)
		}
	}
}

// Contiguous returns t if it is contiguous and starts at offset 0 of its
// storage, else a contiguous copy.
func (t *Tensor) Contiguous() *Tensor {
	if t.IsContiguous() && t.offset == 0 {
		return t
	}
	return t.copyOp("Contiguous")
}

// Clone returns a contiguous copy that does not share storage with t.
func (t *Tensor) Clone() *Tensor { return t.copyOp("Clone") }

func (t *Tensor) copyOp(op string) *Tensor {
	t.live(op)
	out := newTensor(ScopeOf(t), t.st.dev, t.DType(), t.shape)
	if n := t.NumEl(); n > 0 {
		t.st.dev.Copy(out.st.buf, 0, t.strided(), t.shape)
	}
	out.st.lo, out.st.hi, out.st.known = t.st.lo, t.st.hi, t.st.known
	return record(op, out, []*Tensor{t}, func(g *Tensor) []*Tensor { return []*Tensor{g} })
}

// Data copies the tensor's elements to the host in row-major order. It
// waits for the device and panics if the device reported an error (use
// ReadTo to receive it as an error instead). The tensor must be float32.
func (t *Tensor) Data() []float32 {
	wantFloat("Data", t)
	out := make([]float32, t.NumEl())
	if err := t.ReadTo(out); err != nil {
		panic(err)
	}
	return out
}

// Ints copies an int32 tensor's elements to the host in row-major order.
func (t *Tensor) Ints() []int32 {
	if t.DType() != device.Int32 {
		fail("Ints", "want an int32 tensor, got %s %v", t.DType(), t.shape)
	}
	out := make([]int32, t.NumEl())
	if err := t.ReadTo(out); err != nil {
		panic(err)
	}
	return out
}

// ReadTo copies the tensor's elements into dst ([]float32 or []int32 of
// length NumEl, matching the dtype) and returns any error the device
// deferred.
func (t *Tensor) ReadTo(dst any) error {
	t.live("ReadTo")
	n, dt := 0, device.Float32
	switch d := dst.(type) {
	case []float32:
		n = len(d)
	case []int32:
		n, dt = len(d), device.Int32
	default:
		fail("ReadTo", "want a []float32 or []int32 destination, got %T", dst)
	}
	if dt != t.DType() {
		fail("ReadTo", "want a []%s destination for %s tensor %v, got []%s", t.DType(), t.DType(), t.shape, dt)
	}
	c := t.Contiguous()
	if n != t.NumEl() {
		fail("ReadTo", "destination holds %d elements, tensor %v has %d", n, t.shape, t.NumEl())
	}
	if n == 0 {
		return nil
	}
	return c.st.dev.Read(c.st.buf, dst)
}

// Item returns the value of a one-element tensor.
func (t *Tensor) Item() float32 {
	if t.NumEl() != 1 {
		fail("Item", "want a one-element tensor, got shape %v", t.shape)
	}
	if t.DType() == device.Int32 {
		return float32(t.Ints()[0])
	}
	return t.Data()[0]
}

// To returns the tensor on dev: t itself when it is already there, else a
// contiguous copy that keeps the autograd link (gradients flow back to t).
func (t *Tensor) To(dev device.Device) *Tensor {
	t.live("To")
	if t.st.dev == dev {
		return t
	}
	out := newTensor(ScopeOf(t), dev, t.DType(), t.shape)
	if t.NumEl() > 0 {
		switch t.DType() {
		case device.Int32:
			dev.Write(out.st.buf, t.Ints())
		default:
			dev.Write(out.st.buf, t.Data())
		}
	}
	out.st.lo, out.st.hi, out.st.known = t.st.lo, t.st.hi, t.st.known
	src := t.st.dev
	return record("To", out, []*Tensor{t}, func(g *Tensor) []*Tensor { return []*Tensor{g.To(src)} })
}

// Release returns the tensor's storage to its device's pool now. The
// tensor, and every view sharing its storage, must not be used afterwards.
func (t *Tensor) Release() {
	if t != nil {
		t.st.release()
	}
}

// CopyFrom overwrites t's elements in place with src's (same shape and
// dtype, any layout), outside autograd. Used to load parameters and update
// running statistics.
func (t *Tensor) CopyFrom(src *Tensor) {
	sameDevice("CopyFrom", t, src)
	if !slices.Equal(t.shape, src.shape) || t.DType() != src.DType() {
		fail("CopyFrom", "destination %s %v, source %s %v", t.DType(), t.shape, src.DType(), src.shape)
	}
	if !t.IsContiguous() {
		fail("CopyFrom", "destination %v is not contiguous", t.shape)
	}
	if t.NumEl() > 0 {
		t.st.dev.Copy(t.st.buf, t.offset, src.strided(), src.shape)
	}
	t.st.known = false
}

// SetData overwrites a contiguous tensor's elements with host data
// ([]float32 or []int32 with NumEl elements).
func (t *Tensor) SetData(data any) {
	t.live("SetData")
	if !t.IsContiguous() || t.offset != 0 {
		fail("SetData", "tensor %v is a strided view", t.shape)
	}
	switch d := data.(type) {
	case []float32:
		if t.DType() != device.Float32 || len(d) != t.NumEl() {
			fail("SetData", "want %d %s values for %v, got %d float32", t.NumEl(), t.DType(), t.shape, len(d))
		}
	case []int32:
		if t.DType() != device.Int32 || len(d) != t.NumEl() {
			fail("SetData", "want %d %s values for %v, got %d int32", t.NumEl(), t.DType(), t.shape, len(d))
		}
		t.st.lo, t.st.hi, t.st.known = intRange(d)
	default:
		fail("SetData", "want []float32 or []int32, got %T", data)
	}
	if t.NumEl() > 0 {
		t.st.dev.Write(t.st.buf, data)
	}
}

func intRange(d []int32) (lo, hi int32, known bool) {
	if len(d) == 0 {
		return 0, 0, true
	}
	lo, hi = d[0], d[0]
	for _, v := range d[1:] {
		lo, hi = min(lo, v), max(hi, v)
	}
	return lo, hi, true
}

func (t *Tensor) GoString() string { return fmt.Sprintf("tensor.Tensor(%v %s)", t.shape, t.DType()) }
