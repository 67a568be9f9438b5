package gopher

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"broadside/internal/gemtext"
	"broadside/internal/gopher/gophertest"
	"broadside/internal/termwidth"
)

var update = flag.Bool("update", false, "rewrite golden files")

// golden compares got with testdata/name, rewriting it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run with -update to create it): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from golden file:\n--- got ---\n%s\n--- want ---\n%s", name, got, want)
	}
}

func articleOptions() RenderOptions {
	return RenderOptions{
		Host: "example.org",
		Port: 7070,
		Resolve: func(u string) string {
			switch {
			case strings.Contains(u, ":"):
				return u
			case strings.HasPrefix(u, "/"):
				return "gemini://example.org" + u
			}
			return "gemini://example.org/posts/" + u
		},
	}
}

func TestTextViewGolden(t *testing.T) {
	src, err := os.ReadFile("testdata/article.gmi")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := TextView(&buf, src, articleOptions()); err != nil {
		t.Fatal(err)
	}
	checkTextView(t, src, buf.Bytes(), DefaultWidth)
	golden(t, "article.txt", buf.Bytes())
}

func TestMenuViewGolden(t *testing.T) {
	src, err := os.ReadFile("testdata/article.gmi")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := MenuView(&buf, src, articleOptions()); err != nil {
		t.Fatal(err)
	}
	checkMenuView(t, buf.Bytes())
	golden(t, "article.menu", buf.Bytes())
}

func TestTextView(t *testing.T) {
	tests := []struct {
		name string
		src  string
		opt  RenderOptions
		want string
	}{
		{"empty", "", RenderOptions{}, ""},
		{"blank runs collapse and edges trimmed", "\n\na\n\n\n\nb\n\n", RenderOptions{}, "a\r\n\r\nb\r\n"},
		{"h1 underline by display width", "# 日本", RenderOptions{}, "日本\r\n====\r\n"},
		{"h2", "## Ab", RenderOptions{}, "Ab\r\n--\r\n"},
		{"h3", "### Abc", RenderOptions{}, "Abc\r\n...\r\n"},
		{"empty heading dropped", "#\nx", RenderOptions{}, "x\r\n"},
		{"dot line", ".", RenderOptions{}, " .\r\n"},
		{"dot in pre", "```\n.\n```", RenderOptions{}, " .\r\n"},
		{"neutraliser removed", "\u200b=> x", RenderOptions{}, "=> x\r\n"},
		{"list hanging indent", "* aaaa bbbb cccc dddd eeee", RenderOptions{Width: 20}, "* aaaa bbbb cccc\r\n  dddd eeee\r\n"},
		{"quote marker on each line", "> aaaa bbbb cccc dddd eeee", RenderOptions{Width: 20}, "> aaaa bbbb cccc\r\n> dddd eeee\r\n"},
		{"empty quote", ">", RenderOptions{}, ">\r\n"},
		{"long word cut", strings.Repeat("x", 25), RenderOptions{Width: 20}, strings.Repeat("x", 20) + "\r\n" + strings.Repeat("x", 5) + "\r\n"},
		{"cjk cut by width", strings.Repeat("日", 12), RenderOptions{Width: 20}, strings.Repeat("日", 10) + "\r\n日日\r\n"},
		{"pre verbatim with tab", "```alt\n\ta  b  \n```", RenderOptions{}, "\ta  b  \r\n"},
		{"controls scrubbed", "a\x1b[31mb\rc", RenderOptions{}, "a [31mb c\r\n"},
		{"link with label", "=> gemini://x/ X", RenderOptions{}, "[1] X\r\n\r\nReferences\r\n----------\r\n[1] gemini://x/\r\n"},
		{"link without label", "=> /a", RenderOptions{Resolve: func(u string) string { return "gemini://h" + u }}, "[1] /a\r\n\r\nReferences\r\n----------\r\n[1] gemini://h/a\r\n"},
		{"same url shares number", "=> /a A\n=> /b B\n=> /a C", RenderOptions{}, "[1] A\r\n[2] B\r\n[1] C\r\n\r\nReferences\r\n----------\r\n[1] /a\r\n[2] /b\r\n"},
		{"reference never wrapped", "=> gemini://x/" + strings.Repeat("p", 100) + " L", RenderOptions{Width: 20}, "[1] L\r\n\r\nReferences\r\n----------\r\n[1] gemini://x/" + strings.Repeat("p", 100) + "\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := TextView(&buf, []byte(tt.src), tt.opt); err != nil {
				t.Fatal(err)
			}
			if got := buf.String(); got != tt.want {
				t.Errorf("TextView(%q)\n got %q\nwant %q", tt.src, got, tt.want)
			}
			checkTextView(t, []byte(tt.src), buf.Bytes(), tt.opt.width())
		})
	}
}

func TestMenuView(t *testing.T) {
	opt := RenderOptions{Host: "h.example", Port: 7070}
	tests := []struct {
		name string
		src  string
		opt  RenderOptions
		want string
	}{
		{"text as info", "hello", opt, "ihello\t\terror.host\t1\r\n.\r\n"},
		{"relative link", "=> /posts/a.gmi A", opt, "0A\t/posts/a.gmi\th.example\t7070\r\n.\r\n"},
		{"http link", "=> https://e.com/?a=b Web", opt, "hWeb\tURL:https://e.com/?a=b\th.example\t7070\r\n.\r\n"},
		{"gopher link", "=> gopher://g.net:71/0/a%20b.txt G", opt, "0G\t/a b.txt\tg.net\t71\r\n.\r\n"},
		{"gopher root", "=> gopher://g.net", opt, "1gopher://g.net\t\tg.net\t70\r\n.\r\n"},
		{"label falls back to url", "=> mailto:a@b", opt, "hmailto:a@b\tURL:mailto:a@b\th.example\t7070\r\n.\r\n"},
		{"pre tabs expanded", "```\na\tb\n```", opt, "ia       b\t\terror.host\t1\r\n.\r\n"},
		{"custom item", "=> /x X", RenderOptions{Host: "h", Port: 1, Item: func(u string) Item {
			return Item{Type: '1', Selector: "/sel" + u + "\tinjected"}
		}}, "1X\t/sel/x injected\th\t1\r\n.\r\n"},
		{"zero options", "=> /x", RenderOptions{}, "0/x\t/x\tlocalhost\t70\r\n.\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := MenuView(&buf, []byte(tt.src), tt.opt); err != nil {
				t.Fatal(err)
			}
			if got := buf.String(); got != tt.want {
				t.Errorf("MenuView(%q)\n got %q\nwant %q", tt.src, got, tt.want)
			}
			checkMenuView(t, buf.Bytes())
		})
	}
}

func TestDefaultItem(t *testing.T) {
	tests := []struct {
		url  string
		want Item
	}{
		{"/posts/a.gmi", Item{Type: '0', Selector: "/posts/a.gmi", Host: "me", Port: 7}},
		{"other.gmi", Item{Type: '0', Selector: "other.gmi", Host: "me", Port: 7}},
		{"gemini://x/y", Item{Type: 'h', Selector: "URL:gemini://x/y", Host: "me", Port: 7}},
		{"//x/y", Item{Type: 'h', Selector: "URL:gemini://x/y", Host: "me", Port: 7}},
		{"gopher://g/", Item{Type: '1', Host: "g", Port: 70}},
		{"gopher://g:7070/1/phlog", Item{Type: '1', Selector: "/phlog", Host: "g", Port: 7070}},
		{"gopher://g/7/search%09terms", Item{Type: '7', Selector: "/search", Host: "g", Port: 70}},
		{"gopher://g/0/a?b", Item{Type: '0', Selector: "/a?b", Host: "g", Port: 70}},
		{"gopher:///0/x", Item{Type: 'h', Selector: "URL:gopher:///0/x", Host: "me", Port: 7}},
		{"gopher://g:99999/", Item{Type: 'h', Selector: "URL:gopher://g:99999/", Host: "me", Port: 7}},
		{"mailto:a@b", Item{Type: 'h', Selector: "URL:mailto:a@b", Host: "me", Port: 7}},
		// Type bytes that servers read as directives never become items.
		{"gopher://g/=rm -rf", Item{Type: 'h', Selector: "URL:gopher://g/=rm -rf", Host: "me", Port: 7}},
		{"gopher://g/.x", Item{Type: 'h', Selector: "URL:gopher://g/.x", Host: "me", Port: 7}},
		{"gopher://g/*x", Item{Type: 'h', Selector: "URL:gopher://g/*x", Host: "me", Port: 7}},
		{"gopher://g/%23x", Item{Type: 'h', Selector: "URL:gopher://g/%23x", Host: "me", Port: 7}},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			if got := DefaultItem(tt.url, "me", 7); got != tt.want {
				t.Errorf("DefaultItem(%q) = %+v, want %+v", tt.url, got, tt.want)
			}
		})
	}
}

func TestWrap(t *testing.T) {
	tests := []struct {
		name, text  string
		width       int
		first, rest string
		want        []string
	}{
		{"fits", "a b", 10, "", "", []string{"a b"}},
		{"breaks at space", "aaa bbb ccc", 7, "", "", []string{"aaa bbb", "ccc"}},
		{"spaces collapse", "a    b  ", 10, "", "", []string{"a b"}},
		{"empty", "", 10, "* ", "  ", []string{"*"}},
		{"long word fills line then cuts", "ab cdefghijkl", 6, "", "", []string{"ab cde", "fghijk", "l"}},
		{"wide rune not split", "a日日日", 4, "", "", []string{"a日", "日日"}},
		{"combining mark stays", "e\u0301e\u0301e\u0301", 2, "", "", []string{"e\u0301e\u0301", "e\u0301"}},
		{"hanging prefix", "aa bb cc", 7, "- ", "  ", []string{"- aa bb", "  cc"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := wrap(tt.text, tt.width, tt.first, tt.rest)
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("wrap(%q, %d) = %q, want %q", tt.text, tt.width, got, tt.want)
			}
		})
	}
}

func TestWrapIndented(t *testing.T) {
	got := wrapIndented("  * child item wraps here", 20)
	want := []string{"  * child item wraps", "    here"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("got %q, want %q", got, want)
	}
	got = wrapIndented("12. numbered item that wraps", 20)
	want = []string{"12. numbered item", "    that wraps"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("got %q, want %q", got, want)
	}
}

// checkMenuView asserts the properties every menu view must have.
func checkMenuView(t *testing.T, out []byte) {
	t.Helper()
	if err := gophertest.LintMenu(out); err != nil {
		t.Fatalf("menu view fails LintMenu: %v\n%q", err, out)
	}
}

// checkTextView asserts the properties every text view must have: CRLF
// endings only, no line exactly ".", every line within width except
// preformatted lines of src and the References URLs.
func checkTextView(t *testing.T, src, out []byte, width int) {
	t.Helper()
	s := string(out)
	if s != "" && !strings.HasSuffix(s, "\r\n") {
		t.Fatalf("text view does not end with CRLF: %q", s)
	}
	lines := strings.Split(strings.TrimSuffix(s, "\r\n"), "\r\n")
	pre := preLines(src)
	refs := len(lines)
	for i := len(lines) - 1; i >= 2; i-- {
		if lines[i] == "----------" && lines[i-1] == "References" {
			refs = i + 1
			break
		}
	}
	for i, l := range lines {
		if strings.ContainsAny(l, "\r\n") {
			t.Fatalf("line %d has a bare CR or LF: %q", i+1, l)
		}
		if l == "." {
			t.Fatalf("line %d is exactly \".\"", i+1)
		}
		if termwidth.String(l) <= width || pre[l] || (i >= refs && strings.HasPrefix(l, "[")) {
			continue
		}
		t.Fatalf("line %d is %d columns, over %d: %q", i+1, termwidth.String(l), width, l)
	}
}

// preLines returns the preformatted lines of src as the text view prints
// them (scrubbed, neutraliser removed), which may exceed the width.
func preLines(src []byte) map[string]bool {
	m := map[string]bool{}
	pre := false
	for l := range strings.SplitSeq(string(src), "\n") {
		l = strings.TrimSuffix(l, "\r")
		if strings.HasPrefix(l, "```") {
			pre = !pre
			continue
		}
		if pre {
			m[scrubPre(gemtext.Unescape(l))] = true
		}
	}
	return m
}

// TestTextViewNumbersAboveFootnotes: converted Markdown marks footnotes
// [1], [2]; link references must not reuse those numbers.
func TestTextViewNumbersAboveFootnotes(t *testing.T) {
	src := "A claim.[1] Another.[2]\n=> https://example.org/a Source\n\n-----\n[1] First note.\n[2] Second note.\n```\n[99] in a code block does not count\n```\n"
	var b strings.Builder
	if err := TextView(&b, []byte(src), RenderOptions{}); err != nil {
		t.Fatal(err)
	}
	got := b.String()
	for _, want := range []string{"[3] Source\r\n", "[3] https://example.org/a\r\n", "[1] First note.\r\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("text view lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "[1] https://") || strings.Contains(got, "[100]") {
		t.Errorf("reference numbers collide with footnotes or count code:\n%s", got)
	}
}
