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

// Warm up linearly for 3 epochs, then anneal along a cosine over 5.
func ExampleNewSequentialLR() {
	w := tensor.Zeros(1).SetRequiresGrad(true)
	opt, err := optim.NewSGD([]*tensor.Tensor{w}, optim.SGDConfig{LR: 0.1})
	if err != nil {
		log.Fatal(err)
	}
	warmup, err := optim.NewLinearLR(opt, 0.1, 1, 3)
	if err != nil {
		log.Fatal(err)
	}
	cosine, err := optim.NewCosineAnnealingLR(opt, 5, 0)
	if err != nil {
		log.Fatal(err)
	}
	sched, err := optim.NewSequentialLR(opt, []*optim.Scheduler{warmup, cosine}, []int{3})
	if err != nil {
		log.Fatal(err)
	}
	for range 9 {
		fmt.Printf("%.4f ", opt.LR())
		// train an epoch
		sched.Step()
	}
	fmt.Println()
	// Output: 0.0100 0.0400 0.0700 0.1000 0.0905 0.0655 0.0345 0.0095 0.0000
}

// Lower the learning rate tenfold once the validation loss has not improved
// for 2 epochs.
func ExampleReduceLROnPlateau() {
	w := tensor.Zeros(1).SetRequiresGrad(true)
	opt, err := optim.NewAdam([]*tensor.Tensor{w}, optim.DefaultAdam())
	if err != nil {
		log.Fatal(err)
	}
	cfg := optim.DefaultPlateau()
	cfg.Patience = 2
	sched, err := optim.NewReduceLROnPlateau(opt, cfg)
	if err != nil {
		log.Fatal(err)
	}
	for _, loss := range []float64{1, 0.8, 0.7, 0.7, 0.71, 0.7, 0.6} {
		// train an epoch, validate
		sched.Step(loss)
		fmt.Printf("%.4g ", opt.LR())
	}
	fmt.Println()
	// Output: 0.001 0.001 0.001 0.001 0.001 0.0001 0.0001
}
