package main

import (
	"fmt"
	"os"

	_ "github.com/tensorgl/tensorgl/device/cpu"
	_ "github.com/tensorgl/tensorgl/device/gl"
)

const usage = `usage:
  tensorgl info
  tensorgl check [-device gl|cpu|auto]
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "info":
		err = info(os.Stdout)
	case "check":
		err = check(os.Stdout, os.Args[2:])
	default:
		fmt.Fprintf(os.Stderr, "tensorgl: unknown command %q\n%s", os.Args[1], usage)
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "tensorgl:", err)
		os.Exit(1)
	}
}
