package train

import "github.com/tensorgl/tensorgl/internal/atomicfile"

// Curve is one line of a panel: Y[i] is the value after epoch i+1.
type Curve struct {
	Label string // shown in the legend when a panel has several curves
	Y     []float64
}

// Panel is one plot over the epochs.
type Panel struct {
	Title, YLabel string
	Curves        []Curve
}

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

// writeFileAtomic replaces the file at path with b (see atomicfile), so a
// failed write leaves the old file intact; a plot or an image is readable
// by all.
func writeFileAtomic(path string, b []byte) error { return atomicfile.WriteFile(path, b, 0o644) }
