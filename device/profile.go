package device

import "time"

// Profiler is implemented by a device that can time its kernels one by
// one (the GL and CPU backends): a training step's time per kernel, as
// PyTorch's profiler gives it, to see which kernels a GPU or CPU spends a
// step on. Timing every kernel costs a little on the host (and on GL keeps
// two timestamp queries per kernel in flight), so it is off until turned
// on.
type Profiler interface {
	// SetProfiling turns timing on or off for the kernels queued after it,
	// and clears what was gathered.
	SetProfiling(on bool)
	// Profile waits for the queued work and returns the time of every kind
	// of kernel run since profiling was turned on, the longest first.
	Profile() ([]KernelTime, error)
}

// KernelTime is the share of one kind of kernel (by name: "matmul
// 64×128×784", "binary add", "write") in a Profiler's time.
type KernelTime struct {
	Name  string
	Calls int
	// Device is the time the device spent on the calls, between timestamps
	// taken before and after each; zero where the device's timer does not
	// move (a software renderer runs each kernel before its timestamps).
	Device time.Duration
	// Host is the wall time the backend's thread spent issuing the calls:
	// on a software renderer, which runs each kernel as it is issued, and
	// on the CPU backend, their whole cost.
	Host time.Duration
	// Idle is the device's time between the end of the command timed
	// before each call and the start of the call: the device waiting for
	// the host to issue it (where Device includes a wait for the host, it
	// is not here). A step's first command is idle for as long as the host
	// took to queue it after the last step's read. Zero where the timer
	// does not move.
	Idle time.Duration
}
