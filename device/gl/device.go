//go:build cgo && !nogl

package gl

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-gl/gl/v4.3-core/gl"
	"github.com/tensorgl/tensorgl/device"
)

func init() { device.Register("gl", func() (device.Device, error) { return Open() }) }

// ContextEnv names the environment variable that forces the kind of GL
// context: "egl" (headless) or "glfw" (hidden window). Unset or "auto" tries
// EGL first, then GLFW.
const ContextEnv = "TENSORGL_GL_CONTEXT"

// glContext is a GL context current on the device's GL thread.
type glContext interface {
	describe() string
	destroy()
}

// Device is an OpenGL 4.3 compute device. One goroutine, locked to its OS
// thread, owns the GL context and runs a queue of commands; the methods
// enqueue work and only Read and Sync wait for it.
type Device struct {
	q    chan []command // batches of commands, in order
	free chan []command // batches the GL thread has run, for reuse
	done chan struct{}  // closed when the GL thread exits

	// qmu guards closed and the send side of q; the GL thread never takes it,
	// so a sender blocked on a full queue cannot deadlock the worker.
	qmu    sync.RWMutex
	closed bool

	// Callers' commands gather in pending until batchMax of them, a wait
	// (Read, Sync), Close, or batchDelay after the first hands them to the
	// GL thread as one batch: one channel operation and at most one wake-up
	// of the GL thread per batch rather than per kernel. pmu guards pending
	// and is held while a batch is sent, so batches keep their order.
	pmu      sync.Mutex
	pending  []command
	batchMax int
	flusher  *time.Timer

	mu    sync.Mutex // guards err, stats, pool
	err   error      // first deferred error since the last Read or Sync
	stats device.Stats
	pool  *device.Pool[int, *glBuffer] // by size class in elements

	info device.Info
	// softDefaults: the settings are a software renderer's (llvmpipe's)
	// rather than a GPU's; the renderer's kind unless DefaultsEnv says.
	softDefaults bool
	context      string // how the context was made, for Context
	eglIndex     int    // the EGL device asked for ("gl:N"), or -1
	groupCap     [3]int // largest group count per dispatch, per axis
	tiles        gemmTiles
	tune         tuneMode // see TuneEnv
	// recurrenceFused: the whole recurrences (Elman, LSTM, GRU and their
	// backwards) run as one dispatch each way where they can (see
	// RecurrenceEnv).
	recurrenceFused bool
	// elmanRegs: the one-dispatch Elman recurrences hold each unit's
	// weights in registers where they can (see ElmanRegsEnv).
	elmanRegs bool
	// steps: which of LSTMStep, LSTMStepBackward, GRUStep and
	// GRUStepBackward run as one dispatch each (see RNNStepEnv).
	steps rnnSteps
	// winogradMin: convolutions of at least this many multiply-adds run
	// by F(2×2, 3×3) where they can; −1 none (see WinogradEnv).
	winogradMin int
	// convDirect: convolutions with few channels run direct where they
	// fit (see ConvDirectEnv).
	convDirect bool
	// convCols: the input gradients of few channels run as a GEMM of
	// columns and their fold (see ConvColsEnv).
	convCols bool
	// directMax: products of at most this many multiply-adds run on a
	// direct tiling (see DirectEnv); 0 none.
	directMax int
	// stagedRead: Reads of at most stagedReadMax elements go through the
	// staging buffer (see ReadEnv), stage, of stageSize elements (GL
	// thread).
	stagedRead bool
	stage      uint32
	stageSize  int
	// knownHere: the built-in table (knownTunings) lists this renderer
	// and serves it (TuneEnv unset).
	knownHere bool
	tuneMu    sync.Mutex
	tuned     map[string]gemmTiles // the tuner's choices by product (layout and shape)
	// tuneFile and tuneTab: the TuneFileEnv file and its contents (tuneMu).
	tuneFile string
	tuneTab  tuneTable
	// wallTimer: the tuner times by the wall clock, the GPU timer having
	// reported implausible times (GL thread).
	wallTimer bool
	// splitTarget is the work-group count below which GEMMs split K.
	splitTarget int
	// splitFused: a split GEMM sums its slices in its own dispatch (see
	// SplitFuseEnv), counting them in tickets (ticketsMu).
	splitFused bool
	ticketsMu  sync.Mutex
	tickets    device.Buffer
	// bnTarget is the work-group count below which the batch-norm
	// backward reduction sums slices of each channel, of at least
	// bnSliceMin values each (see bnSlices).
	bnTarget, bnSliceMin int
	// scatterBucketMinM and scatterScanMax: ScatterAdd uses buckets
	// where it has more indices than the first and scanning them would
	// read more than the second (see ScatterAdd).
	scatterBucketMinM, scatterScanMax int

	// spin: how long, in nanoseconds, the GL thread with nothing queued
	// and callers waiting for it poll before they sleep (see SpinEnv;
	// ShareMachine may set it to 0 unless spinFromEnv).
	spin        atomic.Int64
	spinFromEnv bool
	// flushIdle: the GL thread flushes when it runs out of commands after
	// dispatches (see FlushEnv); unflushed: it issued dispatches (or, when
	// profiling, any timed command) since its last flush (GL thread).
	flushIdle, unflushed bool
	// waiters: callers polling for their waits to end (pollWait).
	waiters atomic.Int32

	// GL-thread state.
	ctx        glContext
	progs      map[string]*program
	key        []byte // a program's name, reused to look it up
	st         glState
	debug      bool     // check GL errors after every command (DebugEnv)
	dumpDir    string   // where programs are written as built (DumpEnv)
	batch      int      // commands run since the last GL error check
	batchNames []string // the latest of them, at most maxBatchNames

	prof      profiler    // the commands' timing (GL thread)
	profiling atomic.Bool // SetProfiling's last setting, for the callers naming commands
}

// maxBatchNames bounds how many command names a GL error message lists.
const maxBatchNames = 8

// command is one unit of work for the GL thread; name labels GL errors.
type command struct {
	name string
	run  func()
}

// queueDepth bounds how far callers may run ahead of the GL thread, in
// commands.
const queueDepth = 1024

// BatchEnv names the environment variable that sets, when a device is
// opened, how many commands callers gather before handing them to the GL
// thread at once (see Device.pending). The default, 1, hands over each
// command alone: when the GL thread keeps up with the caller, every
// command then wakes it, a futex call on the caller's side; batches of 32
// wake it once per 32 but let the GPU start only when a batch is full,
// waited for, or batchDelay old. Which costs less depends on the driver,
// so bench/gpu/run.sh times both: on the H200 one by one ran the GAN's
// step in 1.19–1.21 ms against 1.36 in batches of 32, and 1 000 fills in
// 2.56–2.92 ms against 3.00–3.10
// (bench/results/h200-run-2026-12-04-first/elide-ab.txt).
const BatchEnv = "TENSORGL_GL_BATCH"

const defaultBatch = 1

// batchDelay is the longest a command waits for its batch to fill: a
// caller that queues a few kernels and then works on the host for a while
// does not leave the GPU idle meanwhile.
const batchDelay = 100 * time.Microsecond

// batchSize reads BatchEnv.
func batchSize() (int, error) {
	v := os.Getenv(BatchEnv)
	if v == "" {
		return defaultBatch, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > queueDepth {
		return 0, fmt.Errorf("%s=%q: want a number of commands from 1 to %d", BatchEnv, v, queueDepth)
	}
	return n, nil
}

// glInitMu serialises gl.Init: it fills process-wide function pointers.
var glInitMu sync.Mutex

// Open creates a GL context on a new GL thread and returns the device. The
// error wraps device.ErrUnavailable when no OpenGL 4.3 context can be made.
func Open() (*Device, error) { return open(-1) }

// open opens the EGL device eglIndex, or, for -1, the first context that
// works (see ContextEnv).
func open(eglIndex int) (*Device, error) {
	batch, err := batchSize()
	if err != nil {
		return nil, fmt.Errorf("gl: %w", err)
	}
	tune, err := tuneSetting()
	if err != nil {
		return nil, fmt.Errorf("gl: %w", err)
	}
	depth := max(queueDepth/batch, 1)
	d := &Device{
		tune:     tune,
		q:        make(chan []command, depth),
		free:     make(chan []command, depth+1),
		batchMax: batch,
		done:     make(chan struct{}),
		pool:     device.NewPool[int, *glBuffer]("gl", device.MaxPooledBytes, 0),
		progs:    map[string]*program{},
		eglIndex: eglIndex,
		st:       newGLState(os.Getenv(ElideEnv) != "0"),
		debug:    os.Getenv(DebugEnv) == "1",
	}
	d.flusher = time.AfterFunc(time.Hour, d.timedFlush)
	d.flusher.Stop()
	initErr := make(chan error, 1)
	go d.loop(initErr)
	if err := <-initErr; err != nil {
		return nil, fmt.Errorf("gl: %w: %w", device.ErrUnavailable, err)
	}
	if d.tune == tuneKnown {
		if err := d.useKnown(); err != nil {
			d.Close()
			return nil, fmt.Errorf("gl: the built-in tuning table: %w", err)
		}
	}
	if path := os.Getenv(TuneFileEnv); path != "" && d.tune >= tuneOn {
		if err := d.loadTuneFile(path); err != nil {
			d.Close()
			return nil, fmt.Errorf("gl: %w", err)
		}
	}
	return d, nil
}

// loop is the GL thread. It never returns while the device is open: the
// goroutine keeps its OS thread locked, so the thread (and the context
// current on it) dies with it.
func (d *Device) loop(initErr chan<- error) {
	runtime.LockOSThread()
	defer close(d.done)
	if err := d.initContext(); err != nil {
		initErr <- err
		return
	}
	initErr <- nil
	// GL errors are checked by the commands that wait (Read, Sync, Close),
	// not on the way: glGetError may stall a driver's command stream.
	for {
		b, ok := d.next()
		if !ok {
			return
		}
		for _, c := range b {
			d.exec(c)
		}
		clear(b) // let the closures go
		select {
		case d.free <- b[:0]:
		default:
		}
	}
}

// exec runs one command, turning a panic into a deferred error so the GL
// thread survives bad input; in debug mode it checks GL errors after it.
func (d *Device) exec(c command) {
	defer d.recoverErr(c.name)
	d.batch++
	if len(d.batchNames) == maxBatchNames {
		d.batchNames = append(d.batchNames[:0], d.batchNames[1:]...)
	}
	d.batchNames = append(d.batchNames, c.name)
	if d.prof.on && c.name != "profile" && c.name != "set profiling" {
		d.prof.run(c)
		// The timestamp after c reaches the GPU with the next flush: after
		// a command that waited for the GPU (a Read, a Sync), nothing else
		// flushes until the next dispatches are, and the GPU would take it
		// only then, the host's time in between counted as c's and not as
		// the next command's idle time (zink showed it: TestProfileIdle).
		// The GL thread flushes when it runs out of commands.
		d.unflushed = true
	} else {
		c.run()
	}
	if d.debug {
		d.checkGL()
	}
}

// recoverErr, deferred, records a panic of command name as the deferred error.
func (d *Device) recoverErr(name string) {
	if r := recover(); r != nil {
		d.setErr(fmt.Errorf("gl: %s: %v", name, r))
	}
}

// checkGL records pending GL errors, naming the batch of commands since the
// last check (GL thread).
func (d *Device) checkGL() {
	var codes []string
	for e := gl.GetError(); e != gl.NO_ERROR; e = gl.GetError() {
		codes = append(codes, glErrorName(e))
		if len(codes) > 8 {
			break
		}
	}
	if len(codes) > 0 {
		d.setErr(fmt.Errorf("gl: %s in a batch of %d command(s) ending %s", strings.Join(codes, ", "), d.batch, strings.Join(d.batchNames, ", ")))
	}
	d.batch, d.batchNames = 0, d.batchNames[:0]
}

func glErrorName(e uint32) string {
	switch e {
	case gl.INVALID_ENUM:
		return "GL_INVALID_ENUM"
	case gl.INVALID_VALUE:
		return "GL_INVALID_VALUE"
	case gl.INVALID_OPERATION:
		return "GL_INVALID_OPERATION"
	case gl.OUT_OF_MEMORY:
		return "GL_OUT_OF_MEMORY"
	case gl.INVALID_FRAMEBUFFER_OPERATION:
		return "GL_INVALID_FRAMEBUFFER_OPERATION"
	}
	return fmt.Sprintf("GL error 0x%x", e)
}

func (d *Device) initContext() error {
	setDriverDefaults()
	var ctx glContext
	var err error
	switch mode := contextMode(d.eglIndex); mode {
	case eglIndexMode:
		ctx, err = openEGLIndex(d.eglIndex)
	case "egl":
		ctx, err = openEGL()
	case "glfw":
		ctx, err = openGLFW()
	case "", "auto":
		ctx, err = openEGL()
		if err != nil {
			var gerr error
			if ctx, gerr = openGLFW(); gerr != nil {
				err = errors.Join(err, gerr)
			} else {
				err = nil
			}
		}
	default:
		return fmt.Errorf("%s=%q: want egl, glfw or auto", ContextEnv, mode)
	}
	if err != nil {
		return err
	}
	glInitMu.Lock()
	err = gl.Init()
	glInitMu.Unlock()
	if err != nil {
		ctx.destroy()
		return fmt.Errorf("%s: loading GL functions: %w", ctx.describe(), err)
	}
	var major, minor int32
	gl.GetIntegerv(gl.MAJOR_VERSION, &major)
	gl.GetIntegerv(gl.MINOR_VERSION, &minor)
	version := gl.GoStr(gl.GetString(gl.VERSION))
	renderer := gl.GoStr(gl.GetString(gl.RENDERER))
	if major < 4 || major == 4 && minor < 3 {
		ctx.destroy()
		return fmt.Errorf("%s: need OpenGL 4.3 core for compute shaders, got %d.%d (%s, %s)", ctx.describe(), major, minor, renderer, version)
	}
	d.ctx = ctx
	d.context = ctx.describe()
	d.info = device.Info{
		Name:     "gl",
		Renderer: renderer,
		Version:  version,
		Software: isSoftwareRenderer(renderer),
		Limits:   queryLimits(),
	}
	if err := d.readSettings(); err != nil {
		ctx.destroy()
		return err
	}
	for i, n := range d.info.Limits.MaxWorkGroupCount {
		// Stay strictly below the limit: implementations disagree on whether
		// a count equal to it is valid.
		d.groupCap[i] = max(n-1, 1)
	}
	return nil
}

// readSettings sets the device's defaults for its renderer, hardware or
// software, and reads the environment's settings over them (GL thread,
// once the renderer is known).
func (d *Device) readSettings() error {
	sw, err := defaultsSetting(d.info.Software)
	if err != nil {
		return err
	}
	d.softDefaults = sw
	d.scatterBucketMinM, d.scatterScanMax = defaultScatterBucketMinM, hardwareScatterScanMax
	d.tiles, d.splitTarget, d.bnSliceMin = hardwareTiles, hardwareSplitTarget, bnSliceMin
	if sw {
		d.tiles, d.splitTarget, d.scatterScanMax = softwareTiles, softwareSplitTarget(), 0
	}
	for _, read := range []func(){
		func() { d.bnTarget, err = bnSplitSetting(sw) },
		func() { d.tiles, err = d.tiles.withGEMMEnv(os.Getenv(GEMMEnv)) },
		func() { d.splitFused, err = switchSetting(SplitFuseEnv, false, "0 or 1") },
		func() { d.recurrenceFused, err = recurrenceSetting(sw) },
		func() { d.elmanRegs, err = switchSetting(ElmanRegsEnv, !sw, "0 or 1") },
		func() { d.steps, err = rnnStepSetting(sw) },
		func() { d.winogradMin, err = winogradSetting(sw) },
		func() { d.convDirect, err = convDirectSetting(sw) },
		func() { d.convCols, err = convColsSetting() },
		func() { d.directMax, err = directSetting() },
		func() { d.stagedRead, err = readSetting() },
		func() { d.dumpDir, err = dumpSetting() },
		func() {
			var spin time.Duration
			spin, d.spinFromEnv, err = spinSetting(sw)
			d.spin.Store(int64(spin))
		},
		func() { d.flushIdle, err = flushSetting(sw) },
	} {
		if read(); err != nil {
			return err
		}
	}
	return nil
}

// defaultsSetting reads DefaultsEnv: whether the settings take a software
// renderer's defaults, software being the renderer's kind.
func defaultsSetting(software bool) (bool, error) {
	return choiceSetting(DefaultsEnv, software, "software", "hardware", "hardware or software")
}

func isSoftwareRenderer(r string) bool {
	r = strings.ToLower(r)
	for _, s := range []string{"llvmpipe", "softpipe", "software", "swrast", "lavapipe"} {
		if strings.Contains(r, s) {
			return true
		}
	}
	return false
}

func queryLimits() device.Limits {
	var l device.Limits
	for i := range 3 {
		var c, s int32
		gl.GetIntegeri_v(gl.MAX_COMPUTE_WORK_GROUP_COUNT, uint32(i), &c)
		gl.GetIntegeri_v(gl.MAX_COMPUTE_WORK_GROUP_SIZE, uint32(i), &s)
		l.MaxWorkGroupCount[i], l.MaxWorkGroupSize[i] = int(c), int(s)
	}
	var inv, shared int32
	gl.GetIntegerv(gl.MAX_COMPUTE_WORK_GROUP_INVOCATIONS, &inv)
	gl.GetIntegerv(gl.MAX_COMPUTE_SHARED_MEMORY_SIZE, &shared)
	l.MaxInvocations, l.MaxSharedMemory = int(inv), int(shared)
	gl.GetInteger64v(gl.MAX_SHADER_STORAGE_BLOCK_SIZE, &l.MaxStorageBlockSize)
	l.MaxBufferElements = int(l.MaxStorageBlockSize / 4)
	var blocks, bindings int32
	gl.GetIntegerv(gl.MAX_COMPUTE_SHADER_STORAGE_BLOCKS, &blocks)
	gl.GetIntegerv(gl.MAX_SHADER_STORAGE_BUFFER_BINDINGS, &bindings)
	l.MaxStorageBlocks = int(min(blocks, bindings))
	return l
}

// enqueue queues a command for the GL thread without waiting (see
// pending). It reports false (and records an error) when the device is
// closed.
func (d *Device) enqueue(name string, f func()) bool {
	d.qmu.RLock()
	defer d.qmu.RUnlock()
	if d.closed {
		d.setErr(fmt.Errorf("gl: %s on a closed device", name))
		return false
	}
	d.pmu.Lock()
	d.pending = append(d.pending, command{name: name, run: f})
	if len(d.pending) >= d.batchMax {
		d.send()
	} else if len(d.pending) == 1 {
		d.flusher.Reset(batchDelay)
	}
	d.pmu.Unlock()
	return true
}

// send hands the pending commands to the GL thread (pmu held; qmu read-held
// and the device open).
func (d *Device) send() {
	if len(d.pending) == 0 {
		return
	}
	d.q <- d.pending
	select {
	case d.pending = <-d.free:
	default:
		d.pending = make([]command, 0, d.batchMax)
	}
}

// flush hands the pending commands to the GL thread now.
func (d *Device) flush() {
	d.qmu.RLock()
	defer d.qmu.RUnlock()
	if d.closed {
		return
	}
	d.pmu.Lock()
	d.send()
	d.pmu.Unlock()
}

// timedFlush runs batchDelay after a batch got its first command.
func (d *Device) timedFlush() { d.flush() }

// wait enqueues f and blocks until it has run and every error it or the
// commands before it caused has been recorded.
func (d *Device) wait(name string, f func()) {
	done := make(chan struct{})
	ok := d.enqueue(name, func() {
		defer close(done)
		defer d.recoverErr(name)
		f()
		d.checkGL()
	})
	if ok {
		d.flush()
		if !d.pollWait(done, d.spinFor()) {
			<-done
		}
	}
}

// setErr records err unless an earlier error is still unreported.
func (d *Device) setErr(err error) {
	d.mu.Lock()
	if d.err == nil {
		d.err = err
	}
	d.mu.Unlock()
}

// takeErr returns and clears the deferred error.
func (d *Device) takeErr() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	err := d.err
	d.err = nil
	return err
}

func (d *Device) count(f func(s *device.Stats)) {
	d.mu.Lock()
	f(&d.stats)
	d.mu.Unlock()
}

// Info describes the GL renderer and its limits.
func (d *Device) Info() device.Info { return d.info }

// Context says how the GL context was made: which EGL device or platform,
// or the GLFW window. Logging it shows when a container silently fell back
// to llvmpipe.
func (d *Device) Context() string { return d.context }

// Stats reports the device counters. Dispatches counts glDispatchCompute
// calls: a kernel whose grid exceeds the work-group-count limit is several.
// Barriers counts glMemoryBarrier calls and StateCalls the glUseProgram,
// glBindBufferBase and glUniform* calls of dispatches: redundant ones are
// skipped unless TENSORGL_GL_ELIDE=0 (see ElideEnv).
func (d *Device) Stats() device.Stats {
	d.mu.Lock()
	defer d.mu.Unlock()
	s := d.stats
	s.BytesPooled = d.pool.Bytes()
	return s
}

// Sync waits until the GPU has finished all queued work and returns any
// deferred error.
func (d *Device) Sync() error {
	d.wait("sync", func() { gl.Finish() })
	return d.takeErr()
}

// Close deletes every GL object, destroys the context and stops the GL
// thread. It returns any unreported error.
func (d *Device) Close() error {
	d.qmu.Lock()
	if d.closed {
		d.qmu.Unlock()
		return nil
	}
	d.flusher.Stop()
	d.pmu.Lock()
	d.pending = append(d.pending, command{name: "close", run: d.release})
	d.send()
	d.pmu.Unlock()
	d.closed = true
	close(d.q)
	d.qmu.Unlock()
	<-d.done
	return d.takeErr()
}

// release runs on the GL thread as the last command.
func (d *Device) release() {
	d.prof.release()
	for _, p := range d.progs {
		if p.id != 0 {
			gl.DeleteProgram(p.id)
		}
	}
	d.mu.Lock()
	for _, g := range d.pool.Close() {
		gl.DeleteBuffers(1, &g.name)
	}
	d.mu.Unlock()
	if d.stage != 0 {
		gl.DeleteBuffers(1, &d.stage)
	}
	d.checkGL()
	d.ctx.destroy()
}
