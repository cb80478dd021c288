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
	"io/fs"
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

// maxDeflateRatio is the most that deflate can expand its input: a gzip file
// of n bytes never decompresses to more than n·1032 bytes.
const maxDeflateRatio = 1032

// A Decoder is an IDX file whose header has been read and checked against
// the size of the file, before any element is read: a caller can compare
// Dims with what it expects and stop there.
type Decoder struct {
	Dims []int // dimension sizes, outermost first

	name string
	size int64 // bytes of elements the header announces
	br   *bufio.Reader
}

// Read decodes an IDX file of unsigned bytes from r, gunzipping it first if
// it starts with the gzip magic. name is used only in error messages.
func Read(r io.Reader, name string) (*File, error) {
	d, err := NewDecoder(r, name)
	if err != nil {
		return nil, err
	}
	data, err := d.Data()
	if err != nil {
		return nil, err
	}
	return &File{Dims: d.Dims, Data: data}, nil
}

// NewDecoder reads and checks the header of the IDX file in r, gunzipping it
// first if it starts with the gzip magic. When the size of r is known (r has
// a Len method, as bytes.Reader has, or a Stat method, as files have), a
// header announcing more elements than the file can hold is rejected here.
func NewDecoder(r io.Reader, name string) (*Decoder, error) {
	fileSize := inputSize(r)
	gz := false
	br := bufio.NewReader(r)
	if magic, err := br.Peek(2); err == nil && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("data: %s: gzip header: %w", name, err)
		}
		br = bufio.NewReader(zr)
		gz = true
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
	if fileSize >= 0 {
		headLen := int64(len(head) + len(dimBytes))
		switch {
		case !gz && size != fileSize-headLen:
			return nil, sizeError(name, dims, size, fileSize-headLen)
		case gz && size+headLen > fileSize*maxDeflateRatio:
			return nil, fmt.Errorf("data: %s: header says %s = %d bytes of elements, a %d-byte gzip file holds at most %d",
				name, Shape(dims), size, fileSize, fileSize*maxDeflateRatio-headLen)
		}
	}
	return &Decoder{Dims: dims, name: name, size: size, br: br}, nil
}

// Data reads the elements announced by the header and checks that the file
// ends with them.
func (d *Decoder) Data() ([]byte, error) {
	// Grow the buffer as bytes arrive rather than trusting the header with
	// one big allocation; read one byte more than announced to catch
	// trailing garbage.
	var buf bytes.Buffer
	buf.Grow(int(min(d.size, 64<<20)))
	if _, err := buf.ReadFrom(io.LimitReader(d.br, d.size+1)); err != nil {
		return nil, fmt.Errorf("data: %s: reading %d bytes of elements: %w", d.name, d.size, err)
	}
	if int64(buf.Len()) != d.size {
		return nil, sizeError(d.name, d.Dims, d.size, int64(buf.Len()))
	}
	return buf.Bytes(), nil
}

// sizeError reports a file holding have bytes of elements where its header
// announces size.
func sizeError(name string, dims []int, size, have int64) error {
	found := strconv.FormatInt(have, 10)
	if have > size {
		found = "more"
	}
	return fmt.Errorf("data: %s: header says %s = %d bytes of elements, file has %s", name, Shape(dims), size, found)
}

// inputSize returns the number of bytes r will yield when that is known
// without reading: the unread length of an in-memory reader, or the size of
// a regular file. It returns -1 otherwise.
func inputSize(r io.Reader) int64 {
	switch v := r.(type) {
	case interface{ Len() int }:
		return int64(v.Len())
	case interface{ Stat() (fs.FileInfo, error) }:
		if fi, err := v.Stat(); err == nil && fi.Mode().IsRegular() {
			return fi.Size()
		}
	}
	return -1
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
