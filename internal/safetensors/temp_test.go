package safetensors

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// deadPID returns the id of a process that has exited and been reaped.
func deadPID(t *testing.T) int {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	return cmd.Process.Pid
}

// TestStaleTempRemoved leaves behind the temporary files that killed saves
// would, plus files that are not stale or not ours, and checks that Write
// and Read remove exactly the stale ones of their own path.
func TestStaleTempRemoved(t *testing.T) {
	for _, op := range []string{"Write", "Read"} {
		dir := t.TempDir()
		path := filepath.Join(dir, "m.safetensors")
		tensors, meta := sample()
		if err := Write(path, tensors, meta); err != nil {
			t.Fatal(err)
		}
		dead := deadPID(t)
		old := time.Now().Add(-2 * staleAge)
		files := []struct {
			name  string
			old   bool
			stale bool
		}{
			{fmt.Sprintf(".m.safetensors.tmp-%s-%d-1", hostID, dead), false, true},         // writer killed
			{fmt.Sprintf(".m.safetensors.tmp-%s-%d-2", hostID, os.Getpid()), false, false}, // a save in progress here
			{fmt.Sprintf(".m.safetensors.tmp-%s-%d-3", hostID, os.Getpid()), true, true},   // but not for that long
			{fmt.Sprintf(".m.safetensors.tmp-%s-%d-4", "0badc0de", dead), false, false},    // another host's writer
			{fmt.Sprintf(".m.safetensors.tmp-%s-%d-5", "0badc0de", dead), true, true},      // abandoned there
			{".m.safetensors.tmp123456", false, false},                                     // older naming, recent
			{".m.safetensors.tmp654321", true, true},                                       // older naming, abandoned
			{fmt.Sprintf(".m.safetensors.tmpx-%s-%d-6", hostID, dead), true, false},        // not our pattern
			{fmt.Sprintf(".n.safetensors.tmp-%s-%d-7", hostID, dead), true, false},         // another checkpoint
			{"m.safetensors.bak", true, false},                                             // the user's
		}
		var want []string
		for _, f := range files {
			p := filepath.Join(dir, f.name)
			if err := os.WriteFile(p, []byte("partial"), 0o600); err != nil {
				t.Fatal(err)
			}
			if f.old {
				if err := os.Chtimes(p, old, old); err != nil {
					t.Fatal(err)
				}
			}
			if !f.stale {
				want = append(want, f.name)
			}
		}
		want = append(want, "m.safetensors")
		slices.Sort(want)

		var err error
		if op == "Write" {
			err = Write(path, tensors, meta)
		} else {
			_, _, err = Read(path)
		}
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			got = append(got, e.Name())
		}
		if !slices.Equal(got, want) {
			t.Errorf("after %s the directory holds\n%q\nwant\n%q", op, got, want)
		}
	}
}

// TestTempName: Write's temporary file carries the host and process that
// wrote it, so removeStale can tell whether its writer is gone.
func TestTempName(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.safetensors")
	f, err := createTemp(path)
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	prefix := fmt.Sprintf(".m.safetensors.tmp-%s-%d-", hostID, os.Getpid())
	name := filepath.Base(f.Name())
	host, pid, ok := parseTemp(name[len(tempPrefix(path)):])
	if len(name) <= len(prefix) || name[:len(prefix)] != prefix || !ok || host != hostID || pid != os.Getpid() {
		t.Errorf("temporary file %q (parsed %q %d %v), want %s<random>", name, host, pid, ok, prefix)
	}
}
