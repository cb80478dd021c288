// Command mksample builds the Fashion-MNIST sample that package data embeds:
// the first -train training and first -test test images and labels of the
// full dataset, stored as gzipped IDX files with the same names as the
// originals. Run it from package data with go generate; the source is
// Debian's dataset-fashion-mnist package by default.
package main

import (
	"compress/gzip"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/tensorgl/tensorgl/data/internal/idx"
)

func main() {
	src := flag.String("src", "/usr/share/datasets/fashion-mnist", "directory with the full Fashion-MNIST IDX files")
	out := flag.String("out", "sample", "directory to write the sample into")
	nTrain := flag.Int("train", 4000, "number of training images to keep")
	nTest := flag.Int("test", 1000, "number of test images to keep")
	flag.Parse()
	log.SetFlags(0)
	for _, split := range []struct {
		prefix string
		n      int
	}{{"train", *nTrain}, {"t10k", *nTest}} {
		for _, kind := range []string{"images-idx3", "labels-idx1"} {
			name := split.prefix + "-" + kind + "-ubyte.gz"
			if err := subset(filepath.Join(*src, name), filepath.Join(*out, name), split.n); err != nil {
				log.Fatal(err)
			}
		}
	}
}

// subset copies the first n items of the IDX file in to out, gzipped.
func subset(in, out string, n int) error {
	f, err := os.Open(in)
	if err != nil {
		return err
	}
	defer f.Close()
	file, err := idx.Read(f, in)
	if err != nil {
		return err
	}
	if file.Dims[0] < n {
		return fmt.Errorf("%s: has %d items, want at least %d", in, file.Dims[0], n)
	}
	itemSize := len(file.Data) / file.Dims[0]
	dims := append([]int{n}, file.Dims[1:]...)

	w, err := os.Create(out)
	if err != nil {
		return err
	}
	zw, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return err
	}
	// The header carries no name or time, so the output depends only on the
	// input and the Go version's compressor.
	if err := idx.Write(zw, dims, file.Data[:n*itemSize]); err != nil {
		w.Close()
		return err
	}
	if err := zw.Close(); err != nil {
		w.Close()
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	log.Printf("wrote %s: %s", out, idx.Shape(dims))
	return nil
}
