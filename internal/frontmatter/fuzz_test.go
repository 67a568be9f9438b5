package frontmatter

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"broadside/internal/diag"
)

// FuzzParse checks the properties every caller relies on: Parse never
// panics and returns a Document; Body is a suffix of the BOM-stripped input
// and BodyLine is its line; with no front matter Body is the whole input;
// every diagnostic names the file, a stable code and a line inside it; the
// error is nil exactly when no diagnostic is an error, and joins one
// *Error per error; a key line in the block yields metadata or a
// diagnostic, never silence; keys the schema does not know are reported;
// tags are clean and within the limits; and the result is deterministic.
func FuzzParse(f *testing.F) {
	seeds := []string{
		"", "---", "---\n---\n", "+++\n+++\n", "no front matter\n",
		"---\ntitle: a\ndate: 2022-01-07\ntags: [a, A, b]\n---\nbody",
		"+++\ntitle = 'a'\ndate = 2022-01-07T10:00:00\n[taxonomies]\ntags = ['x']\n+++\nbody",
		"\ufeff---\r\ntitle: x\r\n---\r\n", "---\ntitle: [a\n---\n", "+++\ntitle = \n+++\n",
		"---\na: &a [*a]\ntags: *a\n---\n", "---\ntags: go web\ndraft: maybe\n---\n",
		"---\ntitle: \"abc\ndraft: true\n---\n", "---\ntitel: x\ntags: 5\n---\n", "---\ntitle: caf\xe9\n---\n",
		"+++\ntitle = \"abc\n+++\n", "---\ntitle: a: b\n---\n", "---\ntitle: x\n\tdate: y\n---\n",
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
	keyLine := regexp.MustCompile(`(?m)^[A-Za-z]+[ \t]*[:=][ \t]*\S`)
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
		lines := bytes.Count(in, []byte("\n")) + 1
		errs := 0
		for _, d := range doc.Diagnostics {
			if d.File != "f.md" || d.Line < 1 || d.Line > lines || d.Col < 0 || !strings.HasPrefix(d.Code, "frontmatter/") || d.Message == "" {
				t.Errorf("diagnostic %q [%s]: not on a line 1..%d of f.md, or no code or message", d, d.Code, lines)
			}
			if d.Severity == diag.Error {
				errs++
			}
		}
		var joined []error
		if err != nil {
			joined = err.(interface{ Unwrap() []error }).Unwrap()
		}
		if len(joined) != errs || doc.Broken() != (errs > 0) {
			t.Errorf("%d errors joined, Broken %v, but %d error diagnostics", len(joined), doc.Broken(), errs)
		}
		for _, e := range joined {
			var fe *Error
			if !errors.As(e, &fe) || fe.Severity != diag.Error {
				t.Errorf("joined error %v is not an error-severity *Error", e)
			}
		}
		if doc.Format != None {
			block := stripped[:len(stripped)-len(doc.Body)]
			if keyLine.Match(block) && len(doc.keys) == 0 && len(doc.Diagnostics) == 0 {
				t.Errorf("a key line in the block gave neither metadata nor a diagnostic")
			}
			if len(doc.Diagnostics) == 0 {
				for k := range doc.keys {
					if _, ok := lookup(k); !ok {
						t.Errorf("unknown key %q not reported", k)
					}
				}
			}
		}
		if len(doc.Meta.Tags) > MaxTags {
			t.Errorf("%d tags kept", len(doc.Meta.Tags))
		}
		seen := map[string]bool{}
		for _, tag := range doc.Meta.Tags {
			k := strings.ToLower(tag)
			if tag == "" || tag != strings.TrimSpace(tag) || seen[k] || utf8.RuneCountInString(tag) > MaxTagLen {
				t.Errorf("bad tag list %q", doc.Meta.Tags)
			}
			seen[k] = true
		}
		doc2, err2 := Parse("f.md", src, loc)
		if metaString(doc.Meta) != metaString(doc2.Meta) || errString(err) != errString(err2) ||
			fmt.Sprint(doc.Diagnostics) != fmt.Sprint(doc2.Diagnostics) {
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
