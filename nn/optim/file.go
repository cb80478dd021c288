package optim

import (
	"fmt"

	"github.com/tensorgl/tensorgl/nn"
	"github.com/tensorgl/tensorgl/tensor"
)

// Save writes opt's state to a safetensors file at path (replacing it
// atomically): the buffers as F32 tensors, the rest as header metadata,
// with meta's entries (nil: none) beside the optimizer's own, such as the
// epoch a program saves it after (nn.ReadMeta reads them back). It reads
// the buffers back from the device.
func Save(path string, opt Optimizer, meta map[string]string) error {
	s := opt.State()
	for k, v := range meta {
		if _, ok := s.Meta[k]; ok {
			return fmt.Errorf("optim: saving state to %s: metadata %q is the optimizer's own, want another name", path, k)
		}
		s.Meta[k] = v
	}
	if err := nn.SaveTensors(path, s.Tensors, s.Meta); err != nil {
		return fmt.Errorf("optim: saving state: %w", err)
	}
	return nil
}

// Load restores opt's state from a file written by Save for an optimizer
// of the same kind over parameters of the same shapes.
func Load(path string, opt Optimizer) error {
	meta, err := nn.ReadMeta(path)
	if err != nil {
		return fmt.Errorf("optim: loading state: %w", err)
	}
	ts := map[string]*tensor.Tensor{}
	if err := nn.LoadTensors(path, ts); err != nil {
		return fmt.Errorf("optim: loading state: %w", err)
	}
	defer func() {
		for _, t := range ts {
			t.Release()
		}
	}()
	if err := opt.LoadState(State{Tensors: ts, Meta: meta}); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}
