package train

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"runtime/pprof"
	"slices"
	"strings"
	"time"

	"github.com/tensorgl/tensorgl/device"
	"github.com/tensorgl/tensorgl/dist"
	"github.com/tensorgl/tensorgl/tensor"
)

// Program is the frame of an example program that runs its own training
// loop (a language model, a GAN) rather than Main's image classification:
// the flags every example shares, the device, the output directory, the
// progress display and the wall time.
//
// A program makes one with NewProgram, adds its own flags to Flags, calls
// Parse and then Start, trains, and ends with Finish.
type Program struct {
	Name   string
	Device string  // auto, cpu or gl
	Epochs int     // passes over the training data
	Batch  int     // samples per step
	LR     float64 // learning rate
	Seed   uint64  // initialisation, shuffling and sampling
	Data   string  // data file or directory; empty: the program's default
	Out    string  // directory for plots, images and checkpoints
	// CPUProfile names the file for a Go CPU profile of the run (pprof);
	// empty: none. In a job of several processes rank r writes it with
	// ".rank<r>" appended.
	CPUProfile string

	// Flags holds the shared flags; the program adds its own before Parse.
	Flags *flag.FlagSet
	// Info describes the device after Start.
	Info device.Info
	// Comm is the job's processes after Start: one, unless an MPI launcher
	// started the program (built with -tags mpi) as several.
	Comm *dist.Comm
	// Distributed, set before Start, says that the program trains
	// data-parallel in several processes; Start refuses several without it.
	Distributed bool

	about          string
	stdout, stderr io.Writer
	begin          time.Time
	dev, prev      device.Device
	profile        *os.File
}

// NewProgram returns a Program whose shared flags default to defaults'
// values, writing progress to stdout and flag errors to stderr. dataHelp
// says what -data names for this program.
func NewProgram(name, about, dataHelp string, defaults Program, stdout, stderr io.Writer) *Program {
	p := defaults
	p.Name, p.about, p.stdout, p.stderr, p.begin = name, about, stdout, stderr, time.Now()
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "%s\n\nusage: %s [flags]\n\n", about, name)
		fs.PrintDefaults()
	}
	fs.StringVar(&p.Device, "device", p.Device, "compute device: "+strings.Join(devices, ", ")+" (auto: a hardware GPU through OpenGL, else the CPU)")
	fs.IntVar(&p.Epochs, "epochs", p.Epochs, "training epochs")
	fs.IntVar(&p.Batch, "batch", p.Batch, "mini-batch size")
	fs.Float64Var(&p.LR, "lr", p.LR, "learning rate")
	fs.Uint64Var(&p.Seed, "seed", p.Seed, "random seed for initialisation, shuffling and sampling")
	fs.StringVar(&p.Data, "data", p.Data, dataHelp)
	fs.StringVar(&p.Out, "out", p.Out, "`directory` for the plots, images and checkpoints")
	fs.StringVar(&p.CPUProfile, "cpuprofile", p.CPUProfile, "write a CPU profile of the run to this `file` (go tool pprof); with several processes, rank r's gets \".rank<r>\" appended")
	p.Flags = fs
	return &p
}

// Parse parses args and checks the shared flags, then the program's own
// with check (nil: none). A bad command line is written to stderr with a
// hint and returned as a *UsageError; -h returns flag.ErrHelp.
func (p *Program) Parse(args []string, check func() error) error {
	if err := p.Flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return &UsageError{err} // the flag package has printed it
	}
	var err error
	switch {
	case !slices.Contains(devices, p.Device):
		err = fmt.Errorf("-device %q: want one of %s", p.Device, strings.Join(devices, ", "))
	case p.Epochs < 1:
		err = fmt.Errorf("-epochs %d: want at least 1", p.Epochs)
	case p.Batch < 1:
		err = fmt.Errorf("-batch %d: want at least 1", p.Batch)
	case !(p.LR > 0):
		err = fmt.Errorf("-lr %v: want a learning rate > 0", p.LR)
	case p.LR > math.MaxFloat32: // +Inf too: training in float32 would turn it into +Inf
		err = fmt.Errorf("-lr %v: want a learning rate of at most %g (the largest float32)", p.LR, math.MaxFloat32)
	case p.Out == "":
		err = fmt.Errorf("-out is empty: want a directory for the results")
	case p.Flags.NArg() > 0:
		err = fmt.Errorf("unexpected argument %q: %s takes flags only", p.Flags.Arg(0), p.Name)
	case check != nil:
		err = check()
	}
	if err != nil {
		fmt.Fprintf(p.stderr, "%s: %v\nrun '%s -h' for the flags\n", p.Name, err, p.Name)
		return &UsageError{err}
	}
	return nil
}

// Start joins the job's processes (package dist), opens the device (in a
// job of several, the GL device of the process's local rank, see
// device.OpenLocal), makes it the default for new tensors, creates the
// output directory and prints the device line. In a job of several only
// rank 0 prints. Close undoes it.
func (p *Program) Start() error {
	comm, err := dist.Init()
	if err != nil {
		return err
	}
	if comm.Size() > 1 && !p.Distributed {
		comm.Finalize()
		return fmt.Errorf("started as %d processes, but %s trains in one only", comm.Size(), p.Name)
	}
	open := device.Open
	if comm.Size() > 1 {
		open = func(name string) (device.Device, error) { return device.OpenLocal(name, comm.LocalRank()) }
	}
	dev, err := open(p.Device)
	if err == nil {
		err = os.MkdirAll(p.Out, 0o755)
		if err != nil {
			dev.Close()
		}
	}
	if err != nil {
		comm.Finalize()
		return err
	}
	if p.CPUProfile != "" {
		if err := p.startProfile(comm); err != nil {
			dev.Close()
			comm.Finalize()
			return err
		}
	}
	p.Comm = comm
	if comm.Rank() != 0 {
		p.stdout = io.Discard
	}
	p.dev, p.prev = dev, tensor.DefaultDevice()
	tensor.SetDefaultDevice(dev)
	p.Info = dev.Info()
	p.Printf("device: %s (%s)\n", p.Info.Name, p.Info.Renderer)
	if comm.Size() > 1 {
		p.Printf("processes: %d (%s), data-parallel, -batch %d per process\n", comm.Size(), comm.Library(), p.Batch)
	}
	return nil
}

// Close restores the previous default device, closes the program's and
// leaves the job.
func (p *Program) Close() {
	if p.profile != nil {
		pprof.StopCPUProfile()
		if err := p.profile.Close(); err != nil {
			fmt.Fprintf(p.stderr, "%s: -cpuprofile: %v\n", p.Name, err)
		}
		p.profile = nil
	}
	if p.dev != nil {
		tensor.SetDefaultDevice(p.prev)
		p.dev.Close()
		p.dev = nil
		p.Comm.Finalize()
	}
}

// startProfile starts the CPU profile -cpuprofile asks for.
func (p *Program) startProfile(comm *dist.Comm) error {
	name := p.CPUProfile
	if comm.Size() > 1 {
		name += fmt.Sprintf(".rank%d", comm.Rank())
	}
	f, err := os.Create(name)
	if err != nil {
		return fmt.Errorf("-cpuprofile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return fmt.Errorf("-cpuprofile %s: %w", name, err)
	}
	p.profile = f
	return nil
}

// Printf writes to the program's output.
func (p *Program) Printf(format string, args ...any) { fmt.Fprintf(p.stdout, format, args...) }

// Progress returns the display for epochs of the given number of samples:
// a redrawn bar on a terminal, a line per epoch elsewhere.
func (p *Program) Progress() *Progress { return &Progress{newProgress(p.stdout)} }

// Wall is the time since NewProgram.
func (p *Program) Wall() time.Duration { return time.Since(p.begin) }

// Finish prints the program's last line: summary, the device and the wall
// time.
func (p *Program) Finish(summary string) {
	p.Printf("%s on %s (%s), wall time %s\n", summary, p.Info.Name, p.Info.Renderer, p.Wall().Round(100*time.Millisecond))
}

// Progress shows how an epoch goes.
type Progress struct{ p progress }

// Start begins epoch (from 0) of epochs, which will process samples.
func (p *Progress) Start(epoch, epochs, samples int) { p.p.start(epoch, epochs, samples) }

// Step records that samples more were processed, with the epoch's mean loss
// so far.
func (p *Progress) Step(samples int, meanLoss float64) { p.p.step(samples, meanLoss) }

// End closes the epoch with a summary line.
func (p *Progress) End(summary string) { p.p.end(summary) }

// Exit ends a program's main function after err: status 0 for nil or -h,
// 2 for a bad command line (already reported), 1 for anything else, which
// it reports.
func Exit(name string, err error) {
	var usage *UsageError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		os.Exit(0)
	case errors.As(err, &usage):
		os.Exit(2)
	default:
		fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
		os.Exit(1)
	}
}
