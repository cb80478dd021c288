//go:build unix

package nn

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tensorgl/tensorgl/tensor"
)

// writerEnv carries the checkpoint path and first generation to the helper
// process that TestCheckpointWriterProcess runs.
const writerEnv = "TENSORGL_TEST_CHECKPOINT_WRITER"

// killSize is the number of float32 in the killed checkpoint: 256 KiB, so a
// save takes long enough to be interrupted in the middle.
const killSize = 64 << 10

// TestCheckpointWriterProcess is the helper process of
// TestCheckpointSurvivesKill: it saves generation g, g+1, … of a checkpoint
// whose values all equal the generation, printing each generation once its
// save has returned, until it is killed.
func TestCheckpointWriterProcess(t *testing.T) {
	spec := os.Getenv(writerEnv)
	if spec == "" {
		t.Skip("helper process of TestCheckpointSurvivesKill")
	}
	path, first, _ := strings.Cut(spec, "|")
	gen, err := strconv.Atoi(first)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println("ready")
	vals := make([]float32, killSize)
	for ; ; gen++ {
		for i := range vals {
			vals[i] = float32(gen)
		}
		w := tensor.FromSlice(vals)
		if err := SaveTensors(path, map[string]*tensor.Tensor{"w": w}, map[string]string{"gen": strconv.Itoa(gen)}); err != nil {
			t.Fatal(err)
		}
		w.Release()
		fmt.Println(gen)
	}
}

// TestCheckpointSurvivesKill kills a process that saves a checkpoint in a
// loop at random moments (SIGKILL), and checks after each kill that the
// checkpoint loads and is either the last save that returned or the one in
// progress, and that no more than the killed save's temporary file is left
// (the next save or load removes it).
func TestCheckpointSurvivesKill(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ckpt.safetensors")
	rng := rand.New(rand.NewPCG(1, uint64(time.Now().UnixNano())))
	gen := 0 // the generation in the file
	interrupted := 0
	for round := range 20 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCheckpointWriterProcess$")
		cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%s|%d", writerEnv, path, gen+1))
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := bufio.NewScanner(out)
		if !lines.Scan() || lines.Text() != "ready" {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("round %d: helper said %q, want ready", round, lines.Text())
		}
		time.Sleep(time.Duration(rng.IntN(40_000)) * time.Microsecond)
		if err := cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		last := gen // the last generation whose save returned
		for lines.Scan() {
			if g, err := strconv.Atoi(lines.Text()); err == nil {
				last = g
			}
		}
		cmd.Wait() // reap it, so that its process id is free

		temps := tempFiles(t, dir)
		if len(temps) > 1 {
			t.Fatalf("round %d: temporary files pile up: %q", round, temps)
		}
		interrupted += len(temps)

		if last == 0 && gen == 0 {
			if _, err := os.Stat(path); os.IsNotExist(err) {
				continue // killed before the first save
			}
		}
		w := tensor.Zeros(killSize)
		if err := LoadTensors(path, map[string]*tensor.Tensor{"w": w}); err != nil {
			t.Fatalf("round %d: the checkpoint does not load after a kill: %v", round, err)
		}
		meta, err := ReadMeta(path)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := strconv.Atoi(meta["gen"])
		if got != last && got != last+1 {
			t.Fatalf("round %d: checkpoint holds generation %d, want the last saved %d or the next", round, got, last)
		}
		for i, v := range w.Data() {
			if v != float32(got) {
				t.Fatalf("round %d: generation %d has value %v at %d, want %d", round, got, v, i, got)
			}
		}
		w.Release()
		if temps := tempFiles(t, dir); len(temps) != 0 {
			t.Fatalf("round %d: a load left the killed save's temporary files: %q", round, temps)
		}
		gen = got
	}
	t.Logf("%d generations saved; %d kills interrupted a save", gen, interrupted)
}

// tempFiles lists what is in dir besides the checkpoint itself.
func tempFiles(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if e.Name() != "ckpt.safetensors" {
			names = append(names, e.Name())
		}
	}
	return names
}
