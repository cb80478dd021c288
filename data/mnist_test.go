package data

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/tensorgl/tensorgl/data/internal/idx"
)

// systemFashion loads the full dataset once for all tests, or skips.
var systemFashion = sync.OnceValues(func() ([2]*Dataset, error) {
	train, test, err := FashionMNIST(SystemDir)
	return [2]*Dataset{train, test}, err
})

func fullFashion(t *testing.T) (train, test *Dataset) {
	t.Helper()
	if _, err := os.Stat(SystemDir); err != nil {
		t.Skipf("Debian's dataset-fashion-mnist is not installed: %v", err)
	}
	d, err := systemFashion()
	if err != nil {
		t.Fatal(err)
	}
	return d[0], d[1]
}

// checkMNISTLike checks sizes, shapes, pixel range and that every class occurs.
func checkMNISTLike(t *testing.T, d *Dataset, n int) {
	t.Helper()
	if d.Len() != n || len(d.X) != n*784 || !slices.Equal(d.Shape, []int{1, 28, 28}) {
		t.Fatalf("%s: %d samples, %d values, shape %v; want %d, %d, [1 28 28]", d.Name, d.Len(), len(d.X), d.Shape, n, n*784)
	}
	if err := d.check(); err != nil {
		t.Fatal(err)
	}
	count := make([]int, len(d.Classes))
	for _, y := range d.Y {
		count[y]++
	}
	if slices.Contains(count, 0) {
		t.Errorf("%s: class counts %v, want every class", d.Name, count)
	}
	lo, hi := slices.Min(d.X), slices.Max(d.X)
	if lo != 0 || hi != 1 {
		t.Errorf("%s: pixels in [%v, %v], want exactly [0, 1]", d.Name, lo, hi)
	}
}

func TestFashionMNISTSystem(t *testing.T) {
	train, test := fullFashion(t)
	checkMNISTLike(t, train, 60000)
	checkMNISTLike(t, test, 10000)
	// The published balance: 6000 training and 1000 test images per class.
	for _, d := range []*Dataset{train, test} {
		count := make([]int, 10)
		for _, y := range d.Y {
			count[y]++
		}
		for c, k := range count {
			if k != d.Len()/10 {
				t.Errorf("%s: class %d has %d images, want %d", d.Name, c, k, d.Len()/10)
			}
		}
	}
	// The commonly quoted normalisation constants of the training set.
	mean, std := train.ChannelStats()
	if mean[0] < 0.2859 || mean[0] > 0.2861 || std[0] < 0.3529 || std[0] > 0.3531 {
		t.Errorf("train mean %v std %v, want 0.2860 and 0.3530", mean[0], std[0])
	}
	if train.Classes[9] != "Ankle boot" || train.Y[0] != 9 {
		t.Errorf("first training label %d (%s), want 9 (Ankle boot)", train.Y[0], train.Classes[train.Y[0]])
	}
}

func TestSampleIsPrefixOfSystem(t *testing.T) {
	train, test := fullFashion(t)
	strain, stest, err := FashionMNISTSample()
	if err != nil {
		t.Fatal(err)
	}
	for _, pair := range [][2]*Dataset{{strain, train}, {stest, test}} {
		s, full := pair[0], pair[1]
		if !slices.Equal(s.X, full.X[:len(s.X)]) || !slices.Equal(s.Y, full.Y[:s.Len()]) {
			t.Errorf("%s is not the first %d samples of %s", s.Name, s.Len(), full.Name)
		}
	}
}

func TestSampleEmbedded(t *testing.T) {
	train, test, err := FashionMNISTSample()
	if err != nil {
		t.Fatal(err)
	}
	checkMNISTLike(t, train, sampleTrain)
	checkMNISTLike(t, test, sampleTest)
	if lic, err := sample.ReadFile("sample/LICENSE"); err != nil || !bytes.Contains(lic, []byte("MIT License")) {
		t.Errorf("embedded licence notice missing or wrong: %v", err)
	}
}

func TestMNISTClassNames(t *testing.T) {
	if _, err := os.Stat(SystemDir); err != nil {
		t.Skip("no MNIST-format files installed")
	}
	train, _, err := MNIST(SystemDir) // same format; only the names differ
	if err != nil {
		t.Fatal(err)
	}
	if train.Classes[3] != "3" || train.Len() != 60000 {
		t.Errorf("MNIST: class 3 named %q, %d samples", train.Classes[3], train.Len())
	}
}

// writeIDX writes an IDX file, gzipped if the name ends in .gz.
func writeIDX(t *testing.T, path string, dims []int, data []byte) {
	t.Helper()
	var buf bytes.Buffer
	if strings.HasSuffix(path, ".gz") {
		zw := gzip.NewWriter(&buf)
		if err := idx.Write(zw, dims, data); err != nil {
			t.Fatal(err)
		}
		zw.Close()
	} else if err := idx.Write(&buf, dims, data); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestFashionMNISTNotAFolder: a missing folder, or a file given as the
// folder, is an error naming it.
func TestFashionMNISTNotAFolder(t *testing.T) {
	file := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ dir, want string }{
		{filepath.Join(t.TempDir(), "absent"), "data: want a folder of data files, got stat "},
		{file, "data: want a folder of data files, got " + file + ", which is not a folder"},
	} {
		_, _, err := FashionMNIST(c.dir)
		if err == nil || !strings.HasPrefix(err.Error(), c.want) || !strings.Contains(err.Error(), c.dir) {
			t.Errorf("FashionMNIST(%s): %v, want an error starting %q naming the folder", c.dir, err, c.want)
		}
	}
	if _, _, err := MNIST(file); err == nil || !strings.Contains(err.Error(), "which is not a folder") {
		t.Errorf("MNIST(%s): %v, want an error saying it is not a folder", file, err)
	}
}

func TestFashionMNISTBadFiles(t *testing.T) {
	// A directory with the sample's test files and broken training files.
	dir := t.TempDir()
	for _, tc := range []struct {
		name   string
		setup  func(dir string)
		errHas string
	}{
		{"missing", func(string) {}, "want train-images-idx3-ubyte.gz or train-images-idx3-ubyte, found neither"},
		{"image dims", func(dir string) {
			writeIDX(t, filepath.Join(dir, "train-images-idx3-ubyte"), []int{2, 28, 27}, make([]byte, 2*28*27))
		}, "train-images-idx3-ubyte: want 60000×28×28 images, header says 2×28×27"},
		{"label dims", func(dir string) {
			// The image check passes only with 60000 images; use the gz
			// name to also cover that path.
			writeIDX(t, filepath.Join(dir, "train-images-idx3-ubyte.gz"), []int{60000, 28, 28}, make([]byte, 60000*784))
			writeIDX(t, filepath.Join(dir, "train-labels-idx1-ubyte"), []int{59999}, make([]byte, 59999))
		}, "train-labels-idx1-ubyte: want 60000 labels, header says 59999"},
		{"label value", func(dir string) {
			labels := make([]byte, 60000)
			labels[123] = 10
			writeIDX(t, filepath.Join(dir, "train-labels-idx1-ubyte"), []int{60000}, labels)
		}, "train-labels-idx1-ubyte: label 10 at record 123, want 0..9"},
	} {
		tc.setup(dir) // cumulative: each case fixes the previous one's fault
		_, _, err := FashionMNIST(dir)
		if err == nil || !strings.Contains(err.Error(), tc.errHas) || !strings.HasPrefix(err.Error(), "data: ") {
			t.Errorf("%s: got %v, want an error containing %q", tc.name, err, tc.errHas)
		}
	}
}

func TestLocate(t *testing.T) {
	t.Setenv(EnvDir, "")
	if s := Locate("/x"); s.Origin != Explicit || s.Dir != "/x" || s.String() != "/x" {
		t.Errorf("Locate(/x) = %+v %q", s, s)
	}
	def := Locate("")
	if _, err := os.Stat(SystemDir); err == nil {
		if def.Origin != System || def.Dir != SystemDir {
			t.Errorf("Locate() = %+v, want the system directory", def)
		}
	} else if def.Origin != Embedded || def.String() != "the embedded 4000-image sample of Fashion-MNIST" {
		t.Errorf("Locate() = %+v %q, want the embedded sample", def, def)
	}

	dir := t.TempDir()
	t.Setenv(EnvDir, dir)
	s := Locate("")
	if s.Origin != Env || s.Dir != dir || !strings.Contains(s.String(), "$TENSORGL_DATA") {
		t.Errorf("Locate with $%s set = %+v %q", EnvDir, s, s)
	}
	// An empty named directory is an error, not a silent fallback.
	if _, _, err := s.Load(); err == nil || !strings.Contains(err.Error(), dir) {
		t.Errorf("Load from empty %s: %v", dir, err)
	}

	train, _, err := Source{Origin: Embedded}.Load()
	if err != nil || train.Len() != sampleTrain {
		t.Errorf("embedded Load: %v", err)
	}
}

// TestFashionMNISTHugeHeader: a small gzipped file whose header announces
// about 2³¹ bytes of images is rejected from its header, before its
// elements are read: a 1 KB gzip file cannot expand to that much.
func TestFashionMNISTHugeHeader(t *testing.T) {
	dir := t.TempDir()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	// 2739000×28×28 = 2147376000 bytes, just within what an IDX header may announce.
	zw.Write([]byte{0, 0, 8, 3, 0, 0x29, 0xcb, 0x38, 0, 0, 0, 28, 0, 0, 0, 28})
	zw.Write(make([]byte, 1<<20))
	zw.Close()
	p := filepath.Join(dir, "train-images-idx3-ubyte.gz")
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err := FashionMNIST(dir)
	want := fmt.Sprintf("data: %s: header says 2739000×28×28 = 2147376000 bytes of elements, a %d-byte gzip file holds at most %d",
		p, buf.Len(), buf.Len()*1032-16)
	if err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
}

// TestIDXDimsCheckedFirst: readIDX compares the header's dimensions with
// the expected ones before it reads any element, so a stream of unknown size
// announcing 2³¹−1 labels is rejected without reading past its header.
func TestIDXDimsCheckedFirst(t *testing.T) {
	head := []byte{0, 0, 8, 1, 0x7f, 0xff, 0xff, 0xff}
	_, _, err := readIDX(pipeFS{head}, "dir", "x", []int{60000}, "labels")
	if want := "data: dir/x: want 60000 labels, header says 2147483647"; err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
}

// pipeFS holds one file, "x", a stream of unknown size: its header, then an
// error for a reader that goes past it.
type pipeFS struct{ head []byte }

func (p pipeFS) Open(name string) (fs.File, error) {
	if name != "x" {
		return nil, fs.ErrNotExist
	}
	return &pipe{io.MultiReader(bytes.NewReader(p.head), failReader{})}, nil
}

type pipe struct{ io.Reader }

func (*pipe) Stat() (fs.FileInfo, error) { return pipeInfo{}, nil }
func (*pipe) Close() error               { return nil }

type pipeInfo struct{ fs.FileInfo }

func (pipeInfo) Mode() fs.FileMode { return fs.ModeNamedPipe }

type failReader struct{}

func (failReader) Read([]byte) (int, error) { return 0, errors.New("read past the header") }
