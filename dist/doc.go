// Package dist is a thin binding to MPI, the message-passing library that
// launches, places and connects the processes of a job (Open MPI or MPICH,
// started by mpirun, a hostfile or Slurm's srun). It knows nothing of
// tensors: it moves []float32 and []float64 between processes.
//
// Built with the tag mpi (go build -tags mpi, which needs cgo and the
// system MPI found by pkg-config as "mpi"; on Debian: apt-get install
// openmpi-bin libopenmpi-dev), Init joins the job that started the process.
// Without the tag the package builds without cgo and Init returns a world of
// one process in which every collective is the identity, so a program runs
// unchanged as a single process. A program built without the tag but
// started by mpirun with several processes gets an error from Init rather
// than several independent copies of itself.
//
// Every collective waits at most the Comm's timeout (5 minutes, or
// TENSORGL_DIST_TIMEOUT as a Go duration such as "30s"): a process whose
// partner died or stalled prints what it was waiting for and aborts the
// whole job, so a fault ends the job with a message instead of a hang. A
// process of a job of several that the launcher stops with SIGTERM (Open
// MPI's mpirun does so when another process dies) says so on its error
// stream and exits with status 1.
//
// Allreduce is MPI's nonblocking allreduce and a wait that tests it in a
// loop, yielding to the process's other goroutines between tests. Under
// Open MPI the binding picks Rabenseifner's algorithm for it (a
// reduce-scatter, then an allgather: every process sends half the vector
// and adds half, at once), since Open MPI's default for an in-place vector
// among fewer than 4 processes is a reduce to rank 0 and a broadcast back;
// setting OMPI_MCA_coll_libnbc_iallreduce_algorithm overrides the choice.
// Each element's sum is formed by one process and copied to the others, so
// every process gets the same bits.
//
// A Comm's methods may be called from any goroutine; collectives are
// serialised, and every process must call the same collectives in the same
// order with the same lengths, as MPI requires.
package dist
