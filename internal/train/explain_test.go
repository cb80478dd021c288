package train

import (
	"math"
	"testing"

	"github.com/tensorgl/tensorgl/nn"
	"github.com/tensorgl/tensorgl/tensor"
)

func TestUpsample(t *testing.T) {
	v := []float32{1, 2, 3, 4, 5, 6}
	same := upsample(v, 2, 3, 2, 3)
	for i, x := range v {
		if same[i] != float64(x) {
			t.Fatalf("upsample to the same size changed %v to %v", v, same)
		}
	}
	// Doubling a 1×2 row with align_corners=False, as torch.nn.functional.interpolate gives.
	got := upsample([]float32{0, 4}, 1, 2, 2, 4)
	want := []float64{0, 1, 3, 4, 0, 1, 3, 4}
	for i := range want {
		if !(math.Abs(got[i]-want[i]) <= 1e-12) {
			t.Fatalf("upsample [0 4] to 2×4 = %v, want %v", got, want)
		}
	}
}

// TestGradCAMSplit: LeNet is explained after its second convolution and
// its ReLU; a model without a convolution is not.
func TestGradCAMSplit(t *testing.T) {
	features, head, ok := gradCAMSplit(LeNet([]int{1, 28, 28}, 10, tensor.NewGenerator(1)))
	if !ok || len(features.(*nn.Sequential).Layers) != 5 || len(head.(*nn.Sequential).Layers) != 7 {
		t.Errorf("LeNet split: ok %v, %v | %v; want the first 5 layers as features", ok, features, head)
	}
	mlp := nn.NewSequential(nn.NewFlatten(), nn.NewLinear(4, 2, tensor.NewGenerator(1)), nn.NewReLU())
	if _, _, ok := gradCAMSplit(mlp); ok {
		t.Errorf("a model without a convolution was split for Grad-CAM")
	}
}
