package gemini

import (
	"bytes"
	"context"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestParseTitan(t *testing.T) {
	hosts := []string{"example.org"}
	tests := []struct {
		line   string
		status Status
		path   string
		mime   string
		size   int64
		token  string
	}{
		{"titan://example.org/posts/a.md;mime=text/markdown;size=12", 0, "/posts/a.md", "text/markdown", 12, ""},
		{"titan://example.org/posts/a.md;size=0;token=s%20ecret", 0, "/posts/a.md", "text/gemini", 0, "s ecret"},
		{"titan://example.org/caf%C3%A9.gmi;size=3;mime=Text/Gemini;%20charset=utf-8", 0, "/café.gmi", "text/gemini", 3, ""},
		{"titan://example.org:1965/a;size=1", 0, "/a", "text/gemini", 1, ""},
		{"titan://example.org/a%3Bb.md;size=1", 0, "/a;b.md", "text/gemini", 1, ""},
		{"titan://example.org/a.md", StatusBadRequest, "", "", 0, ""},
		{"titan://example.org/a.md;mime=text/plain", StatusBadRequest, "", "", 0, ""},
		{"titan://example.org/a.md;size=-1", StatusBadRequest, "", "", 0, ""},
		{"titan://example.org/a.md;size=12x", StatusBadRequest, "", "", 0, ""},
		{"titan://example.org/a.md;size=012", StatusBadRequest, "", "", 0, ""},
		{"titan://example.org/a.md;size=99999999999999999999", StatusBadRequest, "", "", 0, ""},
		{"titan://example.org/a.md;size=1;mime=text", StatusBadRequest, "", "", 0, ""},
		{"titan://example.org/a.md;size=1?q", StatusBadRequest, "", "", 0, ""},
		{"titan://example.org/../etc/passwd;size=1", StatusBadRequest, "", "", 0, ""},
		{"titan://example.org/%2e%2e/x;size=1", StatusBadRequest, "", "", 0, ""},
		{"titan://other.org/a.md;size=1", StatusProxyRequestRefused, "", "", 0, ""},
		{"titan://example.org:1966/a.md;size=1", StatusProxyRequestRefused, "", "", 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			r, st, meta := parseRequest([]byte(tt.line), hosts, 1965, true)
			if st != tt.status {
				t.Fatalf("status %d %q, want %d", st, meta, tt.status)
			}
			if st != 0 {
				return
			}
			if r.Path != tt.path || r.Upload == nil || r.Upload.Mime != tt.mime || r.Upload.Size != tt.size || r.Upload.Token != tt.token {
				t.Errorf("got path %q upload %+v", r.Path, r.Upload)
			}
		})
	}
	// Without Titan, the scheme is another server's.
	if _, st, _ := ParseRequest([]byte("titan://example.org/a.md;size=1"), hosts, 1965); st != StatusProxyRequestRefused {
		t.Errorf("titan accepted on a server without it: %d", st)
	}
	if r, st, _ := parseRequest([]byte("gemini://example.org/a;size=1"), hosts, 1965, true); st != 0 || r.Upload != nil || r.Path != "/a;size=1" {
		t.Errorf("a gemini request with ; became an upload: %+v", r)
	}
}

// TestUploadOverPipe sends a Titan request and its body through the real
// server: the bytes after the request line, buffered or not, reach the
// handler exactly, and no more than size of them.
func TestUploadOverPipe(t *testing.T) {
	for _, split := range []bool{false, true} {
		var got []byte
		var gotErr error
		h := HandlerFunc(func(w ResponseWriter, r *Request) {
			got, gotErr = io.ReadAll(r.Upload.Body)
			w.WriteHeader(StatusRedirect, "gemini://example.org/a.gmi")
		})
		srv := &Server{Hostnames: []string{"example.org"}, Port: 1965, Handler: h, Titan: true}
		c, s := net.Pipe()
		done := make(chan struct{})
		go func() { srv.ServeConn(context.Background(), s); close(done) }()
		c.SetDeadline(time.Now().Add(5 * time.Second))
		body := strings.Repeat("body ", 2000)
		go func() {
			line := "titan://example.org/a.md;size=" + strconv.Itoa(len(body)) + ";mime=text/markdown\r\n"
			if split {
				io.WriteString(c, line)
				time.Sleep(10 * time.Millisecond)
				io.WriteString(c, body+"EXTRA")
			} else {
				io.WriteString(c, line+body[:100])
				io.WriteString(c, body[100:]+"EXTRA")
			}
		}()
		resp := make([]byte, 64)
		n, _ := io.ReadAtLeast(c, resp, 10)
		c.Close()
		<-done
		if gotErr != nil || !bytes.Equal(got, []byte(body)) {
			t.Errorf("split=%v: handler read %d bytes (%v), want %d", split, len(got), gotErr, len(body))
		}
		if !strings.HasPrefix(string(resp[:n]), "30 gemini://example.org/a.gmi") {
			t.Errorf("response %q", resp[:n])
		}
	}
}
