package search

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"broadside/internal/gemtext"
)

func TestPlainText(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"markers", "# Title\n## Sub\n* item one\n> quoted  words\nplain", "Title\nSub\nitem one\nquoted words\nplain"},
		{"link label kept, URL dropped", "=> https://example.org/secret Label text\n=> /bare", "Label text"},
		{"toggles and alt text dropped, preformatted kept", "```go\nfunc   main()  {}\n```\nafter", "func main() {}\nafter"},
		{"table padding collapsed", "```\n| Name   | Votes |\n| Alice  |   12  |\n```", "| Name | Votes |\n| Alice | 12 |"},
		{"unclosed block", "```\ncode", "code"},
		{"neutraliser removed", "\u200b=> not a link\n\u200b# not a heading", "=> not a link\n# not a heading"},
		{"blank lines dropped", "a\n\n\n   \nb", "a\nb"},
		{"CRLF", "a\r\nb\r\n", "a\nb"},
		{"controls and invalid UTF-8", "a\x00b\x1b[31mc\xffd\te", "a b [31mcd e"},
		{"tabs and odd spaces", "a\u00a0\u3000b\t\tc", "a b c"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := plainText([]byte(tt.in)); got != tt.want {
				t.Errorf("plainText(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestPlainTextLimit(t *testing.T) {
	line := strings.Repeat("é", 100) // 200 bytes
	in := strings.Repeat(line+"\n", maxText/100)
	got := plainText([]byte(in))
	if len(got) > maxText || len(got) < maxText-len(line)-1 {
		t.Errorf("%d bytes, want just under %d", len(got), maxText)
	}
	if !utf8.ValidString(got) {
		t.Error("cut inside a character")
	}
}

// checkPlainText asserts the properties of plainText's output.
func checkPlainText(t *testing.T, in, out string) {
	t.Helper()
	if len(out) > maxText {
		t.Fatalf("%d bytes", len(out))
	}
	if !utf8.ValidString(out) {
		t.Fatalf("invalid UTF-8 from %q: %q", in, out)
	}
	if out == "" {
		return
	}
	for l := range strings.SplitSeq(out, "\n") {
		if l == "" || strings.HasPrefix(l, " ") || strings.HasSuffix(l, " ") || strings.Contains(l, "  ") {
			t.Fatalf("badly spaced line %q from %q", l, in)
		}
		if strings.ContainsFunc(l, func(r rune) bool { return unicode.IsControl(r) || r == '\u200b' || (unicode.IsSpace(r) && r != ' ') }) {
			t.Fatalf("control or odd space in %q from %q", l, in)
		}
	}
}

func FuzzPlainText(f *testing.F) {
	for _, s := range []string{
		"# T\n=> https://x y\n```alt\n  pre  \n```\n* i\n> q\n", "\u200b=> x", "a\r\n\x00\xff", "```\n```\n```", "a\ufffdb",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := plainText([]byte(in))
		checkPlainText(t, in, out)
		// No link URL leaks: a URL appears only if some other line
		// (or a label) carries the same text.
		pre := false
		var words strings.Builder
		for l := range strings.SplitSeq(in, "\n") {
			line := gemtext.ParseLine(strings.TrimSuffix(l, "\r"), &pre)
			if line.Kind != gemtext.PreToggle {
				// Invalid bytes and U+FFFD are dropped, joining what
				// they split.
				words.WriteString(strings.ReplaceAll(strings.ToValidUTF8(line.Text, ""), "\ufffd", "") + "\n")
			}
		}
		for w := range strings.FieldsSeq(out) {
			if !strings.Contains(words.String(), w) && utf8.ValidString(w) {
				t.Fatalf("%q in the text of %q but in no line's text", w, in)
			}
		}
	})
}

func TestCut(t *testing.T) {
	long := strings.Repeat("word ", 100)
	tests := []struct {
		name, line string
		at         int
		want       string
	}{
		{"short", "a short line", 3, "a short line"},
		{"match at the start", long, 0, strings.TrimSpace(long[:155]) + "…"},
		{"match in the middle", long + "MATCH " + long, len(long), "…" + strings.Repeat("word ", 7) + "MATCH" + strings.Repeat(" word", 23) + "…"},
		{"match at the end", long + "MATCH", len(long), "…" + strings.Repeat("word ", 7) + "MATCH"},
		{"no space to cut at", strings.Repeat("x", 300), 150, "…" + strings.Repeat("x", 158) + "…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := cut(tt.line, tt.at)
			checkSnippet(t, got)
			if got != tt.want {
				t.Errorf("cut = %q (%d), want %q", got, len([]rune(got)), tt.want)
			}
		})
	}
}

func FuzzCut(f *testing.F) {
	f.Add(strings.Repeat("mot ", 60), 100)
	f.Add(strings.Repeat("日本語", 80), 7)
	f.Add("x", -5)
	f.Fuzz(func(t *testing.T, line string, at int) {
		line = strings.ToValidUTF8(strings.ReplaceAll(line, "\n", " "), "")
		line = strings.Map(func(r rune) rune {
			if unicode.IsControl(r) {
				return ' '
			}
			return r
		}, line)
		got := cut(line, at)
		checkSnippet(t, got)
		core := strings.TrimSuffix(strings.TrimPrefix(got, "…"), "…")
		if !strings.Contains(line, core) {
			t.Fatalf("cut(%q, %d) = %q is not part of the line", line, at, got)
		}
		if utf8.RuneCountInString(line) <= snippetRunes && got != line {
			t.Fatalf("short line changed: %q", got)
		}
	})
}
