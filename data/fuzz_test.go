package data

import (
	"bytes"
	"testing"
)

// FuzzCIFARBatch feeds arbitrary bytes to the CIFAR-10 batch reader, with
// the true size and with a size that lies: it must return records or an
// error, never panic, and never allocate for more records than a batch holds.
func FuzzCIFARBatch(f *testing.F) {
	rec := make([]byte, cifarRecord)
	rec[0] = 9
	for i := 1; i < len(rec); i++ {
		rec[i] = byte(i)
	}
	f.Add(rec, int64(0))
	f.Add(append(rec, rec...), int64(0))
	f.Add([]byte{10}, int64(cifarRecord-1))
	f.Add(rec[:100], int64(cifarRecord))
	f.Add(rec, int64(cifarBatch+1)*cifarRecord)
	f.Fuzz(func(t *testing.T, in []byte, lie int64) {
		size := int64(len(in)) + lie
		labels, pixels, err := readCIFARBatch(bytes.NewReader(in), size, "fuzz")
		if err != nil {
			return
		}
		n := len(in) / cifarRecord
		if size != int64(len(in)) || len(labels) != n || len(pixels) != n*cifarPixels || n > cifarBatch {
			t.Fatalf("%d-byte input (size %d): %d labels, %d pixels", len(in), size, len(labels), len(pixels))
		}
		for i, y := range labels {
			if y >= 10 || y != in[i*cifarRecord] {
				t.Fatalf("label %d = %d, input has %d", i, y, in[i*cifarRecord])
			}
		}
	})
}
