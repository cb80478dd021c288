package nn_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/tensorgl/tensorgl/nn"
	"github.com/tensorgl/tensorgl/tensor"
)

// Train a small classifier on four points with plain gradient descent.
func Example() {
	g := tensor.NewGenerator(1)
	model := nn.NewSequential(
		nn.NewLinear(2, 8, g),
		nn.NewReLU(),
		nn.NewLinear(8, 2, g),
	)
	x := tensor.FromSlice([]float32{0, 0, 0, 1, 1, 0, 1, 1}, 4, 2)
	y := tensor.FromInts([]int32{0, 1, 1, 0}) // XOR
	var first, last float32
	for step := range 300 {
		tensor.Tidy(func(s *tensor.Scope) {
			loss := nn.CrossEntropyLoss(model.Forward(s.Use(x)), y, nn.CrossEntropyOpts{})
			loss.Backward()
			for _, p := range nn.Parameters(model) {
				// Gradients and detached parameters record nothing.
				p.CopyFrom(s.Use(p.Detach()).Sub(p.Grad().MulScalar(0.5)))
			}
			nn.ZeroGrad(model)
			if step == 0 {
				first = loss.Item()
			}
			last = loss.Item()
		})
	}
	fmt.Println("loss fell:", last < first/10)
	for _, e := range model.State() {
		fmt.Println(e.Name, e.Tensor.Shape())
	}
	// Output:
	// loss fell: true
	// 0.weight [8 2]
	// 0.bias [8]
	// 2.weight [2 8]
	// 2.bias [2]
}

// Save a model's state and load it into a model of the same architecture.
func ExampleLoad() {
	dir, err := os.MkdirTemp("", "nn-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "model.safetensors")

	build := func(seed uint64) nn.Module {
		g := tensor.NewGenerator(seed)
		return nn.NewSequential(nn.NewLinear(4, 3, g), nn.NewBatchNorm1d(3), nn.NewReLU(), nn.NewLinear(3, 2, g))
	}
	trained := build(1)
	if err := nn.Save(path, trained, map[string]string{"epoch": "1"}); err != nil {
		panic(err)
	}
	restored := build(2)
	if err := nn.Load(path, restored); err != nil {
		panic(err)
	}
	x := tensor.Ones(2, 4)
	nn.Eval(trained)
	nn.Eval(restored)
	fmt.Println(slices.Equal(trained.Forward(x).Data(), restored.Forward(x).Data()))

	// A model of another shape is refused, and left as it was.
	other := nn.NewSequential(nn.NewLinear(4, 5, tensor.NewGenerator(3)))
	fmt.Println(nn.Load(path, other) != nil)
	// Output:
	// true
	// true
}
