package gopher

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"broadside/internal/gopher/gophertest"
	"broadside/internal/termwidth"
)

func TestScrub(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"a\tb\rc\nd\x00e", "a b c d e"},
		{"esc\x1b[2J", "esc [2J"},
		{"del\x7f c1\u0085", "del  c1 "},
		{"bad\xffutf8", "bad\ufffdutf8"},
		{"日本 e\u0301", "日本 e\u0301"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := Scrub(tt.in); got != tt.want {
				t.Errorf("Scrub(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestDisplay(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"short", "Title", "Title"},
		{"ascii cut", strings.Repeat("a", 80), strings.Repeat("a", 70)},
		{"cjk cut on rune", "x" + strings.Repeat("日", 40), "x" + strings.Repeat("日", 34)},
		{"tab scrubbed", "a\tb", "a b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Display(tt.in)
			if got != tt.want {
				t.Errorf("Display(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if w := termwidth.String(got); w > DisplayWidth {
				t.Errorf("Display width %d", w)
			}
		})
	}
}

func TestMenuWriteTo(t *testing.T) {
	m := Menu{Host: "example.org", Port: 7070}
	m.Info("Welcome")
	m.Link(TypeMenu, "Tag\tevil\r\n.", "/tags/x\tinjected\r\n")
	m.Link(TypeText, strings.Repeat("é", 75), "/posts/a.txt")
	m.Add(Item{Type: TypeHTML, Display: "Web", Selector: "URL:https://e.com/", Host: "example.org", Port: 7070})
	m.Error("Not\x00found")
	var buf bytes.Buffer
	n, err := m.WriteTo(&buf)
	if err != nil {
		t.Fatal(err)
	}
	want := "iWelcome\t\terror.host\t1\r\n" +
		"1Tag evil  .\t/tags/x injected  \texample.org\t7070\r\n" +
		"0" + strings.Repeat("é", 70) + "\t/posts/a.txt\texample.org\t7070\r\n" +
		"hWeb\tURL:https://e.com/\texample.org\t7070\r\n" +
		"3Not found\t\terror.host\t1\r\n" +
		".\r\n"
	if got := buf.String(); got != want {
		t.Errorf("WriteTo\n got %q\nwant %q", got, want)
	}
	if n != int64(buf.Len()) {
		t.Errorf("WriteTo returned %d, wrote %d", n, buf.Len())
	}
	if err := gophertest.LintMenu(buf.Bytes()); err != nil {
		t.Error(err)
	}
}

func TestMenuWriteToRefusesBadItems(t *testing.T) {
	m := Menu{}
	m.Link(TypeText, "no host", "/x") // zero Host and Port
	m.Add(Item{Type: '\t', Display: "tab type", Host: "h", Port: 70})
	m.Add(Item{Type: '0', Display: "big port", Host: "h", Port: 70000})
	var buf bytes.Buffer
	_, err := m.WriteTo(&buf)
	if err == nil {
		t.Fatal("WriteTo accepted bad items")
	}
	for _, want := range []string{"item 1", "empty host", "port 0", "item 2", "not printable", "item 3", "port 70000"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	if buf.Len() != 0 {
		t.Errorf("WriteTo wrote %q despite the error", buf.String())
	}
}

func TestMenuErrorHost(t *testing.T) {
	m := Menu{ErrorHost: "err.example"}
	m.Info("x")
	var buf bytes.Buffer
	if _, err := m.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	if got, want := buf.String(), "ix\t\terr.example\t1\r\n.\r\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestLintMenu(t *testing.T) {
	tests := []struct {
		name    string
		menu    string
		wantErr string // "" means valid
	}{
		{"empty menu", ".\r\n", ""},
		{"good", "iHello\t\terror.host\t1\r\n0Post\t/p.txt\texample.org\t70\r\n.\r\n", ""},
		{"wide display ok at 70", "i" + strings.Repeat("日", 35) + "\t\terror.host\t1\r\n.\r\n", ""},
		{"no terminator", "iHello\t\terror.host\t1\r\n", "missing final"},
		{"nothing", "", "missing final"},
		{"bare LF", "iHello\t\terror.host\t1\n.\r\n", "line 1: ends with a bare LF"},
		{"terminator without CRLF", "iHello\t\terror.host\t1\r\n.", "line 2: no line feed"},
		{"data after terminator", ".\r\niX\t\th\t1\r\n", "line 2: data after"},
		{"three fields", "iHello\t\terror.host\r\n.\r\n", "line 1: 3 TAB-separated fields"},
		{"five fields", "0a\tb\tc\t70\t+\r\n.\r\n", "5 TAB-separated fields"},
		{"port zero", "0a\tb\th\t0\r\n.\r\n", "port \"0\""},
		{"port text", "0a\tb\th\tseventy\r\n.\r\n", "port \"seventy\""},
		{"port leading zero", "0a\tb\th\t070\r\n.\r\n", "port \"070\""},
		{"empty host", "0a\tb\t\t70\r\n.\r\n", "empty host"},
		{"NUL", "0a\x00\tb\th\t70\r\n.\r\n", "NUL byte"},
		{"stray CR", "0a\rb\tb\th\t70\r\n.\r\n", "stray CR"},
		{"escape", "0a\x1b[m\tb\th\t70\r\n.\r\n", "control character U+001B in display"},
		{"invalid utf8", "0a\xff\tb\th\t70\r\n.\r\n", "invalid UTF-8"},
		{"display too wide", "i" + strings.Repeat("x", 71) + "\t\th\t1\r\n.\r\n", "71 columns"},
		{"empty line", "\r\n.\r\n", "line 1: empty line"},
		{"unprintable type", "\x01a\tb\th\t70\r\n.\r\n", "type byte 0x1"},
		{"second problem on line 3", "iok\t\th\t1\r\n0a\tb\th\t70\r\n0c\td\th\t0\r\n.\r\n", "line 3: port"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := gophertest.LintMenu([]byte(tt.menu))
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("gophertest.LintMenu(%q) = %v, want nil", tt.menu, err)
			case tt.wantErr != "" && err == nil:
				t.Errorf("gophertest.LintMenu(%q) = nil, want error with %q", tt.menu, tt.wantErr)
			case tt.wantErr != "" && !strings.Contains(err.Error(), tt.wantErr):
				t.Errorf("gophertest.LintMenu(%q) = %v, want it to mention %q", tt.menu, err, tt.wantErr)
			}
		})
	}
}

func TestLintMenuReportsAllProblems(t *testing.T) {
	err := gophertest.LintMenu([]byte("0a\tb\th\t0\r\n0a\tb\t\t70\r\n"))
	if err == nil {
		t.Fatal("no error")
	}
	var joined interface{ Unwrap() []error }
	if !errors.As(err, &joined) || len(joined.Unwrap()) != 3 {
		t.Errorf("want 3 joined problems (port, host, terminator), got %v", err)
	}
}

func TestLintWidthAgrees(t *testing.T) {
	long := strings.Repeat("x", DisplayWidth)
	m := Menu{Host: "h", Port: 70}
	m.Info(long)
	var b strings.Builder
	m.WriteTo(&b)
	if err := gophertest.LintMenu([]byte(b.String())); err != nil {
		t.Errorf("a full-width display fails lint: %v", err)
	}
	if err := gophertest.LintMenu([]byte("i" + long + "x\t\th\t1\r\n.\r\n")); err == nil {
		t.Error("lint accepts a display one column over DisplayWidth")
	}
}
