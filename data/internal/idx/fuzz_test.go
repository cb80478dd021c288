package idx

import (
	"bytes"
	"compress/gzip"
	"slices"
	"testing"
)

// FuzzRead feeds arbitrary bytes to Read: it must return a file or an
// error, never panic, and never hold more than its input can expand to.
func FuzzRead(f *testing.F) {
	for _, seed := range [][]byte{
		{0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6},
		{0, 0, 8, 1, 0x7f, 0xff, 0xff, 0xff},
		{0, 0, 8, 3, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0},
		{0, 0, 8, 0},
		{0x1f, 0x8b},
	} {
		f.Add(seed)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	if err := Write(zw, []int{2, 2}, []byte{9, 8, 7, 6}); err != nil {
		f.Fatal(err)
	}
	zw.Close()
	f.Add(gz.Bytes())
	f.Fuzz(func(t *testing.T, in []byte) {
		file, err := Read(bytes.NewReader(in), "fuzz")
		if err != nil {
			return
		}
		n := 1
		for _, d := range file.Dims {
			n *= d
		}
		if n != len(file.Data) || int64(n) > int64(len(in))*maxDeflateRatio {
			t.Fatalf("dims %v with %d bytes of data from a %d-byte input", file.Dims, len(file.Data), len(in))
		}
		var out bytes.Buffer
		if err := Write(&out, file.Dims, file.Data); err != nil {
			t.Fatal(err)
		}
		again, err := Read(&out, "again")
		if err != nil || !slices.Equal(again.Dims, file.Dims) || !bytes.Equal(again.Data, file.Data) {
			t.Fatalf("rewritten file reads back as %v, %v", again, err)
		}
	})
}
