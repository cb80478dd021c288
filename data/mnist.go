package data

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"github.com/tensorgl/tensorgl/data/internal/idx"
)

// FashionClasses are the Fashion-MNIST class names, indexed by label.
var FashionClasses = []string{"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"}

// digitClasses are the MNIST class names.
var digitClasses = []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}

// Sizes of the full MNIST-family splits and of the embedded sample.
const (
	mnistTrain  = 60000
	mnistTest   = 10000
	sampleTrain = 4000
	sampleTest  = 1000
)

//go:generate go run ./internal/mksample -src /usr/share/datasets/fashion-mnist -out sample -train 4000 -test 1000

// sample holds the first 4000 training and 1000 test images of Fashion-MNIST
// (MIT licence, see sample/LICENSE), about 2 MB gzipped.
//
//go:embed sample/*.gz sample/LICENSE
var sample embed.FS

// FashionMNIST reads the Fashion-MNIST training (60000) and test (10000)
// images from dir, which holds train-images-idx3-ubyte, train-labels-idx1-ubyte,
// t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte, each gzipped (".gz") or not.
func FashionMNIST(dir string) (train, test *Dataset, err error) {
	if err := isDir(dir); err != nil {
		return nil, nil, err
	}
	return loadMNIST(os.DirFS(dir), dir, "fashion-mnist", mnistTrain, mnistTest, FashionClasses)
}

// MNIST reads the MNIST handwritten digits from dir, laid out as for
// FashionMNIST.
func MNIST(dir string) (train, test *Dataset, err error) {
	if err := isDir(dir); err != nil {
		return nil, nil, err
	}
	return loadMNIST(os.DirFS(dir), dir, "mnist", mnistTrain, mnistTest, digitClasses)
}

// isDir returns an error naming dir where it is missing or not a folder
// (rather than naming the first file not found in it).
func isDir(dir string) error {
	st, err := os.Stat(dir)
	switch {
	case err != nil:
		return fmt.Errorf("data: want a folder of data files, got %w", err)
	case !st.IsDir():
		return fmt.Errorf("data: want a folder of data files, got %s, which is not a folder", dir)
	}
	return nil
}

// FashionMNISTSample returns the real Fashion-MNIST sample embedded in the
// package: the first 4000 training and first 1000 test images.
func FashionMNISTSample() (train, test *Dataset, err error) {
	sub, err := fs.Sub(sample, "sample")
	if err != nil {
		return nil, nil, err
	}
	return loadMNIST(sub, "embedded sample", "fashion-mnist sample", sampleTrain, sampleTest, FashionClasses)
}

func loadMNIST(fsys fs.FS, where, name string, nTrain, nTest int, classes []string) (train, test *Dataset, err error) {
	if train, err = loadMNISTSplit(fsys, where, "train", nTrain, name+" train", classes); err != nil {
		return nil, nil, err
	}
	if test, err = loadMNISTSplit(fsys, where, "t10k", nTest, name+" test", classes); err != nil {
		return nil, nil, err
	}
	return train, test, nil
}

func loadMNISTSplit(fsys fs.FS, where, prefix string, n int, name string, classes []string) (*Dataset, error) {
	images, _, err := readIDX(fsys, where, prefix+"-images-idx3-ubyte", []int{n, 28, 28}, "images")
	if err != nil {
		return nil, err
	}
	labels, labelPath, err := readIDX(fsys, where, prefix+"-labels-idx1-ubyte", []int{n}, "labels")
	if err != nil {
		return nil, err
	}
	if err := checkLabels(labelPath, labels, len(classes)); err != nil {
		return nil, err
	}
	return newDataset(name, []int{1, 28, 28}, images, labels, classes), nil
}

// readIDX reads base+".gz", or base if that is absent, from fsys and checks
// that its dimensions are want. It returns the elements and the path it read.
func readIDX(fsys fs.FS, where, base string, want []int, what string) ([]byte, string, error) {
	name := base + ".gz"
	f, err := fsys.Open(name)
	if errors.Is(err, fs.ErrNotExist) {
		name = base
		f, err = fsys.Open(name)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, "", fmt.Errorf("data: %s: want %s.gz or %s, found neither", where, base, base)
		}
	}
	p := filepath.Join(where, name)
	if err != nil {
		return nil, "", fmt.Errorf("data: %s: %w", p, err)
	}
	defer f.Close()
	// Check the header before reading the elements: a corrupt or hostile
	// header must not make us read (and hold) what it announces.
	dec, err := idx.NewDecoder(f, p)
	if err != nil {
		return nil, "", err
	}
	if !slices.Equal(dec.Dims, want) {
		return nil, "", fmt.Errorf("data: %s: want %s %s, header says %s", p, idx.Shape(want), what, idx.Shape(dec.Dims))
	}
	data, err := dec.Data()
	if err != nil {
		return nil, "", err
	}
	return data, p, nil
}
