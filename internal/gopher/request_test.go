package gopher

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParseRequest(t *testing.T) {
	tests := []struct {
		name    string
		line    string
		want    Request
		wantErr error
	}{
		{"empty is root", "\r\n", Request{}, nil},
		{"no line ending", "/posts/a", Request{Selector: "/posts/a"}, nil},
		{"crlf", "/posts/a\r\n", Request{Selector: "/posts/a"}, nil},
		{"bare lf", "/posts/a\n", Request{Selector: "/posts/a"}, nil},
		{"search", "/search\tgo generics\r\n", Request{Selector: "/search", Search: "go generics"}, nil},
		{"gopher+", "/x\t\t+\r\n", Request{Selector: "/x", Plus: "+"}, nil},
		{"dot dot passes through", "../../etc/passwd\r\n", Request{Selector: "../../etc/passwd"}, nil},
		{"utf8 selector", "/tags/日本\r\n", Request{Selector: "/tags/日本"}, nil},
		{"exactly 1024", strings.Repeat("a", 1024) + "\r\n", Request{Selector: strings.Repeat("a", 1024)}, nil},
		{"1025", strings.Repeat("a", 1025) + "\r\n", Request{}, ErrRequestTooLong},
		{"nul", "/a\x00b\r\n", Request{}, ErrBadRequest},
		{"escape", "/a\x1b[2J\r\n", Request{}, ErrBadRequest},
		{"inner cr", "/a\rb\r\n", Request{}, ErrBadRequest},
		{"del", "/a\x7f\r\n", Request{}, ErrBadRequest},
		{"c1", "/a\u0085\r\n", Request{}, ErrBadRequest},
		{"invalid utf8", "/a\xff\r\n", Request{}, ErrBadRequest},
		{"three tabs", "/a\tb\tc\td\r\n", Request{}, ErrBadRequest},
		{"control in search", "/a\tb\x01\r\n", Request{}, ErrBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseRequest([]byte(tt.line))
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("ParseRequest(%q) error = %v, want %v", tt.line, err, tt.wantErr)
				}
				if strings.ContainsAny(err.Error(), "\x00\x1b\x7f") || !utf8.ValidString(err.Error()) {
					t.Errorf("error %q echoes raw bytes", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseRequest(%q): %v", tt.line, err)
			}
			if got.Selector != tt.want.Selector || got.Search != tt.want.Search || got.Plus != tt.want.Plus {
				t.Errorf("ParseRequest(%q) = %+v, want %+v", tt.line, *got, tt.want)
			}
			if got.Context() == nil {
				t.Error("Context() is nil")
			}
		})
	}
}
