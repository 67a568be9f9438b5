package gemini

import (
	"bytes"
	"path"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestParseRequest checks what a valid request carries and a few host and
// port rules the protocol table does not reach.
func TestParseRequest(t *testing.T) {
	hosts := []string{"Example.org", "[2001:db8::1]", "127.0.0.1"}
	tests := []struct {
		name      string
		line      string
		port      int
		wantHost  string
		wantPath  string
		wantQuery string
		status    Status
	}{
		{name: "empty path", line: "gemini://example.org", wantHost: "example.org", wantPath: "/"},
		{name: "trailing slash kept", line: "gemini://example.org/a/b/", wantHost: "example.org", wantPath: "/a/b/"},
		{name: "slashes collapsed", line: "gemini://example.org//a///b", wantHost: "example.org", wantPath: "/a/b"},
		{name: "unescaped", line: "gemini://example.org/caf%C3%A9%20au%20lait.gmi", wantHost: "example.org", wantPath: "/café au lait.gmi"},
		{name: "raw utf-8 path", line: "gemini://example.org/café", wantHost: "example.org", wantPath: "/café"},
		{name: "raw utf-8 and encoded slash", line: "gemini://example.org/é%2Fx", status: StatusBadRequest},
		{name: "hidden file is the router's business", line: "gemini://example.org/.well-known/x", wantHost: "example.org", wantPath: "/.well-known/x"},
		{name: "dots inside a name", line: "gemini://example.org/a..b/...", wantHost: "example.org", wantPath: "/a..b/..."},
		{name: "query kept for the handler", line: "gemini://example.org/search?a%20b", wantHost: "example.org", wantPath: "/search", wantQuery: "a%20b"},
		{name: "configured host case-insensitive", line: "gemini://EXAMPLE.ORG/", wantHost: "example.org", wantPath: "/"},
		{name: "ipv6 configured with brackets", line: "gemini://[2001:DB8:0::1]/", wantHost: "2001:db8:0::1", wantPath: "/"},
		{name: "ipv4", line: "gemini://127.0.0.1/", wantHost: "127.0.0.1", wantPath: "/"},
		{name: "public port", line: "gemini://example.org:7000/", port: 7000, wantHost: "example.org", wantPath: "/"},
		{name: "port left out means 1965", line: "gemini://example.org/", port: 7000, status: StatusProxyRequestRefused},
		{name: "empty port means 1965", line: "gemini://example.org:/", wantHost: "example.org", wantPath: "/"},
		{name: "bad ipv6 literal", line: "gemini://[::1/", status: StatusBadRequest},
		{name: "subdomain is another host", line: "gemini://www.example.org/", status: StatusProxyRequestRefused},
		{name: "1025 bytes", line: "gemini://example.org/" + strings.Repeat("x", 1025-21), status: StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, st, meta := ParseRequest([]byte(tt.line), hosts, tt.port)
			if st != tt.status {
				t.Fatalf("status = %d %q, want %d", st, meta, tt.status)
			}
			if tt.status != 0 {
				if r != nil || meta == "" {
					t.Errorf("rejected request: got request %v, meta %q; want nil and a META", r, meta)
				}
				return
			}
			if r.Host != tt.wantHost || r.Path != tt.wantPath || r.URL.RawQuery != tt.wantQuery {
				t.Errorf("got host %q path %q query %q, want %q %q %q", r.Host, r.Path, r.URL.RawQuery, tt.wantHost, tt.wantPath, tt.wantQuery)
			}
			if r.Context() == nil {
				t.Error("nil context")
			}
		})
	}
}

// TestParseRequestAnyHost checks that an empty host list accepts any host.
func TestParseRequestAnyHost(t *testing.T) {
	if _, st, meta := ParseRequest([]byte("gemini://anything.test/"), nil, 0); st != 0 {
		t.Errorf("got %d %s, want accepted", st, meta)
	}
}

// FuzzParseRequest asserts ParseRequest's contract on any input: the status
// is a defined code, a rejection has a META, and an accepted request came
// from a line with no '#', no userinfo, valid UTF-8, no control byte, at
// most 1024 bytes, and has a clean rooted Path without ".." or NUL.
func FuzzParseRequest(f *testing.F) {
	for _, s := range []string{
		"gemini://localhost/", "gemini://localhost", "gemini://localhost:1965/a/b/", "gemini://LOCALHOST/x?y",
		"gemini://localhost/../../", "gemini://localhost/%2e%2e/", "gemini://localhost/a%2fb", "gemini://user@localhost/",
		"gemini://localhost/#x", "gemini://[::1]/", "//localhost/", "/", "", "Hello Gemini!", "\uFEFFgemini://localhost/",
		"gemini://localhost/\x00", "gemini://localhost//a//", "https://localhost/", "gemini://localhost/%ff", "gemini://localhost/é",
	} {
		f.Add([]byte(s))
	}
	hosts := []string{"localhost", "::1"}
	f.Fuzz(func(t *testing.T, line []byte) {
		r, st, meta := ParseRequest(line, hosts, 0)
		if r == nil {
			if !st.Valid() || (st != StatusBadRequest && st != StatusProxyRequestRefused) {
				t.Fatalf("rejection status %d", st)
			}
			if meta == "" || len(meta) > MaxMetaLength || strings.ContainsAny(meta, "\r\n") {
				t.Fatalf("bad META %q", meta)
			}
			return
		}
		if st != 0 || meta != "" {
			t.Fatalf("accepted request with status %d %q", st, meta)
		}
		if len(line) > MaxRequestLength || !utf8.Valid(line) || bytes.IndexByte(line, '#') >= 0 {
			t.Fatalf("accepted %q: too long, invalid UTF-8 or fragment", line)
		}
		if bytes.ContainsFunc(line, func(r rune) bool { return isControl(r) || r == ' ' }) {
			t.Fatalf("accepted %q with a control byte or space", line)
		}
		if r.URL.User != nil || strings.Contains(authority(string(line)), "@") {
			t.Fatalf("accepted %q with userinfo", line)
		}
		p := r.Path
		if !strings.HasPrefix(p, "/") || strings.IndexByte(p, 0) >= 0 || !utf8.ValidString(p) {
			t.Fatalf("path %q from %q: not rooted, has NUL or invalid UTF-8", p, line)
		}
		if c := path.Clean(p); c != p && c+"/" != p {
			t.Fatalf("path %q from %q is not clean (%q)", p, line, c)
		}
		for seg := range strings.SplitSeq(p, "/") {
			if seg == ".." || seg == "." {
				t.Fatalf("path %q from %q has a dot segment", p, line)
			}
		}
		if r.Host == "" || (r.Host != "localhost" && r.Host != "::1" && !strings.Contains(r.Host, ":")) {
			t.Fatalf("accepted host %q from %q", r.Host, line)
		}
	})
}

// authority returns the raw authority of an absolute URI: what follows
// "//" up to the path or query.
func authority(uri string) string {
	_, rest, ok := strings.Cut(uri, "//")
	if !ok {
		return ""
	}
	if i := strings.IndexAny(rest, "/?"); i >= 0 {
		rest = rest[:i]
	}
	return rest
}

// BenchmarkParseRequest measures validating a typical request line.
func BenchmarkParseRequest(b *testing.B) {
	line := []byte("gemini://localhost/posts/2022-01-07-some-article.gmi")
	hosts := []string{"localhost"}
	b.ReportAllocs()
	for b.Loop() {
		if r, st, _ := ParseRequest(line, hosts, 0); r == nil {
			b.Fatal(st)
		}
	}
}
