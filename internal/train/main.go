package train

import (
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/tensorgl/tensorgl/data"
	"github.com/tensorgl/tensorgl/device"
	"github.com/tensorgl/tensorgl/nn"
	"github.com/tensorgl/tensorgl/nn/ddp"
	"github.com/tensorgl/tensorgl/nn/optim"
	"github.com/tensorgl/tensorgl/tensor"
)

// Spec describes one example program.
type Spec struct {
	// Name is the program's name, for messages and -h.
	Name string
	// About is the first line of -h.
	About string
	// Defaults are the flags' default values.
	Defaults Options
	// Model builds the network for samples of the given shape (channels
	// first) and number of classes, initialised from g.
	Model func(shape []int, classes int, g *tensor.Generator) nn.Module
}

// Result is what a run measured and wrote.
type Result struct {
	History    []Epoch
	Accuracy   float64 // test accuracy after the last epoch
	Device     device.Info
	Wall       time.Duration // the whole run, data loading included
	Checkpoint string        // path of the model's safetensors file
	Plot       string        // path of the PNG
	Explain    *Explanation  // what -explain drew; nil without it
}

// UsageError is a bad command line. Main (or Program.Parse) has already
// written it, with a hint, to its error stream.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

// evalBatch is the batch size for evaluation, which needs no gradient
// memory and so can be larger than training batches.
const evalBatch = 256

// dumpCount is how many test images -dump-logits writes.
const dumpCount = 16

// Run is an example program's main function: it runs Main on the command
// line and exits with status 2 for a bad command line, 1 for any other
// failure.
func Run(spec Spec) {
	_, err := Main(spec, os.Args[1:], os.Stdout, os.Stderr)
	Exit(spec.Name, err)
}

// Main parses args, trains spec's model with SGD (momentum, cosine
// learning-rate annealing over the epochs) under cross-entropy loss,
// evaluates it on the test set after every epoch, and writes the
// checkpoint and the plot. Progress and results go to stdout; flag errors
// and -h to stderr.
func Main(spec Spec, args []string, stdout, stderr io.Writer) (res *Result, err error) {
	o := spec.Defaults
	p := o.program(spec, stdout, stderr)
	o.register(p.Flags)
	if err := p.Parse(args, func() error { return o.check(p.Data) }); err != nil {
		return nil, err
	}
	o.parsed(p)
	p.Distributed = true
	if err := p.Start(); err != nil {
		return nil, err
	}
	defer p.Close()
	comm := p.Comm
	if comm.Size() > 1 {
		// One process's failure ends the job: the others would wait for it.
		defer func() {
			if err != nil {
				comm.Abort(1, fmt.Sprintf("%s: %v", spec.Name, err))
			}
		}()
	}
	leader := comm.Rank() == 0
	res = &Result{Device: p.Info}

	trainSet, testSet, from, err := LoadImages(o.Dataset, o.Data, o.Limit)
	if err != nil {
		return nil, err
	}
	p.Printf("data: %s\n", from)
	mean, std := trainSet.ChannelStats()
	shard := func(cfg data.LoaderConfig) data.LoaderConfig {
		cfg.Shards, cfg.Shard = comm.Size(), comm.Rank()
		return cfg
	}
	trainLoader, err := data.NewLoader(trainSet, shard(data.LoaderConfig{BatchSize: o.Batch, Shuffle: true, Seed: o.Seed, Mean: mean, Std: std}))
	if err != nil {
		return nil, err
	}
	testCfg := data.LoaderConfig{BatchSize: evalBatch, Mean: mean, Std: std}
	testLoader, err := data.NewLoader(testSet, testCfg) // all of it, for rank 0's -dump-logits and -explain
	if err != nil {
		return nil, err
	}
	testShard, err := data.NewLoader(testSet, shard(testCfg))
	if err != nil {
		return nil, err
	}

	model := spec.Model(trainSet.Shape, len(trainSet.Classes), tensor.NewGenerator(o.Seed))
	opt, err := optim.NewSGD(nn.Parameters(model), optim.SGDConfig{LR: float32(o.LR), Momentum: float32(o.Momentum)})
	if err != nil {
		return nil, err
	}
	sched, err := optim.NewCosineAnnealingLR(opt, o.Epochs, 0)
	if err != nil {
		return nil, err
	}
	res.Checkpoint = filepath.Join(o.Out, "model.safetensors")
	optPath := filepath.Join(o.Out, "optimizer.safetensors")
	start := 0
	if o.Resume {
		if start, err = resume(res.Checkpoint, optPath, model, opt, o.Epochs, p.Printf); err != nil {
			return nil, err
		}
		sched.SetEpoch(start)
		p.Printf("resumed from %s after epoch %d of %d\n", res.Checkpoint, start, o.Epochs)
	}
	d, err := ddp.New(model, comm, ddp.Config{BucketSize: o.Bucket}) // rank 0's parameters in every process
	if err != nil {
		return nil, err
	}
	p.Printf("model: %s, %d parameters; SGD lr %g momentum %g, cosine annealing over %d epochs, batch %d\n",
		spec.Name, nn.NumParams(model), o.LR, o.Momentum, o.Epochs, o.Batch*comm.Size())

	meta := map[string]string{
		"program": spec.Name, "dataset": o.Dataset, "shape": fmt.Sprint(trainSet.Shape), "epochs": strconv.Itoa(o.Epochs),
	}
	prog := p.Progress()
	for epoch := start; epoch < o.Epochs; epoch++ {
		prog.Start(epoch, o.Epochs, trainLoader.Samples())
		t0 := time.Now()
		loss, n, err := trainEpoch(model, opt, d, trainLoader, epoch, prog, o.Check)
		if err != nil {
			return nil, err
		}
		// The epoch's last update may have made the weights NaN with every
		// loss finite: nothing of it is saved then either. (The replicas are
		// equal, so every process stops alike.)
		if err := finiteParams(model, epoch); err != nil {
			return nil, err
		}
		e := Epoch{Loss: loss, Time: time.Since(t0)}
		e.SamplesPerSec = float64(n) / e.Time.Seconds()
		if e.Accuracy, err = evaluate(model, testShard, comm); err != nil {
			return nil, err
		}
		res.History = append(res.History, e)
		if leader {
			// Every epoch's end is a checkpoint a restarted job resumes from.
			meta["epoch"] = strconv.Itoa(epoch + 1)
			meta["test_accuracy"] = strconv.FormatFloat(e.Accuracy, 'f', 4, 64)
			if err := nn.Save(res.Checkpoint, model, meta); err != nil {
				return nil, err
			}
			// Both files name the epoch: a run stopped between the two
			// saves leaves a pair that -resume refuses.
			if err := optim.Save(optPath, opt, map[string]string{"epoch": meta["epoch"]}); err != nil {
				return nil, err
			}
		}
		prog.End(fmt.Sprintf("epoch %d/%d: train loss %.4f, test accuracy %.4f, %.0f samples/s, lr %.4g, %s",
			epoch+1, o.Epochs, e.Loss, e.Accuracy, e.SamplesPerSec, opt.LR(), e.Time.Round(100*time.Millisecond)))
		sched.Step()
	}
	if len(res.History) == 0 {
		return nil, fmt.Errorf("-resume: the checkpoint in %s has finished all %d epochs already", o.Out, o.Epochs)
	}
	res.Accuracy = res.History[len(res.History)-1].Accuracy
	if comm.Size() > 1 {
		s := d.Stats()
		per := func(t time.Duration) float64 { return t.Seconds() * 1e3 / float64(s.Steps) }
		p.Printf("gradient exchange on rank 0: %d values in %d bucket(s) per step; per step %.2f ms waiting for the device, %.2f ms reading back, %.2f ms in MPI allreduce, %.2f ms writing back\n",
			s.Values, s.Buckets, per(s.Wait), per(s.Read), per(s.Reduce), per(s.Write))
	}
	if !leader {
		return res, nil
	}

	res.Plot = filepath.Join(o.Out, "training"+PlotExt)
	if err := writePlot(res.Plot, spec.Name+" on "+o.Dataset, res.History); err != nil {
		return nil, err
	}
	p.Printf("wrote %s and %s\n", res.Checkpoint, res.Plot)
	if o.Logits != "" {
		if err := dumpLogits(o.Logits, model, testLoader, meta); err != nil {
			return nil, err
		}
		p.Printf("wrote the first %d test images and their logits to %s\n", dumpCount, o.Logits)
	}
	if o.Explain {
		ex, err := writeExplain(filepath.Join(o.Out, "explain.png"), model, testLoader)
		if err != nil {
			return nil, err
		}
		res.Explain = ex
		cam := ""
		if ex.GradCAM {
			cam = " and Grad-CAM of the last convolution"
		}
		p.Printf("wrote %s: the first %d test images (predicted %v, true %v), the saliency, the integrated gradients (%d steps)%s of the predicted class; the attributions add up to score(x) − score(baseline) within %.2g (largest difference %.3g)\n",
			ex.Path, len(ex.Labels), ex.Predicted, ex.Labels, explainSteps, cam, ex.Gap, ex.Spread)
	}
	res.Wall = p.Wall()
	p.Finish(fmt.Sprintf("test accuracy %.4f", res.Accuracy))
	return res, nil
}

// resume loads the model and optimizer checkpoints written after an epoch
// and returns how many epochs they have finished. Every process reads
// them (on several machines -out must be shared); ddp.New then makes sure
// the parameters agree.
//
// Both files record the epoch, and a pair from different epochs (a run
// stopped between the two saves) is refused. An optimizer file without
// the record, written before there was one, is taken as the model's
// epoch, which logf says.
func resume(modelPath, optPath string, model nn.Module, opt optim.Optimizer, epochs int, logf func(format string, args ...any)) (int, error) {
	meta, err := nn.ReadMeta(modelPath)
	if err != nil {
		return 0, fmt.Errorf("-resume: %w", err)
	}
	done, err := strconv.Atoi(meta["epoch"])
	if err != nil || done < 1 || done > epochs {
		return 0, fmt.Errorf("-resume: %s: finished epoch %q, want 1..%d (-epochs)", modelPath, meta["epoch"], epochs)
	}
	optMeta, err := nn.ReadMeta(optPath)
	if err != nil {
		return 0, fmt.Errorf("-resume: %w", err)
	}
	switch tag, ok := optMeta["epoch"]; {
	case !ok:
		logf("-resume: %s records no epoch (it predates the record): taking it as epoch %d's, like %s\n", optPath, done, modelPath)
	case tag != meta["epoch"]:
		return 0, fmt.Errorf("-resume: %s is from epoch %s but %s from epoch %s: the run stopped between saving them; "+
			"train again without -resume", modelPath, meta["epoch"], optPath, tag)
	}
	if err := nn.Load(modelPath, model); err != nil {
		return 0, fmt.Errorf("-resume: %w", err)
	}
	if err := optim.Load(optPath, opt); err != nil {
		return 0, fmt.Errorf("-resume: %w", err)
	}
	return done, nil
}

// dumpLogits writes the first dumpCount normalised test images ("input")
// and the model's logits for them ("logits") to a safetensors file, for
// comparison with another implementation of the same model.
func dumpLogits(path string, model nn.Module, test *data.Loader, meta map[string]string) error {
	model.Train(false)
	defer model.Train(true)
	var err error
	for b := range test.Epoch(0) {
		tensor.NoGrad(func(s *tensor.Scope) {
			x, _ := batchTensors(s, b)
			x = x.Narrow(0, 0, min(dumpCount, x.Size(0))).Contiguous()
			err = nn.SaveTensors(path, map[string]*tensor.Tensor{"input": x, "logits": model.Forward(x)}, meta)
		})
		break
	}
	return err
}

// finiteParams returns an error naming the first parameter of model that
// holds a NaN or an infinity after epoch's steps: one read of the
// parameters an epoch.
func finiteParams(model nn.Module, epoch int) error {
	for _, e := range nn.NamedParameters(model) {
		for i, v := range e.Tensor.Data() {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				return fmt.Errorf("epoch %d: after its last step parameter %s[%d] is %v (is -lr too high?)", epoch+1, e.Name, i, v)
			}
		}
	}
	return nil
}
