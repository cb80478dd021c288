package data

import (
	"fmt"
	"os"
	"path/filepath"
)

// EnvDir names the environment variable that points programs at a
// Fashion-MNIST directory when no directory is given explicitly.
const EnvDir = "TENSORGL_DATA"

// SystemDir is where Debian's dataset-fashion-mnist package installs the
// dataset.
const SystemDir = "/usr/share/datasets/fashion-mnist"

// Origin says which rule of Locate chose a Source.
type Origin int

const (
	Explicit Origin = iota // the directory the caller passed, e.g. from a -data flag
	Env                    // the directory in $TENSORGL_DATA
	System                 // SystemDir
	Embedded               // the sample compiled into this package
)

// A Source is where Fashion-MNIST will be loaded from.
type Source struct {
	Origin Origin
	Dir    string // empty for Embedded
}

// Locate decides where to load Fashion-MNIST from: dir if it is not empty,
// else $TENSORGL_DATA if set, else SystemDir if it holds the training images,
// else the embedded sample. An explicit or environment directory is taken
// as given; if it lacks the files, Load says so rather than quietly falling
// back to something smaller.
func Locate(dir string) Source {
	if dir != "" {
		return Source{Explicit, dir}
	}
	if env := os.Getenv(EnvDir); env != "" {
		return Source{Env, env}
	}
	for _, name := range []string{"train-images-idx3-ubyte.gz", "train-images-idx3-ubyte"} {
		if _, err := os.Stat(filepath.Join(SystemDir, name)); err == nil {
			return Source{System, SystemDir}
		}
	}
	return Source{Origin: Embedded}
}

// String describes the source for a log line: "using " + s.String().
func (s Source) String() string {
	switch s.Origin {
	case Explicit:
		return s.Dir
	case Env:
		return fmt.Sprintf("%s (from $%s)", s.Dir, EnvDir)
	case System:
		return fmt.Sprintf("%s (Debian dataset-fashion-mnist)", s.Dir)
	default:
		return fmt.Sprintf("the embedded %d-image sample of Fashion-MNIST", sampleTrain)
	}
}

// Load reads the training and test sets from s.
func (s Source) Load() (train, test *Dataset, err error) {
	if s.Origin == Embedded {
		return FashionMNISTSample()
	}
	return FashionMNIST(s.Dir)
}
