package nn

import (
	"fmt"
	"slices"
	"strings"

	"github.com/tensorgl/tensorgl/device"
	"github.com/tensorgl/tensorgl/internal/safetensors"
	"github.com/tensorgl/tensorgl/tensor"
)

// Save writes m's state (parameters and buffers, named as in m.State())
// and the string metadata meta (may be nil) to a safetensors file at path,
// in the layout PyTorch's safetensors.torch.save_file produces for the same
// model: F32 tensors and num_batches_tracked as an I64 scalar. The file is
// replaced atomically; a failed or killed save leaves the previous one
// intact, and the temporary file a killed save leaves behind is removed by
// the next Save or Load of the same path.
func Save(path string, m Module, meta map[string]string) error {
	return save(path, m.State(), meta)
}

// Load reads a file written by Save (or by PyTorch for the same
// architecture) into m. It first checks every entry — each name of
// m.State() present, no extra names, shapes and dtypes equal — and returns
// an error naming the first mismatch with m unchanged; only then does it
// copy the values.
func Load(path string, m Module) error {
	file, _, err := safetensors.Read(path)
	if err != nil {
		return fmt.Errorf("nn: load: %w", err)
	}
	return load(path, file, m.State())
}

// SaveTensors writes named tensors (float32 as F32, int32 as I32; none
// nil) and meta to a safetensors file at path, atomically: for state that
// is not a module's, such as an optimizer's.
func SaveTensors(path string, ts map[string]*tensor.Tensor, meta map[string]string) error {
	es, err := namedEntries(ts)
	if err != nil {
		return fmt.Errorf("nn: save %s: %w", path, err)
	}
	return save(path, es, meta)
}

// LoadTensors reads the tensors of a safetensors file into dst. A name
// already in dst must match the file's shape and dtype and is overwritten
// in place; a name only in the file is added to dst as a new persistent
// tensor on the default device; a name only in dst, or with a nil tensor,
// is an error. As with
// Load, nothing is written unless the whole file fits.
func LoadTensors(path string, dst map[string]*tensor.Tensor) error {
	file, _, err := safetensors.Read(path)
	if err != nil {
		return fmt.Errorf("nn: load: %w", err)
	}
	es, err := namedEntries(dst)
	if err != nil {
		return fmt.Errorf("nn: load %s: %w", path, err)
	}
	extra := extraNames(file, es)
	for _, name := range extra {
		if dt := file[name].DType; dt != "F32" && dt != "I32" {
			return fmt.Errorf("nn: load %s: %q has dtype %s, want F32 or I32", path, name, dt)
		}
	}
	added := map[string]*tensor.Tensor{}
	for _, name := range extra {
		ft := file[name]
		var t *tensor.Tensor
		if ft.DType == "I32" {
			t = tensor.FromInts(make([]int32, len(ft.I32))).Reshape(ft.Shape...)
		} else {
			t = tensor.Zeros(ft.Shape...)
		}
		tensor.Persist(t)
		added[name] = t
		es = append(es, Entry{Name: name, Tensor: t})
	}
	if err := load(path, file, es); err != nil {
		for _, t := range added {
			t.Release()
		}
		return err
	}
	for name, t := range added {
		dst[name] = t
	}
	return nil
}

// ReadMeta returns the string metadata of a safetensors file (nil if it has
// none).
func ReadMeta(path string) (map[string]string, error) {
	_, meta, err := safetensors.Read(path)
	if err != nil {
		return nil, fmt.Errorf("nn: read metadata: %w", err)
	}
	return meta, nil
}

// namedEntries returns ts as entries sorted by name; a nil tensor is an
// error naming it (an Entry without a Tensor would be taken for a counter).
func namedEntries(ts map[string]*tensor.Tensor) ([]Entry, error) {
	es := make([]Entry, 0, len(ts))
	for name, t := range ts {
		es = append(es, Entry{Name: name, Tensor: t})
	}
	slices.SortFunc(es, func(a, b Entry) int { return strings.Compare(a.Name, b.Name) })
	for _, e := range es {
		if e.Tensor == nil {
			return nil, fmt.Errorf("%q is a nil tensor, want a tensor", e.Name)
		}
	}
	return es, nil
}

// extraNames returns, sorted, the names in file that no entry has.
func extraNames(file map[string]safetensors.Tensor, es []Entry) []string {
	have := map[string]bool{}
	for _, e := range es {
		have[e.Name] = true
	}
	var extra []string
	for name := range file {
		if !have[name] {
			extra = append(extra, name)
		}
	}
	slices.Sort(extra)
	return extra
}

func fileDType(e Entry) string {
	switch {
	case e.Tensor == nil:
		return "I64"
	case e.Tensor.DType() == device.Int32:
		return "I32"
	}
	return "F32"
}

func entryShape(e Entry) []int {
	if e.Tensor == nil {
		return []int{}
	}
	return e.Tensor.Shape()
}

func save(path string, es []Entry, meta map[string]string) error {
	file := make(map[string]safetensors.Tensor, len(es))
	for _, e := range es {
		if _, dup := file[e.Name]; dup {
			return fmt.Errorf("nn: save %s: two entries named %q", path, e.Name)
		}
		ft := safetensors.Tensor{DType: fileDType(e), Shape: entryShape(e)}
		var err error
		switch ft.DType {
		case "I64":
			ft.I64 = []int64{*e.Count}
		case "I32":
			ft.I32 = make([]int32, e.Tensor.NumEl())
			err = e.Tensor.ReadTo(ft.I32)
		default:
			ft.F32 = make([]float32, e.Tensor.NumEl())
			err = e.Tensor.ReadTo(ft.F32)
		}
		if err != nil {
			return fmt.Errorf("nn: save %s: reading %q from the device: %w", path, e.Name, err)
		}
		file[e.Name] = ft
	}
	if err := safetensors.Write(path, file, meta); err != nil {
		return fmt.Errorf("nn: save: %w", err)
	}
	return nil
}

// load checks every entry against file and that file has no other names,
// then copies file's values into the entries.
func load(path string, file map[string]safetensors.Tensor, es []Entry) error {
	for _, e := range es {
		ft, ok := file[e.Name]
		if !ok {
			return fmt.Errorf("nn: load %s: %q is missing from the file", path, e.Name)
		}
		if want := fileDType(e); ft.DType != want {
			return fmt.Errorf("nn: load %s: %q has dtype %s in the file, want %s", path, e.Name, ft.DType, want)
		}
		if want := entryShape(e); !slices.Equal(ft.Shape, want) {
			return fmt.Errorf("nn: load %s: %q has shape %v in the file, want %v", path, e.Name, ft.Shape, want)
		}
		if e.Tensor != nil && !e.Tensor.IsContiguous() {
			return fmt.Errorf("nn: load %s: %q is a strided view in the model and cannot be loaded in place", path, e.Name)
		}
	}
	if extra := extraNames(file, es); len(extra) > 0 {
		return fmt.Errorf("nn: load %s: the file has %q, which the model does not have", path, extra[0])
	}
	for _, e := range es {
		ft := file[e.Name]
		var src *tensor.Tensor
		switch ft.DType {
		case "I64":
			*e.Count = ft.I64[0]
			continue
		case "I32":
			src = tensor.FromInts(ft.I32)
		default:
			src = tensor.FromSlice(ft.F32)
		}
		// A one-element host slice becomes shape [1]; the entry may be a scalar.
		src = src.Reshape(ft.Shape...)
		moved := src.To(e.Tensor.Device())
		e.Tensor.CopyFrom(moved)
		moved.Release()
		src.Release()
	}
	return nil
}
