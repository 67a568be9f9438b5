package gemtext

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzConvert checks the output contract on arbitrary input: valid UTF-8,
// one final newline, balanced toggles, link lines with usable URLs, no blank
// runs, no trailing spaces, no control characters, output within its
// budget, and no internal error (a panic the converter had to recover). It also turns the input
// into paragraphs of plain text (every ASCII punctuation character
// backslash-escaped, no indentation) and checks that then no output line at
// all is read as anything but text: rule 3.
func FuzzConvert(f *testing.F) {
	inputs, _ := filepath.Glob(filepath.Join("testdata", "*.md"))
	for _, in := range inputs {
		if src, err := os.ReadFile(in); err == nil {
			f.Add(src)
		}
	}
	f.Add([]byte("=> x\n# y\n* z\n> q\n```\n"))
	for _, h := range hostile {
		f.Add([]byte(h.gen(40)))
	}
	modes := []*Converter{New(Options{}), New(Options{Links: LinksNumbered, KeepEmphasis: true})}
	f.Fuzz(func(t *testing.T, src []byte) {
		for _, c := range modes {
			doc, err := c.Convert(src, nil)
			if err != nil {
				t.Fatalf("Convert: %v", err)
			}
			checkOutput(t, doc.Gemtext)
			if max := outputPerByte*len(src) + outputBase + 64; len(doc.Gemtext) > max {
				t.Errorf("%d bytes in, %d out", len(src), len(doc.Gemtext))
			}
			for _, w := range doc.Warnings {
				if strings.Contains(w, "internal error") {
					t.Errorf("converter failed: %s", w)
				}
			}
			if !utf8.ValidString(doc.Title) || !utf8.ValidString(doc.Summary) {
				t.Errorf("title or summary not valid UTF-8: %q %q", doc.Title, doc.Summary)
			}
			if strings.Contains(doc.Summary, "\n") || strings.Contains(doc.Title, "\n") {
				t.Errorf("title or summary on several lines: %q %q", doc.Title, doc.Summary)
			}
		}
		plain := plainParagraphs(src)
		doc, err := modes[0].Convert(plain, nil)
		if err != nil {
			t.Fatalf("Convert: %v", err)
		}
		checkOutput(t, doc.Gemtext)
		pre := false
		for _, l := range strings.Split(string(doc.Gemtext), "\n") {
			if line := ParseLine(l, &pre); line.Kind != Text {
				t.Errorf("plain text input gave a %v line %q\ninput:\n%s\noutput:\n%s", line.Kind, l, plain, doc.Gemtext)
			}
		}
	})
}

// plainParagraphs makes Markdown that holds only paragraphs of text: every
// ASCII punctuation character is backslash-escaped and lines lose their
// indentation, so no block or inline syntax remains.
func plainParagraphs(src []byte) []byte {
	var b strings.Builder
	text := strings.Map(func(r rune) rune {
		switch {
		case r == '\r':
			return '\n'
		case r < 0x20 && r != '\t' && r != '\n', r >= 0x7f && r < 0xa0:
			return -1 // normalisation drops them; they must not hide indentation
		}
		return r
	}, strings.TrimPrefix(strings.ToValidUTF8(string(src), "\uFFFD"), "\ufeff"))
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimLeft(line, " \t")
		for _, r := range line {
			if r < utf8.RuneSelf && strings.ContainsRune("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", r) {
				b.WriteByte('\\')
			}
			b.WriteRune(r)
		}
		b.WriteByte('\n')
	}
	return []byte(b.String())
}
