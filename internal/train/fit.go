package train

import (
	"fmt"
	"math"
	"time"

	"github.com/tensorgl/tensorgl/data"
	"github.com/tensorgl/tensorgl/dist"
	"github.com/tensorgl/tensorgl/nn"
	"github.com/tensorgl/tensorgl/nn/ddp"
	"github.com/tensorgl/tensorgl/nn/optim"
	"github.com/tensorgl/tensorgl/tensor"
)

// Epoch records one epoch of training.
type Epoch struct {
	Loss          float64       // mean training loss over the epoch's samples
	Accuracy      float64       // fraction of the test set classified right afterwards
	SamplesPerSec float64       // training throughput, evaluation excluded
	Time          time.Duration // training time, evaluation excluded
}

// batchTensors copies a host batch to the default device.
func batchTensors(s *tensor.Scope, b *data.Batch) (x, y *tensor.Tensor) {
	return s.FromSlice(b.X, b.Shape...), s.FromInts(b.Y, len(b.Y))
}

// trainEpoch runs one epoch of SGD steps on this process's shard, each
// inside tensor.Tidy so that the step's device memory returns to the pool,
// with the gradients averaged over the processes (d), and reads back only
// the losses, a StepLog's rows at a time. It returns the mean loss and the
// number of samples over all processes. check verifies after every step
// that the processes agree. A loss that became NaN or infinite ends the
// epoch with an error naming the step, before anything is saved from it.
func trainEpoch(model nn.Module, opt optim.Optimizer, d *ddp.DDP, loader *data.Loader, epoch int, p *Progress, check bool) (loss float64, n int, err error) {
	model.Train(true)
	var sum float64
	seen := 0  // samples stepped on, n those whose loss was read back
	steps := 0 // steps whose loss was read back
	var diverged error
	losses := NewStepLog(1, func(l []float32, samples int) error {
		if v := float64(l[0]); math.IsNaN(v) || math.IsInf(v, 0) {
			diverged = fmt.Errorf("epoch %d: step %d (after %d samples): the loss became %v (is -lr too high?)", epoch+1, steps+1, n, v)
			return diverged
		}
		sum += float64(l[0]) * float64(samples)
		n += samples
		steps++
		p.Step(samples, sum/float64(n))
		return nil
	})
	for b := range loader.Epoch(epoch) {
		tensor.Tidy(func(s *tensor.Scope) {
			opt.ZeroGrad()
			var out *tensor.Tensor
			if len(b.Y) > 0 { // a shard's last batch may be empty
				x, y := batchTensors(s, b)
				out = nn.CrossEntropyLoss(model.Forward(x), y, nn.CrossEntropyOpts{})
			}
			// Backward, with each bucket's gradients averaged over the
			// processes as soon as they are complete.
			if err = d.Backward(out, len(b.Y)); err != nil {
				return
			}
			opt.Step()
			if out != nil {
				err = losses.Add(len(b.Y), out)
			}
			if err == nil && check {
				err = d.CheckInSync()
			}
		})
		if err != nil {
			break
		}
		seen += len(b.Y)
	}
	if err = losses.Finish(err); err != nil {
		if err != diverged { // which names its epoch and step
			err = fmt.Errorf("epoch %d, after %d samples: %w", epoch+1, seen, err)
		}
		return 0, 0, err
	}
	total := []float64{sum, float64(n)}
	if err := d.Comm().AllreduceFloat64(total); err != nil {
		return 0, 0, fmt.Errorf("epoch %d: %w", epoch+1, err)
	}
	return total[0] / total[1], int(total[1]), nil
}

// evaluate returns the fraction of the samples of all processes' shards of
// loader that model classifies right, reading back only the predicted
// classes.
func evaluate(model nn.Module, loader *data.Loader, comm *dist.Comm) (float64, error) {
	model.Train(false)
	defer model.Train(true)
	correct, total := 0, 0
	var err error
	for b := range loader.Epoch(0) {
		if len(b.Y) == 0 {
			continue
		}
		pred := make([]int32, len(b.Y))
		tensor.NoGrad(func(s *tensor.Scope) {
			x, _ := batchTensors(s, b)
			err = model.Forward(x).ArgMax(1).ReadTo(pred)
		})
		if err != nil {
			break
		}
		for i, c := range pred {
			if c == b.Y[i] {
				correct++
			}
		}
		total += len(b.Y)
	}
	if err != nil {
		return 0, fmt.Errorf("evaluating after %d test samples: %w", total, err)
	}
	counts := []float64{float64(correct), float64(total)}
	if err := comm.AllreduceFloat64(counts); err != nil {
		return 0, fmt.Errorf("evaluating: %w", err)
	}
	return counts[0] / counts[1], nil
}
