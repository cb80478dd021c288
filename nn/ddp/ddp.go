package ddp

import (
	"fmt"
	"hash/fnv"
	"math"
	"time"

	"github.com/tensorgl/tensorgl/device"
	"github.com/tensorgl/tensorgl/dist"
	"github.com/tensorgl/tensorgl/nn"
	"github.com/tensorgl/tensorgl/tensor"
)

// Config tunes the gradient exchange.
type Config struct {
	// BucketSize is the number of float32 values one allreduce carries at
	// most (a larger parameter travels alone); 0 means DefaultBucketSize.
	BucketSize int
}

// DefaultBucketSize is 1 MiB of float32 values.
const DefaultBucketSize = 1 << 18

// DDP keeps the replicas of one model in step across the processes of a
// job.
type DDP struct {
	comm    *dist.Comm
	model   nn.Module
	params  []*tensor.Tensor
	buckets [][]*tensor.Tensor // params in order, cut into runs of at most BucketSize values
	host    []float32          // one bucket's values
	stats   Stats
}

// Stats adds up what AverageGradients cost, over Steps calls.
type Stats struct {
	Steps   int
	Values  int           // gradient values exchanged per step
	Buckets int           // allreduce calls per step
	Wait    time.Duration // waiting for the device to finish Backward
	Read    time.Duration // copying gradients to host memory
	Reduce  time.Duration // summing them over the processes (MPI)
	Write   time.Duration // copying the averages back to the device
}

// New wraps model for training in comm's processes and copies rank 0's
// parameters and buffers to every other process (Broadcast), so that all
// replicas start equal whatever their initialisation.
func New(model nn.Module, comm *dist.Comm, cfg Config) (*DDP, error) {
	if cfg.BucketSize < 0 {
		return nil, fmt.Errorf("ddp: bucket size %d, want 0 (default) or more", cfg.BucketSize)
	}
	if cfg.BucketSize == 0 {
		cfg.BucketSize = DefaultBucketSize
	}
	d := &DDP{comm: comm, model: model, params: nn.Parameters(model)}
	d.buckets = cut(d.params, cfg.BucketSize)
	largest := 0
	for _, b := range d.buckets {
		largest = max(largest, values(b))
	}
	d.host = make([]float32, largest+1) // +1: AverageGradients' sample count
	d.stats.Values, d.stats.Buckets = values(d.params), len(d.buckets)
	if err := d.Broadcast(); err != nil {
		return nil, err
	}
	return d, nil
}

// cut splits ts, in order, into runs of at most size values; a tensor
// larger than size makes a run of its own.
func cut(ts []*tensor.Tensor, size int) [][]*tensor.Tensor {
	var out [][]*tensor.Tensor
	var run []*tensor.Tensor
	n := 0
	for _, t := range ts {
		if len(run) > 0 && n+t.NumEl() > size {
			out = append(out, run)
			run, n = nil, 0
		}
		run = append(run, t)
		n += t.NumEl()
	}
	if len(run) > 0 {
		out = append(out, run)
	}
	return out
}

func values(ts []*tensor.Tensor) int {
	n := 0
	for _, t := range ts {
		n += t.NumEl()
	}
	return n
}

// Comm returns the processes the model is trained in.
func (d *DDP) Comm() *dist.Comm { return d.comm }

// Stats returns the cost of the gradient exchange so far.
func (d *DDP) Stats() Stats { return d.stats }

// Broadcast overwrites every other process's parameters, buffers and
// counters with rank 0's.
func (d *DDP) Broadcast() error {
	if d.comm.Size() == 1 {
		return nil
	}
	var ts []*tensor.Tensor
	var counts []*int64
	for _, e := range d.model.State() {
		switch {
		case e.Count != nil:
			counts = append(counts, e.Count)
		case e.Tensor.DType() != device.Float32:
			return fmt.Errorf("ddp: broadcasting %s: %s tensors are not supported", e.Name, e.Tensor.DType())
		default:
			ts = append(ts, e.Tensor)
		}
	}
	root := d.comm.Rank() == 0
	for _, b := range cut(ts, len(d.host)-1) {
		err := d.exchange(b, nil, func(t *tensor.Tensor, dst []float32) error {
			if root {
				return t.ReadTo(dst)
			}
			return nil
		}, func(buf []float32) error { return d.comm.BcastFloat32(buf, 0) },
			func(t *tensor.Tensor, src []float32) error {
				if !root {
					t.SetData(src)
				}
				return nil
			})
		if err != nil {
			return fmt.Errorf("ddp: broadcasting the model: %w", err)
		}
	}
	if len(counts) > 0 {
		buf := make([]float64, len(counts))
		for i, c := range counts {
			buf[i] = float64(*c)
		}
		if err := d.comm.BcastFloat64(buf, 0); err != nil {
			return fmt.Errorf("ddp: broadcasting the model's counters: %w", err)
		}
		for i, c := range counts {
			*c = int64(buf[i])
		}
	}
	return nil
}

// AverageGradients replaces every parameter's gradient, in every process,
// by the mean over all processes' samples: with samples the number of
// samples whose mean loss this process's Backward differentiated (it may
// be 0, for an empty last batch of a shard: then the process takes part
// without gradients of its own), each process's gradient is weighted by
// its share of the step's samples. With equal shares this is PyTorch's
// mean of the replicas' gradients. A parameter without a gradient counts
// as zeros and gets one.
//
// One collective per bucket does it all: each process contributes its
// gradients times its sample count, and the count itself rides in a slot
// after the first bucket, so the sums come back with their total, which
// every process then divides by alike.
func (d *DDP) AverageGradients(samples int) error {
	if d.comm.Size() == 1 {
		return nil
	}
	t0 := time.Now()
	if err := d.params[0].Device().Sync(); err != nil {
		return fmt.Errorf("ddp: before averaging gradients: %w", err)
	}
	d.stats.Wait += time.Since(t0)
	s := float32(samples)
	var total float32
	for i, b := range d.buckets {
		var count []float32 // the sample-count slot, with the first bucket
		if i == 0 {
			count = []float32{s}
		}
		err := d.exchange(b, count, func(p *tensor.Tensor, dst []float32) error {
			g := p.Grad()
			if g == nil || samples == 0 {
				clear(dst)
				return nil
			}
			if err := g.ReadTo(dst); err != nil {
				return err
			}
			for j := range dst {
				dst[j] *= s
			}
			return nil
		}, d.comm.AllreduceFloat32, func(p *tensor.Tensor, src []float32) error {
			if i == 0 && total == 0 {
				if total = count[0]; total == 0 {
					return fmt.Errorf("a step without samples in any process")
				}
			}
			for j := range src {
				src[j] /= total
			}
			if p.Grad() == nil {
				p.SetGrad(tensor.ZerosLike(p))
			}
			p.Grad().SetData(src)
			return nil
		})
		if err != nil {
			return fmt.Errorf("ddp: averaging gradients: %w", err)
		}
	}
	d.stats.Steps++
	return nil
}

// exchange runs one collective over the bucket b: fill copies each tensor's
// values into its part of the host buffer, tail's values follow them, op
// exchanges the buffer, tail gets its part back and store takes each
// tensor's part.
func (d *DDP) exchange(b []*tensor.Tensor, tail []float32, fill func(*tensor.Tensor, []float32) error, op func([]float32) error, store func(*tensor.Tensor, []float32) error) error {
	t0 := time.Now()
	n := values(b)
	buf := d.host[:n+len(tail)]
	off := 0
	for _, t := range b {
		if err := fill(t, buf[off:off+t.NumEl()]); err != nil {
			return err
		}
		off += t.NumEl()
	}
	copy(buf[n:], tail)
	t1 := time.Now()
	if err := op(buf); err != nil {
		return err
	}
	t2 := time.Now()
	copy(tail, buf[n:])
	off = 0
	for _, t := range b {
		if err := store(t, buf[off:off+t.NumEl()]); err != nil {
			return err
		}
		off += t.NumEl()
	}
	d.stats.Read += t1.Sub(t0)
	d.stats.Reduce += t2.Sub(t1)
	d.stats.Write += time.Since(t2)
	return nil
}

// CheckInSync verifies that every process holds parameters bit-identical
// to rank 0's; a process whose parameters differ returns an error. It reads
// every parameter back, so it is a check for tests and debugging, not for
// every step of a long run.
func (d *DDP) CheckInSync() error {
	if d.comm.Size() == 1 {
		return nil
	}
	h := fnv.New64a()
	var word [4]byte
	for _, p := range d.params {
		for _, v := range p.Data() {
			bits := math.Float32bits(v)
			word[0], word[1], word[2], word[3] = byte(bits), byte(bits>>8), byte(bits>>16), byte(bits>>24)
			h.Write(word[:])
		}
	}
	sum := h.Sum64()
	// Two 32-bit halves travel exactly as float64.
	mine := []float64{float64(sum >> 32), float64(sum & math.MaxUint32)}
	root := []float64{mine[0], mine[1]}
	if err := d.comm.BcastFloat64(root, 0); err != nil {
		return fmt.Errorf("ddp: checking the replicas: %w", err)
	}
	if root[0] != mine[0] || root[1] != mine[1] {
		return fmt.Errorf("ddp: %s: parameters differ from rank 0's (hash %016x, rank 0 %08x%08x)", d.comm, sum, uint64(root[0]), uint64(root[1]))
	}
	return nil
}
