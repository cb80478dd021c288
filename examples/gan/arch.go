package main

import (
	"fmt"

	"github.com/tensorgl/tensorgl/nn"
	"github.com/tensorgl/tensorgl/tensor"
)

// mlpGAN returns the fully connected generator, noise → 256 → 512 →
// pixels with LeakyReLU(0.2) and a tanh output in [−1, 1], and
// discriminator, pixels → 512 → 256 → 1 logit with LeakyReLU(0.2) and
// dropout.
func mlpGAN(pixels int, o *ganOpts, g *tensor.Generator) (gen, disc *nn.Sequential, about string) {
	gen = nn.NewSequential(
		nn.NewLinear(o.noise, 256, g), nn.NewLeakyReLU(0.2),
		nn.NewLinear(256, 512, g), nn.NewLeakyReLU(0.2),
		nn.NewLinear(512, pixels, g), nn.NewTanh(),
	)
	disc = nn.NewSequential(
		nn.NewFlatten(),
		nn.NewLinear(pixels, 512, g), nn.NewLeakyReLU(0.2), nn.NewDropout(float32(o.dropout), g),
		nn.NewLinear(512, 256, g), nn.NewLeakyReLU(0.2), nn.NewDropout(float32(o.dropout), g),
		nn.NewLinear(256, 1, g),
	)
	return gen, disc, fmt.Sprintf("MLP generator %d→256→512→%d, MLP discriminator %d→512→256→1 (dropout %g)", o.noise, pixels, pixels, o.dropout)
}

// dcgan returns DCGAN-style networks (Radford, Metz and Chintala, 2016) for
// images of shape [C H W] with H and W multiples of 4, w = o.width:
//
//	generator:     noise [N, z, 1, 1] → ConvTranspose2d(z, 2w, H/4×W/4) → BatchNorm, ReLU → [2w, H/4, W/4]
//	               → ConvTranspose2d(2w, w, 4, stride 2, padding 1) → BatchNorm, ReLU → [w, H/2, W/2]
//	               → ConvTranspose2d(w, C, 4, stride 2, padding 1) → tanh → [C, H, W]
//	discriminator: Conv2d(C, w, 4, stride 2, padding 1) → LeakyReLU(0.2) → [w, H/2, W/2]
//	               → Conv2d(w, 2w, 4, stride 2, padding 1) → BatchNorm, LeakyReLU(0.2) → [2w, H/4, W/4]
//	               → Flatten, Linear → 1 logit
//
// Convolutions followed by BatchNorm have no bias, which BatchNorm's shift
// would cancel.
func dcgan(shape []int, o *ganOpts, g *tensor.Generator) (gen, disc *nn.Sequential, about string) {
	c, h, w, k := shape[0], shape[1]/4, shape[2]/4, o.width
	noBias := nn.Conv2dOpts{NoBias: true}
	up := nn.ConvTranspose2dOpts{Conv2dOpts: nn.Conv2dOpts{Stride: 2, Padding: 1, NoBias: true}}
	gen = nn.NewSequential(
		&toImage{shape: []int{o.noise, 1, 1}},
		nn.NewConvTranspose2dHW(o.noise, 2*k, [2]int{h, w}, nn.ConvTranspose2dOpts{Conv2dOpts: noBias}, g), nn.NewBatchNorm2d(2*k), nn.NewReLU(),
		nn.NewConvTranspose2d(2*k, k, 4, up, g), nn.NewBatchNorm2d(k), nn.NewReLU(),
		nn.NewConvTranspose2d(k, c, 4, nn.ConvTranspose2dOpts{Conv2dOpts: nn.Conv2dOpts{Stride: 2, Padding: 1}}, g), nn.NewTanh(),
	)
	down := nn.Conv2dOpts{Stride: 2, Padding: 1}
	downNoBias := down
	downNoBias.NoBias = true
	disc = nn.NewSequential(
		nn.NewConv2d(c, k, 4, down, g), nn.NewLeakyReLU(0.2),
		nn.NewConv2d(k, 2*k, 4, downNoBias, g), nn.NewBatchNorm2d(2*k), nn.NewLeakyReLU(0.2),
		nn.NewFlatten(), nn.NewLinear(2*k*h*w, 1, g),
	)
	return gen, disc, fmt.Sprintf("DCGAN generator %d×1×1 → ConvTranspose2d to %d×%d×%d → %d×%d×%d → %v (BatchNorm, ReLU, tanh), "+
		"discriminator Conv2d %v → %d×%d×%d → %d×%d×%d → 1 (LeakyReLU 0.2, BatchNorm)", o.noise, 2*k, h, w, k, 2*h, 2*w, shape, shape, k, 2*h, 2*w, 2*k, h, w)
}

// toImage reshapes each sample to shape: the noise vector as a 1×1 image.
type toImage struct{ shape []int }

func (r *toImage) Forward(x *tensor.Tensor) *tensor.Tensor {
	return x.Reshape(append([]int{x.Size(0)}, r.shape...)...)
}
func (r *toImage) State() []nn.Entry { return nil }
func (r *toImage) Train(bool)        {}
