package gemini

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"broadside/internal/netserve"
)

// TestProtocolTable sends every request row of PROTOCOL.md through the
// real connection code (TLS over net.Pipe) and checks the exact header,
// that non-20 answers have no body, and that the connection then ends with
// close_notify.
func TestProtocolTable(t *testing.T) {
	const ok = "20 text/gemini; charset=utf-8; lang=en"
	prefix := "gemini://" + testHost + "/"
	tests := []struct {
		name string
		line string // sent as is: include the line ending
		want string // response header
	}{
		{"root", "gemini://localhost/\r\n", ok},
		{"empty path no redirect", "gemini://localhost\r\n", ok},
		{"explicit own port", "gemini://localhost:1965/\r\n", ok},
		{"explicit own port empty path", "gemini://localhost:1965\r\n", ok},
		{"index", "gemini://localhost/index.gmi\r\n", ok},
		{"duplicate slashes collapsed", "gemini://localhost//index.gmi\r\n", ok},
		{"upper-case host", "gemini://LOCALHOST/\r\n", ok},
		{"upper-case scheme", "GEMINI://localhost/\r\n", ok},
		{"trailing dot host", "gemini://localhost./\r\n", ok},
		{"ipv6 host", "gemini://[::1]/\r\n", ok},
		{"ipv6 host long form with port", "gemini://[0:0:0:0:0:0:0:1]:1965/\r\n", ok},
		{"absent", "gemini://localhost/missing\r\n", "51 Not found"},
		{"uri of exactly 1024 bytes", prefix + strings.Repeat("a", 1024-len(prefix)) + "\r\n", "51 Not found"},
		{"uri of 1025 bytes", prefix + strings.Repeat("a", 1025-len(prefix)) + "\r\n", "59 request too long"},
		{"64 KB line", prefix + strings.Repeat("a", 64<<10) + "\r\n", "59 request too long"},
		{"empty line", "\r\n", "59 empty request"},
		{"relative", "/\r\n", "59 not an absolute URI"},
		{"no scheme", "//localhost/\r\n", "59 not an absolute URI"},
		{"hello gemini", "Hello Gemini!\r\n", "59 invalid character in request"},
		{"garbage word", "HelloGemini\r\n", "59 not an absolute URI"},
		{"opaque gemini uri", "gemini:localhost\r\n", "59 not an absolute URI"},
		{"no host", "gemini:///index.gmi\r\n", "59 not an absolute URI"},
		{"userinfo", "gemini://user@localhost/\r\n", "59 userinfo not allowed"},
		{"userinfo with password", "gemini://user:pw@localhost/\r\n", "59 userinfo not allowed"},
		{"fragment", "gemini://localhost/#x\r\n", "59 fragment not allowed"},
		{"empty fragment", "gemini://localhost/#\r\n", "59 fragment not allowed"},
		{"fragment in query", "gemini://localhost/?a#b\r\n", "59 fragment not allowed"},
		{"invalid utf-8", "gemini://localhost/\xff\r\n", "59 request is not valid UTF-8"},
		{"leading bom", "\uFEFFgemini://localhost/\r\n", "59 byte order mark not allowed"},
		{"nul", "gemini://localhost/\x00\r\n", "59 invalid character in request"},
		{"escape control", "gemini://localhost/\x1b[31m\r\n", "59 invalid character in request"},
		{"del", "gemini://localhost/\x7f\r\n", "59 invalid character in request"},
		{"tab", "gemini://localhost/\tx\r\n", "59 invalid character in request"},
		{"c1 control", "gemini://localhost/\u0085\r\n", "59 invalid character in request"},
		{"stray cr", "gemini://localhost/\rx\r\n", "59 invalid character in request"},
		{"dot dot", "gemini://localhost/../../\r\n", "59 invalid path"},
		{"dot dot without slash", "gemini://localhost/..\r\n", "59 invalid path"},
		{"encoded dot dot", "gemini://localhost/%2e%2e/\r\n", "59 invalid path"},
		{"encoded upper-case dot dot", "gemini://localhost/%2E%2E/%2e%2e/etc/passwd\r\n", "59 invalid path"},
		{"mixed encoded dot dot", "gemini://localhost/.%2e/\r\n", "59 invalid path"},
		{"dot segment", "gemini://localhost/a/./index.gmi\r\n", "59 invalid path"},
		{"encoded slash", "gemini://localhost/..%2f..%2fetc\r\n", "59 invalid path"},
		{"encoded nul", "gemini://localhost/a%00\r\n", "59 invalid path"},
		{"encoded invalid utf-8", "gemini://localhost/%ff\r\n", "59 invalid path"},
		{"bad percent escape", "gemini://localhost/%zz\r\n", "59 malformed URI"},
		{"other host", "gemini://example.org/\r\n", "53 host not served here"},
		{"other ipv6 host", "gemini://[::2]/\r\n", "53 host not served here"},
		{"other port", "gemini://localhost:1966/\r\n", "53 port not served here"},
		{"port out of range", "gemini://localhost:99999999999999999999/\r\n", "53 port not served here"},
		{"http", "http://localhost/\r\n", "53 scheme not served here"},
		{"https", "https://localhost/\r\n", "53 scheme not served here"},
		{"gopher", "gopher://localhost/\r\n", "53 scheme not served here"},
		{"titan", "titan://localhost/\r\n", "53 scheme not served here"},
		{"mailto", "mailto:a@localhost\r\n", "53 scheme not served here"},
		{"lf without cr", "gemini://localhost/\n", "59 request line must end with CRLF"},
	}
	s := newTLSTestServer(testHandler())
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := pipeRoundTrip(t, s, []byte(tt.line))
			if !got.closeNotify {
				t.Errorf("connection did not end with close_notify (read error %v)", got.err)
			}
			if got.header != tt.want {
				t.Errorf("header = %q, want %q", got.header, tt.want)
			}
			if strings.HasPrefix(tt.want, "20 ") {
				if string(got.body) != "# Hello\n" {
					t.Errorf("body = %q, want %q", got.body, "# Hello\n")
				}
			} else if len(got.body) != 0 {
				t.Errorf("non-20 response has a body: %q", got.body)
			}
		})
	}
}

// TestReadTimeout checks that a client that sends nothing is disconnected
// once ReadTimeout passes, with TLS (close_notify) and without.
func TestReadTimeout(t *testing.T) {
	for _, useTLS := range []bool{true, false} {
		name := map[bool]string{true: "tls", false: "plain"}[useTLS]
		t.Run(name, func(t *testing.T) {
			var logs syncBuffer
			s := newTestServer(testHandler())
			if useTLS {
				s = newTLSTestServer(testHandler())
			}
			s.Settings.ReadTimeout = 200 * time.Millisecond
			s.Logger = newJSONLogger(&logs)
			cp, sp := net.Pipe()
			var srvConn, cli net.Conn = sp, cp
			spy := &rawEOFSpy{Conn: cp}
			if useTLS {
				tc := tls.Client(spy, &tls.Config{InsecureSkipVerify: true})
				cli = tc
				go tc.Handshake() // the handshake completes; no request follows
			}
			defer cli.Close()
			done := make(chan struct{})
			go func() {
				s.ServeConn(context.Background(), srvConn)
				close(done)
			}()
			cli.SetDeadline(time.Now().Add(testBound))
			all, err := io.ReadAll(cli)
			if err != nil {
				t.Fatalf("read: %v (want a clean close from the server)", err)
			}
			if len(all) != 0 {
				t.Errorf("silent client got %q, want nothing", all)
			}
			if useTLS && spy.failed.Load() {
				t.Error("connection closed without close_notify")
			}
			cli.Close()
			select {
			case <-done:
			case <-time.After(testBound):
				t.Fatal("ServeConn did not return")
			}
			rec := lastRecord(t, &logs)
			if rec["status"] != "timeout" || rec["error"] == nil || rec["request"] != "" {
				t.Errorf("access log = %v, want status timeout, no request and an error", rec)
			}
		})
	}
}

// TestHandlerPanic checks that a panic before the header becomes 40, a
// panic mid-body ends the connection without close_notify (the client
// sees truncation), and the server keeps serving after both.
func TestHandlerPanic(t *testing.T) {
	var logs syncBuffer
	s := newTLSTestServer(testHandler())
	s.Logger = newJSONLogger(&logs)

	got := pipeRoundTrip(t, s, []byte("gemini://localhost/panic\r\n"))
	if got.header != "40 Temporary failure" || len(got.body) != 0 || !got.closeNotify {
		t.Errorf("panic before header: got %+v, want 40 with no body and a clean close", got)
	}
	if !strings.Contains(logs.String(), `"msg":"handler panic"`) || strings.Contains(got.header, "boom") {
		t.Errorf("panic not logged, or leaked to the client: %s", logs.String())
	}

	got = pipeRoundTrip(t, s, []byte("gemini://localhost/panic-late\r\n"))
	if got.closeNotify {
		t.Errorf("panic mid-body: connection ended with close_notify, want a bare close so the client can tell the body was cut")
	}

	got = pipeRoundTrip(t, s, []byte("gemini://localhost/\r\n"))
	if got.header != "20 text/gemini; charset=utf-8; lang=en" || !got.closeNotify {
		t.Errorf("after panics: got %+v, want 20", got)
	}
}

// TestAccessLog checks one "request" record per request with the keys
// both protocols share, the client address only when asked for, and
// search queries left out.
func TestAccessLog(t *testing.T) {
	for _, withAddr := range []bool{false, true} {
		name := map[bool]string{false: "without client", true: "with client"}[withAddr]
		t.Run(name, func(t *testing.T) {
			var logs syncBuffer
			s := newTLSTestServer(testHandler())
			s.Logger = newJSONLogger(&logs)
			s.Settings.ClientAddr = netserve.AddrNone
			if withAddr {
				s.Settings.ClientAddr = netserve.AddrFull
			}
			pipeRoundTrip(t, s, []byte("gemini://localhost/index.gmi\r\n"))
			pipeRoundTrip(t, s, []byte("gemini://localhost/../x\r\n"))
			pipeRoundTrip(t, s, []byte("gemini://localhost/search?my+secret\r\n"))
			lines := logs.lines()
			if len(lines) != 3 {
				t.Fatalf("got %d log lines, want 3:\n%s", len(lines), logs.String())
			}
			header := "20 text/gemini; charset=utf-8; lang=en\r\n"
			want := []map[string]any{
				{"msg": "request", "proto": "gemini", "request": "gemini://localhost/index.gmi", "status": "20", "bytes": float64(len(header + "# Hello\n"))},
				{"msg": "request", "proto": "gemini", "request": "gemini://localhost/../x", "status": "59", "bytes": float64(len("59 invalid path\r\n"))},
				{"msg": "request", "proto": "gemini", "request": "gemini://localhost/search?", "status": "51", "bytes": float64(len("51 Not found\r\n"))},
			}
			for i, line := range lines {
				var rec map[string]any
				if err := json.Unmarshal([]byte(line), &rec); err != nil {
					t.Fatal(err)
				}
				for k, v := range want[i] {
					if rec[k] != v {
						t.Errorf("line %d: %s = %v, want %v", i, k, rec[k], v)
					}
				}
				if _, ok := rec["duration"]; !ok {
					t.Errorf("line %d: no duration", i)
				}
				if _, ok := rec["client"]; ok != withAddr {
					t.Errorf("line %d: client present = %v, want %v", i, ok, withAddr)
				}
				if _, ok := rec["error"]; ok {
					t.Errorf("line %d: error for a complete response: %v", i, rec)
				}
			}
		})
	}
}

// TestNilHandler checks the zero Handler answers 51.
func TestNilHandler(t *testing.T) {
	got := pipeRoundTrip(t, newTLSTestServer(nil), []byte("gemini://localhost/\r\n"))
	if got.header != "51 Not found" {
		t.Errorf("header = %q, want 51 Not found", got.header)
	}
}

// TestRequestContextAndState checks what a handler sees of the connection.
func TestRequestContextAndState(t *testing.T) {
	type view struct {
		remote bool
		tls    bool
		host   string
		ctxErr error
	}
	seenc := make(chan view, 1)
	s := newTLSTestServer(HandlerFunc(func(w ResponseWriter, r *Request) {
		seenc <- view{r.RemoteAddr != nil, r.TLS != nil, r.Host, r.Context().Err()}
		w.WriteHeader(StatusSuccess, "text/plain")
	}))
	pipeRoundTrip(t, s, []byte("gemini://LocalHost/\r\n"))
	got := <-seenc
	if want := (view{true, true, "localhost", nil}); got != want {
		t.Errorf("handler saw %+v, want %+v", got, want)
	}
}

// TestServeConnAfterShutdown checks that a closed server does not serve.
func TestServeConnAfterShutdown(t *testing.T) {
	s := newTestServer(testHandler())
	if err := s.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	cp, sp := net.Pipe()
	defer cp.Close()
	go s.ServeConn(context.Background(), sp)
	cp.SetDeadline(time.Now().Add(testBound))
	go cp.Write([]byte("gemini://localhost/\r\n"))
	all, err := io.ReadAll(cp)
	if err != nil || len(all) != 0 {
		t.Errorf("after Shutdown: read %q, %v; want nothing and EOF", all, err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.TLSConfig = &tls.Config{}
	if err := s.Serve(context.Background(), l); !errors.Is(err, ErrServerClosed) {
		t.Errorf("Serve after Shutdown = %v, want ErrServerClosed", err)
	}
}

func lastRecord(t *testing.T, logs *syncBuffer) map[string]any {
	t.Helper()
	lines := logs.lines()
	var rec map[string]any
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &rec); err != nil {
		t.Fatalf("log line %q: %v", lines[len(lines)-1], err)
	}
	return rec
}

// BenchmarkServeConn measures one full request over net.Pipe without TLS:
// read, validate, handle, write, close.
func BenchmarkServeConn(b *testing.B) {
	s := newTestServer(testHandler())
	req := []byte("gemini://localhost/index.gmi\r\n")
	buf := make([]byte, 512)
	b.ReportAllocs()
	for b.Loop() {
		cp, sp := net.Pipe()
		done := make(chan struct{})
		go func() {
			s.ServeConn(context.Background(), sp)
			close(done)
		}()
		if _, err := cp.Write(req); err != nil {
			b.Fatal(err)
		}
		var got bytes.Buffer
		for {
			n, err := cp.Read(buf)
			got.Write(buf[:n])
			if err != nil {
				break
			}
		}
		cp.Close()
		<-done
		if !bytes.HasPrefix(got.Bytes(), []byte("20 ")) {
			b.Fatalf("got %q", got.Bytes())
		}
	}
}
