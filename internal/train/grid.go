package train

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
)

// gridGap is the border, in pixels, around and between the images of a grid.
const gridGap = 2

// WriteImageGrid writes n grey images of h×w pixels, sample-major in pix,
// as one PNG at path with cols images per row, mapping lo to black and hi
// to white (values outside are clipped).
func WriteImageGrid(path string, pix []float32, n, h, w, cols int, lo, hi float32) error {
	if n < 1 || h < 1 || w < 1 || cols < 1 || len(pix) != n*h*w || !(hi > lo) {
		return fmt.Errorf("image grid %s: %d values for %d images of %d×%d in %d columns, range [%g, %g]: want n·h·w values and lo < hi",
			path, len(pix), n, h, w, cols, lo, hi)
	}
	rows := (n + cols - 1) / cols
	img := image.NewGray(image.Rect(0, 0, cols*(w+gridGap)+gridGap, rows*(h+gridGap)+gridGap))
	for i := range img.Pix {
		img.Pix[i] = 64 // a dark grey frame, distinct from black pixels
	}
	for k := range n {
		x0, y0 := gridGap+(k%cols)*(w+gridGap), gridGap+(k/cols)*(h+gridGap)
		for y := range h {
			for x := range w {
				v := (pix[(k*h+y)*w+x] - lo) / (hi - lo)
				img.SetGray(x0+x, y0+y, color.Gray{Y: uint8(255*min(max(v, 0), 1) + 0.5)})
			}
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return fmt.Errorf("image grid %s: %w", path, err)
	}
	return writeFileAtomic(path, buf.Bytes())
}
