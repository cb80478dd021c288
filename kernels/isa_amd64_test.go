//go:build amd64 && !purego

package kernels

import (
	"testing"

	"golang.org/x/sys/cpu"
)

// TestISA checks that ISA names the instruction set the CPU flags select
// (GODEBUG=cpu.avx512f=off clears the flag, so the same holds under it) and
// that every micro-kernel Sgemm picks from is of that set.
func TestISA(t *testing.T) {
	want := "pure Go"
	switch {
	case cpu.X86.HasAVX512F:
		want = "AVX-512"
	case cpu.X86.HasAVX2 && cpu.X86.HasFMA:
		want = "AVX2"
	}
	if got := ISA(); got != want {
		t.Errorf("ISA() = %q on a CPU with AVX-512 %v, AVX2 %v, FMA %v; want %q",
			got, cpu.X86.HasAVX512F, cpu.X86.HasAVX2, cpu.X86.HasFMA, want)
	}
	for _, a := range sgemmBest {
		if a.isa != want {
			t.Errorf("Sgemm picks from %s (%s), want only %s kernels", a.name, a.isa, want)
		}
	}
}
