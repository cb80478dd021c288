// Command gan trains a generative adversarial network on Fashion-MNIST, on
// the best device available (-device auto) or the one named.
//
// The generator is an MLP from 64 normal noise values through 256 and 512
// units (LeakyReLU 0.2) to 784 pixels with a tanh output; the
// discriminator an MLP from 784 pixels through 512 and 256 units
// (LeakyReLU 0.2, dropout 0.3) to one logit. Images are scaled to [−1, 1].
// Each step trains the discriminator on a batch of real and a batch of
// generated images (detached from the generator) with BCEWithLogitsLoss,
// then the generator to make the discriminator call the same generated
// images real, each with Adam (lr 2e-4, betas 0.5, 0.999).
//
// With -arch dcgan both networks are convolutional, DCGAN-style: the
// generator maps the noise, as a 1×1 image, through ConvTranspose2d layers
// with BatchNorm and ReLU to a tanh image (64×7×7 → 32×14×14 → 1×28×28 at
// the default -width 32), the discriminator through strided Conv2d layers
// with LeakyReLU and BatchNorm to one logit.
//
// -judge takes a LeNet checkpoint written by examples/cnn and scores 10 000
// generated images with it after training: an Inception-Score-style number
// (exp of the mean KL divergence of its class probabilities from their
// mean) and the Fréchet distance of its 84 penultimate features from those
// of 10 000 real training images; the same for the real test images gives
// the scale.
//
//	go run ./examples/gan                    # 20 epochs on Fashion-MNIST
//	go run ./examples/gan -arch dcgan -judge out/cnn/model.safetensors
//	go run ./examples/gan -data sample -epochs 5
//
// Each epoch reports the mean discriminator and generator losses and the
// discriminator's mean verdicts D(x) on real and D(G(z)) on generated
// images. At the end it writes to -out an 8×8 grid of images generated from
// a fixed noise batch (samples.png), a plot of the losses and verdicts
// (training.png), and safetensors checkpoints of both networks.
package main
