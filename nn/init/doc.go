// Package nninit fills tensors in place with the initialisation schemes of
// PyTorch's torch.nn.init: Xavier (Glorot) and Kaiming (He), uniform and
// normal, with PyTorch's gains and fan computation.
//
// The package lives in nn/init but is named nninit because Go forbids
// importing a package under the name init.
//
// Every function draws from a *tensor.Generator, so a seed reproduces the
// same values on every device, and writes outside autograd: initialising a
// parameter that requires gradients records nothing.
package nninit
