// Package cpu is tensorgl's pure-Go backend: a device.Device whose buffers
// are Go slices and whose kernels are those of package kernels, parallel
// across GOMAXPROCS and bit-identical whatever its value. It needs no cgo
// and is always available; importing it registers it as "cpu".
//
// Kernels run synchronously on the calling goroutine (and its helpers), so
// Sync and Read have nothing to wait for. The helpers spin for a while
// between kernels instead of parking at once; TENSORGL_CPU_SPIN=0 parks
// them at once, for machines shared with other work (see package kernels).
package cpu
