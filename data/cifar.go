package data

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
)

// CIFAR10Classes are the CIFAR-10 class names, indexed by label.
var CIFAR10Classes = []string{"airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"}

// cifarPixels is the size of one CIFAR-10 image: 3 channel planes of 32×32,
// red then green then blue, which is already the NCHW layout.
const cifarPixels = 3 * 32 * 32

// CIFAR10 reads CIFAR-10 in its binary format from dir (the extracted
// cifar-10-batches-bin): data_batch_1.bin … data_batch_5.bin form the
// training set and test_batch.bin the test set. Each file is a sequence of
// records of one label byte followed by 3072 pixel bytes.
func CIFAR10(dir string) (train, test *Dataset, err error) {
	var trainFiles []string
	for i := 1; i <= 5; i++ {
		trainFiles = append(trainFiles, fmt.Sprintf("data_batch_%d.bin", i))
	}
	if train, err = loadCIFAR(dir, trainFiles, "cifar-10 train"); err != nil {
		return nil, nil, err
	}
	if test, err = loadCIFAR(dir, []string{"test_batch.bin"}, "cifar-10 test"); err != nil {
		return nil, nil, err
	}
	return train, test, nil
}

// cifarRecord is the size of one record of a CIFAR-10 batch file: a label
// byte, then the pixels.
const cifarRecord = 1 + cifarPixels

// cifarBatch is the number of records in each file of CIFAR-10; a file
// announcing more (by its size) is not one of them.
const cifarBatch = 10000

func loadCIFAR(dir string, files []string, name string) (*Dataset, error) {
	var pixels, labels []byte
	for _, f := range files {
		p := filepath.Join(dir, f)
		file, err := os.Open(p)
		if err != nil {
			return nil, fmt.Errorf("data: %w", err)
		}
		fi, err := file.Stat()
		if err == nil && !fi.Mode().IsRegular() {
			err = fmt.Errorf("%s is not a regular file", p)
		}
		if err != nil {
			file.Close()
			return nil, fmt.Errorf("data: %w", err)
		}
		l, px, err := readCIFARBatch(file, fi.Size(), p)
		file.Close()
		if err != nil {
			return nil, err
		}
		labels = append(labels, l...)
		pixels = append(pixels, px...)
	}
	return newDataset(name, []int{3, 32, 32}, pixels, labels, CIFAR10Classes), nil
}

// readCIFARBatch reads a CIFAR-10 batch file of size bytes from r and
// returns its labels and pixels. The size is checked before anything is
// read: it must be a whole number of records, at most cifarBatch of them.
func readCIFARBatch(r io.Reader, size int64, path string) (labels, pixels []byte, err error) {
	if size <= 0 || size%cifarRecord != 0 || size/cifarRecord > cifarBatch {
		return nil, nil, fmt.Errorf("data: %s: %d bytes, want a positive whole number of %d-byte records (1 label byte + 3×32×32 pixels), at most %d of them",
			path, size, cifarRecord, cifarBatch)
	}
	n := int(size / cifarRecord)
	// Read one byte more than the size to notice a file that grew since, and
	// grow the buffer as bytes arrive, in case the size was wrong.
	buf := bytes.NewBuffer(make([]byte, 0, min(size+1, 1<<20)))
	if _, err := buf.ReadFrom(io.LimitReader(r, size+1)); err != nil {
		return nil, nil, fmt.Errorf("data: %s: %w", path, err)
	}
	raw := buf.Bytes()
	if int64(len(raw)) != size {
		found := strconv.Itoa(len(raw))
		if int64(len(raw)) > size {
			found = "more"
		}
		return nil, nil, fmt.Errorf("data: %s: %s bytes, want the %d its size said", path, found, size)
	}
	labels = make([]byte, n)
	pixels = make([]byte, 0, n*cifarPixels)
	for i := range n {
		rec := raw[i*cifarRecord : (i+1)*cifarRecord]
		labels[i] = rec[0]
		pixels = append(pixels, rec[1:]...)
	}
	if err := checkLabels(path, labels, len(CIFAR10Classes)); err != nil {
		return nil, nil, err
	}
	return labels, pixels, nil
}
