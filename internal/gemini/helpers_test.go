package gemini

import (
	"bytes"
	"context"
	"crypto/tls"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// testHost is the host name the test servers answer for.
const testHost = "localhost"

// testBound bounds every wait in these tests so a bug fails the test
// instead of hanging it; no test asserts how fast anything happens.
const testBound = 10 * time.Second

// newTestCert returns a fresh self-signed certificate for host.
func newTestCert(t testing.TB, host string) tls.Certificate {
	t.Helper()
	crt, key, err := generateCertificate(host, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	cert, err := tls.X509KeyPair(crt, key)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

// testHandler answers 20 for "/" and "/index.gmi", panics on "/panic"
// (before any header) and "/panic-late" (mid-body), and 51 otherwise.
func testHandler() Handler {
	return HandlerFunc(func(w ResponseWriter, r *Request) {
		switch r.Path {
		case "/", "/index.gmi":
			w.WriteHeader(StatusSuccess, "text/gemini; charset=utf-8; lang=en")
			io.WriteString(w, "# Hello\n")
		case "/panic":
			panic("boom")
		case "/panic-late":
			w.WriteHeader(StatusSuccess, "text/gemini; charset=utf-8")
			io.WriteString(w, "partial")
			panic("late boom")
		default:
			w.WriteHeader(StatusNotFound, "")
		}
	})
}

// newTestServer returns a server without TLS, for tests over plain
// net.Pipe.
func newTestServer(h Handler) *Server {
	return &Server{Hostnames: []string{testHost, "::1"}, Handler: h}
}

// newTLSTestServer returns a server with a self-signed certificate for
// testHost.
func newTLSTestServer(h Handler) *Server {
	s := newTestServer(h)
	s.TLSConfig = testTLSConfig()
	return s
}

// testTLSConfig is made once: generating a key per test would dominate
// the test time.
var testTLSConfig = sync.OnceValue(func() *tls.Config {
	crt, key, err := generateCertificate(testHost, time.Now())
	if err != nil {
		panic(err)
	}
	cert, err := tls.X509KeyPair(crt, key)
	if err != nil {
		panic(err)
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}}
})

// response is what a client saw on one connection.
type seen struct {
	header string // without CRLF
	body   []byte
	err    error // from reading to the end
	// closeNotify is true when the TLS layer reported the end of the
	// stream before the socket underneath did: the server sent
	// close_notify. Go's tls.Conn returns io.EOF in both cases, so the
	// read error alone cannot tell.
	closeNotify bool
}

// rawEOFSpy records whether the raw connection under a TLS client ever
// returned an error (EOF included) from Read.
type rawEOFSpy struct {
	net.Conn
	failed atomic.Bool
}

func (s *rawEOFSpy) Read(p []byte) (int, error) {
	n, err := s.Conn.Read(p)
	if err != nil {
		s.failed.Store(true)
	}
	return n, err
}

// pipeRoundTrip sends raw over TLS on net.Pipe to s.ServeConn, reads
// everything until the server ends the connection, and checks that
// ServeConn returned. s must have a TLSConfig.
func pipeRoundTrip(t *testing.T, s *Server, raw []byte) seen {
	t.Helper()
	if s.TLSConfig == nil {
		t.Fatal("pipeRoundTrip needs a TLS server")
	}
	cp, sp := net.Pipe()
	done := make(chan struct{})
	go func() {
		s.ServeConn(context.Background(), sp)
		close(done)
	}()
	spy := &rawEOFSpy{Conn: cp}
	cli := tls.Client(spy, &tls.Config{InsecureSkipVerify: true, ServerName: testHost})
	defer cli.Close()
	cli.SetDeadline(time.Now().Add(testBound))
	// The server may stop reading early (too long, bad line): the write
	// then fails, which is expected, so it runs on its own.
	go cli.Write(raw)
	all, err := io.ReadAll(cli)
	notified := err == nil && !spy.failed.Load()
	cli.Close()
	select {
	case <-done:
	case <-time.After(testBound):
		t.Fatal("ServeConn did not return after the client closed")
	}
	h, body, _ := bytes.Cut(all, []byte("\r\n"))
	return seen{header: string(h), body: body, err: err, closeNotify: notified}
}

// syncBuffer is a log sink safe to read while a server writes to it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func (b *syncBuffer) lines() []string {
	return strings.Split(strings.TrimSpace(b.String()), "\n")
}

func newJSONLogger(b *syncBuffer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(b, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// HandlerFunc adapts an ordinary function to the Handler interface, for
// tests.
type HandlerFunc func(ResponseWriter, *Request)

// ServeGemini calls f(w, r).
func (f HandlerFunc) ServeGemini(w ResponseWriter, r *Request) { f(w, r) }
