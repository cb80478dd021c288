package main

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/tensorgl/tensorgl/internal/train"

	_ "github.com/tensorgl/tensorgl/device/gl" // lets -device auto pick a GPU
)

const about = "rnn trains a character-level recurrent language model (-task chars) or a recurrent network that reads Fashion-MNIST images row by row (-task rows)."

func main() { train.Exit("rnn", run(os.Args[1:], os.Stdout, os.Stderr)) }

// run dispatches on -task: the rows classifier is an image classifier like
// examples/mlp and examples/cnn and takes their flags, and -cell.
func run(args []string, stdout, stderr io.Writer) error {
	task, rest := splitFlag(args, "task", "chars")
	var err error
	switch task {
	case "chars":
		_, err = runChars(args, stdout, stderr)
		return err
	case "rows":
		var cell string
		cell, rest = splitFlag(rest, "cell", "rnn")
		if slices.Contains(cells, cell) {
			_, err = train.Main(rowsSpec(cell), rest, stdout, stderr)
			return err
		}
		err = fmt.Errorf("-cell %q: want one of %s", cell, strings.Join(cells, ", "))
	default:
		err = fmt.Errorf("-task %q: want chars or rows", task)
	}
	fmt.Fprintf(stderr, "rnn: %v\n", err)
	return &train.UsageError{Err: err}
}

// splitFlag returns the value of the flag name in args (def when absent)
// and args without it: the flags that choose which program runs, before
// that program parses the rest.
func splitFlag(args []string, name, def string) (value string, rest []string) {
	value = def
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return value, append(rest, args[i:]...)
		}
		n, v, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !strings.HasPrefix(a, "-") || n != name {
			rest = append(rest, a)
			continue
		}
		if !hasValue && i+1 < len(args) {
			i++
			v = args[i]
		}
		value = v
	}
	return value, rest
}

// runChars runs the character-level language model with the command line
// args.
func runChars(args []string, stdout, stderr io.Writer) (*charResult, error) {
	p := train.NewProgram("rnn", about, "UTF-8 text `file` to learn (default: the FSF license texts built into the program)",
		train.Program{Device: "auto", Epochs: 20, Batch: 32, LR: 2e-3, Seed: 1, Out: "out/rnn"}, stdout, stderr)
	var o charOpts
	o.register(p.Flags)
	p.Flags.String("task", "chars", "chars: a character-level language model; rows: classify Fashion-MNIST reading images row by row (with the flags of examples/mlp and -cell rnn|lstm|gru)")
	if err := p.Parse(args, o.check); err != nil {
		return nil, err
	}
	if err := p.Start(); err != nil {
		return nil, err
	}
	defer p.Close()
	return trainChars(p, &o)
}
