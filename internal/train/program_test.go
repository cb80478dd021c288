package train

import (
	"bytes"
	"errors"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWriteImageGrid(t *testing.T) {
	path := filepath.Join(t.TempDir(), "grid.png")
	// Three 2×3 images in two columns, values from -1 (black) to 1 (white).
	pix := []float32{
		-1, 0, 1, 1, 0, -1,
		-2, 2, -1, -1, -1, -1,
		1, 1, 1, 1, 1, 1,
	}
	if err := WriteImageGrid(path, pix, 3, 2, 3, 2, -1, 1); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 2*(3+gridGap)+gridGap || b.Dy() != 2*(2+gridGap)+gridGap {
		t.Fatalf("grid is %v, want 12×10", b)
	}
	grey := func(x, y int) uint32 { r, _, _, _ := img.At(x, y).RGBA(); return r >> 8 }
	for _, tc := range []struct{ x, y, want int }{
		{2, 2, 0}, {3, 2, 128}, {4, 2, 255}, {2, 3, 255}, {4, 3, 0}, // the first image
		{7, 2, 0}, {8, 2, 255}, // the second, clipped
		{2, 6, 255}, {4, 7, 255}, // the third, on the second row
		{0, 0, 64}, {7, 6, 64}, // the frame and the empty fourth cell
	} {
		if g := grey(tc.x, tc.y); int(g) != tc.want {
			t.Errorf("pixel (%d, %d) = %d, want %d", tc.x, tc.y, g, tc.want)
		}
	}
	if err := WriteImageGrid(path, pix[:5], 3, 2, 3, 2, -1, 1); err == nil || !strings.Contains(err.Error(), "5 values for 3 images of 2×3") {
		t.Errorf("short pixel slice: error %v", err)
	}
}

func TestWritePanels(t *testing.T) {
	path := filepath.Join(t.TempDir(), "plot.png")
	err := WritePanels(path,
		Panel{Title: "losses", YLabel: "loss", Curves: []Curve{{Label: "a", Y: []float64{3, 2, 1}}, {Label: "b", Y: []float64{1, 2, 3}}}},
		Panel{Title: "scores", YLabel: "D(x)", Curves: []Curve{{Y: []float64{0.5, 0.6, 0.7}}}})
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cfg, err := png.DecodeConfig(f)
	if err != nil || cfg.Width < 2*cfg.Height {
		t.Errorf("plot of two panels: %d×%d PNG (error %v), want a wide image", cfg.Width, cfg.Height, err)
	}
}

func TestProgramParse(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-epochs", "0"}, "-epochs 0: want at least 1"},
		{[]string{"-lr", "-1"}, "-lr -1: want a learning rate > 0"},
		{[]string{"-lr", "inf"}, "-lr +Inf: want a learning rate of at most 3.4028234663852886e+38 (the largest float32)"},
		{[]string{"-lr", "1e39"}, "-lr 1e+39: want a learning rate of at most"},
		{[]string{"-device", "tpu"}, `-device "tpu": want one of auto, cpu, gl`},
		{[]string{"-out", ""}, "-out is empty"},
		{[]string{"x"}, `unexpected argument "x": prog takes flags only`},
		{[]string{"-own", "7"}, "-own 7: want 3"},
	} {
		var errs bytes.Buffer
		p := NewProgram("prog", "prog does things.", "data", Program{Device: "cpu", Epochs: 1, Batch: 1, LR: 1, Out: "out"}, &bytes.Buffer{}, &errs)
		own := p.Flags.Int("own", 3, "a program's own flag")
		err := p.Parse(tc.args, func() error {
			if *own != 3 {
				return errors.New("-own 7: want 3")
			}
			return nil
		})
		var usage *UsageError
		if !errors.As(err, &usage) || !strings.Contains(err.Error(), tc.want) || !strings.Contains(errs.String(), tc.want) {
			t.Errorf("%q: error %v, stderr %q, want a UsageError saying %q", tc.args, err, &errs, tc.want)
		}
	}
}

func TestWrittenFilesAreReadable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "grid.png")
	if err := WriteImageGrid(path, make([]float32, 4), 1, 2, 2, 1, 0, 1); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("%s: mode %v (error %v), want -rw-r--r-- like any other output file", path, fi.Mode(), err)
	}
}
