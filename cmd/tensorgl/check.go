package main

import (
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/tensorgl/tensorgl/device"
	"github.com/tensorgl/tensorgl/device/devicetest"
)

// check runs the conformance suite of package devicetest on the chosen
// device: every kernel and op against its float64 reference, within the
// tolerance stated for it, with the inputs and shapes the backends' own
// tests use.
func check(w, errw io.Writer, args []string) error {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(errw)
	name := fs.String("device", "auto", "device to check: gl, cpu or auto")
	if err := parseFlags(fs, args, errw); err != nil {
		return err
	}
	d, err := device.Open(*name)
	if err != nil {
		return err
	}
	info := d.Info()
	fmt.Fprintf(w, "checking %s (%s, %s) against float64 references\n", info.Name, info.Renderer, info.Version)
	// Check closes d: its last case tests Close.
	failed := devicetest.Check(d, func(r devicetest.Result) {
		if len(r.Failures) == 0 {
			fmt.Fprintf(w, "PASS %s\n", r.Name)
			return
		}
		fmt.Fprintf(w, "FAIL %s\n", r.Name)
		for _, f := range r.Failures {
			fmt.Fprintf(w, "\t%s\n", f)
		}
	})
	if failed > 0 {
		return fmt.Errorf("%d case(s) failed", failed)
	}
	fmt.Fprintln(w, "all kernels pass")
	return nil
}

// errUsage is a command line a command has already reported on.
var errUsage = errors.New("usage")

// parseFlags parses a command's args with fs, which writes its errors and
// help to errw, and refuses arguments other than flags. It returns
// flag.ErrHelp for -h and errUsage for a bad command line.
func parseFlags(fs *flag.FlagSet, args []string, errw io.Writer) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage // the flag package has said what was wrong
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(errw, "tensorgl %s: unexpected argument %q\n", fs.Name(), fs.Arg(0))
		return errUsage
	}
	return nil
}
