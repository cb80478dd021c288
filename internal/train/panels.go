//go:build !noplot

package train

import (
	"bytes"
	"fmt"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// PlotExt is the extension of the files WritePanels writes: PNG images, or
// CSV tables in a build with the tag noplot (which leaves out the plotting
// library and its fonts, 4 MiB of each program; bench/gpu/prepare.sh builds
// the examples so).
const PlotExt = ".png"

// WritePanels draws the panels side by side into a PNG file at path,
// replacing it atomically.
func WritePanels(path string, panels ...Panel) error {
	plots := make([]*plot.Plot, len(panels))
	for i, pn := range panels {
		p := plot.New()
		p.Title.Text = pn.Title
		p.X.Label.Text = "epoch"
		p.Y.Label.Text = pn.YLabel
		p.Add(plotter.NewGrid())
		p.Legend.Top = true // most curves here fall, clear of the upper right corner
		for j, c := range pn.Curves {
			xys := make(plotter.XYs, len(c.Y))
			for e, y := range c.Y {
				xys[e] = plotter.XY{X: float64(e + 1), Y: y}
			}
			l, pts, err := plotter.NewLinePoints(xys)
			if err != nil {
				return fmt.Errorf("plot %q, %s: %w", pn.Title, c.Label, err)
			}
			l.Color, pts.Color = plotutil.Color(j), plotutil.Color(j)
			pts.Shape = plotutil.Shape(j)
			p.Add(l, pts)
			if len(pn.Curves) > 1 {
				p.Legend.Add(c.Label, l, pts)
			}
		}
		plots[i] = p
	}
	img := vgimg.New(vg.Points(450*float64(len(plots))), vg.Points(340))
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: 1, Cols: len(plots), PadX: vg.Millimeter * 4, PadY: vg.Millimeter * 2,
		PadTop: vg.Millimeter * 2, PadBottom: vg.Millimeter * 2, PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 2}
	cs := plot.Align([][]*plot.Plot{plots}, tiles, dc)
	for i, p := range plots {
		p.Draw(cs[0][i])
	}
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(&buf); err != nil {
		return fmt.Errorf("plot: encoding PNG: %w", err)
	}
	return writeFileAtomic(path, buf.Bytes())
}
