package bench

import (
	"os"
	"slices"
	"testing"

	"github.com/tensorgl/tensorgl/device"
	"github.com/tensorgl/tensorgl/device/gl"
	"github.com/tensorgl/tensorgl/internal/testdevices"
	"github.com/tensorgl/tensorgl/tensor"
)

// maxDispatches is the most kernels one training step of each model of
// trainModels may dispatch, once warm. Every fused kernel removed some of
// them (bias and activation in the GEMM or convolution epilogue, softmax
// with cross-entropy, several axes in one reduction, one optimizer kernel
// per parameter group); TestDispatchesPerStep keeps them from creeping
// back. The GL backend may run a kernel as more than one GL dispatch (a
// split-K GEMM sums its slices in a second pass, a grid beyond the group
// count limit is split, an optimizer group is split by the storage-binding
// limit), so it gets a few more: gl under a software renderer's settings
// (llvmpipe's defaults), hw under a GPU's (gl.DefaultsEnv=hardware: on
// llvmpipe TestDispatchesPerStep opens a second GL device so, whose counts
// a GPU's run shows too; on the H200, 2026-12-04, the MLP's 13 and the GAN's
// 75). A GPU's tiles split more products along K (a second pass each),
// and it runs the recurrences whole, an LSTM or GRU step as two kernels.
var maxDispatches = map[string]struct{ cpu, gl, hw int }{
	"mlp":  {11, 11, 13},  // 35 before fusion; 14 before Linear's weight-gradient product summed its bias gradient (Epilogue.BiasGrad); 15 before cross-entropy summed its rows in its own op (CrossEntropyParams.Total); 17 before a ReLU output's reader masked its gradient (maskableRelu; 18, the target, was the limit until then)
	"cnn":  {21, 24, 26},  // 61; 24 (GL 27) before Linear's weight-gradient product summed its bias gradient (Epilogue.BiasGrad); 25 (GL 28) before cross-entropy summed its rows in its own op; 31 (GL 34) before a convolution's bias gradient joined its weight gradient's kernel, 29 (GL 32) before a ReLU output's reader masked its gradient (36, the target, was the limit until then)
	"rnn":  {22, 285, 40}, // 1364; 26 (GL 289) before each layer's input projection added b_ih + b_hh in its epilogue and wrote both biases' gradients (tensor.LinearBiasSum: no Add forward, no copy backward); 27 (GL 290) before the kernel summing the gradients' squares wrote their norm too (SumSquares' norm), where a Sqrt followed; 29 (GL 292) before a recurrence from zeros read a zero state filled once, not a Fill a layer and step (tensor.zeroState); 31 (GL 294) before Forward left out the final state it drops (nn.recurrent.run); 32 (GL 295) before the embedding's gradient was scattered without a fill (GatherParams.Overwrite); 35 (GL 298) before Linear's weight-gradient product summed its bias gradient (Epilogue.BiasGrad); 36 before cross-entropy summed its rows in its own op (GL: 4 096 rows take a Reduce after it still); 66 before gradient clipping took three kernels (SumSquares, ClipScale, the norm's square root); 300 with one GEMM a recurrence step, as GL on llvmpipe runs them (ElmanEnv); GL 300 before the gradient norm's kernels bound up to 15 tensors a dispatch (maxOptimSlots 8 → 32)
	"rows": {24, 137, 35}, // 670; 27 (GL 140) before a Narrow's gradient was laid out with the narrowed dimension outermost, one Fill and one Copy (tensor.narrowGrad), where a Cat copied the zeros and made the whole contiguous; 31 (GL 144) likewise; 33 (GL 146) likewise; 35 (GL 148) likewise; 39 (GL 152) before Linear's weight-gradient product summed its bias gradient (Epilogue.BiasGrad); 40 (GL 153) before cross-entropy summed its rows in its own op; 154 likewise; 44 and 160 before a batch-first network ran time-major inside
	"gan":  {56, 61, 75},  // 173; 68 (GL 73) before a Linear reading a dropout's output alone applied the dropout's mask and then the derivative of the activation the dropout read (dropoutOf, Epilogue.Scale), 74 (GL 79) before a Linear's weight-gradient product added its bias's gradient received already to its row sums (Epilogue.BiasGradResidual), 77 (GL 82) before the generator's step added the discriminator's accumulated weight gradients in its products' epilogues (accumulateInRules), 80 (GL 85) before the only reader of a LeakyReLU or Tanh output applied its derivative (readerAct), 92 (GL 97) before Linear's weight-gradient product summed its bias gradient (Epilogue.BiasGrad); 137 before dropout's mask carried its scale (ScaledBernoulli), 125 before the mask was drawn and applied in one kernel (RandomMul), 119 (GL 124) before the discriminator's weight gradients from real and generated samples were summed by the second product's epilogue, 116 (GL 121) before the binary cross-entropy with logits was one kernel each way (BCEWithLogits)
	// The large models are counted at batch 2 (on llvmpipe the four take
	// 33–48 s, most of it compiling shaders). On the CPU their counts do not
	// depend on the batch; on GL a product's split along K does, so theirs
	// hold at batch 2. GL runs a recurrence a time step per dispatch (or two:
	// on a software renderer the GRU's forward step is MatMul and GRUCell,
	// see device/gl's GRUStep), the CPU a whole sequence per kernel.
	"resnet18":    {149, 253, 214}, // 150 (GL 254) before Linear's weight-gradient product summed its bias gradient (Epilogue.BiasGrad); 151 (GL 255) before cross-entropy summed its rows in its own op; 881 before the fused batch norm, 201 before its ReLU and the shortcut joined it, 159 (GL 173) before each block's input gradient was summed by its first convolution's epilogue; GL 165 before llvmpipe ran the 13 wide 3×3 stride-1 layers by F(2×2, 3×3) at batch 2, four dispatches each way in place of one (1.42× the step; hardware takes them so from 2²⁷ multiply-adds, batch 128's, see device/gl's WinogradEnv), 243 before the first stage's 4 weight gradients (2 048 terms a sum at batch 2) did too
	"lstm":        {26, 287, 46},   // 28 (GL 289) likewise (narrowGrad); 32 (GL 293) before each layer's input projection added b_ih + b_hh in its epilogue and wrote both biases' gradients (tensor.LinearBiasSum); 33 (GL 294) before the gradient norm came from the kernel summing its square (SumSquares' norm); 37 (GL 298) before a recurrence from zeros read a zero state filled once (h0 and c0 of each layer: tensor.zeroState); 41 (GL 302) before Forward left out the final state it drops; 42 (GL 303) before the embedding's gradient was scattered without a fill (GatherParams.Overwrite); 45 (GL 306) before Linear's weight-gradient product summed its bias gradient (Epilogue.BiasGrad); 46 before cross-entropy summed its rows in its own op; 4535 before the fused cell, 582 before the product joined it (LSTMStep), 328 before the three clipping kernels, 298 before the whole sequence was one op (LSTM, LSTMBackward); GL 308 before the norm's kernels bound up to 15 tensors a dispatch
	"gru":         {24, 413, 44},   // 25 (GL 414) likewise; 27 (GL 416) likewise; 29 (GL 418) likewise; 30 (GL 419) before the embedding's gradient was scattered without a fill (GatherParams.Overwrite); 33 (GL 422) before Linear's weight-gradient product summed its bias gradient (Epilogue.BiasGrad); 34 before cross-entropy summed its rows in its own op; 539 before GRUStep, 286 before GRU and GRUBackward; GL 424 before the norm's kernels bound up to 15 tensors a dispatch
	"transformer": {88, 112, 146},  // 89 (GL 113) before the gradient norm came from the kernel summing its square (SumSquares' norm); 93 (GL 117) before each sublayer's dropout and residual add were one kernel (DropoutAdd); 95 (GL 119) before the embeddings' gradients were scattered without a fill (GatherParams.Overwrite); 99 (GL 123) before the scores' product scaled them (MatMulScaled) where a kernel scaled q each way; 121 (GL 145) before its heads were multiplied where they lie (MatMulParams' leading dimensions, gradients laid out as their operands, Reshape a view where strides allow); 125 (GL 149) before a Split's rule handed the whole tensor's view the device's constant zero as its stand-in gradient, where it filled one each Backward; 127 (GL 151) before the product of the attention weights' gradient applied their dropout's mask (dropoutOf in MatMul's rule); 139 (GL 163) before the attention projections' weight and bias gradients were written into their parts of the input projection's (gradDest); 143 (GL 167) before the feed-forward's second Linear applied its dropout's mask and the ReLU's (dropoutOf, Epilogue.Scale); 156 (GL 180) before Linear's weight-gradient product summed its bias gradient (Epilogue.BiasGrad); 157 before cross-entropy summed its rows in its own op; 367 before the fused layer norm, 255 before attention projected by Linear, 241 before ScaledBernoulli, 225 before heads by Unflatten, 213 before the causal mask joined the softmax, 211 before the ReLU joined linear1, 209 before dropout was one kernel (RandomMul), 201 (GL 228) before the projections' weights were parts of the input projection's by Split rather than Narrow, 165 (GL 192) before Linear's rule took its 3-D input's prior gradient; GL 184 before the norm's kernels bound up to 15 tensors a dispatch
}

// TestDispatchesPerStep counts the kernels of one warm training step of
// every model of trainModels and largeModels, on each device the
// benchmarks use (GL in a binary built with cgo, where it is required when
// TENSORGL_REQUIRE_GL is set), and fails when a count exceeds its limit.
func TestDispatchesPerStep(t *testing.T) {
	devs, note := openDevices()
	if len(devs) == 1 && testdevices.GLRequired() {
		t.Fatalf("GL is required but did not open: %s", note)
	}
	type counted struct {
		benchDevice
		hw bool // the device runs a GPU's settings: maxDispatches' hw
	}
	var cs []counted
	for _, d := range devs {
		cs = append(cs, counted{d, d.dev.Info().Name == "gl" && hardwareDefaults(d.dev)})
		if d.dev.Info().Name == "gl" && d.soft {
			// A second GL device on the software renderer, with a GPU's
			// settings: the counts a GPU's steps show.
			prev := os.Getenv(gl.DefaultsEnv)
			t.Setenv(gl.DefaultsEnv, "hardware") // read when the device opens
			hw, err := device.Open("gl")
			t.Setenv(gl.DefaultsEnv, prev) // empty or as it was: the renderer's kind
			if err != nil {
				t.Fatalf("GL with %s=hardware: %v", gl.DefaultsEnv, err)
			}
			defer hw.Close()
			cs = append(cs, counted{benchDevice{label: d.label + "-hardware-defaults", dev: hw, soft: true}, true})
		}
	}
	for i, m := range slices.Concat(trainModels, largeModels) {
		batch := seedBatch
		if i >= len(trainModels) {
			batch = 2
		}
		limit, ok := maxDispatches[m.name]
		if !ok {
			t.Errorf("model %s has no entry in maxDispatches", m.name)
			continue
		}
		for _, d := range cs {
			max := limit.cpu
			switch {
			case d.hw:
				max = limit.hw
			case d.dev.Info().Name == "gl":
				max = limit.gl
			}
			s := stepStats(t, d.dev, m, batch)
			n := s.Dispatches
			t.Logf("%s on %s: %d dispatches per step (at most %d), %d barriers, %d GL state calls", m.name, d.label, n, max, s.Barriers, s.StateCalls)
			if n > int64(max) {
				t.Errorf("%s on %s: %d dispatches per step, want at most %d", m.name, d.label, n, max)
			}
		}
	}
}

// hardwareDefaults reports whether GL device dev runs a GPU's settings:
// gl.DefaultsEnv's choice where set, else whether its renderer is hardware.
func hardwareDefaults(dev device.Device) bool {
	switch os.Getenv(gl.DefaultsEnv) {
	case "hardware":
		return true
	case "software":
		return false
	}
	return !dev.Info().Software
}

// stepStats runs warm-up steps of m at the given batch on dev and returns
// the dispatches, barriers and state calls of the step after them.
func stepStats(t *testing.T, dev device.Device, m trainModel, batch int) device.Stats {
	step, done := warmStep(t, dev, m, batch, 2)
	defer done()
	before := dev.Stats()
	step()
	if err := dev.Sync(); err != nil {
		t.Fatal(err)
	}
	return dev.Stats().Sub(before)
}

// warmStep sets dev as the default device, builds m at the given batch,
// runs warm steps of it and waits for them; step runs one more (in a
// scope, the loss read back) and done releases the model and restores the
// default device.
func warmStep(t *testing.T, dev device.Device, m trainModel, batch, warm int) (step, done func()) {
	prev := tensor.DefaultDevice()
	tensor.SetDefaultDevice(dev)
	held, run := m.setup(tensor.NewGenerator(1), batch)
	done = func() {
		for _, h := range held {
			h.Release()
		}
		tensor.SetDefaultDevice(prev)
	}
	step = func() {
		defer failedStep(t, m.name, batch, dev)
		tensor.Tidy(func(s *tensor.Scope) { run(s).Item() })
	}
	for range warm {
		step()
	}
	if err := dev.Sync(); err != nil {
		done()
		t.Fatal(err)
	}
	return step, done
}
