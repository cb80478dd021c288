// Package train is the training loop shared by the example programs: the
// common flags, loading the dataset, the epoch loop with its progress
// display, evaluation, the loss/accuracy plot and the checkpoint.
//
// Each program supplies only its model and optimizer (a Spec); Main does
// the rest, so the MLP and the CNN examples differ in nothing else.
package train
