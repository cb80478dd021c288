// Package data loads image-classification datasets and cuts them into
// shuffled, normalised, optionally augmented mini-batches.
//
// Datasets are held in host memory as float32 pixels in [0,1], sample-major
// with a per-sample shape such as [1 28 28] (channels, height, width), and
// int32 labels. Readers cover MNIST and Fashion-MNIST (IDX files, gzipped or
// not) and CIFAR-10 (its binary batches). Locate finds Fashion-MNIST on this
// machine, falling back to a 4000+1000-image sample of the real dataset that
// is compiled into the package, so every program runs without a download.
//
// A Loader produces the batches of one epoch as a Go iterator, preparing the
// next batch on a background goroutine while the caller works on the current
// one. Batches are host-side slices with an NCHW shape; package tensor turns
// them into tensors. Everything random — the sample order, crop offsets,
// flips — derives from the Loader's seed and the epoch number, so the same
// seed gives the same batches whatever the timing.
//
// Errors about files say what was expected and what was found:
//
//	data: /data/train-images-idx3-ubyte.gz: want 60000×28×28 images, header says 60000×28×27
package data
