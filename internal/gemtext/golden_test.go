package gemtext

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

// goldenOptions picks the options for a golden input from its name, so that
// one file per link mode and option exercises them.
func goldenOptions(name string) Options {
	var o Options
	switch {
	case strings.Contains(name, "links-at-end"):
		o.Links = LinksAtEnd
	case strings.Contains(name, "links-numbered"):
		o.Links = LinksNumbered
	case strings.Contains(name, "links-off"):
		o.Links = LinksOff
	}
	if strings.Contains(name, "deep-headings-text") {
		o.DeepHeadings = DeepHeadingsAsText
	}
	if strings.Contains(name, "keep-emphasis") {
		o.KeepEmphasis = true
	}
	return o
}

// TestGolden converts every testdata/*.md and compares with the .gmi beside
// it. Run with -update to rewrite the .gmi files, then review them by eye:
// they are the specification.
func TestGolden(t *testing.T) {
	inputs, err := filepath.Glob(filepath.Join("testdata", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	if len(inputs) == 0 {
		t.Fatal("no golden inputs in testdata")
	}
	for _, in := range inputs {
		name := strings.TrimSuffix(filepath.Base(in), ".md")
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			doc, err := New(goldenOptions(name)).Convert(src, nil)
			if err != nil {
				t.Fatal(err)
			}
			checkOutput(t, doc.Gemtext)
			golden := strings.TrimSuffix(in, ".md") + ".gmi"
			if *update {
				if err := os.WriteFile(golden, doc.Gemtext, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(doc.Gemtext, want) {
				t.Errorf("output differs from %s\n--- got\n%s\n--- want\n%s", golden, doc.Gemtext, want)
			}
		})
	}
}
