package train

import "github.com/tensorgl/tensorgl/data"

// LoadImages reads an image dataset as Main does for its -dataset, -data
// and -limit flags ("sample" names the embedded Fashion-MNIST sample), for
// programs built on Program. It also returns a line describing what was
// loaded from where.
func LoadImages(dataset, dir string, limit int) (train, test *data.Dataset, desc string, err error) {
	return loadData(&Options{Dataset: dataset, Data: dir, Limit: limit})
}
