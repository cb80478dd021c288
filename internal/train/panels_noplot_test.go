//go:build noplot

package train

import (
	"os"
	"path/filepath"
	"testing"
)

func TestWritePanelsCSV(t *testing.T) {
	path := filepath.Join(t.TempDir(), "curves"+PlotExt)
	err := WritePanels(path,
		Panel{Title: "loss", YLabel: "BCE, nats", Curves: []Curve{{Label: "real", Y: []float64{0.5, 0.25}}}},
		Panel{Title: `say "hi"`, Curves: []Curve{{Y: []float64{1e-9}}, {Label: "b"}}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := "panel,ylabel,curve,epoch,value\n" +
		"loss,\"BCE, nats\",real,1,0.5\n" +
		"loss,\"BCE, nats\",real,2,0.25\n" +
		"\"say \"\"hi\"\"\",,,1,1e-09\n"
	if string(got) != want {
		t.Errorf("WritePanels wrote\n%s\nwant\n%s", got, want)
	}
}
