//go:build mpi && cgo

package dist

/*
#cgo pkg-config: mpi
#include <stdlib.h>
#include <mpi.h>

// MPI's handles (MPI_COMM_WORLD, MPI_FLOAT, …) are macros, which cgo cannot
// use directly; these wrappers name them.

static int tgl_init(int *rank, int *size, int *local, int *localSize, int *provided) {
	// Open MPI installs handlers for SIGSEGV, SIGBUS, SIGFPE and SIGABRT
	// that do not run on the alternate signal stack, which the Go runtime
	// needs for its own (nil dereferences are SIGSEGV); leave them to Go
	// unless the user configured otherwise.
	setenv("OMPI_MCA_opal_signal", "", 0);
	// Open MPI's nonblocking allreduce of an in-place buffer among fewer
	// than 4 processes defaults to a reduce to rank 0 and a broadcast back:
	// two full transfers, one after the other, while the other processes
	// wait. Rabenseifner's algorithm (a reduce-scatter, then an allgather)
	// moves half the bytes each way at once and spreads the additions over
	// every process; it falls back to a ring for vectors shorter than the
	// number of processes. As above, a value the user set wins.
	setenv("OMPI_MCA_coll_libnbc_iallreduce_algorithm", "3", 0);
	int err = MPI_Init_thread(NULL, NULL, MPI_THREAD_MULTIPLE, provided);
	if (err != MPI_SUCCESS) return err;
	// Errors come back as codes, not as the default abort.
	MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
	if ((err = MPI_Comm_rank(MPI_COMM_WORLD, rank)) != MPI_SUCCESS) return err;
	if ((err = MPI_Comm_size(MPI_COMM_WORLD, size)) != MPI_SUCCESS) return err;
	MPI_Comm node;
	err = MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node);
	if (err != MPI_SUCCESS) return err;
	err = MPI_Comm_rank(node, local);
	if (err == MPI_SUCCESS) err = MPI_Comm_size(node, localSize);
	MPI_Comm_free(&node);
	return err;
}

static int tgl_thread_multiple(void) { return MPI_THREAD_MULTIPLE; }
static int tgl_thread_serialized(void) { return MPI_THREAD_SERIALIZED; }

static int tgl_bcast(void *buf, int n, int dbl, int root) {
	return MPI_Bcast(buf, n, dbl ? MPI_DOUBLE : MPI_FLOAT, root, MPI_COMM_WORLD);
}

static int tgl_iallreduce(void *buf, int n, int dbl, MPI_Request *req) {
	return MPI_Iallreduce(MPI_IN_PLACE, buf, n, dbl ? MPI_DOUBLE : MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD, req);
}
static int tgl_test(MPI_Request *req, int *done) { return MPI_Test(req, done, MPI_STATUS_IGNORE); }

static int tgl_barrier(void) { return MPI_Barrier(MPI_COMM_WORLD); }
static void tgl_abort(int code) { MPI_Abort(MPI_COMM_WORLD, code); }
static int tgl_finalize(void) { return MPI_Finalize(); }

static void tgl_error_string(int code, char *buf) {
	int n = 0;
	if (MPI_Error_string(code, buf, &n) != MPI_SUCCESS) n = 0;
	buf[n] = 0;
}

static void tgl_library(char *buf) {
	int n = 0;
	if (MPI_Get_library_version(buf, &n) != MPI_SUCCESS) n = 0;
	buf[n] = 0;
}

static int tgl_max_string(void) { return MPI_MAX_ERROR_STRING > MPI_MAX_LIBRARY_VERSION_STRING ? MPI_MAX_ERROR_STRING : MPI_MAX_LIBRARY_VERSION_STRING; }
*/
import "C"

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"unsafe"
)

// multiple records whether MPI lets any thread call it at any time, which
// the watchdog's abort during a blocked collective needs.
var multiple bool

func initWorld() (world, error) {
	var rank, size, local, localSize, provided C.int
	if code := C.tgl_init(&rank, &size, &local, &localSize, &provided); code != 0 {
		return world{}, fmt.Errorf("dist: MPI_Init_thread: %w", mpiError(code))
	}
	if provided < C.tgl_thread_serialized() {
		C.tgl_finalize()
		return world{}, errors.New("dist: the MPI library grants no MPI_THREAD_SERIALIZED: Go calls MPI from several OS threads")
	}
	multiple = provided >= C.tgl_thread_multiple()
	return world{rank: int(rank), size: int(size), local: int(local), localSize: int(localSize), impl: library()}, nil
}

func mpiBcast(p unsafe.Pointer, n int, dbl bool, root int) error {
	return mpiError(C.tgl_bcast(p, C.int(n), cbool(dbl), C.int(root)))
}

// request is an MPI request in flight and the buffer it pins: MPI keeps a
// pointer to the buffer after the starting call returns, which cgo allows
// only for pinned Go memory.
type request struct {
	req *C.MPI_Request
	pin runtime.Pinner
}

func mpiIallreduce(p unsafe.Pointer, n int, dbl bool) (*request, error) {
	r := &request{req: (*C.MPI_Request)(C.malloc(C.sizeof_MPI_Request))}
	if p != nil {
		r.pin.Pin(p)
	}
	if code := C.tgl_iallreduce(p, C.int(n), cbool(dbl), r.req); code != 0 {
		r.free()
		return nil, mpiError(code)
	}
	return r, nil
}

// test reports whether the request has completed (MPI_Test, which also
// moves it on). A request that completed or failed is freed.
func (r *request) test() (bool, error) {
	var done C.int
	if code := C.tgl_test(r.req, &done); code != 0 {
		r.free()
		return true, mpiError(code)
	}
	if done == 0 {
		return false, nil
	}
	r.free()
	return true, nil
}

func (r *request) free() {
	r.pin.Unpin()
	C.free(unsafe.Pointer(r.req))
	r.req = nil
}

func mpiBarrier() error { return mpiError(C.tgl_barrier()) }

func mpiFinalize() error { return mpiError(C.tgl_finalize()) }

// mpiAbort ends the job. Without MPI_THREAD_MULTIPLE it may not run while
// another thread is blocked in MPI, so the process exits instead and the
// launcher ends the others when it sees one exit without finalising.
func mpiAbort(code int) {
	if multiple {
		C.tgl_abort(C.int(code))
	}
}

func cbool(b bool) C.int {
	if b {
		return 1
	}
	return 0
}

func mpiError(code C.int) error {
	if code == 0 {
		return nil
	}
	buf := (*C.char)(C.malloc(C.size_t(C.tgl_max_string() + 1)))
	defer C.free(unsafe.Pointer(buf))
	C.tgl_error_string(code, buf)
	return fmt.Errorf("MPI error %d: %s", int(code), C.GoString(buf))
}

func library() string {
	buf := (*C.char)(C.malloc(C.size_t(C.tgl_max_string() + 1)))
	defer C.free(unsafe.Pointer(buf))
	C.tgl_library(buf)
	s, _, _ := strings.Cut(strings.TrimSpace(C.GoString(buf)), "\n")
	// MPICH's first line is "MPICH Version:\t4.0.2".
	return strings.Join(strings.Fields(strings.TrimSuffix(strings.TrimSpace(s), ",")), " ")
}
