package train

import (
	"fmt"
	"time"

	"github.com/tensorgl/tensorgl/tensor"
)

// StepLog reads back what training steps compute for the host to see (a
// loss, a GAN's four scores) without waiting for each step: Add copies a
// step's values into the next row of a buffer on the device, and the rows
// are read back together when the buffer is full (StepLogRows), when
// StepLogEvery has passed since the last read, and at Flush. Reading each
// step's loss as the step ends waits for the device to finish the step, so
// that on a GPU the device idles while the host builds the next step and
// the host idles while the device runs this one; between reads the host
// now queues the next steps while the device runs the last ones. Each row
// reaches emit in order with its sample count, so what the host computes
// from them (an epoch's mean loss, the progress bar's) is what per-step
// reads gave, to the bit, only later. An error of the device, or of emit
// (a loss that became NaN), surfaces at the read that would have seen it.
type StepLog struct {
	width   int
	buf     *tensor.Tensor // [StepLogRows, width] on the device, persistent
	rows    int            // rows written since the last read
	samples []int          // each written row's sample count
	host    []float32
	last    time.Time
	every   time.Duration // StepLogEvery; tests lengthen it
	emit    func(vals []float32, samples int) error
}

// StepLogRows is how many steps a StepLog holds between reads.
const StepLogRows = 64

// StepLogEvery is the longest a StepLog holds values before reading them
// back: a progress bar's refresh (its throttle is 100 ms too).
const StepLogEvery = 100 * time.Millisecond

// NewStepLog returns a log of width values a step on the default device,
// each row passed to emit when read back, in the order the steps added
// them. Release it when done.
func NewStepLog(width int, emit func(vals []float32, samples int) error) *StepLog {
	if width < 1 {
		panic(fmt.Sprintf("train: NewStepLog(%d): want at least one value a step", width))
	}
	buf := tensor.Zeros(StepLogRows, width)
	tensor.Persist(buf)
	return &StepLog{width: width, buf: buf, emit: emit, host: make([]float32, StepLogRows*width),
		last: time.Now(), every: StepLogEvery}
}

// Add queues a copy of v (width values, any shape, on the default device)
// as the next row, with the step's sample count, and reads the rows back
// if that is due.
func (l *StepLog) Add(samples int, v *tensor.Tensor) error {
	if v.NumEl() != l.width {
		return fmt.Errorf("train: StepLog of %d values a step: got a tensor of %d (%v)", l.width, v.NumEl(), v.Shape())
	}
	l.buf.Narrow(0, l.rows, 1).CopyFrom(v.Detach().Reshape(1, l.width))
	l.samples = append(l.samples, samples)
	l.rows++
	if l.rows == StepLogRows || time.Since(l.last) >= l.every {
		return l.Flush()
	}
	return nil
}

// Flush reads back the rows added since the last read, waiting for the
// device to finish the steps that wrote them, and passes them to emit in
// order; it stops at emit's first error and returns it.
func (l *StepLog) Flush() error {
	l.last = time.Now()
	if l.rows == 0 {
		return nil
	}
	n := l.rows
	vals := l.host[:n*l.width]
	err := l.buf.Narrow(0, 0, n).ReadTo(vals)
	samples := l.samples
	l.rows, l.samples = 0, l.samples[:0]
	if err != nil {
		return err
	}
	for i, s := range samples {
		if err := l.emit(vals[i*l.width:(i+1)*l.width], s); err != nil {
			return err
		}
	}
	return nil
}

// Finish ends the log after a loop whose error is err: with err nil it
// reads back the rows still queued (so the loop ends when its last steps
// have run) and returns Flush's error, else it returns err without
// reading; it releases the buffer either way.
func (l *StepLog) Finish(err error) error {
	if err == nil {
		err = l.Flush()
	}
	l.Release()
	return err
}

// Release returns the log's device buffer; rows not yet read are dropped.
// The log must not be used afterwards.
func (l *StepLog) Release() {
	l.buf.Release()
	l.buf, l.rows, l.samples = nil, 0, nil
}
