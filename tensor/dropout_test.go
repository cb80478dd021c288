package tensor

import (
	"fmt"
	"testing"
)

// TestDropoutAdd: residual + Dropout(x) in one kernel, with the bits, the
// draws and the gradients of Add after Dropout, for residuals and inputs
// contiguous or transposed, and Dropout's edges (p 0 and 1) as Add.
func TestDropoutAdd(t *testing.T) {
	const p = 0.3
	base := Uniform(NewGenerator(3), -4, 4, 13, 9)
	res := Uniform(NewGenerator(5), -2, 2, 13, 9)
	w := Uniform(NewGenerator(4), -1, 1, 13, 9)
	for _, tc := range []struct {
		name string
		x, r *Tensor
	}{
		{"contiguous", base, res},
		{"transposed-x", base.Transpose(0, 1).Contiguous().Transpose(0, 1), res},
		{"transposed-residual", base, res.Transpose(0, 1).Contiguous().Transpose(0, 1)},
	} {
		for _, prob := range []float32{p, 0, 1} {
			run := func(fused bool) (y []float32, grads [][]float32, next []float32, kernels int64) {
				ps := []*Tensor{tc.x.Detach().SetRequiresGrad(true), tc.r.Detach().SetRequiresGrad(true)}
				g := NewGenerator(11)
				var out *Tensor
				kernels = kernelsIn(t, func() {
					if fused {
						out = DropoutAdd(g, ps[0], prob, ps[1])
					} else {
						out = ps[1].Add(Dropout(g, ps[0], prob))
					}
				})
				next = Rand(g, 3).Data()
				out.Mul(w).Sum().Backward()
				return out.Data(), gradData(ps), next, kernels
			}
			name := fmt.Sprintf("%s p=%g", tc.name, prob)
			wantY, wantG, wantNext, wantK := run(false)
			gotY, gotG, gotNext, gotK := run(true)
			sameBits(t, name, "from Add after Dropout", [][]float32{gotY, gotNext}, [][]float32{wantY, wantNext})
			sameBits(t, name+" gradients", "from Add after Dropout", gotG, wantG)
			if prob == p && (gotK != 1 || wantK != 2) {
				t.Errorf("%s: %d kernels, Add after Dropout %d: want 1 and 2", name, gotK, wantK)
			}
		}
	}
	mustPanic(t, "DropoutAdd: residual [9 13], want x's shape [13 9]", func() {
		DropoutAdd(NewGenerator(1), base, p, res.Transpose(0, 1))
	})
}
