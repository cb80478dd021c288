package safetensors

import (
	"bytes"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestAtomicWriteKeepsOldFile makes a write fail for real, half-way through
// the data, by lowering the process's file-size limit (the Go runtime
// ignores SIGXFSZ, so the write returns EFBIG), and checks that the previous
// file survives byte for byte and no temporary file is left.
func TestAtomicWriteKeepsOldFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ckpt.safetensors")
	small := map[string]Tensor{"w": {DType: "F32", Shape: []int{4}, F32: []float32{1, 2, 3, 4}}}
	if err := Write(path, small, map[string]string{"step": "1"}); err != nil {
		t.Fatal(err)
	}
	old, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}

	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_FSIZE, &lim); err != nil {
		t.Skip("cannot read RLIMIT_FSIZE:", err)
	}
	big := map[string]Tensor{"w": {DType: "F32", Shape: []int{1 << 20}, F32: make([]float32, 1<<20)}}
	low := lim
	low.Cur = 64 << 10 // the 4 MiB write fails after 64 KiB
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &low); err != nil {
		t.Skip("cannot lower RLIMIT_FSIZE:", err)
	}
	err = Write(path, big, nil)
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &lim); err != nil {
		t.Fatal("restoring RLIMIT_FSIZE:", err)
	}
	if err == nil {
		t.Fatal("Write past the file-size limit succeeded")
	}
	t.Log(err)
	if want := "safetensors: writing " + path + ": write: file too large"; err.Error() != want {
		t.Errorf("error %q, want %q: the file asked for, not the temporary one", err, want)
	}

	now, rerr := os.ReadFile(path)
	if rerr != nil || !bytes.Equal(now, old) {
		t.Errorf("the previous file changed after a failed write (%v)", rerr)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("%d entries in the directory after a failed write, want only the old file", len(entries))
	}
	if tensors, meta, err := Read(path); err != nil || meta["step"] != "1" || tensors["w"].F32[3] != 4 {
		t.Errorf("old file no longer reads back: %v", err)
	}
}
