//go:build noplot

package train

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
)

// PlotExt is the extension of the files WritePanels writes: in this build
// (tag noplot, without the plotting library) CSV tables.
const PlotExt = ".csv"

// WritePanels writes the panels' curves as one CSV table at path (columns
// panel, y label, curve, epoch, value), replacing it atomically: what the
// PNG of a build with plotting would draw.
func WritePanels(path string, panels ...Panel) error {
	var b bytes.Buffer
	b.WriteString("panel,ylabel,curve,epoch,value\n")
	for _, pn := range panels {
		for _, c := range pn.Curves {
			for e, y := range c.Y {
				fmt.Fprintf(&b, "%s,%s,%s,%d,%s\n", csvField(pn.Title), csvField(pn.YLabel), csvField(c.Label),
					e+1, strconv.FormatFloat(y, 'g', -1, 64))
			}
		}
	}
	return writeFileAtomic(path, b.Bytes())
}

// csvField quotes s when it holds a comma, a quote or a line break.
func csvField(s string) string {
	if !strings.ContainsAny(s, ",\"\n\r") {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}
