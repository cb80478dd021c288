package main

import (
	"github.com/tensorgl/tensorgl/internal/train"
	"github.com/tensorgl/tensorgl/nn"
	"github.com/tensorgl/tensorgl/tensor"

	_ "github.com/tensorgl/tensorgl/device/gl" // lets -device auto pick a GPU
)

var spec = train.Spec{
	Name:  "mlp",
	About: "mlp trains a 784-128-64-10 multilayer perceptron on Fashion-MNIST (or MNIST, CIFAR-10).",
	Defaults: train.Options{
		Device: "auto", Dataset: "fashion-mnist", Epochs: 10, Batch: 64,
		LR: 0.02, Momentum: 0.9, Seed: 1, Out: "out/mlp",
	},
	Model: mlp,
}

// mlp flattens each image and passes it through two hidden ReLU layers of
// 128 and 64 units to one logit per class.
func mlp(shape []int, classes int, g *tensor.Generator) nn.Module {
	in := 1
	for _, d := range shape {
		in *= d
	}
	return nn.NewSequential(
		nn.NewFlatten(),
		nn.NewLinear(in, 128, g), nn.NewReLU(),
		nn.NewLinear(128, 64, g), nn.NewReLU(),
		nn.NewLinear(64, classes, g),
	)
}

func main() { train.Run(spec) }
