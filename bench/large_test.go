package bench

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/tensorgl/tensorgl/nn"
	"github.com/tensorgl/tensorgl/nn/optim"
	"github.com/tensorgl/tensorgl/tensor"
)

// The LSTM language model's vocabulary (bytes), embedding, hidden size and
// window: as in torch_ref.py.
const lstmVocab, lstmEmbed, lstmHidden, lstmSeq = 256, 256, 512, 64

// The Transformer language model's heads, feed-forward size and layers
// (its vocabulary, embedding and window are the LSTM model's): as
// torch_ref.py's TRANSFORMER_LM.
const tfHeads, tfFeedForward, tfLayers = 4, 1024, 2

// largeModels are the models only BenchmarkTrainStepLarge times, each as
// torch_ref.py times it in PyTorch.
var largeModels = []trainModel{
	{"resnet18", classifier([]int{3, 32, 32}, optim.SGDConfig{LR: 0.01, Momentum: 0.9}, resnet18)},
	{"lstm", languageModel(nn.NewLSTM, lstmVocab, lstmEmbed, lstmHidden, lstmSeq)},
	{"gru", languageModel(nn.NewGRU, lstmVocab, lstmEmbed, lstmHidden, lstmSeq)},
	{"transformer", transformerLM},
}

// transformerLM is a step of a causal Transformer language model: token
// and learned position embeddings (256 bytes, 256 wide, 64 positions), 2
// post-norm encoder layers (4 heads, feed-forward 1024, ReLU, dropout 0.1:
// PyTorch's nn.TransformerEncoderLayer defaults but the feed-forward
// size), a causal mask, a linear head; Adam, gradient norm clipped to 1,
// as languageModel.
func transformerLM(g *tensor.Generator, batch int) ([]*tensor.Tensor, func(*tensor.Scope) *tensor.Tensor) {
	emb, pos := nn.NewEmbedding(lstmVocab, lstmEmbed, g), nn.NewEmbedding(lstmSeq, lstmEmbed, g)
	params := slices.Concat(nn.Parameters(emb), nn.Parameters(pos))
	var layers []*nn.TransformerEncoderLayer
	for range tfLayers {
		l := nn.NewTransformerEncoderLayer(lstmEmbed, tfHeads, nn.TransformerEncoderLayerOpts{FeedForward: tfFeedForward, Dropout: 0.1}, g)
		layers = append(layers, l)
		params = append(params, nn.Parameters(l)...)
	}
	head := nn.NewLinear(lstmEmbed, lstmVocab, g)
	params = append(params, nn.Parameters(head)...)
	opt, err := optim.NewAdam(params, optim.AdamConfig{LR: 2e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8})
	if err != nil {
		panic(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	ids, targets, positions := make([]int32, lstmSeq*batch), make([]int32, lstmSeq*batch), make([]int32, lstmSeq)
	for i := range ids {
		ids[i], targets[i] = int32(rng.IntN(lstmVocab)), int32(rng.IntN(lstmVocab))
	}
	for i := range positions {
		positions[i] = int32(i)
	}
	x, y, at := tensor.FromInts(ids, lstmSeq, batch), tensor.FromInts(targets), tensor.FromInts(positions)
	return append(params, x, y, at), func(s *tensor.Scope) *tensor.Tensor {
		opt.ZeroGrad()
		h := emb.Forward(s.Use(x)).Add(pos.Forward(s.Use(at)).Reshape(lstmSeq, 1, lstmEmbed))
		for _, l := range layers {
			h = l.ForwardMasked(h, nn.AttentionMask{Causal: true})
		}
		l := nn.CrossEntropyLoss(head.Forward(h.Reshape(-1, lstmEmbed)), s.Use(y), nn.CrossEntropyOpts{})
		l.Backward()
		optim.ClipGradNormTensor(s, params, 1)
		opt.Step()
		return l
	}
}

// trainStep is a model trained at one batch size.
type trainStep struct {
	model trainModel
	batch int
}

// name is the step's benchmark name: the model and the batch, "mlp-b1024".
func (s trainStep) name() string { return fmt.Sprintf("%s-b%d", s.model.name, s.batch) }

// largeSteps are BenchmarkTrainStepLarge's steps: the seed's models at
// batch 1024, ResNet-18 at 128 and at 8 (small batches, where per-call
// costs such as a convolution's weight transforms weigh most) and the
// LSTM, GRU and Transformer language models at 64.
var largeSteps = func() []trainStep {
	var ss []trainStep
	for _, m := range trainModels {
		ss = append(ss, trainStep{m, 1024})
	}
	return append(ss, trainStep{largeModels[0], 128}, trainStep{largeModels[0], 8}, trainStep{largeModels[1], 64}, trainStep{largeModels[2], 64},
		trainStep{largeModels[3], 64})
}()

// BenchmarkTrainStepLarge times, as BenchmarkTrainStep does, steps that
// load a GPU, as BenchmarkTrainStepLarge/<model>-b<batch>/<device>: the
// seed's models at batch 1024, a CIFAR-10 ResNet-18 at batch 128 and 8 (SGD
// momentum 0.9) and LSTM, GRU and Transformer language models at batch 64
// (Adam). A software
// renderer skips them all; on two CPU cores ResNet-18 takes seconds a
// step, so CPU runs select by name ('TrainStepLarge/[^/]*-b1024/cpu').
func BenchmarkTrainStepLarge(b *testing.B) {
	devs, note := openDevices()
	b.Log(note)
	for _, s := range largeSteps {
		b.Run(s.name(), func(b *testing.B) {
			for _, d := range devs {
				b.Run(d.label, func(b *testing.B) {
					if d.soft {
						b.Skip("software renderer: the large steps run on the CPU and on GPUs only")
					}
					runTrainStep(b, d.dev, s.model, s.batch)
				})
			}
		})
	}
}

// TestTrainStepsRun runs a step of every model of the benchmarks (the
// seed's and the large ones) at batch 2 on the CPU device, so a model that
// does not fit together fails here rather than on a lent GPU.
func TestTrainStepsRun(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a step of every model, ResNet-18 among them")
	}
	devs, _ := openDevices()
	cpu := devs[0].dev
	defer tensor.SetDefaultDevice(tensor.DefaultDevice())
	tensor.SetDefaultDevice(cpu)
	for _, m := range slices.Concat(trainModels, largeModels) {
		t.Run(m.name, func(t *testing.T) {
			held, run := m.setup(tensor.NewGenerator(1), 2)
			var loss float32
			tensor.Tidy(func(s *tensor.Scope) { loss = run(s).Item() })
			for _, h := range held {
				h.Release()
			}
			if err := cpu.Sync(); err != nil {
				t.Fatal(err)
			}
			if math.IsNaN(float64(loss)) || loss <= 0 {
				t.Errorf("loss %v after one step, want a positive number", loss)
			}
		})
	}
}

// basicBlock is ResNet's residual block as torchvision's BasicBlock: two 3×3
// convolutions (the first with the block's stride), each followed by batch
// norm, ReLU after the first and after the sum with the shortcut, which is
// the input itself or, where the shape changes, a strided 1×1 convolution
// and batch norm.
type basicBlock struct {
	conv1, conv2 *nn.Conv2d
	bn1, bn2     *nn.BatchNorm
	down         *nn.Sequential // nil: the identity
}

func newBasicBlock(in, out, stride int, g *tensor.Generator) *basicBlock {
	blk := &basicBlock{
		conv1: nn.NewConv2d(in, out, 3, nn.Conv2dOpts{Stride: stride, Padding: 1, NoBias: true}, g),
		bn1:   nn.NewBatchNorm2d(out),
		conv2: nn.NewConv2d(out, out, 3, nn.Conv2dOpts{Padding: 1, NoBias: true}, g),
		bn2:   nn.NewBatchNorm2d(out),
	}
	if stride != 1 || in != out {
		blk.down = nn.NewSequential(nn.NewConv2d(in, out, 1, nn.Conv2dOpts{Stride: stride, NoBias: true}, g), nn.NewBatchNorm2d(out))
	}
	return blk
}

func (blk *basicBlock) Forward(x *tensor.Tensor) *tensor.Tensor {
	// PyTorch's relu(bn1(conv1(x))) and relu(bn2(conv2(y)) + shortcut),
	// each batch norm with what follows it in one kernel each way.
	y := blk.bn1.ForwardReLU(blk.conv1.Forward(x))
	shortcut := x
	if blk.down != nil {
		shortcut = blk.down.Forward(x)
	}
	return blk.bn2.ForwardAddReLU(blk.conv2.Forward(y), shortcut)
}

func (blk *basicBlock) State() []nn.Entry {
	s := slices.Concat(nn.Prefixed("conv1", blk.conv1.State()), nn.Prefixed("bn1", blk.bn1.State()),
		nn.Prefixed("conv2", blk.conv2.State()), nn.Prefixed("bn2", blk.bn2.State()))
	if blk.down != nil {
		s = append(s, nn.Prefixed("downsample", blk.down.State())...)
	}
	return s
}

func (blk *basicBlock) Train(on bool) {
	blk.bn1.Train(on)
	blk.bn2.Train(on)
	if blk.down != nil {
		blk.down.Train(on)
	}
}

// resnet18 is ResNet-18 for 32×32 images (CIFAR-10): a 3×3 stem of 64
// channels without max pooling, four stages of two basic blocks of 64, 128,
// 256 and 512 channels (stride 2 from the second stage on), global average
// pooling and a linear layer to 10 classes. 11.2 million parameters.
func resnet18(g *tensor.Generator) nn.Module {
	layers := []nn.Module{
		nn.NewConv2d(3, 64, 3, nn.Conv2dOpts{Padding: 1, NoBias: true}, g), nn.NewBatchNorm2d(64), nn.NewReLU(),
	}
	in := 64
	for i, out := range []int{64, 128, 256, 512} {
		stride := 2
		if i == 0 {
			stride = 1
		}
		layers = append(layers, newBasicBlock(in, out, stride, g), newBasicBlock(out, out, 1, g))
		in = out
	}
	layers = append(layers, nn.NewAdaptiveAvgPool2d(1, 1), nn.NewFlatten(), nn.NewLinear(512, 10, g))
	return nn.NewSequential(layers...)
}
