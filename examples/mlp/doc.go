// Command mlp trains a multilayer perceptron (784-128-64-10 with ReLU) to
// classify Fashion-MNIST, with SGD and cross-entropy loss, on the best
// device available (-device auto) or the one named.
//
//	go run ./examples/mlp                       # Fashion-MNIST, 10 epochs
//	go run ./examples/mlp -device cpu -epochs 2
//	go run ./examples/mlp -h                    # all flags
//
// It prints where the data came from, a progress line per epoch (training
// loss, test accuracy, samples/s), and at the end the test accuracy, the
// device and the wall time; it writes a loss/accuracy plot and a
// safetensors checkpoint to -out.
package main
