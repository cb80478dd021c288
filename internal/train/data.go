package train

import (
	"fmt"

	"github.com/tensorgl/tensorgl/data"
)

// sampleData is the -data value that selects the Fashion-MNIST sample
// embedded in package data, even where the full dataset is installed.
const sampleData = "sample"

// loadData reads the training and test sets the options name and
// describes where they came from, for the log.
func loadData(o *Options) (train, test *data.Dataset, from string, err error) {
	switch o.Dataset {
	case "fashion-mnist":
		src := data.Locate(o.Data)
		if o.Data == sampleData {
			src = data.Source{Origin: data.Embedded}
		}
		from = src.String()
		if src.Origin == data.Embedded {
			from += " (a small sample: pass -data or install dataset-fashion-mnist for the full 60000+10000 images)"
		}
		train, test, err = src.Load()
	case "mnist":
		from = o.Data
		train, test, err = data.MNIST(o.Data)
	case "cifar10":
		from = o.Data
		train, test, err = data.CIFAR10(o.Data)
	}
	if err != nil {
		return nil, nil, "", err
	}
	if o.Limit > 0 && o.Limit < train.Len() {
		if train, err = train.Subset(0, o.Limit); err != nil {
			return nil, nil, "", err
		}
	}
	return train, test, fmt.Sprintf("%s: %d training and %d test images of %v from %s", o.Dataset, train.Len(), test.Len(), train.Shape, from), nil
}
