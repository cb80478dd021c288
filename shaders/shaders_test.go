package shaders

import (
	"slices"
	"strings"
	"testing"
)

func TestFamilies(t *testing.T) {
	want := []string{"batchnorm", "conv", "convdirect", "elementwise", "elman", "fill", "gather", "layernorm", "matmul", "optim", "pool", "random", "recurrent", "reduce", "rnnstep", "scatter", "sequence", "softmax", "winograd"}
	if got := Families(); !slices.Equal(got, want) {
		t.Errorf("Families() = %v, want %v", got, want)
	}
	for _, f := range append(want, Common) {
		src, err := Source(f)
		if err != nil || !strings.Contains(src, "{") {
			t.Errorf("Source(%q) = %d bytes, %v; want GLSL with a body", f, len(src), err)
		}
		if strings.Contains(src, "#version") {
			t.Errorf("Source(%q) has a #version line; the backend writes it before the variant's #defines", f)
		}
	}
	if _, err := Source("nope"); err == nil || !strings.Contains(err.Error(), "elementwise") {
		t.Errorf("Source(\"nope\") error = %v, want one listing the families", err)
	}
}
