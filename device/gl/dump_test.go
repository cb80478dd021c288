//go:build cgo && !nogl

package gl

import (
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/tensorgl/tensorgl/device"
)

// An excerpt in the shape of NVIDIA's compute assembly as its program
// binaries hold it, between bytes that are not text.
const nvText = `!!NVcp5.0
OPTION NV_internal;
# 12 instructions, 8 R-regs
GROUP_SIZE 16 16;
TEMP R0, R1;
TEMP lmem[64];
IF NE.x;
MOV.F lmem[R0.x].x, R1.x;
ENDIF;
MOV.F R1.x, lmem[R0.y].x;
END`

func TestProgramText(t *testing.T) {
	bin := append(append([]byte{0, 1, 2, 'x'}, nvText...), "\n\x00\x07trailing"...)
	got := programText(bin)
	if string(got) != nvText+"\n" {
		t.Errorf("programText = %q, want the text from !!NV to END", got)
	}
	if programText([]byte("MESA\x00binary")) != nil {
		t.Error("programText found text in a binary without !!NV")
	}
	// Past END, text that is not the program's is left out.
	if got := programText([]byte(nvText + "\nENDING\x00")); string(got) != nvText+"\n" {
		t.Errorf("programText with text after END = %q", got)
	}
	// A text without END runs to the first NUL.
	plain := programText([]byte("!!NVcp5.0\nMOV R0, R1;\x00rest"))
	if string(plain) != "!!NVcp5.0\nMOV R0, R1;\n" {
		t.Errorf("programText without END = %q", plain)
	}
	decls, uses := localMemory(plain)
	if decls != nil || uses != 0 {
		t.Errorf("localMemory of a text without lmem = %v, %d", decls, uses)
	}
	decls, uses = localMemory([]byte(nvText))
	if !reflect.DeepEqual(decls, []string{"TEMP lmem[64];"}) || uses != 2 {
		t.Errorf("localMemory = %q, %d uses; want [TEMP lmem[64];], 2", decls, uses)
	}
}

func TestDumpEnv(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(DumpEnv, dir)
	run := func() {
		d := openOrSkip(t)
		defer d.Close()
		a, c := d.Alloc(device.Float32, 12), d.Alloc(device.Float32, 9)
		d.Write(a, make([]float32, 12))
		d.MatMul(c, a, a, device.Epilogue{}, device.MatMulParams{Batch: 1, M: 3, N: 3, K: 4, TransB: true, Alpha: 1})
		if err := d.Sync(); err != nil {
			t.Fatal(err)
		}
	}
	run()
	index, err := os.ReadFile(filepath.Join(dir, "index.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(index), "\n"), "\n")
	if lines[0]+"\n" != dumpIndexHeader || len(lines) < 2 {
		t.Fatalf("index.tsv:\n%s\nwant its header and a line a program", index)
	}
	var gemm []string
	for _, l := range lines[1:] {
		f := strings.Split(l, "\t")
		if len(f) != 6 {
			t.Fatalf("index line %q: %d fields, want 6", l, len(f))
		}
		bin, err := os.ReadFile(filepath.Join(dir, f[0]+".bin"))
		if err != nil || len(bin) == 0 || f[3] != strconv.Itoa(len(bin)) {
			t.Errorf("%s.bin: %d bytes, %v; index says %s", f[0], len(bin), err, f[3])
		}
		if strings.HasPrefix(f[1], "matmul[") {
			gemm = append(gemm, f[0])
		}
	}
	if len(gemm) == 0 {
		t.Errorf("no matmul program in index.tsv:\n%s", index)
	}
	// A second process (device) finds its programs there and adds none.
	run()
	again, err := os.ReadFile(filepath.Join(dir, "index.tsv"))
	if err != nil || string(again) != string(index) {
		t.Errorf("index.tsv after a second device:\n%s\nwant it as it was:\n%s", again, index)
	}
	// A folder that cannot be made fails Open, naming the setting.
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv(DumpEnv, filepath.Join(file, "sub"))
	if d, err := Open(); err == nil || !strings.Contains(err.Error(), DumpEnv+"=") {
		if d != nil {
			d.Close()
		}
		t.Errorf("Open with %s under a file: %v, want an error naming the setting", DumpEnv, err)
	}
}
