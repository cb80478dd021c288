package ddp

import (
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"slices"
	"time"

	"github.com/tensorgl/tensorgl/device"
	"github.com/tensorgl/tensorgl/dist"
	"github.com/tensorgl/tensorgl/kernels"
	"github.com/tensorgl/tensorgl/nn"
	"github.com/tensorgl/tensorgl/tensor"
)

// Config tunes the gradient exchange.
type Config struct {
	// BucketSize is the number of float32 values one allreduce carries at
	// most (a larger parameter travels alone); 0 means DefaultBucketSize.
	// Smaller buckets start sooner during Backward (see DDP.Backward) but
	// each allreduce costs a message latency or two.
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
	buckets []bucket               // the parameters from last to first, cut into runs of at most BucketSize values
	of      map[*tensor.Tensor]int // each parameter's bucket
	host    []float32              // every bucket's values, and the sample count after the first's
	stats   Stats

	// The step being exchanged (see begin).
	samples float32
	early   bool  // DDP.Backward starts buckets from hooks (see New)
	armed   bool  // Backward is running: hooks start buckets
	next    int   // the first bucket not started yet
	err     error // the first error of a hook, returned by DDP.Backward
}

// bucket is a run of parameters exchanged by one allreduce.
type bucket struct {
	params []*tensor.Tensor
	buf    []float32     // its part of host, with the sample-count slot for bucket 0
	left   int           // parameters whose gradient this Backward has not completed yet
	req    *dist.Request // in flight, or nil
}

// Stats adds up what the gradient exchange cost, over Steps steps.
type Stats struct {
	Steps   int
	Values  int           // gradient values exchanged per step
	Buckets int           // allreduce calls per step
	Early   int           // buckets whose allreduce started while Backward ran (DDP.Backward)
	Wait    time.Duration // waiting for the device to finish Backward
	Read    time.Duration // copying gradients to host memory
	Reduce  time.Duration // in MPI: starting allreduces, and waiting for them once Backward was done
	Write   time.Duration // copying the averages back to the device
}

// New wraps model for training in comm's processes and copies rank 0's
// parameters and buffers to every other process (Broadcast), so that all
// replicas start equal whatever their initialisation. It also tells the
// CPU kernels and the model's device how many of the job's processes
// share this machine (kernels.ShareMachine, device.ShareMachine): where
// their threads outnumber its CPUs, the kernels' helpers park between
// kernels, and the GL device's threads sleep when idle, instead of
// spinning on cores the other processes use.
func New(model nn.Module, comm *dist.Comm, cfg Config) (*DDP, error) {
	if cfg.BucketSize < 0 {
		return nil, fmt.Errorf("ddp: bucket size %d, want 0 (default) or more", cfg.BucketSize)
	}
	kernels.ShareMachine(comm.LocalSize())
	if cfg.BucketSize == 0 {
		cfg.BucketSize = DefaultBucketSize
	}
	d := &DDP{comm: comm, model: model, of: map[*tensor.Tensor]int{}}
	if err := d.checkLayout(cfg.BucketSize); err != nil {
		return nil, err
	}
	for _, p := range nn.Parameters(model) {
		if _, dup := d.of[p]; !dup { // a tied parameter is exchanged once
			d.of[p] = -1
			d.params = append(d.params, p)
		}
	}
	if len(d.params) > 0 {
		device.ShareMachine(d.params[0].Device(), comm.LocalSize())
	}
	// Backward completes the gradients of the last layers first.
	last := slices.Clone(d.params)
	slices.Reverse(last)
	n := values(d.params)
	d.host = make([]float32, n+1) // +1: the sample count
	off := 0
	for i, run := range cut(last, cfg.BucketSize) {
		size := values(run)
		if i == 0 {
			size++
		}
		d.buckets = append(d.buckets, bucket{params: run, buf: d.host[off : off+size]})
		off += size
		for _, p := range run {
			d.of[p] = i
		}
	}
	d.stats.Values, d.stats.Buckets = n, len(d.buckets)
	// Starting a bucket reads its gradients back. On the CPU they are
	// there as soon as their hook runs; on GL the read would wait for the
	// queue of kernels mid-Backward, stalling the host that feeds it, so
	// there DDP.Backward exchanges once Backward has queued everything.
	d.early = comm.Size() > 1 && len(d.params) > 0 && d.params[0].Device().Info().Name == "cpu"
	if d.early {
		for _, p := range d.params {
			p.RegisterPostAccumulateGradHook(d.ready)
		}
	}
	if err := d.Broadcast(); err != nil {
		return nil, err
	}
	return d, nil
}

// checkLayout returns an error on every process when one holds a model
// whose state differs from rank 0's in its entries' names, dtypes or
// shapes, or another bucket size: Broadcast would pour rank 0's values
// into other shapes where the counts agree, and otherwise wait for
// messages of another length until the timeout. Rank 0's layout travels
// as a hash; each process compares it with its own, and an allreduce of
// the mismatches tells every process.
func (d *DDP) checkLayout(bucketSize int) error {
	if d.comm.Size() == 1 {
		return nil
	}
	h := fnv.New64a()
	fmt.Fprintf(h, "bucket %d\n", bucketSize)
	entries, values := 0, 0
	for _, e := range d.model.State() {
		entries++
		if e.Count != nil {
			fmt.Fprintf(h, "%s count\n", e.Name)
			continue
		}
		fmt.Fprintf(h, "%s %s %v\n", e.Name, e.Tensor.DType(), e.Tensor.Shape())
		values += e.Tensor.NumEl()
	}
	sum := h.Sum64()
	// The hash's two 32-bit halves, and the counts, travel exactly as float64.
	mine := []float64{float64(sum >> 32), float64(sum & math.MaxUint32), float64(entries), float64(values), float64(bucketSize)}
	root := slices.Clone(mine)
	if err := d.comm.BcastFloat64(root, 0); err != nil {
		return fmt.Errorf("ddp: comparing the processes' models: %w", err)
	}
	differs := root[0] != mine[0] || root[1] != mine[1]
	bad := []float64{0}
	if differs {
		bad[0] = 1
	}
	if err := d.comm.AllreduceFloat64(bad); err != nil {
		return fmt.Errorf("ddp: comparing the processes' models: %w", err)
	}
	switch {
	case differs:
		return fmt.Errorf("ddp: %s: the model's state or the bucket size differs from rank 0's: %d entries of %d values and bucket size %d, rank 0 %d of %d and %d (where the counts agree, names or shapes differ)",
			d.comm, entries, values, bucketSize, int(root[2]), int(root[3]), int(root[4]))
	case bad[0] > 0:
		return fmt.Errorf("ddp: %s: %d of %d processes hold a model or bucket size that differs from rank 0's (each names its own)", d.comm, int(bad[0]), d.comm.Size())
	}
	return nil
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
	for _, run := range cut(ts, len(d.host)) {
		buf := d.host
		if n := values(run); n > len(buf) { // a buffer larger than all parameters
			buf = make([]float32, n)
		}
		buf = buf[:values(run)]
		off := 0
		for _, t := range run {
			if root {
				if err := t.ReadTo(buf[off : off+t.NumEl()]); err != nil {
					return fmt.Errorf("ddp: broadcasting the model: %w", err)
				}
			}
			off += t.NumEl()
		}
		if err := d.comm.BcastFloat32(buf, 0); err != nil {
			return fmt.Errorf("ddp: broadcasting the model: %w", err)
		}
		off = 0
		for _, t := range run {
			if !root {
				t.SetData(buf[off : off+t.NumEl()])
			}
			off += t.NumEl()
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
	if d.comm.Size() == 1 || len(d.params) == 0 {
		return nil
	}
	t0 := time.Now()
	if err := d.params[0].Device().Sync(); err != nil {
		return fmt.Errorf("ddp: before averaging gradients: %w", err)
	}
	d.stats.Wait += time.Since(t0)
	d.begin(samples)
	return d.finish()
}

// Backward runs loss.Backward() and then AverageGradients(samples), with
// the same results to the bit, but overlaps the two as PyTorch's DDP does:
// as soon as Backward has completed the gradients of a bucket (the last
// layers' first), and of every bucket before it, that bucket's allreduce
// starts, and travels while Backward computes the gradients of the layers
// before. On a GL device, where reading a bucket back mid-Backward would
// stall the queue of kernels, the exchange starts once Backward has queued
// them all, as with AverageGradients. A process whose shard of the step is
// empty passes a nil loss and 0 samples.
//
// Gradients left by earlier Backwards (accumulated over micro-batches, as
// with PyTorch's no_sync) are part of what is averaged, as with
// AverageGradients: a hook runs once its leaf holds the sum.
func (d *DDP) Backward(loss *tensor.Tensor, samples int) error {
	if loss == nil && samples != 0 {
		return fmt.Errorf("ddp: Backward without a loss for %d samples", samples)
	}
	if !d.early {
		if loss != nil {
			loss.Backward()
		}
		return d.AverageGradients(samples)
	}
	d.begin(samples)
	if loss != nil {
		d.armed = true
		func() {
			defer func() { d.armed = false }()
			loss.Backward()
		}()
	}
	return d.finish()
}

// begin sets up the exchange of one step's gradients.
func (d *DDP) begin(samples int) {
	d.samples, d.next, d.err = float32(samples), 0, nil
	for i := range d.buckets {
		d.buckets[i].left = len(d.buckets[i].params)
	}
}

// ready is every parameter's post-accumulate hook: while Backward runs
// under DDP.Backward it starts the buckets now complete, and moves the
// ones in flight on.
func (d *DDP) ready(p *tensor.Tensor) {
	if !d.armed || d.err != nil || d.next == len(d.buckets) {
		return
	}
	if b := &d.buckets[d.of[p]]; b.left > 0 {
		b.left--
	}
	if d.err = d.start(false); d.err != nil {
		return
	}
	t0 := time.Now()
	for i := range d.next {
		if q := d.buckets[i].req; q != nil {
			if _, err := q.Test(); err != nil {
				d.err = err
				break
			}
		}
	}
	d.stats.Reduce += time.Since(t0)
}

// start starts, in order, the buckets whose gradients are complete (all
// that are left, with all), so that every process starts the same
// allreduces in the same order whatever its graph. finish wraps its
// errors.
func (d *DDP) start(all bool) error {
	for ; d.next < len(d.buckets); d.next++ {
		b := &d.buckets[d.next]
		if b.left > 0 && !all {
			return nil
		}
		t0 := time.Now()
		off := 0
		for _, p := range b.params {
			dst := b.buf[off : off+p.NumEl()]
			off += p.NumEl()
			g := p.Grad()
			if g == nil || d.samples == 0 {
				clear(dst)
				continue
			}
			if err := g.ReadTo(dst); err != nil {
				return fmt.Errorf("reading the gradient of %v: %w", p.Shape(), err)
			}
			kernels.Scale(dst, dst, d.samples)
		}
		if d.next == 0 {
			b.buf[off] = d.samples
		}
		t1 := time.Now()
		q, err := d.comm.IallreduceFloat32(b.buf)
		if err != nil {
			return err
		}
		b.req = q
		if d.armed {
			d.stats.Early++
		}
		d.stats.Read += t1.Sub(t0)
		d.stats.Reduce += time.Since(t1)
	}
	return nil
}

// finish starts the buckets not started yet, waits for all, and writes
// the averages back.
func (d *DDP) finish() error {
	if len(d.buckets) == 0 { // a model without parameters
		return nil
	}
	if d.err == nil {
		d.err = d.start(true)
	}
	t0 := time.Now()
	err := d.err // after an error, the requests in flight still end
	for i := range d.buckets {
		if q := d.buckets[i].req; q != nil {
			err = errors.Join(err, q.Wait())
			d.buckets[i].req = nil
		}
	}
	t1 := time.Now()
	d.stats.Reduce += t1.Sub(t0)
	if err != nil {
		return fmt.Errorf("ddp: averaging gradients: %w", err)
	}
	first := d.buckets[0]
	total := first.buf[len(first.buf)-1]
	if total == 0 {
		return fmt.Errorf("ddp: averaging gradients: a step without samples in any process")
	}
	// With a power-of-two total (equal shares of a power-of-two batch, the
	// usual case) 1/total is exact and multiplying by it rounds exactly as
	// dividing does, at a fraction of the cost (a division per gradient was
	// most of the write-back).
	inv, exact := float32(0), false
	if frac, _ := math.Frexp(float64(total)); frac == 0.5 {
		inv, exact = 1/total, true
	}
	for _, b := range d.buckets {
		off := 0
		for _, p := range b.params {
			src := b.buf[off : off+p.NumEl()]
			off += p.NumEl()
			if exact {
				kernels.Scale(src, src, inv)
			} else {
				for j := range src {
					src[j] /= total
				}
			}
			if p.Grad() == nil {
				p.SetGrad(tensor.ZerosLike(p))
			}
			p.Grad().SetData(src)
		}
	}
	d.stats.Write += time.Since(t1)
	d.stats.Steps++
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
