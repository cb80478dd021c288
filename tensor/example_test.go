package tensor_test

import (
	"fmt"

	"github.com/tensorgl/tensorgl/tensor"
)

func Example() {
	a := tensor.FromSlice([]float32{1, 2, 3, 4}, 2, 2)
	b := tensor.Ones(2)
	fmt.Println(a.MatMul(a.T()).Add(b))
	// Output:
	// tensor([[ 6., 12.],
	//         [12., 26.]])
}

// Fit y = 2x + 1 by gradient descent with autograd.
func Example_autograd() {
	x := tensor.Arange(-1, 1, 0.25)
	y := x.MulScalar(2).AddScalar(1)
	w := tensor.Zeros(1).SetRequiresGrad(true)
	b := tensor.Zeros(1).SetRequiresGrad(true)
	for range 200 {
		tensor.Tidy(func(s *tensor.Scope) {
			loss := s.Use(x).Mul(w).Add(b).Sub(y).Square().Mean()
			loss.Backward()
			s.NoGrad(func(s *tensor.Scope) {
				w.CopyFrom(s.Use(w).Sub(w.Grad().MulScalar(0.1)))
				b.CopyFrom(s.Use(b).Sub(b.Grad().MulScalar(0.1)))
			})
			w.ZeroGrad()
			b.ZeroGrad()
		})
	}
	fmt.Printf("w=%.3f b=%.3f\n", w.Item(), b.Item())
	// Output: w=2.000 b=1.000
}
