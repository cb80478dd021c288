// Command cnn trains LeNet-5 to classify Fashion-MNIST, with SGD (momentum
// 0.9) and cross-entropy loss, on the best device available (-device auto)
// or the one named.
//
// The network is conv 5×5→6 (padding 2 for 28×28 input), ReLU, max-pool 2,
// conv 5×5→16, ReLU, max-pool 2, then fully connected 400-120-84-10 with
// ReLU. With -dataset cifar10 -data DIR it takes 3×32×32 images without
// the padding, as the classic LeNet does.
//
//	go run ./examples/cnn                       # Fashion-MNIST, 10 epochs
//	go run ./examples/cnn -dataset cifar10 -data ~/cifar-10-batches-bin
//	go run ./examples/cnn -dump-logits out/cnn/logits.safetensors
//
// It prints where the data came from, a progress line per epoch (training
// loss, test accuracy, samples/s), and at the end the test accuracy, the
// device and the wall time; it writes a loss/accuracy plot and a
// safetensors checkpoint to -out. torch_check.py beside this file loads
// that checkpoint into PyTorch and compares its logits with -dump-logits'.
package main
