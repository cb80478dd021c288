package train

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// progress shows how an epoch goes: a redrawn bar on a terminal, one line
// per epoch elsewhere (logs, pipes, tests).
type progress interface {
	start(epoch, epochs, samples int)
	step(samples int, meanLoss float64)
	end(summary string)
}

func newProgress(w io.Writer) progress {
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		return &barProgress{w: w}
	}
	return lineProgress{w}
}

type lineProgress struct{ w io.Writer }

func (lineProgress) start(int, int, int)  {}
func (lineProgress) step(int, float64)    {}
func (p lineProgress) end(summary string) { fmt.Fprintln(p.w, summary) }

type barProgress struct {
	w      io.Writer
	bar    *progressbar.ProgressBar
	prefix string
}

func (p *barProgress) start(epoch, epochs, samples int) {
	p.prefix = fmt.Sprintf("epoch %d/%d", epoch+1, epochs)
	p.bar = progressbar.NewOptions(samples,
		progressbar.OptionSetWriter(p.w),
		progressbar.OptionSetDescription(p.prefix),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString("samples"),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
	)
}

func (p *barProgress) step(samples int, meanLoss float64) {
	p.bar.Describe(fmt.Sprintf("%s loss %.4f", p.prefix, meanLoss))
	p.bar.Add(samples)
}

func (p *barProgress) end(summary string) {
	p.bar.Finish()
	fmt.Fprintln(p.w, summary)
}
