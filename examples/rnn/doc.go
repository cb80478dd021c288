// Command rnn trains recurrent networks built on nn.RNN, nn.LSTM and
// nn.GRU, on the best device available (-device auto) or the one named.
//
// With -task chars (the default) it is a character-level language model:
// an embedding of 32 per character, a 2-layer recurrent network and a
// linear layer to one logit per character, trained with Adam and
// gradient-norm clipping by truncated backpropagation through time. -arch
// picks the network: rnn (tanh, 128 units, the default), lstm or gru, the
// gated ones as wide as gives the whole model the parameters of the rnn's
// within about 1% (64 LSTM or 75 GRU units for the default text; -hidden
// sets a width instead). The text, by
// default five FSF license documents built into the program (see
// text/README), is read as -batch parallel streams, -seq characters at a
// time, the recurrent state carried from one window to the next; the last
// tenth is held out for validation. Each epoch reports the training and
// validation loss in nats and bits per character; at the end the program
// prints text sampled from the model (seeded, at -temperature), and writes
// the bits-per-character plot and a safetensors checkpoint (with the
// vocabulary in its metadata) to -out.
//
//	go run ./examples/rnn                        # 20 epochs on the license texts
//	go run ./examples/rnn -arch lstm
//	go run ./examples/rnn -data book.txt -epochs 50 -temperature 0.5
//
// -arch transformer replaces the RNN with a causal, pre-norm Transformer
// (GPT-style): character embeddings of -embed plus learned positions for
// -seq characters, -layers nn.TransformerEncoderLayer blocks with -heads
// attention heads and a GELU feed-forward block of -hidden, a final
// LayerNorm and the linear head. Each window is its own context; when
// generating, the characters before supply it.
//
//	go run ./examples/rnn -arch transformer -embed 56 -hidden 128   # about the RNN's parameter count
//
// With -task rows it classifies Fashion-MNIST, reading each 28×28 image as
// 28 time steps of 28 pixels (a linear projection to 32, a 2-layer
// recurrent network of 128 chosen by -cell rnn|lstm|gru, a linear layer
// from its last state to the classes). That task is an image classifier
// like examples/mlp and examples/cnn and takes their flags.
//
//	go run ./examples/rnn -task rows -cell gru -epochs 5
//
// With -dump-logits FILE either task also writes some inputs and the
// trained model's logits for them; torch_check.py beside this file loads
// the checkpoint into the same model built on torch.nn.RNN, LSTM or GRU
// and compares.
package main
