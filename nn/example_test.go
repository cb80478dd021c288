package nn_test

import (
	"fmt"

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
		tensor.Tidy(func() {
			loss := nn.CrossEntropyLoss(model.Forward(x), y, nn.CrossEntropyOpts{})
			loss.Backward()
			tensor.NoGrad(func() {
				for _, p := range nn.Parameters(model) {
					p.CopyFrom(p.Sub(p.Grad().MulScalar(0.5)))
				}
			})
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
