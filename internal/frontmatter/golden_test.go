package frontmatter

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestGolden parses realistic Hugo, Jekyll and Zola files in testdata and
// compares a readable dump with testdata/NAME.golden.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.md"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no test files: %v", err)
	}
	loc := time.FixedZone("UTC+2", 2*3600)
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".md")
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			doc, perr := Parse(filepath.ToSlash(f), src, loc)
			got := dump(doc, perr)
			golden := strings.TrimSuffix(f, ".md") + ".golden"
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs:\n--- got\n%s\n--- want\n%s", golden, got, want)
			}
		})
	}
}

// dump renders a Document and its error one fact per line.
func dump(doc *Document, err error) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "format: %v\nbody line: %d\n", doc.Format, doc.BodyLine)
	m := doc.Meta
	ts := func(t time.Time) string {
		if t.IsZero() {
			return "-"
		}
		return t.Format(time.RFC3339Nano)
	}
	fmt.Fprintf(&b, "title: %q\ndate: %s\nupdated: %s\ndraft: %v\ntags: %q\nsummary: %q\n",
		m.Title, ts(m.Date), ts(m.Updated), m.Draft, m.Tags, m.Summary)
	fmt.Fprintf(&b, "authors: %q\nlang: %q\nslug: %q\naliases: %q\nid: %q\n",
		m.Authors, m.Lang, m.Slug, m.Aliases, m.ID)
	for _, d := range doc.Diagnostics {
		fmt.Fprintf(&b, "%s [%s]\n", d, d.Code)
	}
	if (err != nil) != doc.Broken() {
		fmt.Fprintf(&b, "MISMATCH: error %v but Broken() = %v\n", err, doc.Broken())
	}
	fmt.Fprintf(&b, "body: %q\n", doc.Body)
	return b.Bytes()
}
