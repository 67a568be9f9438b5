package gemini

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"
)

// TestResponseWriter checks the header rules a handler cannot break.
func TestResponseWriter(t *testing.T) {
	long := strings.Repeat("é", 600) // 1200 bytes
	tests := []struct {
		name  string
		write func(w ResponseWriter)
		want  string
	}{
		{"body without header", func(w ResponseWriter) { w.Write([]byte("hi")) }, "20 text/gemini; charset=utf-8\r\nhi"},
		{"explicit type", func(w ResponseWriter) {
			w.WriteHeader(StatusSuccess, "text/plain; charset=utf-8")
			w.Write([]byte("x"))
		}, "20 text/plain; charset=utf-8\r\nx"},
		{"second header ignored", func(w ResponseWriter) {
			w.WriteHeader(StatusNotFound, "")
			w.WriteHeader(StatusSuccess, "text/plain")
		}, "51 Not found\r\n"},
		{"no body after 51", func(w ResponseWriter) {
			w.WriteHeader(StatusNotFound, "gone fishing")
			if _, err := w.Write([]byte("body")); !errors.Is(err, ErrBodyNotAllowed) {
				t.Errorf("Write after 51 = %v, want ErrBodyNotAllowed", err)
			}
		}, "51 gone fishing\r\n"},
		{"undefined status becomes 40", func(w ResponseWriter) { w.WriteHeader(Status(99), "x") }, "40 Temporary failure\r\n"},
		{"slow down default", func(w ResponseWriter) { w.WriteHeader(StatusSlowDown, "") }, "44 10\r\n"},
		{"header injection stripped", func(w ResponseWriter) { w.WriteHeader(StatusRedirect, "/a\r\n20 text/html") }, "30 /a20 text/html\r\n"},
		{"long meta cut on rune boundary", func(w ResponseWriter) { w.WriteHeader(StatusTemporaryFailure, long) }, "40 " + long[:1024] + "\r\n"},
		{"invalid utf-8 meta repaired", func(w ResponseWriter) { w.WriteHeader(StatusTemporaryFailure, "a\xffb") }, "40 a\uFFFDb\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			w := newResponse(&out, slog.New(slog.DiscardHandler))
			tt.write(w)
			if err := w.flush(); err != nil {
				t.Fatal(err)
			}
			if out.String() != tt.want {
				t.Errorf("got %q, want %q", out.String(), tt.want)
			}
		})
	}
}

// TestStatus checks classes and that exactly the defined codes are valid.
func TestStatus(t *testing.T) {
	defined := map[Status]bool{10: true, 11: true, 20: true, 30: true, 31: true, 40: true, 41: true, 42: true, 43: true,
		44: true, 50: true, 51: true, 52: true, 53: true, 59: true, 60: true, 61: true, 62: true}
	for s := Status(0); s < 100; s++ {
		if s.Valid() != defined[s] {
			t.Errorf("Status(%d).Valid() = %v", s, s.Valid())
		}
	}
	for s, want := range map[Status]int{StatusInput: 10, StatusSensitiveInput: 10, StatusNotFound: 50, StatusBadRequest: 50, StatusCertificateNotValid: 60} {
		if s.Class() != want {
			t.Errorf("Status(%d).Class() = %d, want %d", s, s.Class(), want)
		}
	}
}
