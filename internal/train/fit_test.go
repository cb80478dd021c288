package train

import (
	"testing"

	"github.com/tensorgl/tensorgl/data"
	"github.com/tensorgl/tensorgl/dist"
	"github.com/tensorgl/tensorgl/nn"
	"github.com/tensorgl/tensorgl/nn/ddp"
	"github.com/tensorgl/tensorgl/nn/optim"
	"github.com/tensorgl/tensorgl/tensor"
)

// TestEpochsRecycleMemory checks that training and evaluation return every
// step's device memory: after the first epoch has created the optimizer's
// state, the bytes in use stay the same epoch after epoch.
func TestEpochsRecycleMemory(t *testing.T) {
	dev := openDevice(t, "cpu")
	useDevice(t, dev)

	full, test, err := data.FashionMNISTSample()
	if err != nil {
		t.Fatal(err)
	}
	ds, _ := full.Subset(0, 640)
	loader, err := data.NewLoader(ds, data.LoaderConfig{BatchSize: 64, Shuffle: true})
	if err != nil {
		t.Fatal(err)
	}
	testSub, _ := test.Subset(0, 300)
	testLoader, _ := data.NewLoader(testSub, data.LoaderConfig{BatchSize: 128})
	g := tensor.NewGenerator(1)
	model := nn.NewSequential(nn.NewFlatten(), nn.NewLinear(784, 32, g), nn.NewReLU(), nn.NewLinear(32, 10, g))
	opt, err := optim.NewSGD(nn.Parameters(model), optim.SGDConfig{LR: 0.05, Momentum: 0.9})
	if err != nil {
		t.Fatal(err)
	}
	comm, err := dist.Init() // a world of one
	if err != nil {
		t.Fatal(err)
	}
	defer comm.Finalize()
	d, err := ddp.New(model, comm, ddp.Config{})
	if err != nil {
		t.Fatal(err)
	}
	var inUse []int64
	var losses []float64
	for epoch := range 3 {
		loss, n, err := trainEpoch(model, opt, d, loader, epoch, &Progress{lineProgress{}}, false)
		if err != nil {
			t.Fatal(err)
		}
		if n != ds.Len() {
			t.Fatalf("epoch %d trained on %d samples, want %d", epoch, n, ds.Len())
		}
		if _, err := evaluate(model, testLoader, comm); err != nil {
			t.Fatal(err)
		}
		losses = append(losses, loss)
		inUse = append(inUse, dev.Stats().BytesInUse)
	}
	if inUse[1] != inUse[0] || inUse[2] != inUse[0] {
		t.Errorf("device bytes in use after each epoch %v, want them equal", inUse)
	}
	if !(losses[2] < losses[0]) {
		t.Errorf("training loss per epoch %v, want it to fall", losses)
	}
}
