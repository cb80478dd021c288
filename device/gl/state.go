//go:build cgo && !nogl

package gl

import (
	"fmt"

	"github.com/go-gl/gl/v4.3-core/gl"
)

// ElideEnv names the environment variable that, set to 0 when a device is
// opened, turns off the elision of redundant GL state and barriers: every
// dispatch then calls glUseProgram, binds every buffer and sets every
// uniform, and is preceded by a storage barrier once any dispatch has run.
// It exists to time both ways on one machine; results are the same.
const ElideEnv = "TENSORGL_GL_ELIDE"

// DebugEnv names the environment variable that, set to 1 when a device is
// opened, checks glGetError after every command, so that an error names the
// exact command that raised it. Otherwise errors are checked when Read, Sync
// or Close wait, and name the batch of commands since the last check.
const DebugEnv = "TENSORGL_GL_DEBUG"

// maxBindings is the most storage bindings one dispatch may declare: one bit
// each in access.writes.
const maxBindings = 32

// access is the storage buffers of the next dispatch: bufs[i] is bound at
// binding i (nil: none), and bit i of writes is set when the dispatch may
// write that binding (a buffer it reads and writes counts as written).
type access struct {
	bufs   [maxBindings]*glBuffer
	n      int
	writes uint32
	set    bool // bind has declared the next dispatch's buffers
}

// writes returns the mask of access.writes for the given binding indices.
func writes(bindings ...int) uint32 {
	var m uint32
	for _, b := range bindings {
		m |= 1 << b
	}
	return m
}

// glState is what the GL thread knows of the context, to skip calls that
// would change nothing and barriers that order nothing.
//
// Hazards are tracked per buffer by epochs: epoch counts the storage
// barriers issued (plus one), and a buffer's written (read) field holds the
// epoch of the last dispatch that wrote (read) it, so a buffer has pending
// writes exactly when written == epoch; a barrier makes every pending
// access visible at once by moving to the next epoch. hostEpoch and
// glBuffer.hostWritten do the same for the buffer-update barrier that shader
// writes need before Read or Write transfers them.
type glState struct {
	elide bool // skip redundant state calls and barriers (see ElideEnv)

	program uint32   // the program in use (0: none yet)
	bound   []uint32 // the buffer name at each storage binding (0: none or unknown)
	access  access   // the next dispatch's buffers

	epoch, hostEpoch uint64
	// dirty and hostDirty: a dispatch has run since the last storage or
	// buffer-update barrier (the rule when elision is off).
	dirty, hostDirty bool

	// calls and barriers issued since take last counted them.
	calls, barriers int64
}

func newGLState(elide bool) glState { return glState{elide: elide, epoch: 1, hostEpoch: 1} }

// use makes program id current.
func (s *glState) use(id uint32) {
	if s.elide && s.program == id {
		return
	}
	gl.UseProgram(id)
	s.program = id
	s.calls++
}

// bind attaches bufs to storage bindings 0, 1, … in order and declares them
// as the next dispatch's buffers, which writes the bindings set in w (see
// writes) and only reads the others. A nil entry is a binding the program
// does not use; it is left as it is.
func (s *glState) bind(w uint32, bufs ...*glBuffer) {
	if len(bufs) > maxBindings {
		panic(fmt.Sprintf("gl: %d storage bindings, at most %d", len(bufs), maxBindings))
	}
	a := &s.access
	a.n, a.writes, a.set = copy(a.bufs[:], bufs), w, true
	for i, g := range bufs {
		if g == nil {
			continue
		}
		for len(s.bound) <= i {
			s.bound = append(s.bound, 0)
		}
		if s.elide && s.bound[i] == g.name {
			continue
		}
		gl.BindBufferBase(gl.SHADER_STORAGE_BUFFER, uint32(i), g.name)
		s.bound[i] = g.name
		s.calls++
	}
}

// forget drops a deleted buffer name from the bindings: GL may hand the
// name out again to a new buffer, which must then be bound anew.
func (s *glState) forget(name uint32) {
	for i, n := range s.bound {
		if n == name {
			s.bound[i] = 0
		}
	}
}

// needsBarrier reports whether the declared dispatch must wait behind a
// storage barrier: it reads or writes a buffer with pending writes, or
// writes one with pending reads. With elision off, any earlier dispatch
// since the last barrier is enough.
func (s *glState) needsBarrier() bool {
	if !s.elide {
		return s.dirty
	}
	a := &s.access
	for i, g := range a.bufs[:a.n] {
		if g == nil {
			continue
		}
		if g.written == s.epoch || a.writes&(1<<i) != 0 && g.read == s.epoch {
			return true
		}
	}
	return false
}

// beforeDispatch issues the storage barrier the declared dispatch needs.
func (s *glState) beforeDispatch() {
	if !s.access.set {
		panic("gl: dispatch without bind: its buffers are undeclared")
	}
	if s.needsBarrier() {
		gl.MemoryBarrier(gl.SHADER_STORAGE_BARRIER_BIT)
		s.epoch++
		s.dirty = false
		s.barriers++
	}
}

// afterDispatch records the declared dispatch's accesses as pending.
func (s *glState) afterDispatch() {
	a := &s.access
	for i, g := range a.bufs[:a.n] {
		if g == nil {
			continue
		}
		if a.writes&(1<<i) != 0 {
			g.written, g.hostWritten = s.epoch, s.hostEpoch
		} else {
			g.read = s.epoch
		}
	}
	s.dirty, s.hostDirty = true, true
}

// endDispatch ends the declaration: the next dispatch needs its own bind.
func (s *glState) endDispatch() { s.access = access{} }

// hostBarrier makes shader writes to g visible to a transfer (glBufferSubData,
// glGetBufferSubData) of g, and makes such a write wait for them.
func (s *glState) hostBarrier(g *glBuffer) {
	dirty := g.hostWritten == s.hostEpoch
	if !s.elide {
		dirty = s.hostDirty
	}
	if dirty {
		gl.MemoryBarrier(gl.BUFFER_UPDATE_BARRIER_BIT)
		s.hostEpoch++
		s.hostDirty = false
		s.barriers++
	}
}

// take returns the state calls and barriers issued since it last ran.
func (s *glState) take() (calls, barriers int64) {
	calls, barriers = s.calls, s.barriers
	s.calls, s.barriers = 0, 0
	return calls, barriers
}
