package safetensors

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func sample() (map[string]Tensor, map[string]string) {
	return map[string]Tensor{
		"layer.weight": {DType: "F32", Shape: []int{2, 3}, F32: []float32{
			1, -0.0, float32(math.Inf(-1)), math.Float32frombits(0x7fc00123), // NaN with a payload
			math.SmallestNonzeroFloat32, math.MaxFloat32}},
		"layer.bias": {DType: "F32", Shape: []int{3}, F32: []float32{0.1, 0.2, 0.3}},
		"step":       {DType: "I64", Shape: nil, I64: []int64{math.MinInt64}},
		"labels":     {DType: "I32", Shape: []int{4}, I32: []int32{-1, 0, math.MaxInt32, math.MinInt32}},
		"empty":      {DType: "F32", Shape: []int{0, 5}, F32: []float32{}},
	}, map[string]string{"format": "pt", "note": `quotes " and <tags> & ünïcode`}
}

func TestRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.safetensors")
	tensors, meta := sample()
	if err := Write(path, tensors, meta); err != nil {
		t.Fatal(err)
	}
	got, gotMeta, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(tensors) || !maps(gotMeta, meta) {
		t.Fatalf("read %d tensors and metadata %v, want %d and %v", len(got), gotMeta, len(tensors), meta)
	}
	for name, want := range tensors {
		g := got[name]
		bits := func(v []float32) []uint32 {
			b := make([]uint32, len(v))
			for i, x := range v {
				b[i] = math.Float32bits(x)
			}
			return b
		}
		if g.DType != want.DType || !slices.Equal(g.Shape, want.Shape) || !slices.Equal(bits(g.F32), bits(want.F32)) ||
			!slices.Equal(g.I32, want.I32) || !slices.Equal(g.I64, want.I64) {
			t.Errorf("%s: read %+v, want %+v", name, g, want)
		}
	}
	if info, err := os.Stat(path); err != nil || info.Mode().Perm() != 0o644 {
		t.Errorf("file mode %v, %v; want 0644", info.Mode(), err)
	}
}

func maps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestLayout checks the exact bytes against a file assembled by hand from
// the format description.
func TestLayout(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.safetensors")
	err := Write(path, map[string]Tensor{
		"b": {DType: "F32", Shape: []int{2}, F32: []float32{1, -2}},
		"a": {DType: "I32", Shape: []int{}, I32: []int32{7}},
	}, map[string]string{"format": "pt"})
	if err != nil {
		t.Fatal(err)
	}
	header := `{"__metadata__":{"format":"pt"},"a":{"dtype":"I32","shape":[],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}`
	header += strings.Repeat(" ", (8-len(header)%8)%8)
	want := binary.LittleEndian.AppendUint64(nil, uint64(len(header)))
	want = append(want, header...)
	want = append(want, 7, 0, 0, 0, 0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0)
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("file\n%q\nwant\n%q", got, want)
	}
}

// build assembles a file from a header string and n data bytes.
func build(header string, n int) []byte {
	b := binary.LittleEndian.AppendUint64(nil, uint64(len(header)))
	return append(append(b, header...), make([]byte, n)...)
}

func TestCorrupt(t *testing.T) {
	tensors, meta := sample()
	path := filepath.Join(t.TempDir(), "good.safetensors")
	if err := Write(path, tensors, meta); err != nil {
		t.Fatal(err)
	}
	good, _ := os.ReadFile(path)
	hugeLen := slices.Clone(good)
	binary.LittleEndian.PutUint64(hugeLen, 1<<40)
	longLen := slices.Clone(good)
	binary.LittleEndian.PutUint64(longLen, uint64(len(good)))

	const ab = `"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}`
	for _, tc := range []struct {
		name   string
		file   []byte
		errHas string
	}{
		{"empty", nil, "file is 0 bytes, want at least 8"},
		{"truncated length", good[:5], "file is 5 bytes"},
		{"truncated header", good[:40], "exceeds the 32 bytes after it"},
		{"truncated data", good[:len(good)-1], "tensors cover 60 bytes of the 59-byte data section"},
		{"trailing data", append(slices.Clone(good), 0), "tensors cover 60 bytes of the 61-byte data section"},
		{"huge header length", hugeLen, "header length 1099511627776, want at most 100000000"},
		{"header length past end", longLen, "exceeds"},
		{"not json", build("[1,2]   ", 0), "header does not start with '{'"},
		{"bad json", build(`{"a":}  `, 0), "header: "},
		{"garbage after", build(`{}xx    `, 0), `"xx" after the JSON object`},
		{"duplicate", build(`{`+ab+`,`+ab+`}`, 8), `"a" appears twice`},
		{"unknown dtype", build(`{"a":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}}`, 4), `dtype "F16" is not supported`},
		{"missing dtype", build(`{"a":{"shape":[2],"data_offsets":[0,8]}}`, 8), `tensor "a": no dtype`},
		{"missing shape", build(`{"a":{"dtype":"F32","data_offsets":[0,8]}}`, 8), `no shape`},
		{"three offsets", build(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8,9]}}`, 8), `data_offsets [0 8 9], want [begin, end]`},
		{"negative shape", build(`{"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}`, 8), `want sizes in [0, 2³¹)`},
		{"byte count", build(`{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}`, 8), `F32[3] needs 12 bytes, data_offsets [0, 8] hold 8`},
		{"reversed offsets", build(`{"a":{"dtype":"F32","shape":[0],"data_offsets":[8,0]}}`, 8), `want begin ≤ end`},
		{"gap", build(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}`, 12), `leaves a gap after the tensor before it, want it to begin at 0`},
		{"overlap", build(`{`+ab+`,"b":{"dtype":"I32","shape":[1],"data_offsets":[4,8]}}`, 8), `tensor "b": data_offsets [4, 8] overlaps the tensor before it, want it to begin at 8`},
		{"past end", build(`{`+ab+`}`, 4), "tensors cover 8 bytes of the 4-byte data section"},
		{"metadata not strings", build(`{"__metadata__":{"n":1}}`, 0), "__metadata__: want an object of strings"},
	} {
		_, _, err := decode(tc.file)
		if err == nil || !strings.Contains(err.Error(), tc.errHas) {
			t.Errorf("%s: got %v, want an error containing %q", tc.name, err, tc.errHas)
		}
	}
	// Through Read, the path is named.
	bad := filepath.Join(t.TempDir(), "bad.safetensors")
	os.WriteFile(bad, good[:len(good)-1], 0o644)
	if _, _, err := Read(bad); err == nil || !strings.HasPrefix(err.Error(), "safetensors: "+bad+": ") {
		t.Errorf("Read(truncated) = %v", err)
	}
	if _, _, err := Read(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("Read of a missing file succeeded")
	}
}

func TestWriteRejects(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name    string
		tensors map[string]Tensor
		errHas  string
	}{
		{"length", map[string]Tensor{"w": {DType: "F32", Shape: []int{2, 2}, F32: make([]float32, 3)}}, `tensor "w": shape [2 2] wants 4 F32 elements, have 3`},
		{"dtype", map[string]Tensor{"w": {DType: "F64", Shape: []int{1}, F32: make([]float32, 1)}}, `dtype "F64", want F32, I32 or I64`},
		{"two slices", map[string]Tensor{"w": {DType: "I32", Shape: []int{1}, I32: []int32{1}, I64: []int64{1}}}, "dtype I32 but 1 I64 elements given"},
		{"negative", map[string]Tensor{"w": {DType: "I32", Shape: []int{-1}}}, "negative size"},
		{"reserved", map[string]Tensor{"__metadata__": {DType: "I32", Shape: []int{}, I32: []int32{1}}}, "reserved"},
	} {
		err := Write(filepath.Join(dir, tc.name), tc.tensors, nil)
		if err == nil || !strings.Contains(err.Error(), tc.errHas) {
			t.Errorf("%s: got %v, want an error containing %q", tc.name, err, tc.errHas)
		}
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("rejected writes left %d files behind", len(left))
	}
	// The error names the file asked for, not the hidden temporary one.
	missing := filepath.Join(dir, "no", "such", "dir", "x")
	if err := Write(missing, nil, nil); err == nil || err.Error() != "safetensors: writing "+missing+": open: no such file or directory" ||
		!errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Write into a missing directory: got %v, want an error naming %s, not its temporary file", err, missing)
	}
}

func BenchmarkWriteRead(b *testing.B) {
	const n = 4 << 20 // 16 MiB of float32
	tensors := map[string]Tensor{"w": {DType: "F32", Shape: []int{n}, F32: make([]float32, n)}}
	path := filepath.Join(b.TempDir(), "bench.safetensors")
	b.SetBytes(4 * n)
	for b.Loop() {
		if err := Write(path, tensors, nil); err != nil {
			b.Fatal(err)
		}
		if _, _, err := Read(path); err != nil {
			b.Fatal(err)
		}
	}
}
