package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	_ "github.com/tensorgl/tensorgl/device/cpu"
	_ "github.com/tensorgl/tensorgl/device/gl"
)

const usage = `usage:
  tensorgl info
  tensorgl check [-device gl|cpu|auto]
`

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

// run runs the command line args and returns the exit status: 0, 1 when
// the command failed, 2 for a command line it does not know. Help (-h,
// -help, --help or help) goes to stdout with 0; -h after a command prints
// that command's help, as the flag package does, to stderr, also with 0.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return 0
	case "info":
		err = info(stdout, stderr, args[1:])
	case "check":
		err = check(stdout, stderr, args[1:])
	default:
		fmt.Fprintf(stderr, "tensorgl: unknown command %q\n%s", args[0], usage)
		return 2
	}
	switch {
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		return 2
	case err != nil:
		fmt.Fprintln(stderr, "tensorgl:", err)
		return 1
	}
	return 0
}
