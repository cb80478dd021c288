package device

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"testing"
)

func TestCheckAlloc(t *testing.T) {
	gl := Info{Name: "gl", Limits: Limits{MaxBufferElements: 1 << 20}}
	if err := CheckAlloc(gl, "tensor: Zeros", Float32, 1<<20); err != nil {
		t.Errorf("CheckAlloc at the limit: %v", err)
	}
	err := CheckAlloc(gl, "tensor: Zeros", Float32, 1<<20+1)
	want := "tensor: Zeros: 1048577 float32 elements (4194308 bytes), want at most 1048576 (the gl device's largest buffer)"
	if err == nil || err.Error() != want || !errors.Is(err, ErrTooLarge) {
		t.Errorf("CheckAlloc over the limit = %v\nwant %s (and errors.Is ErrTooLarge)", err, want)
	}
	if err := CheckAlloc(gl, "x", Int32, -1); err == nil || err.Error() != "x: -1 int32 elements, want a count ≥ 0" {
		t.Errorf("CheckAlloc(-1) = %v", err)
	}

	// Without a backend limit, the host's memory decides.
	host := MaxElements(Info{})
	if mem := MemoryBytes(); mem > 0 && int64(host) != min(mem/4, math.MaxInt/4) {
		t.Errorf("MaxElements = %d with %d bytes of memory, want a quarter", host, mem)
	}
	var se *SizeError
	if err := CheckAlloc(Info{}, "x", Float32, math.MaxInt); !errors.As(err, &se) || se.Max != host {
		t.Errorf("CheckAlloc(MaxInt) = %v, want a *SizeError with Max %d", err, host)
	}
}

func TestMeminfoTotal(t *testing.T) {
	p := filepath.Join(t.TempDir(), "meminfo")
	os.WriteFile(p, []byte("MemFree:  100 kB\nMemTotal:       16318480 kB\n"), 0o644)
	if got := meminfoTotal(p); got != 16318480*1024 {
		t.Errorf("meminfoTotal = %d, want %d", got, int64(16318480)*1024)
	}
	if got := meminfoTotal(filepath.Join(t.TempDir(), "none")); got != 0 {
		t.Errorf("meminfoTotal of a missing file = %d, want 0", got)
	}
}
