package feed

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzWrite: for arbitrary text in titles, content, category terms and
// summaries, Write either refuses with FieldErrors that name exactly the
// fields that are blank after cleaning, or writes well-formed XML (an
// encoding/xml Decoder reads it to the end) whose decoded text equals the
// input after Clean.
func FuzzWrite(f *testing.F) {
	f.Add("Title", "# Body\n=> gemini://x/ y\n", "tag", "Summary")
	f.Add(`<script>alert("x")</script>`, "]]>&amp;\r\n\x00", "a & b", "'quotes'")
	f.Add("日本語 🚀", "\xff\xfe invalid", "\x01", "\t")
	f.Add("", "", "", "")
	f.Add(" \x1b ", "\r", "\uFFFE", "\u0085")
	f.Fuzz(func(t *testing.T, title, content, term, summary string) {
		in := validFeed()
		in.Title = title
		e := &in.Entries[0]
		e.Title, e.Content, e.Summary = title, content, summary
		e.Categories = []Category{{Term: term, Label: summary}}

		var out bytes.Buffer
		err := Write(&out, in)
		blank := func(s string) bool { return strings.TrimSpace(Clean(s)) == "" }
		var want []string
		if blank(title) {
			want = append(want, "title", "entries[0].title")
		}
		if blank(term) {
			want = append(want, "entries[0].categories[0].term")
		}
		if err != nil {
			if got := paths(fieldErrors(t, err)); got != strings.Join(want, " ") {
				t.Fatalf("Write refused %q, want %q: %v", got, want, err)
			}
			if out.Len() != 0 {
				t.Fatalf("Write wrote %d bytes and failed", out.Len())
			}
			return
		}
		if len(want) > 0 {
			t.Fatalf("Write accepted blank fields %q", want)
		}
		if !utf8.Valid(out.Bytes()) {
			t.Fatal("output is not valid UTF-8")
		}
		d := xml.NewDecoder(bytes.NewReader(out.Bytes()))
		for {
			_, err := d.Token()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("output is not well-formed XML: %v\n%s", err, out.Bytes())
			}
		}
		a := parse(t, out.Bytes())
		if err := schematron(a); err != nil {
			t.Fatal(err)
		}
		got := a.Entries[0]
		text := func(ts []atomText) string {
			if len(ts) == 0 {
				return ""
			}
			return ts[0].Text
		}
		for _, c := range []struct{ field, got, want string }{
			{"feed title", text(a.Title), Clean(title)},
			{"entry title", text(got.Title), Clean(title)},
			{"content", text(got.Content), Clean(content)},
			{"summary", text(got.Summary), Clean(summary)},
			{"term", got.Categories[0].Term, Clean(term)},
			{"label", got.Categories[0].Label, Clean(summary)},
		} {
			if c.got != c.want {
				t.Errorf("%s decodes to %q, want %q", c.field, c.got, c.want)
			}
		}
	})
}
