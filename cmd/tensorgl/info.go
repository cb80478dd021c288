package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/tensorgl/tensorgl/device"
	"github.com/tensorgl/tensorgl/kernels"
)

// info prints every registered backend's description and limits, then
// which device Open("auto") picks, with the reason it logs. It takes no
// arguments but -h.
func info(w, errw io.Writer, args []string) error {
	fs := flag.NewFlagSet("info", flag.ContinueOnError)
	fs.SetOutput(errw)
	fs.Usage = func() {
		fmt.Fprint(errw, "usage: tensorgl info\n\nDescribes every backend (renderer, version, limits) and which device -device auto picks, and why.\n")
	}
	if err := parseFlags(fs, args, errw); err != nil {
		return err
	}
	for _, name := range device.Backends() {
		d, err := device.Open(name)
		if err != nil {
			fmt.Fprintf(w, "%s: unavailable: %v\n\n", name, err)
			continue
		}
		in := d.Info()
		l := in.Limits
		fmt.Fprintf(w, "%s:\n  renderer  %s\n  version   %s\n  software  %v\n", name, in.Renderer, in.Version, in.Software)
		if c, ok := d.(interface{ Context() string }); ok {
			fmt.Fprintf(w, "  context   %s\n", c.Context())
		}
		if name == "cpu" {
			fmt.Fprintf(w, "  threads   %d\n", l.Threads)
			fmt.Fprintf(w, "  cores     %s\n", coresLine())
		} else {
			fmt.Fprintf(w, "  work-group count   %v\n  work-group size    %v (%d invocations)\n", l.MaxWorkGroupCount, l.MaxWorkGroupSize, l.MaxInvocations)
			fmt.Fprintf(w, "  shared memory      %d bytes\n  storage block      %d bytes (%d float32)\n", l.MaxSharedMemory, l.MaxStorageBlockSize, l.MaxBufferElements)
			fmt.Fprintf(w, "  storage blocks     %d per compute shader\n", l.MaxStorageBlocks)
		}
		fmt.Fprintln(w)
		if err := d.Close(); err != nil {
			return fmt.Errorf("closing %s: %w", name, err)
		}
	}
	var why string
	saved := device.Logf
	device.Logf = func(format string, args ...any) { why = fmt.Sprintf(format, args...) }
	d, err := device.Open("auto")
	device.Logf = saved
	if err != nil {
		return fmt.Errorf("Open(\"auto\"): %w", err)
	}
	fmt.Fprintf(w, "auto picks %s\n  %s\n", d.Info().Name, why)
	return d.Close()
}

// coresLine says how near the CPU backend's worker cores are now
// (kernels.CoreRoundTrip): on a VM it changes as the host moves the vCPUs,
// and with it whether the batch-64 MLP's products run on two workers.
func coresLine() string {
	rt, near, ok := kernels.CoreRoundTrip()
	switch {
	case !ok:
		return "one worker (GOMAXPROCS 1), or no helper free within 10 µs"
	case near:
		return fmt.Sprintf("near: a value goes to another worker's core and back in %v (small products split)", rt)
	default:
		return fmt.Sprintf("far: a value goes to another worker's core and back in %v (small products stay on one)", rt)
	}
}
