package device

import (
	"bufio"
	"errors"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"sync"
)

// ErrTooLarge is matched (errors.Is) by a *SizeError: a buffer that cannot
// exist on the device, however much memory is free.
var ErrTooLarge = errors.New("allocation too large for the device")

// elemBytes is the size of every DType's elements.
const elemBytes = 4

// SizeError reports a buffer of N elements that cannot exist: N is negative,
// its size in bytes overflows, or it exceeds the device's largest buffer.
// Backends panic with it in Alloc, instead of failing with Go's fatal "out
// of memory"; CheckAlloc returns it for callers that check first.
type SizeError struct {
	Op    string // what asked, e.g. "cpu: Alloc"
	DType DType
	N     int // elements asked for
	Max   int // the most elements a buffer may have
	Why   string
}

func (e *SizeError) Error() string {
	if e.N < 0 {
		return fmt.Sprintf("%s: %d %s elements, want a count ≥ 0", e.Op, e.N, e.DType)
	}
	return fmt.Sprintf("%s: %d %s elements (%.0f bytes), want at most %d (%s)",
		e.Op, e.N, e.DType, elemBytes*float64(e.N), e.Max, e.Why)
}

// Is makes errors.Is(err, ErrTooLarge) true.
func (e *SizeError) Is(target error) bool { return target == ErrTooLarge }

// MaxElements returns the most elements one buffer of the device described
// by info may have: the backend's Limits.MaxBufferElements where it sets
// one, else what fits the host's memory (MemoryBytes), and never more than
// an int can count in bytes.
func MaxElements(info Info) int {
	n, _ := maxElements(info)
	return n
}

// CheckAlloc returns a *SizeError, naming op, when a buffer of n elements of
// dt cannot exist on the device described by info, and nil otherwise. The
// tensor layer can call it before asking a backend to Alloc.
func CheckAlloc(info Info, op string, dt DType, n int) error {
	max, why := maxElements(info)
	if n < 0 || n > max {
		return &SizeError{Op: op, DType: dt, N: n, Max: max, Why: why}
	}
	return nil
}

func maxElements(info Info) (int, string) {
	if m := info.Limits.MaxBufferElements; m > 0 {
		return m, fmt.Sprintf("the %s device's largest buffer", info.Name)
	}
	return hostMaxElements()
}

// hostMaxElements is the most elements a host buffer may have: the
// memory's worth, and what a byte count in an int can address.
func hostMaxElements() (int, string) {
	n, why := math.MaxInt/elemBytes, "the most an int can count in bytes"
	if mem := MemoryBytes(); mem > 0 && mem/elemBytes < int64(n) {
		n, why = int(mem/elemBytes), fmt.Sprintf("the %.1f GiB of memory of this machine", float64(mem)/(1<<30))
	}
	return n, why
}

// MemoryBytes returns the memory this process may use at most: the
// machine's physical memory, or its control group's limit when that is
// lower (Linux). It returns 0 where neither is known.
var MemoryBytes = sync.OnceValue(func() int64 {
	mem := meminfoTotal("/proc/meminfo")
	for _, p := range []string{"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"} {
		raw, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		if lim, err := strconv.ParseInt(strings.TrimSpace(string(raw)), 10, 64); err == nil && lim > 0 && (mem == 0 || lim < mem) {
			mem = lim // "max" (no limit) does not parse
		}
	}
	return mem
})

// meminfoTotal reads MemTotal, in bytes, from a /proc/meminfo file; 0 if
// there is none.
func meminfoTotal(path string) int64 {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) == 3 && fields[0] == "MemTotal:" && fields[2] == "kB" {
			if kb, err := strconv.ParseInt(fields[1], 10, 64); err == nil && kb <= math.MaxInt64/1024 {
				return kb * 1024
			}
		}
	}
	return 0
}
