package main

import (
	"fmt"
	"slices"
	"testing"

	"github.com/tensorgl/tensorgl/internal/train/traintest"
	"github.com/tensorgl/tensorgl/nn"
	"github.com/tensorgl/tensorgl/tensor"
)

func TestTrainsOnSample(t *testing.T) { traintest.TrainsOnSample(t, spec, 0.5) }

func TestRejectsBadFlags(t *testing.T) { traintest.RejectsBadFlags(t, spec) }

// TestLeNetShapes checks both input sizes reach the 400 features of the
// first fully connected layer, and the PyTorch state names torch_check.py
// relies on.
func TestLeNetShapes(t *testing.T) {
	for _, shape := range [][]int{{1, 28, 28}, {3, 32, 32}} {
		m := lenet(shape, 10, tensor.NewGenerator(1))
		var out []int
		tensor.NoGrad(func() { out = m.Forward(tensor.Zeros(append([]int{2}, shape...)...)).Shape() })
		if !slices.Equal(out, []int{2, 10}) {
			t.Errorf("LeNet on %v images gives %v, want [2 10]", shape, out)
		}
		var names []string
		for _, e := range m.State() {
			names = append(names, fmt.Sprint(e.Name, e.Tensor.Shape()))
		}
		want := []string{fmt.Sprintf("0.weight[6 %d 5 5]", shape[0]), "0.bias[6]", "3.weight[16 6 5 5]", "3.bias[16]",
			"7.weight[120 400]", "7.bias[120]", "9.weight[84 120]", "9.bias[84]", "11.weight[10 84]", "11.bias[10]"}
		if !slices.Equal(names, want) {
			t.Errorf("LeNet state for %v: %v, want %v", shape, names, want)
		}
		if n := nn.NumParams(m); shape[0] == 1 && n != 61706 {
			t.Errorf("LeNet has %d parameters, want 61706 as in PyTorch", n)
		}
	}
}
