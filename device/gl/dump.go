//go:build cgo && !nogl

package gl

import (
	"bytes"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/go-gl/gl/v4.3-core/gl"
	"github.com/tensorgl/tensorgl/internal/atomicfile"
)

// DumpEnv names a folder into which the device writes every program it
// builds, as the driver compiled it: TENSORGL_GL_DUMP=dir. For each
// program, dir/<family>-<hash>.bin holds its binary (glGetProgramBinary)
// and, where the binary holds the driver's assembly as text (NVIDIA's
// "!!NVcp5.0" … "END" does), dir/<family>-<hash>.asm that text; a line of
// dir/index.tsv names the program (its variant: family and defines), its
// binary's format and size, its assembly's lines and the declarations of
// local memory in it ("lmem": arrays the compiler could not keep in
// registers, which a GEMM's accumulators must never be). Programs already
// in the folder, from an earlier process, are left as they are. Unset,
// nothing is written.
const DumpEnv = "TENSORGL_GL_DUMP"

// dumpSetting returns the folder DumpEnv names, made if missing, or "".
func dumpSetting() (string, error) {
	dir := os.Getenv(DumpEnv)
	if dir == "" {
		return "", nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("%s=%q: %w", DumpEnv, dir, err)
	}
	return filepath.Abs(dir)
}

// dumpIndexMu orders the index's lines and the check for a program
// already dumped, for the devices of one process.
var dumpIndexMu sync.Mutex

// dumpIndexHeader is the first line of index.tsv.
const dumpIndexHeader = "file\tvariant\tformat\tbinary bytes\tasm lines\tlocal memory\n"

// dumpProgram writes program id, built from v, into dir (GL thread).
func dumpProgram(dir string, v variant, id uint32) error {
	name := v.String()
	h := fnv.New64a()
	h.Write([]byte(name))
	base := fmt.Sprintf("%s-%016x", v.family, h.Sum64())
	dumpIndexMu.Lock()
	defer dumpIndexMu.Unlock()
	if _, err := os.Stat(filepath.Join(dir, base+".bin")); err == nil {
		return nil
	}
	var n int32
	gl.GetProgramiv(id, gl.PROGRAM_BINARY_LENGTH, &n)
	bin := make([]byte, max(n, 1))
	var got int32
	var format uint32
	if n > 0 {
		gl.GetProgramBinary(id, n, &got, &format, gl.Ptr(bin))
	}
	bin = bin[:got]
	asm := programText(bin)
	lmem := "-"
	if asm != nil {
		if err := atomicfile.WriteFile(filepath.Join(dir, base+".asm"), asm, 0o644); err != nil {
			return err
		}
		if decls, uses := localMemory(asm); len(decls) > 0 || uses > 0 {
			lmem = fmt.Sprintf("%s (%d uses)", strings.Join(decls, " "), uses)
		}
	}
	if err := atomicfile.WriteFile(filepath.Join(dir, base+".bin"), bin, 0o644); err != nil {
		return err
	}
	index := filepath.Join(dir, "index.tsv")
	f, err := os.OpenFile(index, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	line := fmt.Sprintf("%s\t%s\t%#x\t%d\t%d\t%s\n", base, name, format, len(bin), bytes.Count(asm, []byte("\n")), lmem)
	if fi, err := f.Stat(); err == nil && fi.Size() == 0 {
		line = dumpIndexHeader + line
	}
	_, err = f.WriteString(line)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// programText returns the driver's assembly held as text in a program
// binary: from its first "!!NV" to the line "END" after it (or the first
// NUL byte, or the binary's end), or nil where there is none.
func programText(bin []byte) []byte {
	i := bytes.Index(bin, []byte("!!NV"))
	if i < 0 {
		return nil
	}
	text := bin[i:]
	if j := bytes.IndexByte(text, 0); j >= 0 {
		text = text[:j]
	}
	// The program ends at a line of END alone (ENDIF, ENDREP are
	// instructions).
	for off := 0; ; {
		j := bytes.Index(text[off:], []byte("\nEND"))
		if j < 0 {
			break
		}
		end := off + j + len("\nEND")
		if end == len(text) || text[end] == '\n' || text[end] == '\r' {
			text = text[:end]
			break
		}
		off = end
	}
	return append(append([]byte(nil), text...), '\n')
}

// localMemory summarises asm's use of local memory (NVIDIA's assembly
// names it lmem): its declarations (TEMP statements), each with its
// whitespace collapsed, and the number of other lines that name it.
func localMemory(asm []byte) (decls []string, uses int) {
	for line := range strings.SplitSeq(string(asm), "\n") {
		s := strings.TrimSpace(line)
		switch {
		case !strings.Contains(s, "lmem") || strings.HasPrefix(s, "#"):
		case strings.HasPrefix(s, "TEMP"):
			decls = append(decls, strings.Join(strings.Fields(s), " "))
		default:
			uses++
		}
	}
	return decls, uses
}
