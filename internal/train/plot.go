package train

import (
	"os"
	"path/filepath"
)

// writePlot draws the training loss and the test accuracy per epoch side by
// side into a PNG file at path.
func writePlot(path, title string, hist []Epoch) error {
	loss := make([]float64, len(hist))
	acc := make([]float64, len(hist))
	for i, e := range hist {
		loss[i], acc[i] = e.Loss, e.Accuracy
	}
	return WritePanels(path,
		Panel{Title: title + ": training loss", YLabel: "training loss", Curves: []Curve{{Y: loss}}},
		Panel{Title: title + ": test accuracy", YLabel: "test accuracy", Curves: []Curve{{Y: acc}}})
}

// writeFileAtomic replaces the file at path with b through a temporary file
// in the same directory, so a failed write leaves the old file intact.
func writeFileAtomic(path string, b []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	// CreateTemp makes the file private (0600); a plot or an image is not.
	if err = f.Chmod(0o644); err == nil {
		_, err = f.Write(b)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}
