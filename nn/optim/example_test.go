package optim_test

import (
	"fmt"
	"log"

	"github.com/tensorgl/tensorgl/nn/optim"
	"github.com/tensorgl/tensorgl/tensor"
)

// Fit y = 2x + 1 with SGD and momentum, halving the learning rate every 50
// epochs.
func ExampleSGD() {
	x := tensor.Arange(-1, 1, 0.25)
	y := x.MulScalar(2).AddScalar(1)
	w := tensor.Zeros(1).SetRequiresGrad(true)
	b := tensor.Zeros(1).SetRequiresGrad(true)
	opt, err := optim.NewSGD([]*tensor.Tensor{w, b}, optim.SGDConfig{LR: 0.1, Momentum: 0.9})
	if err != nil {
		log.Fatal(err)
	}
	sched, err := optim.NewStepLR(opt, 50, 0.5)
	if err != nil {
		log.Fatal(err)
	}
	for range 200 {
		tensor.Tidy(func(s *tensor.Scope) {
			opt.ZeroGrad()
			s.Use(x).Mul(w).Add(b).Sub(y).Square().Mean().Backward()
			opt.Step()
		})
		sched.Step()
	}
	fmt.Printf("w=%.3f b=%.3f lr=%.5f\n", w.Item(), b.Item(), opt.LR())
	// Output: w=2.000 b=1.000 lr=0.00625
}
