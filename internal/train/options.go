package train

import (
	"flag"
	"fmt"
	"slices"
	"strings"
)

// Options are the flags every example program accepts.
type Options struct {
	Device   string  // auto, cpu or gl
	Dataset  string  // fashion-mnist, mnist or cifar10
	Data     string  // dataset directory; empty: data.Locate's search (Fashion-MNIST only)
	Epochs   int     // passes over the training set
	Batch    int     // samples per step
	LR       float64 // initial learning rate (annealed to 0 along a cosine over Epochs)
	Momentum float64 // SGD momentum
	Seed     uint64  // initialisation and shuffling
	Limit    int     // train on the first Limit images only; 0: all
	Out      string  // directory for the plot and the checkpoint
	Logits   string  // file for the first test inputs and their logits; empty: none
}

var (
	devices  = []string{"auto", "cpu", "gl"}
	datasets = []string{"fashion-mnist", "mnist", "cifar10"}
)

// register defines the flags on fs with o's values as defaults.
func (o *Options) register(fs *flag.FlagSet) {
	fs.StringVar(&o.Device, "device", o.Device, "compute device: "+strings.Join(devices, ", ")+" (auto: a hardware GPU through OpenGL, else the CPU)")
	fs.StringVar(&o.Dataset, "dataset", o.Dataset, "dataset: "+strings.Join(datasets, ", "))
	fs.StringVar(&o.Data, "data", o.Data, "dataset `directory`; \"sample\" for the 4000-image Fashion-MNIST sample built into the program (default: $TENSORGL_DATA, then /usr/share/datasets/fashion-mnist, then the sample; required for mnist and cifar10)")
	fs.IntVar(&o.Epochs, "epochs", o.Epochs, "training epochs")
	fs.IntVar(&o.Batch, "batch", o.Batch, "mini-batch size")
	fs.Float64Var(&o.LR, "lr", o.LR, "initial learning rate, annealed along a cosine to 0 at the last epoch")
	fs.Float64Var(&o.Momentum, "momentum", o.Momentum, "SGD momentum")
	fs.Uint64Var(&o.Seed, "seed", o.Seed, "random seed for initialisation and shuffling")
	fs.IntVar(&o.Limit, "limit", o.Limit, "train on the first `N` training images only (0: all)")
	fs.StringVar(&o.Out, "out", o.Out, "directory for the loss/accuracy plot and the checkpoint")
	fs.StringVar(&o.Logits, "dump-logits", o.Logits, "write the first 16 normalised test images and the trained model's logits to this safetensors `file`")
}

// check reports flag values that cannot work.
func (o *Options) check() error {
	switch {
	case !slices.Contains(devices, o.Device):
		return fmt.Errorf("-device %q: want one of %s", o.Device, strings.Join(devices, ", "))
	case !slices.Contains(datasets, o.Dataset):
		return fmt.Errorf("-dataset %q: want one of %s", o.Dataset, strings.Join(datasets, ", "))
	case o.Dataset != "fashion-mnist" && o.Data == "":
		return fmt.Errorf("-dataset %s needs -data DIR: only Fashion-MNIST is found automatically", o.Dataset)
	case o.Epochs < 1:
		return fmt.Errorf("-epochs %d: want at least 1", o.Epochs)
	case o.Batch < 1:
		return fmt.Errorf("-batch %d: want at least 1", o.Batch)
	case !(o.LR > 0):
		return fmt.Errorf("-lr %v: want a learning rate > 0", o.LR)
	case !(o.Momentum >= 0 && o.Momentum < 1):
		return fmt.Errorf("-momentum %v: want a value in [0, 1)", o.Momentum)
	case o.Limit < 0:
		return fmt.Errorf("-limit %d: want 0 (all) or more", o.Limit)
	case o.Out == "":
		return fmt.Errorf("-out is empty: want a directory for the plot and the checkpoint")
	}
	return nil
}
