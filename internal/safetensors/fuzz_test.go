package safetensors

import (
	"bytes"
	"encoding/binary"
	"math"
	"slices"
	"testing"
)

// encode returns the bytes Write would store for tensors and meta.
func encode(tb testing.TB, tensors map[string]Tensor, meta map[string]string) []byte {
	tb.Helper()
	header, names, err := encodeHeader(tensors, meta)
	if err != nil {
		tb.Fatal(err)
	}
	var b bytes.Buffer
	binary.Write(&b, binary.LittleEndian, uint64(len(header)))
	b.Write(header)
	for _, name := range names {
		if err := writeData(&b, tensors[name]); err != nil {
			tb.Fatal(err)
		}
	}
	return b.Bytes()
}

// FuzzDecode feeds arbitrary bytes to the decoder: it must return tensors
// or an error, never panic, never allocate more than its input holds, and
// what it accepts must encode back to a file that decodes the same.
func FuzzDecode(f *testing.F) {
	tensors, meta := sample()
	f.Add(encode(f, tensors, meta))
	f.Add(encode(f, map[string]Tensor{"s": {DType: "I64", Shape: []int{}, I64: []int64{7}}}, nil))
	const ab = `"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}`
	for _, h := range []string{
		`{` + ab + `}`,
		`{` + ab + `,` + ab + `}`,
		`{"a":{"dtype":"I32","shape":[2147483647,2147483647],"data_offsets":[0,8]}}`,
		`{"a":{"dtype":"F32","shape":[0,2147483647],"data_offsets":[0,0]}}`,
		`{"__metadata__":{"k":"v"}}`,
		`{"":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`,
		`{"a":{"dtype":"F32","shape":[1],"data_offsets":[18446744073709551615,4]}}`,
	} {
		f.Add(build(h, 8))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		got, gotMeta, err := decode(raw)
		if err != nil {
			return
		}
		held := 0
		for name, ts := range got {
			if err := ts.check(); err != nil {
				t.Fatalf("%q: %v", name, err)
			}
			held += 4*len(ts.F32) + 4*len(ts.I32) + 8*len(ts.I64)
		}
		if held > len(raw) {
			t.Fatalf("%d bytes of elements from a %d-byte file", held, len(raw))
		}
		if _, empty := got[""]; empty {
			return // readable, but Write reserves the empty name
		}
		again, againMeta, err := decode(encode(t, got, gotMeta))
		if err != nil {
			t.Fatalf("re-encoded file does not decode: %v", err)
		}
		if len(again) != len(got) || len(againMeta) != len(gotMeta) {
			t.Fatalf("re-encoded file has %d tensors and %d metadata, want %d and %d", len(again), len(againMeta), len(got), len(gotMeta))
		}
		for name, ts := range got {
			a := again[name]
			if a.DType != ts.DType || !slices.Equal(a.Shape, ts.Shape) || !sameBits(a.F32, ts.F32) ||
				!slices.Equal(a.I32, ts.I32) || !slices.Equal(a.I64, ts.I64) {
				t.Fatalf("%q changed in a round trip", name)
			}
		}
		for k, v := range gotMeta {
			if againMeta[k] != v {
				t.Fatalf("metadata %q changed in a round trip", k)
			}
		}
	})
}

func sameBits(a, b []float32) bool {
	return slices.EqualFunc(a, b, func(x, y float32) bool { return math.Float32bits(x) == math.Float32bits(y) })
}
