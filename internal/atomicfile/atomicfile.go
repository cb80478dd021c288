// Package atomicfile replaces files whole: a reader sees the old contents
// or the new, and a failed write leaves the old file as it was.
package atomicfile

import (
	"os"
	"path/filepath"
)

// WriteFile replaces the file at path with b, with permissions perm,
// through a temporary file in the same directory renamed over it.
func WriteFile(path string, b []byte, perm os.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	// CreateTemp makes the file private (0600).
	if err = f.Chmod(perm); err == nil {
		_, err = f.Write(b)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}
