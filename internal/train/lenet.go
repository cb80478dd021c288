package train

import (
	"github.com/tensorgl/tensorgl/nn"
	"github.com/tensorgl/tensorgl/tensor"
)

// LeNet builds LeNet-5 for [C H W] images, the model of examples/cnn (and
// the judge of examples/gan). The first convolution pads 28×28 images by 2
// so that both sizes reach the 16×5×5 features the fully connected layers
// take; 32×32 images are not padded. Its penultimate layer gives 84
// features.
func LeNet(shape []int, classes int, g *tensor.Generator) nn.Module {
	pad := max(0, (32-shape[1])/2)
	return nn.NewSequential(
		nn.NewConv2d(shape[0], 6, 5, nn.Conv2dOpts{Padding: pad}, g), nn.NewReLU(),
		nn.NewMaxPool2d(2, 2, 0),
		nn.NewConv2d(6, 16, 5, nn.Conv2dOpts{}, g), nn.NewReLU(),
		nn.NewMaxPool2d(2, 2, 0),
		nn.NewFlatten(),
		nn.NewLinear(16*5*5, 120, g), nn.NewReLU(),
		nn.NewLinear(120, 84, g), nn.NewReLU(),
		nn.NewLinear(84, classes, g),
	)
}
