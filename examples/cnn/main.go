package main

import (
	"github.com/tensorgl/tensorgl/internal/train"

	_ "github.com/tensorgl/tensorgl/device/gl" // lets -device auto pick a GPU
)

var spec = train.Spec{
	Name:  "cnn",
	About: "cnn trains LeNet-5 on Fashion-MNIST (or MNIST, CIFAR-10).",
	Defaults: train.Options{
		Device: "auto", Dataset: "fashion-mnist", Epochs: 10, Batch: 64,
		LR: 0.02, Momentum: 0.9, Seed: 1, Out: "out/cnn",
	},
	Model: train.LeNet,
}

func main() { train.Run(spec) }
