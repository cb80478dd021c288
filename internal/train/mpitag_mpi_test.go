//go:build mpi

package train

// builtWithMPI: see skipWithMPI.
const builtWithMPI = true
