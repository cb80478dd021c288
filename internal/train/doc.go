// Package train is the training loop shared by the example programs: the
// common flags, loading the dataset, the epoch loop with its progress
// display, evaluation, the loss/accuracy plot and the checkpoint.
//
// Each program supplies only its model and optimizer (a Spec); Main does
// the rest, so the MLP and the CNN examples differ in nothing else.
//
// Programs with a training loop of their own (the RNN language model, the
// GAN) build on Program instead: the same shared flags and checks, the
// device, the progress display and the final line. WritePanels draws any
// per-epoch curves, WriteImageGrid a grid of images, and LoadImages reads
// a dataset as Main does. Every loop reads its steps' losses back through
// a StepLog, many steps a read, so that a GPU is not left idle at every
// step's end.
package train
