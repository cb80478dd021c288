package nn

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tensorgl/tensorgl/tensor"
)

// batchNormKind is one of the BatchNorm layers that
// testdata/make_layer_opts_refs.py builds, with the names of its state.
type batchNormKind struct {
	name  string
	make  func() *BatchNorm
	state []string
	shape []int // of the input
}

var (
	affineState  = []string{"weight", "bias"}
	trackedState = []string{"running_mean", "running_var", "num_batches_tracked"}
)

// batchNormKinds lists the script's layers in the order of the Sequential
// whose state testdata/batchnorm_state.safetensors holds.
var batchNormKinds = []batchNormKind{
	{"bn2d", func() *BatchNorm { return NewBatchNorm2d(3) }, slices.Concat(affineState, trackedState), []int{2, 3, 3, 2}},
	{"bn2d_noaffine", func() *BatchNorm { return NewBatchNorm2dOpts(3, BatchNormOpts{NoAffine: true}) }, trackedState, []int{2, 3, 2, 3}},
	{"bn1d_notrack", func() *BatchNorm { return NewBatchNorm1dOpts(3, BatchNormOpts{NoRunningStats: true}) }, affineState, []int{5, 3}},
	{"bn1d_plain", func() *BatchNorm { return NewBatchNorm1dOpts(3, BatchNormOpts{NoAffine: true, NoRunningStats: true}) }, nil, []int{4, 3, 2}},
	{"bn1d_cma", func() *BatchNorm { return NewBatchNorm1dOpts(3, BatchNormOpts{CumulativeAverage: true}) }, slices.Concat(affineState, trackedState), []int{4, 3, 2}},
}

const batchNormState = "testdata/batchnorm_state.safetensors"

// batchNormSequential returns a Sequential of fresh layers of kinds.
func batchNormSequential(kinds []batchNormKind) *Sequential {
	var layers []Module
	for _, k := range kinds {
		layers = append(layers, k.make())
	}
	return NewSequential(layers...)
}

func TestBatchNormOptsState(t *testing.T) {
	for _, k := range batchNormKinds {
		t.Run(k.name, func(t *testing.T) {
			bn := k.make()
			var names []string
			for _, e := range bn.State() {
				names = append(names, e.Name)
				if e.Param != slices.Contains(affineState, e.Name) {
					t.Errorf("%s: Param is %v", e.Name, e.Param)
				}
			}
			if !slices.Equal(names, k.state) {
				t.Errorf("State names %q, want PyTorch's state_dict names %q", names, k.state)
			}
			// A trained layer with drawn parameters survives Save and Load
			// into a fresh one of its kind.
			g := tensor.NewGenerator(21)
			for _, p := range Parameters(bn) {
				p.CopyFrom(tensor.Uniform(g, -1, 1, 3))
			}
			for range 2 {
				bn.Forward(tensor.Uniform(g, -2, 2, k.shape...))
			}
			path := filepath.Join(t.TempDir(), "bn.safetensors")
			if err := Save(path, bn, nil); err != nil {
				t.Fatal(err)
			}
			fresh := k.make()
			if err := Load(path, fresh); err != nil {
				t.Fatal(err)
			}
			if want := snapshot(bn); !equalSnapshots(snapshot(fresh), want) {
				t.Errorf("loaded state %v, want the saved %v", snapshot(fresh), want)
			}
		})
	}
}

// TestParityBatchNormOpts compares each kind with PyTorch: two training
// batches, a third with gradients, the state they leave, then evaluation
// from PyTorch's trained state loaded as a checkpoint.
func TestParityBatchNormOpts(t *testing.T) {
	const file = "layer_opts.safetensors"
	trained := batchNormSequential(batchNormKinds)
	if err := Load(batchNormState, trained); err != nil {
		t.Fatal(err)
	}
	for i, k := range batchNormKinds {
		t.Run(k.name+"/train", func(t *testing.T) {
			c := loadParity(t, file, k.name+"_train")
			bn := k.make()
			for _, e := range NamedParameters(bn) {
				e.Tensor.CopyFrom(c["param."+e.Name])
			}
			bn.Forward(c["batch0"])
			bn.Forward(c["batch1"])
			xs := c.inputs()
			c.check(t, bn, xs, bn.Forward(xs[0]))
			// The running statistics and batch count are PyTorch's.
			want := trained.Layers[i].(*BatchNorm).State()
			for j, e := range bn.State() {
				switch {
				case e.Tensor == nil && *e.Count != *want[j].Count:
					t.Errorf("%s = %d, PyTorch's %d", e.Name, *e.Count, *want[j].Count)
				case e.Tensor != nil:
					assertClose(t, e.Name, e.Tensor, host(want[j].Tensor), parityTol)
				}
			}
		})
		t.Run(k.name+"/eval", func(t *testing.T) {
			c := loadParity(t, file, k.name+"_eval")
			bn := trained.Layers[i].(*BatchNorm)
			Eval(bn)
			before := snapshot(bn)
			xs := c.inputs()
			c.check(t, bn, xs, bn.Forward(xs[0]))
			if !equalSnapshots(snapshot(bn), before) {
				t.Error("evaluation changed the state")
			}
		})
	}
}

// TestBatchNormLoadWrongKind loads PyTorch's checkpoint into Sequentials
// with one layer of another kind: each Load fails naming an entry of
// that layer and leaves every layer as it was.
func TestBatchNormLoadWrongKind(t *testing.T) {
	for i, k := range batchNormKinds {
		for _, other := range batchNormKinds {
			if slices.Equal(other.state, k.state) {
				continue
			}
			t.Run(fmt.Sprintf("%d:%s-into-%s", i, k.name, other.name), func(t *testing.T) {
				kinds := slices.Clone(batchNormKinds)
				kinds[i] = other
				m := batchNormSequential(kinds)
				before := snapshot(m)
				err := Load(batchNormState, m)
				if err == nil || !strings.Contains(err.Error(), fmt.Sprintf(`"%d.`, i)) {
					t.Errorf("Load error = %v, want one naming an entry of layer %d", err, i)
				}
				if !equalSnapshots(snapshot(m), before) {
					t.Error("a failed Load changed the model")
				}
			})
		}
	}
	// The messages say which entry does not fit.
	for _, tc := range []struct {
		kinds []batchNormKind
		want  string
	}{
		{[]batchNormKind{batchNormKinds[1], batchNormKinds[1]}, `the file has "0.bias", which the model does not have`},
		{[]batchNormKind{batchNormKinds[0], batchNormKinds[0]}, `"1.weight" is missing from the file`},
	} {
		err := Load(batchNormState, batchNormSequential(tc.kinds))
		if want := "nn: load " + batchNormState + ": " + tc.want; err == nil || err.Error() != want {
			t.Errorf("Load error = %v, want %s", err, want)
		}
	}
}

// TestBatchNormNoRunningStats: without running statistics evaluation
// normalises with the batch's, as training does, and counts no batches.
func TestBatchNormNoRunningStats(t *testing.T) {
	g := tensor.NewGenerator(22)
	bn := NewBatchNorm2dOpts(2, BatchNormOpts{NoRunningStats: true})
	x := tensor.Uniform(g, -2, 2, 3, 2, 2, 2)
	train := bn.Forward(x).Data()
	Eval(bn)
	assertClose(t, "evaluation output", bn.Forward(x), host(tensor.FromSlice(train)), 0)
	if bn.NumBatchesTracked != 0 {
		t.Errorf("num_batches_tracked = %d without running statistics, want 0", bn.NumBatchesTracked)
	}
}

// TestBatchNormCumulativeAverage: with momentum=None the running mean is
// the plain average of the batch means.
func TestBatchNormCumulativeAverage(t *testing.T) {
	bn := NewBatchNorm1dOpts(1, BatchNormOpts{CumulativeAverage: true})
	for _, v := range []float32{4, -2, 7, 3} {
		bn.Forward(tensor.FromSlice([]float32{v - 1, v + 1}, 2, 1))
	}
	assertClose(t, "running_mean", bn.RunningMean, []float64{3}, 1e-6)
	// Each batch's unbiased variance is 2.
	assertClose(t, "running_var", bn.RunningVar, []float64{2}, 1e-6)
}

func TestBatchNormOptsMisuse(t *testing.T) {
	for _, tc := range []struct {
		f    func()
		want string
	}{
		{func() { NewBatchNorm2dOpts(3, BatchNormOpts{Momentum: 0.2, CumulativeAverage: true}) },
			"nn.BatchNorm2d: momentum 0.2 and a cumulative average exclude each other"},
		{func() {
			bn := NewBatchNorm1dOpts(3, BatchNormOpts{NoRunningStats: true})
			Eval(bn)
			bn.Forward(tensor.Zeros(1, 3))
		}, "nn.BatchNorm1d: normalising with batch statistics needs more than one value per channel, got input [1 3]"},
		{func() { NewBatchNorm1dOpts(3, BatchNormOpts{NoAffine: true}).Forward(tensor.Zeros(4, 2)) },
			"want input of rank [2 3] with 3 channels in dimension 1, got [4 2]"},
	} {
		expectPanic(t, "", tc.want, tc.f)
	}
}
