package capsule

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite golden files")

// dump writes every served document and every problem of s in a stable,
// reviewable text form (modification times left out).
func dump(s *Snapshot) string {
	var b strings.Builder
	paths := make([]string, 0, len(s.Docs))
	for p := range s.Docs {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	kinds := map[Kind]string{Page: "page", Article: "article", Gemtext: "gemtext"}
	now := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, p := range paths {
		d := s.Docs[p]
		fmt.Fprintf(&b, "== %s (from %s)\n", p, d.Source)
		fmt.Fprintf(&b, "kind: %s  visible: %v  listed: %v  draft: %v\n", kinds[d.Kind], d.Visible(now), d.Listed(now), d.Draft)
		if d.Dated {
			fmt.Fprintf(&b, "date: %s  updated: %s\n", d.Date.Format(time.RFC3339), d.Updated.Format(time.RFC3339))
		}
		fmt.Fprintf(&b, "title: %q\nsummary: %q\n", d.Title, d.Summary)
		for _, t := range d.Tags {
			fmt.Fprintf(&b, "tag: %q -> %q\n", t.Name, t.Slug)
		}
		for _, a := range d.Aliases {
			fmt.Fprintf(&b, "alias: %s\n", a)
		}
		for _, l := range d.Links {
			fmt.Fprintf(&b, "link: %s at %d:%d (%s)\n", l.Target, l.Line, l.Col, l.Written)
		}
		if len(d.Authors) > 0 || d.Lang != "" || d.ID != "" {
			fmt.Fprintf(&b, "authors: %q  lang: %q  id: %q\n", d.Authors, d.Lang, d.ID)
		}
		fmt.Fprintf(&b, "words: %d  size: %d\n", d.Words, d.Size)
		b.WriteString("body:\n")
		body, err := s.Body(d)
		if err != nil {
			fmt.Fprintf(&b, "error: %v\n", err)
			continue
		}
		for line := range strings.SplitSeq(strings.TrimSuffix(string(body.Gemtext), "\n"), "\n") {
			b.WriteString("| " + line + "\n")
		}
	}
	b.WriteString("== problems\n")
	for _, p := range s.Problems {
		b.WriteString(p.String() + " [" + p.Code + "]\n")
	}
	fmt.Fprintf(&b, "== files: %d, errors: %d\n", s.Files, s.Errors())
	return b.String()
}

func TestGoldenCapsule(t *testing.T) {
	root, err := os.OpenRoot(filepath.Join("testdata", "capsule"))
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	s, err := Load(root.FS(), Options{Full: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := dump(s)
	golden := filepath.Join("testdata", "capsule.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("snapshot differs from %s (run with -update after checking):\n%s", golden, got)
	}
	// Loading again from the first snapshot reuses everything and gives
	// the same result.
	again, err := Load(root.FS(), Options{Full: true}, s)
	if err != nil {
		t.Fatal(err)
	}
	if again.Parsed != 0 || dump(again) != got {
		t.Errorf("reload parsed %d files or changed the snapshot", again.Parsed)
	}
}
