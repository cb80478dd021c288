// Package idx reads and writes IDX files, the format of MNIST and
// Fashion-MNIST: a big-endian header (two zero bytes, an element-type byte, a
// rank byte, then one uint32 per dimension) followed by the elements. Only
// unsigned-byte elements (type 0x08) are supported, which is what every
// MNIST-family file uses. Files may be gzip-compressed; Read detects that from
// the gzip magic bytes, not from the name.
package idx

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// TypeUbyte is the IDX element-type code for unsigned bytes.
const TypeUbyte = 0x08

// maxBytes bounds the element count a header may announce, so a corrupt
// header is reported instead of attempting a huge allocation. It fits an int
// on 32-bit platforms too.
const maxBytes = 1<<31 - 1

// File is a decoded IDX file.
type File struct {
	Dims []int  // dimension sizes, outermost first
	Data []byte // prod(Dims) elements, row-major
}

// Read decodes an IDX file of unsigned bytes from r, gunzipping it first if
// it starts with the gzip magic. name is used only in error messages.
func Read(r io.Reader, name string) (*File, error) {
	br := bufio.NewReader(r)
	if magic, err := br.Peek(2); err == nil && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("data: %s: gzip header: %w", name, err)
		}
		defer zr.Close()
		br = bufio.NewReader(zr)
	}
	var head [4]byte
	if _, err := io.ReadFull(br, head[:]); err != nil {
		return nil, fmt.Errorf("data: %s: want a 4-byte IDX magic, %s", name, shortRead(err))
	}
	if head[0] != 0 || head[1] != 0 {
		return nil, fmt.Errorf("data: %s: not an IDX file: magic % x, want 00 00 <type> <rank>", name, head)
	}
	if head[2] != TypeUbyte {
		return nil, fmt.Errorf("data: %s: element type 0x%02x, want 0x%02x (unsigned byte)", name, head[2], TypeUbyte)
	}
	rank := int(head[3])
	if rank == 0 {
		return nil, fmt.Errorf("data: %s: header has rank 0, want at least 1 dimension", name)
	}
	dimBytes := make([]byte, 4*rank)
	if _, err := io.ReadFull(br, dimBytes); err != nil {
		return nil, fmt.Errorf("data: %s: want %d dimension sizes in the header, %s", name, rank, shortRead(err))
	}
	dims := make([]int, rank)
	size := int64(1)
	for i := range dims {
		d := binary.BigEndian.Uint32(dimBytes[4*i:])
		size *= int64(d)
		if size > maxBytes {
			return nil, fmt.Errorf("data: %s: header announces over %d elements, want at most %d", name, size, maxBytes)
		}
		dims[i] = int(d)
	}
	// Grow the buffer as bytes arrive rather than trusting the header with
	// one big allocation; read one byte more than announced to catch
	// trailing garbage.
	var buf bytes.Buffer
	buf.Grow(int(min(size, 64<<20)))
	if _, err := buf.ReadFrom(io.LimitReader(br, size+1)); err != nil {
		return nil, fmt.Errorf("data: %s: reading %d bytes of elements: %w", name, size, err)
	}
	if int64(buf.Len()) != size {
		have := strconv.Itoa(buf.Len())
		if int64(buf.Len()) > size {
			have = "more"
		}
		return nil, fmt.Errorf("data: %s: header says %s = %d bytes of elements, file has %s", name, Shape(dims), size, have)
	}
	return &File{Dims: dims, Data: buf.Bytes()}, nil
}

// Write encodes dims and data as an uncompressed IDX file of unsigned bytes.
func Write(w io.Writer, dims []int, data []byte) error {
	if len(dims) == 0 || len(dims) > 255 {
		return fmt.Errorf("idx: want 1 to 255 dimensions, have %d", len(dims))
	}
	head := []byte{0, 0, TypeUbyte, byte(len(dims))}
	size := 1
	for _, d := range dims {
		if d < 0 || uint64(d) > math.MaxUint32 {
			return fmt.Errorf("idx: dimension %d does not fit a uint32", d)
		}
		head = binary.BigEndian.AppendUint32(head, uint32(d))
		size *= d
	}
	if size != len(data) {
		return fmt.Errorf("idx: dims %s want %d bytes, have %d", Shape(dims), size, len(data))
	}
	if _, err := w.Write(head); err != nil {
		return err
	}
	_, err := w.Write(data)
	return err
}

// Shape formats dims as the header's sizes joined by "×", e.g. 60000×28×28.
func Shape(dims []int) string {
	s := make([]string, len(dims))
	for i, d := range dims {
		s[i] = strconv.Itoa(d)
	}
	return strings.Join(s, "×")
}

// shortRead says what a failed io.ReadFull found.
func shortRead(err error) string {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return "file ends first"
	}
	return "read failed: " + err.Error()
}
