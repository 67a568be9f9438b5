package gopher

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"broadside/internal/gopher/gophertest"
	"broadside/internal/termwidth"
)

func FuzzRender(f *testing.F) {
	if src, err := os.ReadFile("testdata/article.gmi"); err == nil {
		f.Add(string(src), 70)
	}
	f.Add("# a\n=> b c\n```\nx\n```\n", 20)
	f.Add("=> gopher://h:1/0sel\tx label\n* \u200b=> y\n.\n", 0)
	f.Add(strings.Repeat("日", 50)+"\n> "+strings.Repeat("word ", 30), 33)
	f.Add("=> x\x00\r\x1b y\tz\n```\n\x00.\t\n", 5)
	f.Fuzz(func(t *testing.T, src string, width int) {
		if width < 0 || width > 500 {
			return
		}
		opt := RenderOptions{Width: width, Host: "example.org", Port: 7070}

		var menu bytes.Buffer
		if err := MenuView(&menu, []byte(src), opt); err != nil {
			t.Fatalf("MenuView: %v", err)
		}
		// LintMenu checks CRLF endings, exactly four fields (so no TAB in a
		// field), no NUL or control character, display within 70 columns.
		if err := gophertest.LintMenu(menu.Bytes()); err != nil {
			t.Fatalf("MenuView output fails lint: %v\nsrc %q\nout %q", err, src, menu.Bytes())
		}
		for _, l := range strings.Split(menu.String(), "\r\n") {
			if display, _, _ := strings.Cut(l, "\t"); len(display) > 0 && termwidth.String(display[1:]) > DisplayWidth {
				t.Fatalf("display over %d columns: %q", DisplayWidth, l)
			}
		}

		var text bytes.Buffer
		if err := TextView(&text, []byte(src), opt); err != nil {
			t.Fatalf("TextView: %v", err)
		}
		out := text.String()
		if strings.Count(out, "\n") != strings.Count(out, "\r\n") || strings.Count(out, "\r") != strings.Count(out, "\r\n") {
			t.Fatalf("bare CR or LF in text view: %q", out)
		}
		if utf8.ValidString(src) && !utf8.ValidString(out) {
			t.Fatalf("text view is not valid UTF-8 for valid input %q", src)
		}
		checkTextView(t, []byte(src), text.Bytes(), opt.width())
	})
}

func FuzzParseRequest(f *testing.F) {
	for _, s := range []string{"\r\n", "/posts/a.gmi\r\n", "/s\tq\t+\r\n", "../\x00\r\n", "\xff\n", "a\tb\tc\td\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		r, err := ParseRequest(line)
		if err != nil {
			if r != nil {
				t.Fatal("request returned with an error")
			}
			return
		}
		if len(line) > MaxRequestLine+2 {
			t.Fatalf("accepted a %d-byte line", len(line))
		}
		for _, field := range []string{r.Selector, r.Search, r.Plus} {
			if !utf8.ValidString(field) {
				t.Fatalf("accepted invalid UTF-8 %q", field)
			}
			for _, c := range field {
				if isControl(c) {
					t.Fatalf("accepted control character %U in %q", c, field)
				}
			}
		}
		// The fields are the line's own bytes, in order.
		rebuilt := r.Selector
		if r.Search != "" || r.Plus != "" {
			rebuilt += "\t" + r.Search
		}
		if r.Plus != "" {
			rebuilt += "\t" + r.Plus
		}
		trimmed := strings.TrimSuffix(strings.TrimSuffix(string(line), "\n"), "\r")
		if !strings.HasPrefix(trimmed, rebuilt) {
			t.Fatalf("fields %q/%q/%q do not come from %q", r.Selector, r.Search, r.Plus, line)
		}
	})
}

func FuzzWriteText(f *testing.F) {
	f.Add([]byte("a\n.\r\nb\rc\x1b"))
	f.Fuzz(func(t *testing.T, text []byte) {
		var buf bytes.Buffer
		if err := WriteText(&buf, text); err != nil {
			t.Fatal(err)
		}
		out := buf.String()
		if out != "" && !strings.HasSuffix(out, "\r\n") {
			t.Fatalf("no final CRLF: %q", out)
		}
		for _, l := range strings.Split(strings.TrimSuffix(out, "\r\n"), "\r\n") {
			if l == "." || strings.ContainsAny(l, "\r\n\x00\x1b") {
				t.Fatalf("unsafe line %q from %q", l, text)
			}
		}
	})
}
