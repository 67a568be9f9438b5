package gopher

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestWriteText(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"empty", "", ""},
		{"lf", "a\nb\n", "a\r\nb\r\n"},
		{"crlf kept", "a\r\nb\r\n", "a\r\nb\r\n"},
		{"lone cr", "a\rb", "a\r\nb\r\n"},
		{"final newline added", "a", "a\r\n"},
		{"dot line made safe", "a\n.\nb", "a\r\n .\r\nb\r\n"},
		{"dot after dropped control", ".\x00", " .\r\n"},
		{"dot prefix kept", ".hidden\n..", ".hidden\r\n..\r\n"},
		{"controls dropped, tab kept", "a\x1b[31m\tb\x00\x7f\u0085", "a[31m\tb\r\n"},
		{"blank lines kept", "a\n\n\nb", "a\r\n\r\n\r\nb\r\n"},
		{"latin-1 bytes kept", "caf\xe9", "caf\xe9\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteText(&buf, []byte(tt.in)); err != nil {
				t.Fatal(err)
			}
			if got := buf.String(); got != tt.want {
				t.Errorf("WriteText(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteTextError(t *testing.T) {
	if err := WriteText(failWriter{}, []byte("x")); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("WriteText error = %v, want the writer's error", err)
	}
}

func TestRedirectPage(t *testing.T) {
	tests := []struct {
		url     string
		wantErr bool
		want    string // substring of the page
	}{
		{"https://example.com/a?b=1&c=2", false, `content="0; url=https://example.com/a?b=1&amp;c=2"`},
		{"http://example.com/\"><script>alert(1)</script>", false, `href="http://example.com/&#34;&gt;&lt;script&gt;`},
		{"gemini://example.org/", false, `<a href="gemini://example.org/">`},
		{"gopher://example.org/1/", false, `gopher://example.org/1/`},
		{"mailto:a@example.org", false, `mailto:a@example.org`},
		{"HTTPS://EXAMPLE.COM/", false, `HTTPS://EXAMPLE.COM/`},
		{"javascript:alert(1)", true, ""},
		{"data:text/html,x", true, ""},
		{"file:///etc/passwd", true, ""},
		{"/relative", true, ""},
		{"https:///nohost", true, ""},
		{"mailto:", true, ""},
		{"https://e.com/a b", true, ""},
		{"https://e.com/\nx", true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			page, err := RedirectPage(tt.url)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("RedirectPage(%q) accepted", tt.url)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(page), tt.want) {
				t.Errorf("page lacks %q:\n%s", tt.want, page)
			}
			if strings.Contains(string(page), "<script>") {
				t.Errorf("page contains unescaped markup:\n%s", page)
			}
		})
	}
	if _, err := RedirectPage("javascript:x"); !errors.Is(err, ErrSchemeNotAllowed) {
		t.Errorf("javascript: error %v does not wrap ErrSchemeNotAllowed", err)
	}
}
