package safetensors

import (
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// staleAge is how long a temporary file may go unmodified before it is
// taken for abandoned whoever wrote it: a writer on another host (a shared
// file system), or one whose process id has since been reused.
const staleAge = time.Hour

// hostID identifies this host in temporary file names.
var hostID = func() string {
	name, _ := os.Hostname()
	h := fnv.New32a()
	h.Write([]byte(name))
	return fmt.Sprintf("%08x", h.Sum32())
}()

// tempPrefix is the start of every temporary file name of path.
func tempPrefix(path string) string { return "." + filepath.Base(path) + ".tmp" }

// createTemp creates this process's temporary file for path.
func createTemp(path string) (*os.File, error) {
	return os.CreateTemp(filepath.Dir(path), fmt.Sprintf("%s-%s-%d-*", tempPrefix(path), hostID, os.Getpid()))
}

// removeStale removes the stale temporary files of path and returns their
// names. Errors are ignored: a file that cannot be removed (a read-only
// directory, another process removing it first) does not stop a save or a
// load, and is tried again next time.
func removeStale(path string) []string {
	dir := filepath.Dir(path)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	prefix := tempPrefix(path)
	var removed []string
	for _, e := range entries {
		name := e.Name()
		if !e.Type().IsRegular() || !strings.HasPrefix(name, prefix) {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue
		}
		host, pid, ok := parseTemp(name[len(prefix):])
		if !ok {
			continue // another file whose name happens to start alike
		}
		gone := host == hostID && pid > 0 && pid != os.Getpid() && !processRunning(pid)
		if !gone && time.Since(info.ModTime()) < staleAge {
			continue
		}
		if os.Remove(filepath.Join(dir, name)) == nil {
			removed = append(removed, name)
		}
	}
	return removed
}

// parseTemp parses what follows tempPrefix in a temporary file's name:
// "-<host>-<pid>-<random>", or only the random digits that os.CreateTemp
// appended in earlier versions (pid 0: unknown).
func parseTemp(suffix string) (host string, pid int, ok bool) {
	if digits(suffix) {
		return "", 0, true
	}
	parts := strings.Split(suffix, "-")
	if len(parts) != 4 || parts[0] != "" || !digits(parts[2]) || !digits(parts[3]) {
		return "", 0, false
	}
	pid, err := strconv.Atoi(parts[2])
	return parts[1], pid, err == nil
}

func digits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}

// hideTemp drops the name of path's temporary file from err where err is a
// *fs.PathError about it, keeping the operation and the cause: the caller
// knows only path, and a hidden name it never gave is misleading
// ("open /d/.x.tmp-…: no such file or directory" for a missing /d).
func hideTemp(path string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) && strings.HasPrefix(filepath.Base(pe.Path), tempPrefix(path)) {
		return fmt.Errorf("%s: %w", pe.Op, pe.Err)
	}
	return err
}
