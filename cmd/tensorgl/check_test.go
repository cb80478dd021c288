package main

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/tensorgl/tensorgl/device"
)

func TestMaxError(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	for _, c := range []struct {
		got, want []float64
		err       float64
	}{
		{[]float64{1, 2}, []float64{1, 2}, 0},
		{[]float64{0.5}, []float64{0.25}, 0.25}, // absolute below 1
		{[]float64{110}, []float64{100}, 0.1},   // relative above 1
		{[]float64{nan, inf}, []float64{nan, inf}, 0},
		{[]float64{nan}, []float64{1}, inf},
		{[]float64{1}, []float64{nan}, inf},
		{[]float64{inf}, []float64{-inf}, inf},
		{[]float64{1}, []float64{1, 2}, inf},
	} {
		if got := maxError(c.got, c.want); got != c.err {
			t.Errorf("maxError(%v, %v) = %v, want %v", c.got, c.want, got, c.err)
		}
	}
}

// checkOn runs `tensorgl check -device name` and returns its output.
func checkOn(t *testing.T, name string) string {
	t.Helper()
	var out strings.Builder
	err := check(&out, []string{"-device", name})
	if errors.Is(err, device.ErrUnavailable) {
		t.Skipf("%s unavailable: %v", name, err)
	}
	if err != nil {
		t.Fatalf("check -device %s: %v\n%s", name, err, out.String())
	}
	for _, c := range cases() {
		if !strings.Contains(out.String(), "PASS "+c.name+" ") {
			t.Errorf("output lacks a PASS line for %s:\n%s", c.name, out.String())
		}
	}
	return out.String()
}

func TestCheckCPU(t *testing.T) { checkOn(t, "cpu") }

func TestCheckGL(t *testing.T) { t.Log(checkOn(t, "gl")) }

// TestCases: every Device kernel method has at least one check.
func TestCases(t *testing.T) {
	prefixes := map[string]string{
		"Fill": "fill/", "Copy": "copy/", "Unary": "unary/", "Binary": "binary/", "Where": "where",
		"Reduce": "reduce/", "MatMul": "matmul/", "Conv2d": "conv2d", "Conv2dBackwardInput": "conv2d/backward-input",
		"Conv2dBackwardWeight": "conv2d/backward-weight", "Pool2d": "pool2d/", "Pool2dBackward": "/backward",
		"Softmax": "softmax", "SoftmaxBackward": "softmax/backward", "Gather": "gather",
		"ScatterAdd": "scatter-add", "Random": "random/", "SGDStep": "sgd/", "AdamStep": "adam/",
	}
	n := len(device.UnaryOps()) + len(device.BinaryOps()) + len(device.ReduceOps())
	if len(cases()) < n {
		t.Errorf("%d cases, fewer than the %d unary, binary and reduce ops", len(cases()), n)
	}
	for method, p := range prefixes {
		found := false
		for _, c := range cases() {
			found = found || strings.Contains(c.name, p)
		}
		if !found {
			t.Errorf("no check case for %s (name containing %q)", method, p)
		}
	}
}
