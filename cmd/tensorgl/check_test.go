package main

import (
	"errors"
	"strings"
	"testing"

	"github.com/tensorgl/tensorgl/device"
)

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
	// A line per op of the catalogue, so the ops are those devicetest
	// checks against its float64 references.
	var want []string
	for _, op := range device.UnaryOps() {
		want = append(want, "Unary/"+op.String())
	}
	for _, op := range device.BinaryOps() {
		want = append(want, "Binary/"+op.String())
	}
	for _, op := range device.ReduceOps() {
		want = append(want, "Reduce/"+op.String())
	}
	for _, dist := range device.Distributions() {
		want = append(want, "Random/"+dist.String()+"/seed0")
	}
	for _, w := range append(want, "MatMul/", "Conv2dBackwardWeight/", "Pool2dBackward/", "SoftmaxBackward/", "ScatterAdd/", "AdamStep/") {
		if !strings.Contains(out.String(), "PASS "+w) {
			t.Errorf("output lacks a PASS line for %s:\n%s", w, out.String())
		}
	}
	if strings.Contains(out.String(), "FAIL") {
		t.Errorf("check passed but printed a FAIL line:\n%s", out.String())
	}
	return out.String()
}

func TestCheckCPU(t *testing.T) { checkOn(t, "cpu") }

func TestCheckGL(t *testing.T) { t.Log(checkOn(t, "gl")) }
