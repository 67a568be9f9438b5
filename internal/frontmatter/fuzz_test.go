package frontmatter

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// FuzzParse checks the properties every caller relies on: Parse never
// panics and returns a Document; Body is a suffix of the BOM-stripped input
// and BodyLine is its line; with no front matter Body is the whole input;
// every *Error names the file and a line inside it; tags are clean; and the
// result is deterministic.
func FuzzParse(f *testing.F) {
	seeds := []string{
		"", "---", "---\n---\n", "+++\n+++\n", "no front matter\n",
		"---\ntitle: a\ndate: 2022-01-07\ntags: [a, A, b]\n---\nbody",
		"+++\ntitle = 'a'\ndate = 2022-01-07T10:00:00\n[taxonomies]\ntags = ['x']\n+++\nbody",
		"\ufeff---\r\ntitle: x\r\n---\r\n", "---\ntitle: [a\n---\n", "+++\ntitle = \n+++\n",
		"---\na: &a [*a]\ntags: *a\n---\n", "---\ntags: go web\ndraft: maybe\n---\n",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	if files, err := filepath.Glob(filepath.Join("testdata", "*.md")); err == nil {
		for _, name := range files {
			if b, err := os.ReadFile(name); err == nil {
				f.Add(b)
			}
		}
	}
	loc := time.FixedZone("X", 3600)
	f.Fuzz(func(t *testing.T, src []byte) {
		in := append([]byte(nil), src...)
		doc, err := Parse("f.md", src, loc)
		if doc == nil {
			t.Fatal("nil Document")
		}
		if !bytes.Equal(src, in) {
			t.Fatal("Parse modified its input")
		}
		stripped := bytes.TrimPrefix(in, bom)
		if !bytes.HasSuffix(stripped, doc.Body) {
			t.Fatalf("body %q is not a suffix of the input", doc.Body)
		}
		head := stripped[:len(stripped)-len(doc.Body)]
		if want := bytes.Count(head, []byte("\n")) + 1; doc.BodyLine != want {
			t.Errorf("BodyLine = %d, want %d", doc.BodyLine, want)
		}
		if doc.Format == None && !bytes.Equal(doc.Body, stripped) {
			t.Errorf("no front matter but body %q != input", doc.Body)
		}
		if doc.Format == None && err != nil {
			t.Errorf("no front matter but error %v", err)
		}
		lines := bytes.Count(in, []byte("\n")) + 1
		check := func(what string, e error) {
			var fe *Error
			if !errors.As(e, &fe) {
				t.Errorf("%s %v is not a *Error", what, e)
				return
			}
			if fe.Line < 0 || fe.Line > lines || fe.File != "f.md" {
				t.Errorf("%s %q: line %d outside 0..%d or wrong file", what, fe.Error(), fe.Line, lines)
			}
		}
		if err != nil {
			for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
				check("error", e)
			}
		}
		for _, w := range doc.Warnings {
			check("warning", w)
		}
		seen := map[string]bool{}
		for _, tag := range doc.Meta.Tags {
			k := strings.ToLower(tag)
			if tag == "" || tag != strings.TrimSpace(tag) || seen[k] {
				t.Errorf("bad tag list %q", doc.Meta.Tags)
			}
			seen[k] = true
		}
		doc2, err2 := Parse("f.md", src, loc)
		if metaString(doc.Meta) != metaString(doc2.Meta) || errString(err) != errString(err2) {
			t.Errorf("Parse is not deterministic: %v / %v", err, err2)
		}
	})
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
