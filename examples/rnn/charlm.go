package main

import (
	"embed"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"math"
	"math/bits"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tensorgl/tensorgl/internal/train"
	"github.com/tensorgl/tensorgl/nn"
	"github.com/tensorgl/tensorgl/nn/optim"
	"github.com/tensorgl/tensorgl/tensor"
)

// texts holds the default training text; text/README says what it is.
//
//go:embed text/GPL-1 text/GPL-2 text/GPL-3 text/LGPL-2.1 text/GFDL-1.3
var texts embed.FS

// textFiles are the embedded texts in the order they are concatenated.
var textFiles = []string{"GPL-1", "GPL-2", "GPL-3", "LGPL-2.1", "GFDL-1.3"}

// charOpts are the flags of the character-level language model besides
// the shared ones.
type charOpts struct {
	arch        string          // the model: see newCharModel
	tf          transformerOpts // -arch transformer only
	seq         int             // characters per truncated-BPTT window
	embed       int             // embedding size
	hidden      int             // recurrent state size; 0: the parameter budget's
	layers      int             // stacked RNN layers
	clip        float64         // gradient norm limit
	limit       int             // use only the first limit characters; 0: all
	sample      int             // characters to generate at the end
	temperature float64         // sampling temperature
	prime       string          // text the generated sample continues
	logits      string          // file for the first validation window and its logits; empty: none
}

func (o *charOpts) register(fs *flag.FlagSet) {
	fs.StringVar(&o.arch, "arch", "rnn", "the model: "+strings.Join(archs, ", ")+" (rnn, lstm, gru: stacked recurrent layers; transformer: a causal Transformer encoder, -embed wide, -hidden its feed-forward size)")
	o.tf.register(fs)
	fs.IntVar(&o.seq, "seq", 64, "characters per truncated-BPTT window")
	fs.IntVar(&o.embed, "embed", 32, "character embedding size")
	fs.IntVar(&o.hidden, "hidden", 0, "recurrent state size (0: 128 for rnn; for lstm and gru the size whose model has about as many parameters as the rnn of 128); for transformer the feed-forward size (0: 4 × -embed)")
	fs.IntVar(&o.layers, "layers", 2, "stacked recurrent layers")
	fs.Float64Var(&o.clip, "clip", 1, "clip the gradients' total norm to this value")
	fs.IntVar(&o.limit, "limit", 0, "use only the first `N` characters of the text (0: all)")
	fs.IntVar(&o.sample, "sample", 400, "characters to generate after training")
	fs.Float64Var(&o.temperature, "temperature", 0.7, "sampling temperature (lower: more conservative)")
	fs.StringVar(&o.prime, "prime", "The ", "text the generated sample starts from")
	fs.StringVar(&o.logits, "dump-logits", "", "write the first validation window (token ids [T B]) and the trained model's logits for it from a zero state to this safetensors `file`")
}

func (o *charOpts) check() error {
	switch {
	case !slices.Contains(archs, o.arch):
		return fmt.Errorf("-arch %q: want one of %s", o.arch, strings.Join(archs, ", "))
	case o.arch == "transformer" && (o.tf.heads < 1 || o.embed%o.tf.heads != 0):
		return fmt.Errorf("-heads %d: want a divisor of -embed %d", o.tf.heads, o.embed)
	case !(o.tf.dropout >= 0 && o.tf.dropout < 1):
		return fmt.Errorf("-transformer-dropout %v: want a probability in [0, 1)", o.tf.dropout)
	case o.seq < 1:
		return fmt.Errorf("-seq %d: want at least 1", o.seq)
	case o.embed < 1 || o.hidden < 0 || o.layers < 1:
		return fmt.Errorf("-embed %d -hidden %d -layers %d: want each at least 1 (-hidden 0: sized to the budget)", o.embed, o.hidden, o.layers)
	case !(o.clip > 0):
		return fmt.Errorf("-clip %v: want a norm > 0", o.clip)
	case o.limit < 0:
		return fmt.Errorf("-limit %d: want 0 (all) or more", o.limit)
	case o.sample < 0:
		return fmt.Errorf("-sample %d: want 0 or more", o.sample)
	case !(o.temperature > 0):
		return fmt.Errorf("-temperature %v: want a value > 0", o.temperature)
	case o.prime == "":
		return fmt.Errorf("-prime is empty: want at least one character to start from")
	}
	return nil
}

// charResult is what a run of the language model measured and wrote.
type charResult struct {
	Initial          float64   // validation loss before training, nats per character
	Train, Val       []float64 // per epoch, nats per character
	Sample           string    // generated text, the prime included
	Checkpoint, Plot string    // paths
}

// vocabulary maps characters to token ids in code-point order.
type vocabulary struct {
	chars []rune
	ids   map[rune]int32
}

func newVocabulary(text string) *vocabulary {
	v := &vocabulary{ids: map[rune]int32{}}
	for _, r := range text {
		if _, ok := v.ids[r]; !ok {
			v.ids[r] = 0
			v.chars = append(v.chars, r)
		}
	}
	slices.Sort(v.chars)
	for i, r := range v.chars {
		v.ids[r] = int32(i)
	}
	return v
}

func (v *vocabulary) encode(s string) ([]int32, error) {
	out := make([]int32, 0, len(s))
	for _, r := range s {
		id, ok := v.ids[r]
		if !ok {
			return nil, fmt.Errorf("character %q does not occur in the training text", r)
		}
		out = append(out, id)
	}
	return out, nil
}

// archs are the models -arch chooses from.
var archs = []string{"rnn", "lstm", "gru", "transformer"}

// charModel is a character-level language model as trainChars drives it.
type charModel interface {
	nn.Module
	// step maps token ids [T B] and the state carried over from the
	// previous window (nil at the start of the text) to logits
	// [T·B vocab], time-major, and the state to carry into the next.
	step(ids *tensor.Tensor, state []*tensor.Tensor) (logits *tensor.Tensor, next []*tensor.Tensor)
	// describe says what the model is, for the log.
	describe() string
}

// newCharModel builds the model -arch names for a vocabulary of the given
// size.
func newCharModel(vocab int, o *charOpts, g *tensor.Generator) charModel {
	switch o.arch {
	case "rnn", "lstm", "gru":
		return newCharLM(vocab, o, g)
	case "transformer":
		return newTransformerLM(vocab, o, g)
	}
	panic("rnn: -arch " + o.arch + " passed the flag check but builds no model")
}

// budgetHidden is the recurrent state size of the default -arch rnn, which
// sets the parameter budget of every recurrent -arch.
const budgetHidden = 128

// charLMParams is the number of parameters of a charLM with the given
// cell, vocabulary and sizes.
func charLMParams(cell string, vocab, embed, hidden, layers int) int {
	gates := map[string]int{"rnn": 1, "lstm": 4, "gru": 3}[cell]
	n := vocab*embed + hidden*vocab + vocab // embedding, head
	for k := range layers {
		in := hidden
		if k == 0 {
			in = embed
		}
		n += gates * hidden * (in + hidden + 2)
	}
	return n
}

// sizeHidden returns the recurrent state size of the cell whose charLM
// has the number of parameters closest to the tanh RNN of budgetHidden's.
func sizeHidden(cell string, vocab, embed, layers int) int {
	budget := charLMParams("rnn", vocab, embed, budgetHidden, layers)
	diff := func(h int) int {
		d := charLMParams(cell, vocab, embed, h, layers) - budget
		return max(d, -d)
	}
	best := 1
	for h := 2; h <= budgetHidden; h++ {
		if diff(h) < diff(best) {
			best = h
		}
	}
	return best
}

// charLM is the recurrent language model: an embedding per character, a
// stacked tanh RNN, LSTM or GRU, and a linear layer to one logit per
// character. Its state is named as the PyTorch module with attributes
// embed, rnn and head would name it.
type charLM struct {
	embed  *nn.Embedding
	rnn    nn.Recurrent
	head   *nn.Linear
	hidden int
	about  string
}

func newCharLM(vocab int, o *charOpts, g *tensor.Generator) *charLM {
	hidden := o.hidden
	if hidden == 0 {
		hidden = sizeHidden(o.arch, vocab, o.embed, o.layers)
	}
	name := map[string]string{"rnn": "tanh RNN", "lstm": "LSTM", "gru": "GRU"}[o.arch]
	return &charLM{
		embed:  nn.NewEmbedding(vocab, o.embed, g),
		rnn:    newCell(o.arch, o.embed, hidden, nn.RNNOpts{NumLayers: o.layers}, g),
		head:   nn.NewLinear(hidden, vocab, g),
		hidden: hidden,
		about:  fmt.Sprintf("embedding %d×%d, %s of %d layers of %d, linear %d→%d", vocab, o.embed, name, o.layers, hidden, hidden, vocab),
	}
}

func (m *charLM) step(ids *tensor.Tensor, state []*tensor.Tensor) (logits *tensor.Tensor, next []*tensor.Tensor) {
	out, next := m.rnn.ForwardState(m.embed.Forward(ids), state...)
	return m.head.Forward(out.Reshape(-1, m.hidden)), next
}

func (m *charLM) describe() string { return m.about }

// Forward maps token ids [T B] to logits [T B vocab] from a zero state.
func (m *charLM) Forward(ids *tensor.Tensor) *tensor.Tensor {
	logits, _ := m.step(ids, nil)
	return logits.Reshape(ids.Size(0), ids.Size(1), -1)
}

func (m *charLM) State() []nn.Entry {
	return slices.Concat(nn.Prefixed("embed", m.embed.State()), nn.Prefixed("rnn", m.rnn.State()), nn.Prefixed("head", m.head.State()))
}

func (m *charLM) Train(on bool) { m.rnn.Train(on) }

// streams cuts tokens into n parallel streams (contiguous parts of the
// text) and yields, window by window, the inputs [T B] and the next
// characters as targets [T·B], time-major. The first window starts at
// offset in every stream.
func streams(tokens []int32, n, T, offset int, yield func(x, y []int32) error) error {
	length := len(tokens) / n
	x, y := make([]int32, T*n), make([]int32, T*n)
	for at := offset; at+T+1 <= length; at += T {
		for t := range T {
			for b := range n {
				x[t*n+b] = tokens[b*length+at+t]
				y[t*n+b] = tokens[b*length+at+t+1]
			}
		}
		if err := yield(x, y); err != nil {
			return err
		}
	}
	return nil
}

// carry detaches the state next from its graph and keeps it past the
// step's scope s, releasing the state prev it replaces.
func carry(s *tensor.Scope, prev, next []*tensor.Tensor) []*tensor.Tensor {
	release(prev)
	out := make([]*tensor.Tensor, len(next))
	for i, t := range next {
		out[i] = t.Detach()
		s.Keep(out[i])
	}
	return out
}

// release returns a carried state's memory to the device.
func release(state []*tensor.Tensor) {
	for _, t := range state {
		t.Release()
	}
}

// evaluate returns the mean loss per character over tokens read as n
// streams, the hidden state carried from window to window.
func evaluate(m charModel, tokens []int32, n, T int) (float64, error) {
	m.Train(false)
	defer m.Train(true)
	var sum float64
	var count int
	var h []*tensor.Tensor
	defer func() { release(h) }()
	err := streams(tokens, n, T, 0, func(x, y []int32) error {
		var l [1]float32
		var err error
		tensor.NoGrad(func(s *tensor.Scope) {
			logits, hN := m.step(s.FromInts(x, T, n), h)
			loss := nn.CrossEntropyLoss(logits, s.FromInts(y, T*n), nn.CrossEntropyOpts{})
			err = loss.ReadTo(l[:])
			h = carry(s, h, hN)
		})
		sum += float64(l[0]) * float64(len(y))
		count += len(y)
		return err
	})
	if err == nil && count == 0 {
		err = fmt.Errorf("the validation text is shorter than one window of %d characters", T+1)
	}
	return sum / float64(count), err
}

// generate continues prime by n characters drawn from the model's
// distribution at the given temperature, using rng.
func generate(m charModel, v *vocabulary, prime []int32, n int, temperature float64, rng *rand.Rand) (string, error) {
	m.Train(false)
	defer m.Train(true)
	var b strings.Builder
	for _, id := range prime {
		b.WriteRune(v.chars[id])
	}
	var err error
	tensor.NoGrad(func(s *tensor.Scope) {
		logits, h := m.step(s.FromInts(prime, len(prime), 1), nil)
		probs := make([]float64, len(v.chars))
		for range n {
			var last []float32
			if last, err = readRow(logits, logits.Size(0)-1); err != nil {
				return
			}
			// Softmax of logits/temperature on the host, in float64.
			hi := float64(slices.Max(last))
			var z float64
			for i, l := range last {
				probs[i] = math.Exp((float64(l) - hi) / temperature)
				z += probs[i]
			}
			u, c := rng.Float64()*z, 0
			for c < len(probs)-1 && u >= probs[c] {
				u -= probs[c]
				c++
			}
			b.WriteRune(v.chars[c])
			logits, h = m.step(s.FromInts([]int32{int32(c)}, 1, 1), h)
		}
	})
	return b.String(), err
}

// readRow reads row i of a matrix back to the host.
func readRow(t *tensor.Tensor, i int) ([]float32, error) {
	row := make([]float32, t.Size(1))
	return row, t.Select(0, i).Contiguous().ReadTo(row)
}

// loadText returns the text at path, or the embedded one for "".
func loadText(path string) (text, from string, err error) {
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return "", "", err
		}
		if !utf8.Valid(b) {
			return "", "", fmt.Errorf("%s: want UTF-8 text, found invalid byte sequences", path)
		}
		return string(b), path, nil
	}
	var b strings.Builder
	for _, name := range textFiles {
		data, err := fs.ReadFile(texts, "text/"+name)
		if err != nil {
			return "", "", err
		}
		b.Write(data)
	}
	return b.String(), "the embedded FSF license texts (" + strings.Join(textFiles, ", ") + ")", nil
}

// trainChars trains the character-level language model with Adam and
// gradient clipping by truncated BPTT: the text is read as -batch parallel
// streams, windows of -seq characters at a time, the hidden state carried
// (detached) from one window to the next. The last tenth of the text is
// the validation set.
func trainChars(p *train.Program, o *charOpts) (*charResult, error) {
	text, from, err := loadText(p.Data)
	if err != nil {
		return nil, err
	}
	if o.limit > 0 && o.limit < utf8.RuneCountInString(text) {
		text = string([]rune(text)[:o.limit])
	}
	vocab := newVocabulary(text)
	tokens, _ := vocab.encode(text)
	prime, err := vocab.encode(o.prime)
	if err != nil {
		return nil, fmt.Errorf("-prime %q: %w", o.prime, err)
	}
	split := len(tokens) * 9 / 10
	trainTok, valTok := tokens[:split], tokens[split:]
	// -batch × (-seq + 1) in 128 bits: each flag may be as large as an int.
	if hi, need := bits.Mul64(uint64(p.Batch), uint64(o.seq)+1); hi != 0 || need > uint64(len(trainTok)) {
		want := fmt.Sprint(need)
		if hi != 0 {
			want = "2⁶⁴ or more"
		}
		return nil, fmt.Errorf("%s: %d training characters, want at least -batch × (-seq + 1) = %s", from, len(trainTok), want)
	}
	// The validation text is read as fewer streams where it is short.
	valStreams := max(1, min(p.Batch, len(valTok)/(o.seq+1)))
	p.Printf("data: %d characters (%d distinct) from %s: %d for training, %d for validation\n",
		len(tokens), len(vocab.chars), from, len(trainTok), len(valTok))

	g := tensor.NewGenerator(p.Seed)
	model := newCharModel(len(vocab.chars), o, g)
	params := nn.Parameters(model)
	cfg := optim.DefaultAdam()
	cfg.LR = float32(p.LR)
	opt, err := optim.NewAdam(params, cfg)
	if err != nil {
		return nil, err
	}
	p.Printf("model: %s; %d parameters (the budget: %d, those of the tanh RNN of %d); Adam lr %g, clip %g, batch %d streams × %d characters\n",
		model.describe(), nn.NumParams(model), charLMParams("rnn", len(vocab.chars), o.embed, budgetHidden, o.layers),
		budgetHidden, p.LR, o.clip, p.Batch, o.seq)

	res := &charResult{}
	if res.Initial, err = evaluate(model, valTok, valStreams, o.seq); err != nil {
		return nil, err
	}
	p.Printf("before training: validation loss %.4f (%.3f bits/char; ln %d = %.4f)\n",
		res.Initial, res.Initial/math.Ln2, len(vocab.chars), math.Log(float64(len(vocab.chars))))
	prog := p.Progress()
	for epoch := range p.Epochs {
		// A different window phase each epoch, so that every position is
		// sometimes near the start of a window.
		offset := rand.New(rand.NewPCG(p.Seed, uint64(epoch))).IntN(o.seq)
		windows := (len(trainTok)/p.Batch - 1 - offset) / o.seq
		prog.Start(epoch, p.Epochs, windows*o.seq*p.Batch)
		t0 := time.Now()
		var sum float64
		var count int
		losses := train.NewStepLog(1, func(l []float32, chars int) error {
			if !(math.Abs(float64(l[0])) < math.Inf(1)) {
				return fmt.Errorf("the loss became %v after %d characters", l[0], count)
			}
			sum += float64(l[0]) * float64(chars)
			count += chars
			prog.Step(chars, sum/float64(count))
			return nil
		})
		var h []*tensor.Tensor
		err := streams(trainTok, p.Batch, o.seq, offset, func(x, y []int32) error {
			var err error
			tensor.Tidy(func(s *tensor.Scope) {
				opt.ZeroGrad()
				logits, hN := model.step(s.FromInts(x, o.seq, p.Batch), h)
				loss := nn.CrossEntropyLoss(logits, s.FromInts(y, len(y)), nn.CrossEntropyOpts{})
				loss.Backward()
				optim.ClipGradNormTensor(s, params, float32(o.clip)) // reads nothing back
				opt.Step()
				err = losses.Add(len(y), loss) // read back a StepLog's rows at a time
				h = carry(s, h, hN)
			})
			return err
		})
		err = losses.Finish(err)
		release(h)
		if err != nil {
			return nil, fmt.Errorf("epoch %d: %w", epoch+1, err)
		}
		elapsed := time.Since(t0)
		val, err := evaluate(model, valTok, valStreams, o.seq)
		if err != nil {
			return nil, err
		}
		res.Train, res.Val = append(res.Train, sum/float64(count)), append(res.Val, val)
		prog.End(fmt.Sprintf("epoch %d/%d: train loss %.4f (%.3f bits/char), validation loss %.4f (%.3f bits/char), %.0f chars/s, %s",
			epoch+1, p.Epochs, sum/float64(count), sum/float64(count)/math.Ln2, val, val/math.Ln2,
			float64(count)/elapsed.Seconds(), elapsed.Round(100*time.Millisecond)))
	}

	rng := rand.New(rand.NewPCG(p.Seed, math.MaxUint64))
	if res.Sample, err = generate(model, vocab, prime, o.sample, o.temperature, rng); err != nil {
		return nil, err
	}
	p.Printf("sample (temperature %g, seed %d):\n%s\n", o.temperature, p.Seed, res.Sample)

	res.Checkpoint = filepath.Join(p.Out, "charlm.safetensors")
	meta := map[string]string{
		"program": "rnn", "task": "chars", "vocab": string(vocab.chars), "text": from,
		"arch": o.arch, "model": model.describe(),
		"epochs": strconv.Itoa(p.Epochs), "validation_loss": strconv.FormatFloat(res.Val[len(res.Val)-1], 'f', 4, 64),
	}
	if err := nn.Save(res.Checkpoint, model, meta); err != nil {
		return nil, err
	}
	bits := func(nats []float64) []float64 {
		out := make([]float64, len(nats))
		for i, l := range nats {
			out[i] = l / math.Ln2
		}
		return out
	}
	res.Plot = filepath.Join(p.Out, "charlm"+train.PlotExt)
	if err := train.WritePanels(res.Plot, train.Panel{
		Title: "character-level RNN language model", YLabel: "bits per character",
		Curves: []train.Curve{{Label: "training", Y: bits(res.Train)}, {Label: "validation", Y: bits(res.Val)}},
	}); err != nil {
		return nil, err
	}
	p.Printf("wrote %s and %s\n", res.Checkpoint, res.Plot)
	if o.logits != "" {
		if err := dumpLogits(o.logits, model, valTok, valStreams, o.seq, meta); err != nil {
			return nil, err
		}
		p.Printf("wrote the first validation window and its logits to %s\n", o.logits)
	}
	last := res.Val[len(res.Val)-1]
	p.Finish(fmt.Sprintf("validation loss %.4f (%.3f bits/char)", last, last/math.Ln2))
	return res, nil
}

// dumpLogits writes the first window of tokens read as n streams ("input",
// int32 [T n]) and the model's logits for it from a zero state ("logits",
// [T n vocab]) to a safetensors file, for comparison with another
// implementation of the same model.
func dumpLogits(path string, m charModel, tokens []int32, n, T int, meta map[string]string) error {
	m.Train(false)
	defer m.Train(true)
	var err error
	tensor.NoGrad(func(s *tensor.Scope) {
		err = streams(tokens, n, T, 0, func(x, _ []int32) error {
			ids := s.FromInts(x, T, n)
			if err := nn.SaveTensors(path, map[string]*tensor.Tensor{"input": ids, "logits": m.Forward(ids)}, meta); err != nil {
				return err
			}
			return errStop
		})
	})
	if err == errStop {
		err = nil
	}
	return err
}

// errStop ends a walk through the windows early.
var errStop = errors.New("stop")
