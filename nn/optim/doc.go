// Package optim updates model parameters from their gradients: SGD (with
// momentum, dampening, Nesterov and weight decay), Adam and AdamW, as
// PyTorch's torch.optim defines them, plus learning-rate schedules and
// gradient clipping.
//
// An optimizer holds a list of parameter tensors (leaves with
// SetRequiresGrad, e.g. an nn Module's parameters). Step applies one fused
// multi-tensor device kernel to all the parameters that have a gradient
// (tensor.SGDStep, tensor.AdamStep; one per device if they live on
// several), so a step on the GL device moves nothing to the host and costs
// a dispatch or a few, not one per parameter. Per-parameter state (momentum
// buffers, Adam moments) is created on the first step that needs it and
// persisted, so a training step may run inside tensor.Tidy without losing it.
//
// A training step reads:
//
//	tensor.Tidy(func(s *tensor.Scope) {
//		opt.ZeroGrad()
//		loss := lossOf(model, s.FromSlice(batch.X, batch.Shape...))
//		loss.Backward()
//		opt.Step()
//	})
//
// Schedules follow torch.optim.lr_scheduler (PyTorch 1.13), epoch for
// epoch and past their end: StepLR, MultiStepLR, ExponentialLR, LinearLR,
// CosineAnnealingLR, OneCycleLR (which cycles SGD's momentum or Adam's β₁
// too) and SequentialLR to chain them, each a Scheduler computed from the
// epoch; and ReduceLROnPlateau, fed a metric each epoch. The tests compare
// them with PyTorch's rates, which testdata/make_schedule_refs.py wrote.
// ClipGradNorm and ClipGradValue clip gradients in place on their device,
// as torch.nn.utils.clip_grad_norm_ and clip_grad_value_ do.
//
// State and LoadState capture everything a resumed run needs; Save and Load
// write it to a safetensors file. A Scheduler's state is its epoch
// (SetEpoch); ReduceLROnPlateau's State can travel in the same file as
// Save's metadata.
package optim
