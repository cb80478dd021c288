package data

import (
	"fmt"
	"os"
	"path/filepath"
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

func loadCIFAR(dir string, files []string, name string) (*Dataset, error) {
	const record = 1 + cifarPixels
	raws := make([][]byte, len(files))
	n := 0
	for i, f := range files {
		p := filepath.Join(dir, f)
		raw, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("data: %w", err)
		}
		if len(raw) == 0 || len(raw)%record != 0 {
			return nil, fmt.Errorf("data: %s: %d bytes, want a positive whole number of %d-byte records (1 label byte + 3×32×32 pixels)", p, len(raw), record)
		}
		raws[i] = raw
		n += len(raw) / record
	}
	pixels := make([]byte, 0, n*cifarPixels)
	labels := make([]byte, 0, n)
	for i, raw := range raws {
		start := len(labels)
		for r := 0; r < len(raw); r += record {
			labels = append(labels, raw[r])
			pixels = append(pixels, raw[r+1:r+record]...)
		}
		if err := checkLabels(filepath.Join(dir, files[i]), labels[start:], len(CIFAR10Classes)); err != nil {
			return nil, err
		}
	}
	return newDataset(name, []int{3, 32, 32}, pixels, labels, CIFAR10Classes), nil
}
