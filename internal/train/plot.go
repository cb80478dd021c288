package train

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// writePlot draws the training loss and the test accuracy per epoch side by
// side into a PNG file at path.
func writePlot(path, title string, hist []Epoch) error {
	loss := make(plotter.XYs, len(hist))
	acc := make(plotter.XYs, len(hist))
	for i, e := range hist {
		loss[i] = plotter.XY{X: float64(i + 1), Y: e.Loss}
		acc[i] = plotter.XY{X: float64(i + 1), Y: e.Accuracy}
	}
	panel := func(name string, xys plotter.XYs) (*plot.Plot, error) {
		p := plot.New()
		p.Title.Text = title + ": " + name
		p.X.Label.Text = "epoch"
		p.Y.Label.Text = name
		p.Add(plotter.NewGrid())
		l, pts, err := plotter.NewLinePoints(xys)
		if err != nil {
			return nil, err
		}
		p.Add(l, pts)
		return p, nil
	}
	lp, err := panel("training loss", loss)
	if err != nil {
		return fmt.Errorf("plot: %w", err)
	}
	ap, err := panel("test accuracy", acc)
	if err != nil {
		return fmt.Errorf("plot: %w", err)
	}
	img := vgimg.New(vg.Points(900), vg.Points(340))
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: 1, Cols: 2, PadX: vg.Millimeter * 4, PadY: vg.Millimeter * 2,
		PadTop: vg.Millimeter * 2, PadBottom: vg.Millimeter * 2, PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 2}
	cs := plot.Align([][]*plot.Plot{{lp, ap}}, tiles, dc)
	lp.Draw(cs[0][0])
	ap.Draw(cs[0][1])
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(&buf); err != nil {
		return fmt.Errorf("plot: encoding PNG: %w", err)
	}
	return writeFileAtomic(path, buf.Bytes())
}

// writeFileAtomic replaces the file at path with b through a temporary file
// in the same directory, so a failed write leaves the old file intact.
func writeFileAtomic(path string, b []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	_, err = f.Write(b)
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
