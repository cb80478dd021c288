package optim

import (
	"fmt"

	"github.com/tensorgl/tensorgl/internal/safetensors"
	"github.com/tensorgl/tensorgl/tensor"
)

// Save writes opt's state to a safetensors file at path (replacing it
// atomically): the buffers as F32 tensors, the rest as header metadata.
// It reads the buffers back from the device.
func Save(path string, opt Optimizer) error {
	s := opt.State()
	ts := make(map[string]safetensors.Tensor, len(s.Tensors))
	for name, t := range s.Tensors {
		ts[name] = safetensors.Tensor{DType: "F32", Shape: t.Shape(), F32: t.Data()}
	}
	if err := safetensors.Write(path, ts, s.Meta); err != nil {
		return fmt.Errorf("optim: saving state: %w", err)
	}
	return nil
}

// Load restores opt's state from a file written by Save for an optimizer
// of the same kind over parameters of the same shapes.
func Load(path string, opt Optimizer) error {
	ts, meta, err := safetensors.Read(path)
	if err != nil {
		return fmt.Errorf("optim: loading state: %w", err)
	}
	s := State{Tensors: make(map[string]*tensor.Tensor, len(ts)), Meta: meta}
	defer func() {
		for _, t := range s.Tensors {
			t.Release()
		}
	}()
	for name, t := range ts {
		if t.DType != "F32" {
			return fmt.Errorf("optim: %s: tensor %q is %s, want F32", path, name, t.DType)
		}
		s.Tensors[name] = tensor.FromSlice(t.F32, len(t.F32)).Reshape(t.Shape...)
	}
	if err := opt.LoadState(s); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}
