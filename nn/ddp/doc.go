// Package ddp trains one model in several processes as PyTorch's
// DistributedDataParallel does: every process holds a replica of the model,
// trains it on its own shard of each batch (data.LoaderConfig's Shards and
// Shard), and after Backward averages the gradients over the processes, so
// that every replica takes the same optimizer step and ends it with
// bit-identical parameters.
//
// The processes and the collectives come from package dist (MPI): run the
// program with mpirun, a hostfile or srun. In a world of one process every
// method returns at once and training is exactly single-process training.
//
// A training step is the usual one with DDP.Backward in place of the
// loss's Backward:
//
//	d, err := ddp.New(model, comm, ddp.Config{}) // rank 0's parameters and buffers everywhere
//	for b := range loader.Epoch(epoch) {          // this process's shard
//		tensor.Tidy(func(s *tensor.Scope) {
//			opt.ZeroGrad()
//			loss := nn.CrossEntropyLoss(model.Forward(x), y, nn.CrossEntropyOpts{})
//			err = d.Backward(loss, len(b.Y)) // gradients: the mean over all processes' samples
//			opt.Step()
//		})
//	}
//
// Gradients travel through host memory: each bucket of gradients is read
// back from the device into a flat buffer, summed over the processes by
// one MPI allreduce, and written back. Buckets run from the last
// parameters to the first, the order in which Backward completes their
// gradients, and DDP.Backward starts each bucket's allreduce from a
// post-accumulate hook (tensor.RegisterPostAccumulateGradHook) as soon as
// it and the buckets before it are complete, so the exchange overlaps the
// rest of Backward (on the CPU backend; on GL the read-back would stall the
// kernel queue, so it waits for Backward); loss.Backward() followed by
// AverageGradients does the
// same exchange afterwards, with the same results to the bit. Buckets are
// fixed and started in order on every process, and MPI's reduction gives
// every process the same sums, so the replicas never drift apart
// (CheckInSync verifies it). Stats says what the exchange costs.
//
// BatchNorm's running statistics stay per process, as in PyTorch's DDP
// without SyncBatchNorm; Broadcast copies rank 0's, for instance before
// saving a checkpoint.
package ddp
