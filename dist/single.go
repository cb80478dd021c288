//go:build !mpi || !cgo

package dist

import (
	"fmt"
	"os"
	"strconv"
	"unsafe"
)

// launcherSizes are environment variables by which MPI launchers tell a
// process how many processes its job has (Open MPI's mpirun; MPICH's Hydra
// and Slurm's PMI).
var launcherSizes = []string{"OMPI_COMM_WORLD_SIZE", "PMI_SIZE"}

// initWorld returns the world of one process, unless a launcher started
// several copies of this program, which without MPI would each train alone.
func initWorld() (world, error) {
	for _, env := range launcherSizes {
		if n, err := strconv.Atoi(os.Getenv(env)); err == nil && n > 1 {
			return world{}, fmt.Errorf("dist: started as one of %d processes (%s=%d), but built without MPI: build with -tags mpi (cgo and the system MPI) to train on several", n, env, n)
		}
	}
	return world{size: 1, localSize: 1, impl: "none (built without -tags mpi): one process"}, nil
}

// The collectives are never called in a world of one (Comm.run returns
// first); they exist to satisfy the shared code.

func mpiBcast(unsafe.Pointer, int, bool, int) error             { return nil }
func mpiIallreduce(unsafe.Pointer, int, bool) (*request, error) { return nil, nil }
func mpiBarrier() error                                         { return nil }
func mpiFinalize() error                                        { return nil }
func mpiAbort(int)                                              {}

type request struct{}

func (*request) test() (bool, error) { return true, nil }
