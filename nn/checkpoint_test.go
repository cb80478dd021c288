package nn

import (
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tensorgl/tensorgl/internal/safetensors"
	"github.com/tensorgl/tensorgl/tensor"
)

// leNet is LeNet-5 for 28×28 input, written as PyTorch's
// nn.Sequential(Conv2d(1,6,5), ReLU(), MaxPool2d(2), Conv2d(6,16,5),
// BatchNorm2d(16), ReLU(), MaxPool2d(2), Flatten(), Linear(256,120),
// ReLU(), Dropout(0.5), Linear(120,84), ReLU(), Linear(84,10)).
func leNet(seed uint64) *Sequential {
	g := tensor.NewGenerator(seed)
	return NewSequential(
		NewConv2d(1, 6, 5, Conv2dOpts{}, g), NewReLU(), NewMaxPool2d(2, 0, 0),
		NewConv2d(6, 16, 5, Conv2dOpts{}, g), NewBatchNorm2d(16), NewReLU(), NewMaxPool2d(2, 0, 0),
		NewFlatten(),
		NewLinear(256, 120, g), NewReLU(), NewDropout(0.5, g),
		NewLinear(120, 84, g), NewReLU(),
		NewLinear(84, 10, g),
	)
}

func TestStateNames(t *testing.T) {
	m := leNet(1)
	// The keys of PyTorch's state_dict() for the same model, in order.
	want := []string{
		"0.weight", "0.bias", "3.weight", "3.bias",
		"4.weight", "4.bias", "4.running_mean", "4.running_var", "4.num_batches_tracked",
		"8.weight", "8.bias", "11.weight", "11.bias", "13.weight", "13.bias",
	}
	var got []string
	for _, e := range m.State() {
		got = append(got, e.Name)
	}
	if !slices.Equal(got, want) {
		t.Errorf("state names\n got %v\nwant %v", got, want)
	}
	var params []string
	for _, e := range NamedParameters(m) {
		params = append(params, e.Name)
	}
	wantParams := slices.DeleteFunc(slices.Clone(want), func(s string) bool {
		return strings.Contains(s, "running") || strings.Contains(s, "num_batches")
	})
	if !slices.Equal(params, wantParams) {
		t.Errorf("parameter names\n got %v\nwant %v", params, wantParams)
	}
	// 6·25+6 + 16·6·25+16 + 2·16 + 256·120+120 + 120·84+84 + 84·10+10
	if n := NumParams(m); n != 156+2416+32+30840+10164+850 {
		t.Errorf("NumParams = %d", n)
	}
	if y := m.Forward(tensor.Zeros(2, 1, 28, 28)); !slices.Equal(y.Shape(), []int{2, 10}) {
		t.Errorf("output shape %v, want [2 10]", y.Shape())
	}
	nested := NewSequential(NewSequential(NewLinear(2, 2, tensor.NewGenerator(1))), NewReLU())
	if got := nested.State(); len(got) != 2 || got[0].Name != "0.0.weight" || got[1].Name != "0.0.bias" {
		t.Errorf("nested names %q, %q; want 0.0.weight, 0.0.bias", got[0].Name, got[1].Name)
	}
}

// snapshot returns the bits of every entry of m.
func snapshot(m Module) map[string][]uint32 {
	out := map[string][]uint32{}
	for _, e := range m.State() {
		if e.Tensor == nil {
			out[e.Name] = []uint32{uint32(*e.Count)}
			continue
		}
		var bits []uint32
		for _, v := range e.Tensor.Data() {
			bits = append(bits, math.Float32bits(v))
		}
		out[e.Name] = bits
	}
	return out
}

func equalSnapshots(a, b map[string][]uint32) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !slices.Equal(v, b[k]) {
			return false
		}
	}
	return true
}

func TestSaveLoadRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lenet.safetensors")
	a := leNet(1)
	// Two training passes so the BatchNorm buffers hold real values.
	g := tensor.NewGenerator(30)
	a.Forward(tensor.RandN(g, 4, 1, 28, 28))
	a.Forward(tensor.RandN(g, 4, 1, 28, 28))
	meta := map[string]string{"epoch": "3", "format": "pt"}
	if err := Save(path, a, meta); err != nil {
		t.Fatal(err)
	}
	b := leNet(2)
	if equalSnapshots(snapshot(a), snapshot(b)) {
		t.Fatal("models with different seeds are equal before loading")
	}
	if err := Load(path, b); err != nil {
		t.Fatal(err)
	}
	if !equalSnapshots(snapshot(a), snapshot(b)) {
		t.Error("loaded model differs from the saved one")
	}
	if got := b.Layers[4].(*BatchNorm).NumBatchesTracked; got != 2 {
		t.Errorf("num_batches_tracked = %d after load, want 2", got)
	}
	got, err := ReadMeta(path)
	if err != nil || got["epoch"] != "3" || got["format"] != "pt" {
		t.Errorf("ReadMeta = %v, %v; want %v", got, err, meta)
	}
	// The file holds what PyTorch's save_file writes for this model.
	file, _, err := safetensors.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if nbt := file["4.num_batches_tracked"]; nbt.DType != "I64" || len(nbt.Shape) != 0 || nbt.I64[0] != 2 {
		t.Errorf("num_batches_tracked stored as %s %v %v, want I64 [] [2]", nbt.DType, nbt.Shape, nbt.I64)
	}
	if w := file["0.weight"]; w.DType != "F32" || !slices.Equal(w.Shape, []int{6, 1, 5, 5}) {
		t.Errorf("0.weight stored as %s %v, want F32 [6 1 5 5]", w.DType, w.Shape)
	}
}

func TestLoadMismatch(t *testing.T) {
	dir := t.TempDir()
	g := tensor.NewGenerator(40)
	src := NewSequential(NewLinear(4, 3, g), NewReLU(), NewLinear(3, 2, g))
	good := filepath.Join(dir, "good.safetensors")
	if err := Save(good, src, nil); err != nil {
		t.Fatal(err)
	}
	file, _, err := safetensors.Read(good)
	if err != nil {
		t.Fatal(err)
	}
	variant := func(name string, edit func(map[string]safetensors.Tensor)) string {
		f := map[string]safetensors.Tensor{}
		for k, v := range file {
			f[k] = v
		}
		edit(f)
		path := filepath.Join(dir, name+".safetensors")
		if err := safetensors.Write(path, f, nil); err != nil {
			t.Fatal(err)
		}
		return path
	}
	for _, tc := range []struct {
		name, path, wantErr string
		model               Module
	}{
		{"shape", good, `"2.weight" has shape [2 3] in the file, want [5 3]`,
			NewSequential(NewLinear(4, 3, g), NewReLU(), NewLinear(3, 5, g))},
		{"missing", variant("missing", func(f map[string]safetensors.Tensor) { delete(f, "2.bias") }),
			`"2.bias" is missing`, NewSequential(NewLinear(4, 3, g), NewReLU(), NewLinear(3, 2, g))},
		{"extra", variant("extra", func(f map[string]safetensors.Tensor) {
			f["3.weight"] = safetensors.Tensor{DType: "F32", Shape: []int{1}, F32: []float32{1}}
		}), `"3.weight"`, NewSequential(NewLinear(4, 3, g), NewReLU(), NewLinear(3, 2, g))},
		{"dtype", variant("dtype", func(f map[string]safetensors.Tensor) {
			f["2.bias"] = safetensors.Tensor{DType: "I32", Shape: []int{2}, I32: []int32{1, 2}}
		}), `"2.bias" has dtype I32 in the file, want F32`, NewSequential(NewLinear(4, 3, g), NewReLU(), NewLinear(3, 2, g))},
		{"architecture", good, `"1.weight" is missing`,
			NewSequential(NewLinear(4, 3, g), NewBatchNorm1d(3), NewLinear(3, 2, g))},
		{"no file", filepath.Join(dir, "absent.safetensors"), "no such file", NewSequential(NewLinear(4, 3, g))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := snapshot(tc.model)
			err := Load(tc.path, tc.model)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("Load error = %v, want one containing %s", err, tc.wantErr)
			}
			if !equalSnapshots(before, snapshot(tc.model)) {
				t.Error("a failed Load changed the model")
			}
		})
	}
}

func TestLoadCountDType(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bn.safetensors")
	bn := NewBatchNorm1d(3)
	file := map[string]safetensors.Tensor{"num_batches_tracked": {DType: "F32", Shape: []int{}, F32: []float32{5}}}
	for _, e := range bn.State()[:4] {
		file[e.Name] = safetensors.Tensor{DType: "F32", Shape: e.Tensor.Shape(), F32: e.Tensor.Data()}
	}
	if err := safetensors.Write(path, file, nil); err != nil {
		t.Fatal(err)
	}
	err := Load(path, bn)
	if err == nil || !strings.Contains(err.Error(), `"num_batches_tracked" has dtype F32 in the file, want I64`) {
		t.Errorf("Load error = %v, want a dtype error for num_batches_tracked", err)
	}
	if bn.NumBatchesTracked != 0 {
		t.Errorf("failed Load set num_batches_tracked to %d", bn.NumBatchesTracked)
	}
}

func TestSaveKeepsOldFileOnError(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.safetensors")
	m := NewLinear(2, 2, tensor.NewGenerator(41))
	if err := Save(path, m, nil); err != nil {
		t.Fatal(err)
	}
	old, _ := os.ReadFile(path)
	// Two entries with one name cannot be saved; the old file must remain.
	dup := NewSequential(m)
	bad := &twice{dup}
	if err := Save(path, bad, nil); err == nil || !strings.Contains(err.Error(), "two entries") {
		t.Fatalf("Save error = %v, want a duplicate-name error", err)
	}
	if now, _ := os.ReadFile(path); !slices.Equal(old, now) {
		t.Error("a failed Save changed the previous file")
	}
}

// twice is a faulty module that lists its child's state twice.
type twice struct{ Module }

func (t *twice) State() []Entry { return append(t.Module.State(), t.Module.State()...) }

func TestSaveLoadTensors(t *testing.T) {
	path := filepath.Join(t.TempDir(), "opt.safetensors")
	g := tensor.NewGenerator(42)
	a := tensor.RandN(g, 3, 2)
	b := tensor.FromInts([]int32{7})
	s := tensor.Scalar(2.5)
	if err := SaveTensors(path, map[string]*tensor.Tensor{"m.a": a, "step": b, "s": s}, map[string]string{"lr": "0.1"}); err != nil {
		t.Fatal(err)
	}
	// "m.a" is loaded in place, the others are created.
	into := tensor.Zeros(3, 2)
	dst := map[string]*tensor.Tensor{"m.a": into}
	if err := LoadTensors(path, dst); err != nil {
		t.Fatal(err)
	}
	if dst["m.a"] != into || !slices.Equal(into.Data(), a.Data()) {
		t.Error("m.a not loaded in place")
	}
	if got := dst["step"]; got == nil || !slices.Equal(got.Ints(), []int32{7}) || !slices.Equal(got.Shape(), []int{1}) {
		t.Errorf("step = %v", got)
	}
	if got := dst["s"]; got == nil || got.Dim() != 0 || got.Item() != 2.5 {
		t.Errorf("s = %v", got)
	}
	before := into.Data()
	bad := map[string]*tensor.Tensor{"m.a": into, "m.b": tensor.Zeros(1)}
	if err := LoadTensors(path, bad); err == nil || !strings.Contains(err.Error(), `"m.b" is missing`) {
		t.Errorf("LoadTensors error = %v, want m.b missing", err)
	}
	if len(bad) != 2 || !slices.Equal(into.Data(), before) {
		t.Error("a failed LoadTensors changed its destination")
	}
	// A nil tensor is an error naming it, in either direction.
	other := filepath.Join(t.TempDir(), "other.safetensors")
	if err := SaveTensors(other, map[string]*tensor.Tensor{"m.a": a, "m.z": nil}, nil); err == nil ||
		err.Error() != "nn: save "+other+`: "m.z" is a nil tensor, want a tensor` {
		t.Errorf("SaveTensors with a nil tensor: error %v, want one naming m.z", err)
	}
	if _, err := os.Stat(other); err == nil {
		t.Error("SaveTensors with a nil tensor wrote a file")
	}
	withNil := map[string]*tensor.Tensor{"m.a": into, "s": nil}
	if err := LoadTensors(path, withNil); err == nil || err.Error() != "nn: load "+path+`: "s" is a nil tensor, want a tensor` {
		t.Errorf("LoadTensors into a nil tensor: error %v, want one naming s", err)
	}
	if len(withNil) != 2 || withNil["s"] != nil || !slices.Equal(into.Data(), before) {
		t.Error("a failed LoadTensors changed its destination")
	}
}
