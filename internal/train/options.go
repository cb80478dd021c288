package train

import (
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/tensorgl/tensorgl/nn/ddp"
)

// Options are the flags of an image-classification program and, in a
// Spec, their defaults. Device, Epochs, Batch, LR, Seed, Data and Out are
// the flags every example shares (see Program); the rest are Main's own.
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
	Explain  bool    // draw saliency and integrated gradients for the first test images
	Resume   bool    // continue from the checkpoint in Out
	Check    bool    // verify after every step that all processes hold the same parameters
	Bucket   int     // gradient values per allreduce with several processes; 0: ddp.DefaultBucketSize
}

var (
	devices  = []string{"auto", "cpu", "gl"}
	datasets = []string{"fashion-mnist", "mnist", "cifar10"}
)

// dataHelp describes -data for Main's programs.
const dataHelp = "dataset `directory`; \"sample\" for the 4000-image Fashion-MNIST sample built into the program " +
	"(default: $TENSORGL_DATA, then /usr/share/datasets/fashion-mnist, then the sample; required for mnist and cifar10)"

// program returns the Program frame with o's shared flags as defaults.
func (o *Options) program(spec Spec, stdout, stderr io.Writer) *Program {
	return NewProgram(spec.Name, spec.About, dataHelp, Program{Device: o.Device, Epochs: o.Epochs, Batch: o.Batch,
		LR: o.LR, Seed: o.Seed, Data: o.Data, Out: o.Out}, stdout, stderr)
}

// register defines Main's own flags on fs with o's values as defaults.
func (o *Options) register(fs *flag.FlagSet) {
	fs.StringVar(&o.Dataset, "dataset", o.Dataset, "dataset: "+strings.Join(datasets, ", "))
	fs.Float64Var(&o.Momentum, "momentum", o.Momentum, "SGD momentum")
	fs.IntVar(&o.Limit, "limit", o.Limit, "train on the first `N` training images only (0: all)")
	fs.BoolVar(&o.Explain, "explain", o.Explain, "draw explain.png in -out: for the first 8 test images, the saliency and integrated gradients of the predicted class (package nn/interpret)")
	fs.BoolVar(&o.Resume, "resume", o.Resume, "continue from the checkpoint of the last finished epoch in -out (model.safetensors, optimizer.safetensors), with any number of processes")
	fs.BoolVar(&o.Check, "check-sync", o.Check, "with several processes: after every step, check that all hold bit-identical parameters (reads them back; for tests)")
	fs.IntVar(&o.Bucket, "bucket", o.Bucket, "with several processes: gradient values one allreduce carries at most (0: "+fmt.Sprint(ddp.DefaultBucketSize)+"); smaller buckets start sooner during the backward pass")
	fs.StringVar(&o.Logits, "dump-logits", o.Logits, "write the first 16 normalised test images and the trained model's logits to this safetensors `file`")
}

// parsed takes the shared flags' values from p once it has parsed them.
func (o *Options) parsed(p *Program) {
	o.Device, o.Epochs, o.Batch, o.LR, o.Seed, o.Data, o.Out = p.Device, p.Epochs, p.Batch, p.LR, p.Seed, p.Data, p.Out
}

// check reports values of Main's own flags that cannot work, given the
// -data directory.
func (o *Options) check(data string) error {
	switch {
	case !slices.Contains(datasets, o.Dataset):
		return fmt.Errorf("-dataset %q: want one of %s", o.Dataset, strings.Join(datasets, ", "))
	case o.Dataset != "fashion-mnist" && data == "":
		return fmt.Errorf("-dataset %s needs -data DIR: only Fashion-MNIST is found automatically", o.Dataset)
	case !(o.Momentum >= 0 && o.Momentum < 1):
		return fmt.Errorf("-momentum %v: want a value in [0, 1)", o.Momentum)
	case o.Limit < 0:
		return fmt.Errorf("-limit %d: want 0 (all) or more", o.Limit)
	}
	return nil
}
