package dist

import (
	"fmt"
	"math"
	"os"
	"os/signal"
	"runtime"
	"sync"
	"syscall"
	"time"
	"unsafe"
)

// TimeoutEnv names the environment variable that sets the default bound on
// every collective (a Go duration, e.g. "30s").
const TimeoutEnv = "TENSORGL_DIST_TIMEOUT"

// DefaultTimeout bounds a collective unless TimeoutEnv or SetTimeout says
// otherwise. It must exceed the longest time one process works alone
// between collectives (rank 0 writing a checkpoint, say).
const DefaultTimeout = 5 * time.Minute

// Comm is the world of processes of one job.
type Comm struct {
	rank, size, local, localSize int
	impl                         string // the MPI library, or a note that there is none

	mu      sync.Mutex // serialises collectives
	timeout time.Duration
	watch   *time.Timer
	op      string // the collective in flight, for the watchdog's message
	stop    chan os.Signal
	done    bool
}

// elem is an element type a collective moves.
type elem interface{ float32 | float64 }

// Init joins the job that started this process (see the package
// documentation for builds without MPI). Call it once, before any other
// function of the package, and Finalize when done.
func Init() (*Comm, error) {
	w, err := initWorld()
	if err != nil {
		return nil, err
	}
	c := &Comm{rank: w.rank, size: w.size, local: w.local, localSize: w.localSize, impl: w.impl, timeout: DefaultTimeout}
	if s := os.Getenv(TimeoutEnv); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil || d <= 0 {
			c.Abort(2, fmt.Sprintf("%s=%q: want a positive duration such as 30s", TimeoutEnv, s))
		}
		c.timeout = d
	}
	c.watch = time.AfterFunc(time.Hour, c.expired)
	c.watch.Stop()
	if c.size > 1 {
		c.stop = make(chan os.Signal, 1)
		signal.Notify(c.stop, syscall.SIGTERM)
		go func() {
			if _, ok := <-c.stop; ok {
				fmt.Fprintf(os.Stderr, "%s: stopped by the launcher (SIGTERM): another process of the job failed or the job was cancelled\n", c)
				os.Exit(1)
			}
		}()
	}
	return c, nil
}

// Rank is this process's number in the job, 0 ≤ Rank < Size.
func (c *Comm) Rank() int { return c.rank }

// Size is the number of processes in the job.
func (c *Comm) Size() int { return c.size }

// LocalRank is this process's number among the job's processes on the same
// machine (shared-memory node): the index of the GPU it should use.
func (c *Comm) LocalRank() int { return c.local }

// LocalSize is the number of the job's processes on this machine.
func (c *Comm) LocalSize() int { return c.localSize }

// Library names the MPI implementation ("Open MPI v4.1.4, …"), or says that
// the program was built without it.
func (c *Comm) Library() string { return c.impl }

// String is "rank R of N", for messages.
func (c *Comm) String() string { return fmt.Sprintf("dist: rank %d of %d", c.rank, c.size) }

// SetTimeout changes the bound on each later collective.
func (c *Comm) SetTimeout(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.timeout = d
}

// BcastFloat32 copies root's buf into every other process's buf.
func (c *Comm) BcastFloat32(buf []float32, root int) error { return bcast(c, buf, root) }

// BcastFloat64 copies root's buf into every other process's buf.
func (c *Comm) BcastFloat64(buf []float64, root int) error { return bcast(c, buf, root) }

// AllreduceFloat32 replaces buf, on every process, with the element-wise
// sum of all processes' bufs.
func (c *Comm) AllreduceFloat32(buf []float32) error { return allreduce(c, buf) }

// AllreduceFloat64 replaces buf, on every process, with the element-wise
// sum of all processes' bufs.
func (c *Comm) AllreduceFloat64(buf []float64) error { return allreduce(c, buf) }

// IallreduceFloat32 starts AllreduceFloat32 of buf and returns at once
// (MPI_Iallreduce), so that the process can compute while the sums travel.
// buf must be neither read nor written until the request is done: until
// Test reports it or Wait returns. Every process must start the same
// collectives in the same order, counting blocking ones, as MPI requires.
func (c *Comm) IallreduceFloat32(buf []float32) (*Request, error) { return iallreduce(c, buf) }

// Request is a collective in flight (IallreduceFloat32).
type Request struct {
	c   *Comm
	op  string
	n   int
	r   *request // nil once done
	err error    // the outcome, once done
}

// Test reports whether the collective has completed, and its error if it
// failed. Calling it is also what moves the collective on: MPI makes
// progress while a process is inside an MPI call, so a program that
// computes between Start and Wait should Test now and then.
func (q *Request) Test() (bool, error) {
	if q.r == nil {
		return true, q.err
	}
	c := q.c
	c.mu.Lock()
	defer c.mu.Unlock()
	q.test()
	return q.r == nil, q.err
}

// Wait returns once the collective has completed, within the Comm's
// timeout (see the package documentation). Between two tests it yields
// the processor (runtime.Gosched): the process's other goroutines, such as
// a data loader preparing the next batch, use the time spent waiting for
// the other processes, on this thread rather than on one the runtime hands
// the processor to while a test is inside MPI.
func (q *Request) Wait() error {
	if q.r == nil {
		return q.err
	}
	c := q.c
	c.mu.Lock()
	defer c.mu.Unlock()
	c.op = q.op
	c.watch.Reset(c.timeout)
	for q.test(); q.r != nil; q.test() {
		runtime.Gosched()
	}
	c.watch.Stop()
	return q.err
}

// test moves the request on once; c.mu is held.
func (q *Request) test() {
	if done, err := q.r.test(); done {
		q.r = nil
		if err != nil {
			q.err = fmt.Errorf("%s: %s of %d elements: %w", q.c, q.op, q.n, err)
		}
	}
}

// Barrier returns once every process has called it.
func (c *Comm) Barrier() error { return c.run("Barrier", 0, mpiBarrier) }

// Abort writes msg (with the rank) to the error stream and ends every
// process of the job with status code. It does not return.
func (c *Comm) Abort(code int, msg string) {
	fmt.Fprintf(os.Stderr, "%s: %s; aborting the job\n", c, msg)
	mpiAbort(code)
	os.Exit(code) // the world of one, or an MPI whose abort returned
}

// Finalize leaves the job. The Comm must not be used afterwards.
func (c *Comm) Finalize() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.done {
		return nil
	}
	c.done = true
	if c.stop != nil {
		signal.Stop(c.stop)
		close(c.stop)
	}
	return mpiFinalize()
}

func bcast[T elem](c *Comm, buf []T, root int) error {
	if root < 0 || root >= c.size {
		return fmt.Errorf("%s: Bcast from root %d: want 0..%d", c, root, c.size-1)
	}
	return c.run("Bcast", len(buf), func() error { return mpiBcast(pointer(buf), len(buf), isDouble(buf), root) })
}

// allreduce is iallreduce and Wait: MPI_Allreduce would block inside one
// long cgo call, during which the Go runtime hands the process's processor
// to another thread (about 30% system time in a training step); MPI_Test
// in a loop keeps the calls short.
func allreduce[T elem](c *Comm, buf []T) error {
	q, err := start(c, "Allreduce", buf)
	if err != nil {
		return err
	}
	return q.Wait()
}

func iallreduce[T elem](c *Comm, buf []T) (*Request, error) { return start(c, "Iallreduce", buf) }

// start begins an allreduce of buf, named op in errors.
func start[T elem](c *Comm, op string, buf []T) (*Request, error) {
	q := &Request{c: c, op: op, n: len(buf)}
	err := c.run(op, len(buf), func() (err error) {
		q.r, err = mpiIallreduce(pointer(buf), len(buf), isDouble(buf))
		return err
	})
	return q, err
}

func pointer[T elem](buf []T) unsafe.Pointer {
	if len(buf) == 0 {
		return nil
	}
	return unsafe.Pointer(&buf[0])
}

func isDouble[T elem](buf []T) bool { _, ok := any(buf).([]float64); return ok }

// run performs one collective on n elements under the watchdog. A world of
// one has nothing to exchange.
func (c *Comm) run(op string, n int, f func() error) error {
	if c.size == 1 {
		return nil
	}
	if n > math.MaxInt32 {
		return fmt.Errorf("%s: %s of %d elements: MPI counts stop at %d", c, op, n, math.MaxInt32)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.done {
		return fmt.Errorf("%s: %s after Finalize", c, op)
	}
	c.op = op
	c.watch.Reset(c.timeout)
	err := f()
	c.watch.Stop()
	if err != nil {
		return fmt.Errorf("%s: %s of %d elements: %w", c, op, n, err)
	}
	return nil
}

// expired runs when a collective outlives the timeout: a partner died or
// stalled, and waiting longer cannot help.
func (c *Comm) expired() {
	c.Abort(1, fmt.Sprintf("%s has not completed within %s (%s): another process died or stalled", c.op, c.timeout, TimeoutEnv))
}

// world is what initWorld learns about the job.
type world struct {
	rank, size, local, localSize int
	impl                         string
}
