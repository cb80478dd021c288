package idx

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
)

func encode(t *testing.T, dims []int, data []byte, gz bool) []byte {
	t.Helper()
	var buf bytes.Buffer
	if !gz {
		if err := Write(&buf, dims, data); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	zw := gzip.NewWriter(&buf)
	if err := Write(zw, dims, data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestRoundTrip(t *testing.T) {
	dims := []int{3, 4, 5}
	data := make([]byte, 60)
	for i := range data {
		data[i] = byte(i * 37)
	}
	for _, gz := range []bool{false, true} {
		raw := encode(t, dims, data, gz)
		if gz != (raw[0] == 0x1f) {
			t.Fatalf("gz=%v: encoding starts with %x", gz, raw[:2])
		}
		f, err := Read(bytes.NewReader(raw), "x")
		if err != nil {
			t.Fatalf("gz=%v: %v", gz, err)
		}
		if !slices.Equal(f.Dims, dims) || !bytes.Equal(f.Data, data) {
			t.Fatalf("gz=%v: got dims %v data %v", gz, f.Dims, f.Data[:8])
		}
	}
	// The exact header bytes: 00 00 08 03, then 3, 4, 5 as big-endian uint32.
	want := []byte{0, 0, 8, 3, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 5}
	if raw := encode(t, dims, data, false); !bytes.Equal(raw[:16], want) {
		t.Fatalf("header % x, want % x", raw[:16], want)
	}
}

func TestBadFiles(t *testing.T) {
	good := encode(t, []int{2, 3}, []byte{1, 2, 3, 4, 5, 6}, false)
	gzGood := encode(t, []int{2, 3}, []byte{1, 2, 3, 4, 5, 6}, true)
	for _, tc := range []struct {
		name string
		file []byte
		want string
	}{
		{"empty", nil, "want a 4-byte IDX magic, file ends first"},
		{"magic", append([]byte{1, 0}, good[2:]...), "not an IDX file: magic 01 00 08 02"},
		{"type", append([]byte{0, 0, 0x0d}, good[3:]...), "element type 0x0d, want 0x08"},
		{"rank0", []byte{0, 0, 8, 0}, "rank 0"},
		{"short dims", good[:9], "want 2 dimension sizes in the header, file ends first"},
		{"short data", good[:len(good)-1], "header says 2×3 = 6 bytes of elements, file has 5"},
		{"extra data", append(slices.Clip(good), 7), "header says 2×3 = 6 bytes of elements, file has more"},
		{"huge", []byte{0, 0, 8, 3, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0}, "want at most"},
		{"bad gzip", gzGood[:5], "gzip header"},
		{"truncated gzip", gzGood[:len(gzGood)-10], "reading 6 bytes of elements"},
	} {
		_, err := Read(bytes.NewReader(tc.file), "f.idx")
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "data: f.idx: ") {
			t.Errorf("%s: got error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
}

func TestWriteRejects(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, []int{2, 2}, []byte{1, 2, 3}); err == nil {
		t.Error("Write accepted 3 bytes for dims 2×2")
	}
	if err := Write(&buf, nil, nil); err == nil {
		t.Error("Write accepted rank 0")
	}
}

// TestHeaderBoundedByFileSize: a header announcing more elements than the
// file can hold is rejected from the header alone, before the elements are
// read: 2³¹−1 items in a gzip file of a few hundred bytes, whose deflate
// stream cannot expand to more than 1032 times its size.
func TestHeaderBoundedByFileSize(t *testing.T) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte{0, 0, 8, 1, 0x7f, 0xff, 0xff, 0xff})
	zw.Write(make([]byte, 100<<10))
	zw.Close()
	gz := buf.Bytes()
	want := fmt.Sprintf("data: huge.gz: header says 2147483647 = 2147483647 bytes of elements, a %d-byte gzip file holds at most %d", len(gz), len(gz)*1032-8)
	if _, err := Read(bytes.NewReader(gz), "huge.gz"); err == nil || err.Error() != want {
		t.Errorf("gzip: got %v\nwant %s", err, want)
	}

}

// TestDecoderStopsAtHeader: NewDecoder reads only the header, so a caller
// can reject the dimensions of a file of unknown size without reading (or
// holding) what the header announces.
func TestDecoderStopsAtHeader(t *testing.T) {
	r := &countingReader{r: io.MultiReader(bytes.NewReader([]byte{0, 0, 8, 1, 0x7f, 0xff, 0xff, 0xff}), zeros{})}
	d, err := NewDecoder(r, "stream")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(d.Dims, []int{1<<31 - 1}) {
		t.Errorf("Dims = %v, want [2147483647]", d.Dims)
	}
	if r.n > 4096 {
		t.Errorf("NewDecoder read %d bytes, want only the header and one buffer", r.n)
	}
}

type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}
