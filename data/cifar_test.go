package data

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// writeCIFAR writes a batch file of n records whose label is (first+r)%10 and
// whose pixel k is (first+r+k)%256.
func writeCIFAR(t *testing.T, path string, first, n int) {
	t.Helper()
	var raw []byte
	for r := range n {
		raw = append(raw, byte((first+r)%10))
		for k := range cifarPixels {
			raw = append(raw, byte(first+r+k))
		}
	}
	if err := os.WriteFile(path, raw, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestCIFAR10(t *testing.T) {
	dir := t.TempDir()
	for i := 1; i <= 5; i++ {
		writeCIFAR(t, filepath.Join(dir, fmt.Sprintf("data_batch_%d.bin", i)), 2*(i-1), 2)
	}
	writeCIFAR(t, filepath.Join(dir, "test_batch.bin"), 100, 3)
	train, test, err := CIFAR10(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		d     *Dataset
		first int
		n     int
	}{{train, 0, 10}, {test, 100, 3}} {
		d := tc.d
		if d.Len() != tc.n || !slices.Equal(d.Shape, []int{3, 32, 32}) || len(d.Classes) != 10 {
			t.Fatalf("%s: %d samples of %v, want %d of [3 32 32]", d.Name, d.Len(), d.Shape, tc.n)
		}
		for s := range tc.n {
			if d.Y[s] != int32((tc.first+s)%10) {
				t.Errorf("%s: label %d = %d", d.Name, s, d.Y[s])
			}
			for _, k := range []int{0, 1, 1023, 1024, 3071} {
				want := float32(byte(tc.first+s+k)) / 255
				if got := d.X[s*cifarPixels+k]; got != want {
					t.Errorf("%s: sample %d pixel %d = %v, want %v", d.Name, s, k, got, want)
				}
			}
		}
	}

	// Faults, each checked in a fresh copy of the good directory.
	for _, tc := range []struct {
		name   string
		file   string
		data   []byte
		errHas string
	}{
		{"short", "data_batch_3.bin", make([]byte, 3072), "data_batch_3.bin: 3072 bytes, want a positive whole number of 3073-byte records"},
		{"long", "test_batch.bin", make([]byte, 3074), "test_batch.bin: 3074 bytes"},
		{"empty", "data_batch_1.bin", nil, "data_batch_1.bin: 0 bytes"},
		{"label", "data_batch_2.bin", append([]byte{10}, make([]byte, 3072)...), "data_batch_2.bin: label 10 at record 0, want 0..9"},
		{"missing", "data_batch_5.bin", []byte("delete"), "data_batch_5.bin"},
	} {
		bad := t.TempDir()
		for _, e := range must(os.ReadDir(dir)) {
			os.WriteFile(filepath.Join(bad, e.Name()), must(os.ReadFile(filepath.Join(dir, e.Name()))), 0o644)
		}
		p := filepath.Join(bad, tc.file)
		if string(tc.data) == "delete" {
			os.Remove(p)
		} else if err := os.WriteFile(p, tc.data, 0o644); err != nil {
			t.Fatal(err)
		}
		_, _, err := CIFAR10(bad)
		if err == nil || !strings.Contains(err.Error(), tc.errHas) || !strings.HasPrefix(err.Error(), "data: ") {
			t.Errorf("%s: got %v, want an error containing %q", tc.name, err, tc.errHas)
		}
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestCIFAR10Oversized: a batch file larger than a CIFAR-10 batch (10000
// records) is rejected from its size, before it is read. The file is
// sparse, so the test writes almost nothing.
func TestCIFAR10Oversized(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "data_batch_1.bin")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	size := int64(10001 * 3073)
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
	f.Close()
	_, _, err = CIFAR10(dir)
	want := fmt.Sprintf("data: %s: %d bytes, want a positive whole number of 3073-byte records (1 label byte + 3×32×32 pixels), at most 10000 of them", p, size)
	if err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
}
