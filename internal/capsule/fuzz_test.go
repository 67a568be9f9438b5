package capsule

import (
	"bytes"
	"strings"
	"testing"
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
		d := Parse(name, []byte(src), Options{})
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
		if !bytes.Equal(bytes.ToValidUTF8(d.Body, nil), d.Body) {
			t.Errorf("body is not valid UTF-8")
		}
		if len(d.Problems) > MaxProblems {
			t.Errorf("%d problems", len(d.Problems))
		}
		again := Parse(name, []byte(src), Options{})
		if again.Title != d.Title || len(again.Problems) != len(d.Problems) || len(again.Links) != len(d.Links) || !bytes.Equal(again.Body, d.Body) {
			t.Errorf("Parse is not deterministic")
		}
	})
}
