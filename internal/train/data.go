package train

import (
	"fmt"

	"github.com/tensorgl/tensorgl/data"
)

// sampleData is the -data value that selects the Fashion-MNIST sample
// embedded in package data, even where the full dataset is installed.
const sampleData = "sample"

// LoadImages reads the training and test sets of an image dataset
// (fashion-mnist, mnist or cifar10) as Main does for its -dataset, -data
// and -limit flags: dir "sample" names the embedded Fashion-MNIST sample,
// an empty dir data.Locate's search, and a positive limit keeps the first
// limit training images. It also returns a line describing what was loaded
// from where, for the log.
func LoadImages(dataset, dir string, limit int) (train, test *data.Dataset, desc string, err error) {
	var from string
	switch dataset {
	case "fashion-mnist":
		src := data.Locate(dir)
		if dir == sampleData {
			src = data.Source{Origin: data.Embedded}
		}
		from = src.String()
		if src.Origin == data.Embedded {
			from += " (a small sample: pass -data or install dataset-fashion-mnist for the full 60000+10000 images)"
		}
		train, test, err = src.Load()
	case "mnist":
		from = dir
		train, test, err = data.MNIST(dir)
	case "cifar10":
		from = dir
		train, test, err = data.CIFAR10(dir)
	default:
		err = fmt.Errorf("dataset %q: want fashion-mnist, mnist or cifar10", dataset)
	}
	if err != nil {
		return nil, nil, "", err
	}
	if limit > 0 && limit < train.Len() {
		if train, err = train.Subset(0, limit); err != nil {
			return nil, nil, "", err
		}
	}
	return train, test, fmt.Sprintf("%s: %d training and %d test images of %v from %s", dataset, train.Len(), test.Len(), train.Shape, from), nil
}
