package kernels

import (
	"syscall"
	"testing"
	"unsafe"
)

// TestPackAlongGuard packs ragged slivers whose last row ends on the last
// float of a page followed by an inaccessible one: a pack that read past
// a row's width would fault.
func TestPackAlongGuard(t *testing.T) {
	page := syscall.Getpagesize()
	mem, err := syscall.Mmap(-1, 0, 2*page, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		t.Skipf("mmap: %v", err)
	}
	defer syscall.Munmap(mem)
	if err := syscall.Mprotect(mem[page:], syscall.PROT_NONE); err != nil {
		t.Skipf("mprotect: %v", err)
	}
	floats := unsafe.Slice((*float32)(unsafe.Pointer(&mem[0])), page/4)
	for _, w := range []int{6, 8, 16, 32} {
		for width := 1; width < w; width++ {
			const kc, ld = 3, 40
			src := floats[len(floats)-((kc-1)*ld+width):]
			for i := range src {
				src[i] = float32(i + 1)
			}
			dst := make([]float32, kc*w)
			packAlong(dst, src, ld, width, w, kc)
			for p := range kc {
				for i := range w {
					want := float32(0)
					if i < width {
						want = src[p*ld+i]
					}
					if dst[p*w+i] != want {
						t.Fatalf("w=%d width=%d: dst[%d][%d] = %g, want %g", w, width, p, i, dst[p*w+i], want)
					}
				}
			}
		}
	}
}
