package safetensors

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// A Tensor is a named array in a safetensors file. Exactly the slice that
// matches DType holds the prod(Shape) elements, row-major.
type Tensor struct {
	DType string // "F32", "I32" or "I64"
	Shape []int  // [] for a scalar
	F32   []float32
	I32   []int32
	I64   []int64
}

// metadataKey is the reserved header entry for free-form string metadata.
const metadataKey = "__metadata__"

// maxHeader is the reference implementation's limit on the JSON header.
const maxHeader = 100_000_000

// dtypeSize gives the element size of each supported dtype.
var dtypeSize = map[string]int{"F32": 4, "I32": 4, "I64": 8}

// elems returns prod(shape), or an error if a size is negative or the
// product overflows.
func elems(shape []int) (int, error) {
	n := 1
	for _, s := range shape {
		if s < 0 {
			return 0, fmt.Errorf("shape %v has a negative size", shape)
		}
		if s != 0 && n > math.MaxInt/8/s {
			return 0, fmt.Errorf("shape %v is too large", shape)
		}
		n *= s
	}
	return n, nil
}

// check reports a Tensor whose slices do not match its DType and Shape.
func (t Tensor) check() error {
	if _, ok := dtypeSize[t.DType]; !ok {
		return fmt.Errorf("dtype %q, want F32, I32 or I64", t.DType)
	}
	n, err := elems(t.Shape)
	if err != nil {
		return err
	}
	lens := map[string]int{"F32": len(t.F32), "I32": len(t.I32), "I64": len(t.I64)}
	for dt, l := range lens {
		if dt == t.DType && l != n {
			return fmt.Errorf("shape %v wants %d %s elements, have %d", t.Shape, n, dt, l)
		}
		if dt != t.DType && l != 0 {
			return fmt.Errorf("dtype %s but %d %s elements given", t.DType, l, dt)
		}
	}
	return nil
}

// Write stores tensors and meta (which may be nil) in the safetensors file at
// path, replacing it atomically. It first removes stale temporary files that
// interrupted saves of path left behind (see removeStale).
func Write(path string, tensors map[string]Tensor, meta map[string]string) (err error) {
	header, names, err := encodeHeader(tensors, meta)
	if err != nil {
		return fmt.Errorf("safetensors: %s: %w", path, err)
	}
	removeStale(path)
	f, err := createTemp(path)
	if err != nil {
		return fmt.Errorf("safetensors: writing %s: %w", path, hideTemp(path, err))
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
			err = fmt.Errorf("safetensors: writing %s: %w", path, hideTemp(path, err))
		}
	}()
	w := bufio.NewWriterSize(f, 1<<20)
	if err := binary.Write(w, binary.LittleEndian, uint64(len(header))); err != nil {
		return err
	}
	if _, err := w.Write(header); err != nil {
		return err
	}
	for _, name := range names {
		if err := writeData(w, tensors[name]); err != nil {
			return err
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	// CreateTemp makes the file private; a checkpoint is an ordinary file.
	if err := f.Chmod(0o644); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return err
	}
	// Make the rename itself durable. Some file systems cannot sync a
	// directory; the new file is complete either way, so that is not an error.
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// encodeHeader validates the tensors and returns the padded JSON header and
// the names in data order.
func encodeHeader(tensors map[string]Tensor, meta map[string]string) ([]byte, []string, error) {
	names := make([]string, 0, len(tensors))
	for name := range tensors {
		names = append(names, name)
	}
	slices.Sort(names)

	var h bytes.Buffer
	h.WriteByte('{')
	if len(meta) > 0 {
		m, err := marshal(meta)
		if err != nil {
			return nil, nil, err
		}
		h.WriteString(`"` + metadataKey + `":`)
		h.Write(m)
	}
	offset := 0
	for i, name := range names {
		t := tensors[name]
		if name == "" || name == metadataKey {
			return nil, nil, fmt.Errorf("tensor name %q is reserved", name)
		}
		if err := t.check(); err != nil {
			return nil, nil, fmt.Errorf("tensor %q: %w", name, err)
		}
		n, _ := elems(t.Shape)
		end := offset + n*dtypeSize[t.DType]
		shape := t.Shape
		if shape == nil {
			shape = []int{} // a scalar's shape is [], not null
		}
		entry, err := marshal(struct {
			DType       string `json:"dtype"`
			Shape       []int  `json:"shape"`
			DataOffsets [2]int `json:"data_offsets"`
		}{t.DType, shape, [2]int{offset, end}})
		if err != nil {
			return nil, nil, err
		}
		key, err := marshal(name)
		if err != nil {
			return nil, nil, err
		}
		if i > 0 || len(meta) > 0 {
			h.WriteByte(',')
		}
		h.Write(key)
		h.WriteByte(':')
		h.Write(entry)
		offset = end
	}
	h.WriteByte('}')
	for h.Len()%8 != 0 {
		h.WriteByte(' ')
	}
	return h.Bytes(), names, nil
}

// marshal encodes v as compact JSON without HTML escaping, so names and
// metadata appear in the header as written.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// writeData writes t's elements in little-endian byte order.
func writeData(w io.Writer, t Tensor) error {
	le := binary.LittleEndian
	switch t.DType {
	case "F32":
		return writeLE(w, t.F32, func(b []byte, v float32) []byte { return le.AppendUint32(b, math.Float32bits(v)) })
	case "I32":
		return writeLE(w, t.I32, func(b []byte, v int32) []byte { return le.AppendUint32(b, uint32(v)) })
	default:
		return writeLE(w, t.I64, func(b []byte, v int64) []byte { return le.AppendUint64(b, uint64(v)) })
	}
}

// writeLE encodes vals with appendLE and writes them in 64 KiB chunks.
func writeLE[T any](w io.Writer, vals []T, appendLE func([]byte, T) []byte) error {
	buf := make([]byte, 0, 64<<10)
	for len(vals) > 0 {
		k := min(len(vals), cap(buf)/8) // at most 8 bytes per element
		buf = buf[:0]
		for _, v := range vals[:k] {
			buf = appendLE(buf, v)
		}
		if _, err := w.Write(buf); err != nil {
			return err
		}
		vals = vals[k:]
	}
	return nil
}

// Read loads every tensor and the metadata (nil if absent) from the
// safetensors file at path. Like Write, it first removes stale temporary
// files that interrupted saves of path left behind.
func Read(path string) (map[string]Tensor, map[string]string, error) {
	removeStale(path)
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("safetensors: %w", err)
	}
	tensors, meta, err := decode(raw)
	if err != nil {
		return nil, nil, fmt.Errorf("safetensors: %s: %w", path, err)
	}
	return tensors, meta, nil
}

// entry is one tensor's header record; pointers tell missing fields apart.
type entry struct {
	DType       *string  `json:"dtype"`
	Shape       []int64  `json:"shape"`
	DataOffsets []uint64 `json:"data_offsets"`
}

// located is a parsed header entry with its byte range in the data section.
type located struct {
	name       string
	dtype      string
	shape      []int
	begin, end int
}

// decode parses and validates a whole safetensors file held in raw.
func decode(raw []byte) (map[string]Tensor, map[string]string, error) {
	if len(raw) < 8 {
		return nil, nil, fmt.Errorf("file is %d bytes, want at least 8 (the header length)", len(raw))
	}
	n := binary.LittleEndian.Uint64(raw)
	if n > maxHeader {
		return nil, nil, fmt.Errorf("header length %d, want at most %d", n, maxHeader)
	}
	if n > uint64(len(raw)-8) {
		return nil, nil, fmt.Errorf("header length %d exceeds the %d bytes after it", n, len(raw)-8)
	}
	header, data := raw[8:8+n], raw[8+n:]
	if len(header) == 0 || header[0] != '{' {
		return nil, nil, fmt.Errorf("header does not start with '{': %q", header[:min(len(header), 16)])
	}

	meta, entries, err := parseHeader(header)
	if err != nil {
		return nil, nil, err
	}
	slices.SortFunc(entries, func(a, b located) int {
		if a.begin != b.begin {
			return a.begin - b.begin
		}
		return a.end - b.end
	})
	pos := 0
	for _, e := range entries {
		if e.begin != pos {
			what := "overlaps the tensor before it"
			if e.begin > pos {
				what = "leaves a gap after the tensor before it"
			}
			return nil, nil, fmt.Errorf("tensor %q: data_offsets [%d, %d] %s, want it to begin at %d", e.name, e.begin, e.end, what, pos)
		}
		pos = e.end
	}
	if pos != len(data) {
		return nil, nil, fmt.Errorf("tensors cover %d bytes of the %d-byte data section", pos, len(data))
	}

	tensors := make(map[string]Tensor, len(entries))
	le := binary.LittleEndian
	for _, e := range entries {
		t := Tensor{DType: e.dtype, Shape: e.shape}
		b := data[e.begin:e.end]
		switch e.dtype {
		case "F32":
			t.F32 = make([]float32, len(b)/4)
			for i := range t.F32 {
				t.F32[i] = math.Float32frombits(le.Uint32(b[4*i:]))
			}
		case "I32":
			t.I32 = make([]int32, len(b)/4)
			for i := range t.I32 {
				t.I32[i] = int32(le.Uint32(b[4*i:]))
			}
		case "I64":
			t.I64 = make([]int64, len(b)/8)
			for i := range t.I64 {
				t.I64[i] = int64(le.Uint64(b[8*i:]))
			}
		}
		tensors[e.name] = t
	}
	return tensors, meta, nil
}

// parseHeader decodes the JSON header entry by entry, rejecting duplicate
// names, and checks each tensor's dtype, shape and byte count.
func parseHeader(header []byte) (map[string]string, []located, error) {
	dec := json.NewDecoder(bytes.NewReader(header))
	if _, err := dec.Token(); err != nil { // the '{' checked by the caller
		return nil, nil, fmt.Errorf("header: %w", err)
	}
	var meta map[string]string
	var entries []located
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, nil, fmt.Errorf("header: %w", err)
		}
		name, ok := tok.(string)
		if !ok {
			return nil, nil, fmt.Errorf("header: want a tensor name, found %v", tok)
		}
		if seen[name] {
			return nil, nil, fmt.Errorf("header: %q appears twice", name)
		}
		seen[name] = true
		if name == metadataKey {
			if err := dec.Decode(&meta); err != nil {
				return nil, nil, fmt.Errorf("header: %s: want an object of strings: %w", metadataKey, err)
			}
			continue
		}
		var ent entry
		if err := dec.Decode(&ent); err != nil {
			return nil, nil, fmt.Errorf("header: tensor %q: %w", name, err)
		}
		loc, err := ent.locate(name)
		if err != nil {
			return nil, nil, fmt.Errorf("tensor %q: %w", name, err)
		}
		entries = append(entries, loc)
	}
	if _, err := dec.Token(); err != nil { // the closing '}'
		return nil, nil, fmt.Errorf("header: %w", err)
	}
	if rest := strings.TrimRight(string(header[dec.InputOffset():]), " "); rest != "" {
		return nil, nil, fmt.Errorf("header: %q after the JSON object, want only space padding", rest[:min(len(rest), 16)])
	}
	return meta, entries, nil
}

// locate checks one header entry.
func (e entry) locate(name string) (located, error) {
	switch {
	case e.DType == nil:
		return located{}, errors.New("no dtype")
	case e.Shape == nil:
		return located{}, errors.New("no shape")
	case len(e.DataOffsets) != 2:
		return located{}, fmt.Errorf("data_offsets %v, want [begin, end]", e.DataOffsets)
	}
	size, ok := dtypeSize[*e.DType]
	if !ok {
		return located{}, fmt.Errorf("dtype %q is not supported, want F32, I32 or I64", *e.DType)
	}
	shape := make([]int, len(e.Shape))
	for i, s := range e.Shape {
		if s < 0 || s > math.MaxInt32 {
			return located{}, fmt.Errorf("shape %v, want sizes in [0, 2³¹)", e.Shape)
		}
		shape[i] = int(s)
	}
	n, err := elems(shape)
	if err != nil {
		return located{}, err
	}
	begin, end := e.DataOffsets[0], e.DataOffsets[1]
	if begin > end || end > math.MaxInt {
		return located{}, fmt.Errorf("data_offsets [%d, %d], want begin ≤ end", begin, end)
	}
	if want := uint64(n) * uint64(size); end-begin != want {
		return located{}, fmt.Errorf("%s%v needs %d bytes, data_offsets [%d, %d] hold %d", *e.DType, shape, want, begin, end, end-begin)
	}
	return located{name: name, dtype: *e.DType, shape: shape, begin: int(begin), end: int(end)}, nil
}
