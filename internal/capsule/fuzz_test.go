package capsule

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"broadside/internal/capsulegen"
	"broadside/internal/diag"
)

// FuzzParse checks what callers of Parse rely on, for Markdown and gemtext
// alike: it never panics; every problem names the file, has a code and a
// line inside the file; Broken is set exactly when a problem is an error;
// every link lies inside the file and leads to an absolute path or a
// gemini:// URL; the body is valid UTF-8; and the result is deterministic.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"", "# T\n", "---\ntitle: x\n---\n[a](b.md)\n", "---\ntitle: \"x\n---\n", "+++\ntags = [\n+++\n",
		"# G\n=> ../../x a\n=> gemini://h/ g\n=> b.gmi\n", "caf\xe9\n", "---\ntags: [C#, c#, C++]\n---\n![i](i.png)\n",
		"[r][x]\n\n[x]: ../up.md\n", "---\ntitel: x\ndraft: maybe\n---\n",
	} {
		f.Add(s, true)
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, src string, markdown bool) {
		name := "posts/f.gmi"
		if markdown {
			name = "posts/f.md"
		}
		d, body := Render(name, []byte(src), Options{})
		// The converter, like old Mac editors, also ends a line at a
		// lone CR.
		lines := strings.Count(strings.ReplaceAll(src, "\r\n", "\n"), "\n") + strings.Count(strings.ReplaceAll(src, "\r\n", ""), "\r") + 1
		errs := 0
		for _, p := range d.Problems {
			if p.File != name || p.Code == "" || p.Line < 0 || p.Line > lines {
				t.Errorf("problem %q [%s] not on a line 0..%d of %s", p, p.Code, lines, name)
			}
			if p.Severity == Error {
				errs++
			}
		}
		if d.Broken != (errs > 0) {
			t.Errorf("Broken = %v with %d errors", d.Broken, errs)
		}
		for _, l := range d.Links {
			if l.Line < 0 || l.Line > lines || !(strings.HasPrefix(l.Target, "/") || isGemini(l.Target)) {
				t.Errorf("link %+v outside the file or not absolute", l)
			}
		}
		if !bytes.Equal(bytes.ToValidUTF8(body.Gemtext, nil), body.Gemtext) {
			t.Errorf("body is not valid UTF-8")
		}
		if len(d.Problems) > MaxProblems {
			t.Errorf("%d problems", len(d.Problems))
		}
		again, body2 := Render(name, []byte(src), Options{})
		if again.Title != d.Title || len(again.Problems) != len(d.Problems) || len(again.Links) != len(d.Links) || !bytes.Equal(body2.Gemtext, body.Gemtext) {
			t.Errorf("Parse is not deterministic")
		}
		if !reflect.DeepEqual(Parse(name, []byte(src), Options{}), d) {
			t.Errorf("Parse and Render disagree")
		}
		checkQuickMatchesFull(t, name, []byte(src))
	})
}

// FuzzQuickTitle checks that quickTitle, when sure, finds the title the
// converter finds, and that it is sure of the plainest documents.
func FuzzQuickTitle(f *testing.F) {
	for _, s := range []string{
		"# Title\n\nText.\n", "Intro.\n\n## Sub\n\n# Main\n", "## Only h2\n", "No heading.\n",
		"> # Quoted\n\n# Real\n", "- # In a list\n# Real\n", "```\n# code\n```\n# Real\n", "<div>\n# html\n</div>\n\n# Real\n",
		"Setext\n======\n\n# Later\n", "Sub\n---\n", "# *Emphasis*\n", "# [Link](x.md)\n", "# A &amp; B\n", "#NoSpace\n# Real\n",
		"    # indented code\n# Real\n", "#\n# Real\n", "# Closing ##\n", "# Title {#id}\n", "[^1]: # note\n\n# Real\n",
		"# Café au lait, 2024: a review (part 2)\n", "1. # item\n# Real\n", "Para\n# Interrupts\n", "# www.example.com\n",
		"   # Three spaces\n", "\t# Tab\n", "# Trailing spaces   \n", "# A  B\n", "####### Seven\n# Real\n",
	} {
		f.Add(s)
	}
	conv := Options{}.resolved().Converter
	f.Fuzz(func(t *testing.T, body string) {
		title, sure := quickTitle([]byte(body))
		if !sure {
			return
		}
		doc, err := conv.Convert([]byte(body), nil)
		if err != nil {
			t.Fatal(err)
		}
		if doc.Title != title {
			t.Errorf("quickTitle(%q) = %q, the converter finds %q", body, title, doc.Title)
		}
	})
}

// checkQuickMatchesFull loads src as file name both ways, front matter
// first and in full, and checks that they agree: the same metadata and
// problems as far as the quick load goes (it leaves out Words, Links,
// a summary from the body and the converter's problems), the same body
// and everything else from Snapshot.Body.
func checkQuickMatchesFull(t *testing.T, name string, src []byte) {
	t.Helper()
	fsys := fstest.MapFS{name: {Data: src}}
	quick, err := Load(fsys, Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	full, err := Load(fsys, Options{Full: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	q, f := quick.Current(name), full.Current(name)
	if q == nil || f == nil {
		if q != f {
			t.Fatalf("%s loaded one way only: quick %v, full %v", name, q, f)
		}
		return
	}
	if q.Summary != "" && q.Summary != f.Summary {
		t.Errorf("summary %q, in full %q", q.Summary, f.Summary)
	}
	for _, p := range q.Problems {
		if !slices.Contains(f.Problems, p) {
			t.Errorf("problem %s [%s] found only by the quick load", p, p.Code)
		}
	}
	n, _ := diag.Count(f.Problems)
	if m, _ := diag.Count(q.Problems); m != n {
		t.Errorf("quick load finds %d errors, the full one %d", m, n)
	}
	qb, errQ := quick.Body(q)
	fb, errF := full.Body(f)
	if (errQ == nil) != (errF == nil) {
		t.Fatalf("body errors: quick %v, full %v", errQ, errF)
	}
	if errQ == nil && !reflect.DeepEqual(qb, fb) {
		t.Errorf("bodies differ:\nquick %+v\nfull  %+v", qb, fb)
	}
	if errQ == nil && (fb.Words != f.Words || !slices.Equal(fb.Links, f.Links) || !reflect.DeepEqual(fb.Problems, f.Problems)) {
		t.Errorf("the full load's words, links or problems differ from its body's")
	}
	// What the quick load leaves out, the rest must match exactly.
	qq, ff := *q, *f
	qq.Summary, ff.Summary = "", ""
	qq.Words, ff.Words = 0, 0
	qq.Links, ff.Links = nil, nil
	qq.Problems, ff.Problems = nil, nil
	if !reflect.DeepEqual(qq, ff) {
		t.Errorf("metadata differs:\nquick %+v\nfull  %+v", qq, ff)
	}
}

// TestQuickMatchesFull loads every file of the golden capsule, of the
// fuzz corpus seeds and of generated articles both ways (see
// checkQuickMatchesFull).
func TestQuickMatchesFull(t *testing.T) {
	files := map[string][]byte{}
	root := filepath.Join("testdata", "capsule")
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !d.Type().IsRegular() {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		if IsDocument(rel) {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			files[filepath.ToSlash(rel)] = b
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	opts := capsulegen.Options{N: 20, Tags: 40}
	capsulegen.Generate(opts, func(name string, body []byte) error {
		files[name] = body
		return nil
	})
	for i := range 5 {
		files[fmt.Sprintf("old/%d.md", i)] = []byte(capsulegen.Article(i, 6000, time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)))
	}
	// Front matter longer than the 4 KB read first, and a title from a
	// heading after a long front matter.
	files["long.md"] = []byte("---\ntitle: Long\nsummary: " + strings.Repeat("word ", 1200) + "\n---\nBody.\n")
	files["late-heading.md"] = []byte("---\ndescription: " + strings.Repeat("word ", 1200) + "\n---\n\n# Late heading\n\nText.\n")
	files["crlf.md"] = []byte("---\r\ntitle: CRLF\r\n---\r\n\r\nBody.\r\n")
	files["bom.md"] = []byte("\xef\xbb\xbf---\ntitle: BOM\n---\nBody.\n")
	files["no-front-matter.md"] = []byte("# Just a heading\n\nAnd text.\n")
	files["setext.md"] = []byte("Setext title\n============\n\nText.\n")
	for name, src := range files {
		t.Run(name, func(t *testing.T) { checkQuickMatchesFull(t, name, src) })
	}
}
