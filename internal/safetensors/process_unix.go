//go:build unix

package safetensors

import (
	"errors"
	"syscall"
)

// processRunning reports whether a process with this id exists: signal 0
// checks without sending anything, and EPERM means it exists but is not ours.
func processRunning(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
