//go:build !amd64 || purego

package kernels

// winoBest is nil without assembly: in scalar Go the transforms cost
// about as much as the multiply-adds they save.
var winoBest *winoArch

// winoAsmArchs lists the assembly transform sets: none.
func winoAsmArchs() []*winoArch { return nil }
