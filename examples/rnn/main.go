package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/tensorgl/tensorgl/internal/train"

	_ "github.com/tensorgl/tensorgl/device/gl" // lets -device auto pick a GPU
)

const about = "rnn trains a character-level RNN language model (-task chars) or an RNN that reads Fashion-MNIST images row by row (-task rows)."

func main() { train.Exit("rnn", run(os.Args[1:], os.Stdout, os.Stderr)) }

// run dispatches on -task: the rows classifier is an image classifier like
// examples/mlp and examples/cnn and takes their flags.
func run(args []string, stdout, stderr io.Writer) error {
	task, rest := splitTask(args)
	switch task {
	case "chars":
		_, err := runChars(args, stdout, stderr)
		return err
	case "rows":
		_, err := train.Main(rowsSpec, rest, stdout, stderr)
		return err
	}
	err := fmt.Errorf("-task %q: want chars or rows", task)
	fmt.Fprintf(stderr, "rnn: %v\n", err)
	return &train.UsageError{Err: err}
}

// splitTask returns the value of the -task flag in args ("chars" when
// absent) and args without it.
func splitTask(args []string) (task string, rest []string) {
	task = "chars"
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return task, append(rest, args[i:]...)
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !strings.HasPrefix(a, "-") || name != "task" {
			rest = append(rest, a)
			continue
		}
		if !hasValue && i+1 < len(args) {
			i++
			value = args[i]
		}
		task = value
	}
	return task, rest
}

// runChars runs the character-level language model with the command line
// args.
func runChars(args []string, stdout, stderr io.Writer) (*charResult, error) {
	p := train.NewProgram("rnn", about, "UTF-8 text `file` to learn (default: the FSF license texts built into the program)",
		train.Program{Device: "auto", Epochs: 20, Batch: 32, LR: 2e-3, Seed: 1, Out: "out/rnn"}, stdout, stderr)
	var o charOpts
	o.register(p.Flags)
	p.Flags.String("task", "chars", "chars: a character-level language model; rows: classify Fashion-MNIST reading images row by row (with the flags of examples/mlp)")
	if err := p.Parse(args, o.check); err != nil {
		return nil, err
	}
	if err := p.Start(); err != nil {
		return nil, err
	}
	defer p.Close()
	return trainChars(p, &o)
}
