package nn

import (
	"errors"
	"fmt"
	"testing"

	"github.com/tensorgl/tensorgl/tensor"
)

// TestEmbeddingPaddingInit: the padding row starts as zeros and the other
// rows are those drawn without one; a negative index counts from the end.
func TestEmbeddingPaddingInit(t *testing.T) {
	plain := NewEmbedding(5, 3, tensor.NewGenerator(9))
	if _, ok := plain.PaddingIdx(); ok {
		t.Error("an Embedding without options has a padding row")
	}
	for _, tc := range []struct{ pad, row int }{{2, 2}, {-1, 4}, {-5, 0}, {4, 4}} {
		e := NewEmbeddingOpts(5, 3, EmbeddingOpts{PaddingIdx: &tc.pad}, tensor.NewGenerator(9))
		if got, ok := e.PaddingIdx(); !ok || got != tc.row {
			t.Errorf("padding index %d: PaddingIdx() = %d, %v, want %d, true", tc.pad, got, ok, tc.row)
		}
		want := host(plain.Weight)
		clear(want[3*tc.row : 3*tc.row+3])
		assertClose(t, "weight", e.Weight, want, 0)
	}
}

// TestEmbeddingPaddingGradient: lookups of the padding row return its
// current values but add nothing to its gradient, however often it
// occurs and over several Backward calls; the other rows count their
// lookups.
func TestEmbeddingPaddingGradient(t *testing.T) {
	pad := -4 // row 1 of 5
	e := NewEmbeddingOpts(5, 3, EmbeddingOpts{PaddingIdx: &pad}, tensor.NewGenerator(9))
	g := tensor.NewGenerator(10)
	e.Weight.CopyFrom(tensor.Uniform(g, -1, 1, 5, 3)) // as if loaded: the padding row is not zero
	w := host(e.Weight)
	ids := []int32{1, 4, 0, 1, 4, 2, 1}
	var want []float64
	for _, i := range ids {
		want = append(want, w[i*3:i*3+3]...)
	}
	for range 2 {
		tensor.Tidy(func(s *tensor.Scope) {
			y := e.Forward(s.FromInts(ids, 7))
			assertClose(t, "output", y, want, 0)
			y.Sum().Backward()
		})
	}
	assertClose(t, "gradient", e.Weight.Grad(), []float64{2, 2, 2, 0, 0, 0, 2, 2, 2, 0, 0, 0, 4, 4, 4}, 0)
}

func TestEmbeddingPaddingOutOfRange(t *testing.T) {
	for _, pad := range []int{5, -6, 100} {
		func() {
			defer func() {
				err, _ := recover().(error)
				want := fmt.Sprintf("padding index %d outside [-5, 5) for 5 embeddings", pad)
				if !errors.Is(err, tensor.ErrShape) || err.Error() != "tensor: nn.NewEmbeddingOpts: "+want {
					t.Errorf("padding index %d: panic %v, want a shape error saying %q", pad, err, want)
				}
			}()
			NewEmbeddingOpts(5, 3, EmbeddingOpts{PaddingIdx: &pad}, tensor.NewGenerator(9))
		}()
	}
}

// TestParityEmbeddingPadding compares lookups and the weight's gradient
// with PyTorch's nn.Embedding with padding_idx, the padding row holding
// values and looked up several times.
func TestParityEmbeddingPadding(t *testing.T) {
	for _, tc := range []struct {
		name string
		pad  int
	}{{"emb_pad", 2}, {"emb_pad_neg", -1}} {
		t.Run(tc.name, func(t *testing.T) {
			c := loadParity(t, "layer_opts.safetensors", tc.name)
			w := c["param.weight"]
			e := NewEmbeddingOpts(w.Size(0), w.Size(1), EmbeddingOpts{PaddingIdx: &tc.pad}, tensor.NewGenerator(1))
			if got, _ := e.PaddingIdx(); got != int(c["padding_idx"].Ints()[0]) {
				t.Errorf("PaddingIdx() = %d, PyTorch's padding_idx %d", got, c["padding_idx"].Ints()[0])
			}
			c.setParams(t, e)
			c.check(t, e, nil, e.Forward(c["idx"]))
		})
	}
}
