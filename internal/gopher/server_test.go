package gopher

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"broadside/internal/gopher/gophertest"
	"broadside/internal/netserve"
)

// testTimeout bounds every blocking step so a broken server fails the test
// instead of hanging it. It is a safety net, not a speed assertion.
const testTimeout = 5 * time.Second

// syncBuffer is a bytes.Buffer safe for the server's goroutines.
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

// testHandler serves a tiny site: a root menu, a text, a search, URL:
// redirects, a panic and "not found" for everything else.
func testHandler() Handler {
	return HandlerFunc(func(w ResponseWriter, r *Request) {
		m := Menu{Host: "example.org", Port: 7070}
		switch {
		case r.Selector == "" || r.Selector == "/":
			m.Info("Welcome")
			m.Link(TypeText, "A post", "/posts/a.txt")
			_, _ = m.WriteTo(w)
		case r.Selector == "/posts/a.txt":
			_ = WriteText(w, []byte("Hello\n.\nworld"))
		case r.Selector == "/search":
			m.Info("You searched: " + r.Search)
			_, _ = m.WriteTo(w)
		case r.Selector == "/panic":
			panic("boom")
		case strings.HasPrefix(r.Selector, URLPrefix):
			page, err := RedirectPage(strings.TrimPrefix(r.Selector, URLPrefix))
			if err != nil {
				w.SetStatus(StatusBadRequest)
				m.Error("bad link")
				_, _ = m.WriteTo(w)
				return
			}
			_, _ = w.Write(page)
		default:
			w.SetStatus(StatusNotFound)
			m.Error("not found")
			_, _ = m.WriteTo(w)
		}
	})
}

// countConn counts the bytes the server reads.
type countConn struct {
	net.Conn
	read atomic.Int64
}

func (c *countConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.read.Add(int64(n))
	return n, err
}

// pipeRoundTrip sends req to s.ServeConn over net.Pipe and returns the
// whole response and how many bytes the server read.
func pipeRoundTrip(t *testing.T, s *Server, req []byte) ([]byte, int64) {
	t.Helper()
	client, server := net.Pipe()
	cc := &countConn{Conn: server}
	served := make(chan struct{})
	go func() {
		defer close(served)
		s.ServeConn(context.Background(), cc)
	}()
	wrote := make(chan struct{})
	go func() {
		defer close(wrote)
		_, _ = client.Write(req) // fails once the server has closed: expected
	}()
	_ = client.SetDeadline(time.Now().Add(testTimeout))
	resp, err := io.ReadAll(client)
	if err != nil {
		t.Fatalf("read response: %v", err)
	}
	client.Close()
	<-served
	<-wrote
	return resp, cc.read.Load()
}

func newTestServer(log io.Writer) *Server {
	return &Server{
		Handler: testHandler(),
		Logger:  slog.New(slog.NewTextHandler(log, nil)),
	}
}

func TestServeConn(t *testing.T) {
	const (
		notFound   = "3not found\t\terror.host\t1\r\n.\r\n"
		badRequest = "3bad request\t\terror.host\t1\r\n.\r\n"
		tooLong    = "3request too long\t\terror.host\t1\r\n.\r\n"
	)
	rootMenu := "iWelcome\t\terror.host\t1\r\n0A post\t/posts/a.txt\texample.org\t7070\r\n.\r\n"
	tests := []struct {
		name       string
		req        string
		want       string // exact response; "" to check only with check
		check      func(t *testing.T, resp string)
		wantStatus Status
	}{
		{name: "root menu", req: "\r\n", want: rootMenu, wantStatus: StatusOK},
		{name: "slash root", req: "/\r\n", want: rootMenu, wantStatus: StatusOK},
		{name: "text", req: "/posts/a.txt\r\n", want: "Hello\r\n .\r\nworld\r\n", wantStatus: StatusOK},
		{name: "lf only", req: "/posts/a.txt\n", want: "Hello\r\n .\r\nworld\r\n", wantStatus: StatusOK},
		{name: "search", req: "/search\tgo tips\r\n", want: "iYou searched: go tips\t\terror.host\t1\r\n.\r\n", wantStatus: StatusOK},
		{name: "not found", req: "/nope\r\n", want: notFound, wantStatus: StatusNotFound},
		{name: "dot dot", req: "../../etc/passwd\r\n", want: notFound, wantStatus: StatusNotFound},
		{name: "encoded dot dot", req: "%2e%2e/%2e%2e/etc/passwd\r\n", want: notFound, wantStatus: StatusNotFound},
		{name: "nul", req: "/posts/a.txt\x00.png\r\n", want: badRequest, wantStatus: StatusBadRequest},
		{name: "escape sequence", req: "\x1b]0;pwned\x07\r\n", want: badRequest, wantStatus: StatusBadRequest},
		{name: "invalid utf8", req: "/\xff\xfe\r\n", want: badRequest, wantStatus: StatusBadRequest},
		{name: "tab injection extra fields", req: "/search\tx\t+\t0evil\r\n", want: badRequest, wantStatus: StatusBadRequest},
		{name: "crlf injection reads one line", req: "/search\tx\r\n0evil\t/etc/passwd\texample.org\t70\r\n", want: "iYou searched: x\t\terror.host\t1\r\n.\r\n", wantStatus: StatusOK},
		{name: "64 KB line", req: strings.Repeat("A", 64<<10) + "\r\n", want: tooLong, wantStatus: StatusBadRequest},
		{name: "1025 bytes", req: strings.Repeat("a", 1025) + "\r\n", want: tooLong, wantStatus: StatusBadRequest},
		{name: "1024 bytes", req: strings.Repeat("a", 1024) + "\r\n", want: notFound, wantStatus: StatusNotFound},
		{name: "panic", req: "/panic\r\n", want: "3internal error\t\terror.host\t1\r\n.\r\n", wantStatus: StatusError},
		{name: "url redirect", req: "URL:https://example.com/?a=1&b=2\r\n", check: func(t *testing.T, resp string) {
			if !strings.Contains(resp, `url=https://example.com/?a=1&amp;b=2"`) {
				t.Errorf("redirect page lacks the escaped url:\n%s", resp)
			}
		}, wantStatus: StatusOK},
		{name: "url redirect refused", req: "URL:javascript:alert(1)\r\n", want: "3bad link\t\terror.host\t1\r\n.\r\n", wantStatus: StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var log syncBuffer
			s := newTestServer(&log)
			resp, read := pipeRoundTrip(t, s, []byte(tt.req))
			if tt.want != "" && string(resp) != tt.want {
				t.Errorf("response\n got %q\nwant %q", resp, tt.want)
			}
			if tt.check != nil {
				tt.check(t, string(resp))
			}
			if read > MaxRequestLine+2 {
				t.Errorf("server read %d bytes, more than one request line", read)
			}
			if bytes.HasPrefix(resp, []byte{'i'}) || bytes.HasPrefix(resp, []byte{'3'}) {
				if err := gophertest.LintMenu(resp); err != nil {
					t.Errorf("menu response fails lint: %v", err)
				}
			}
			if bytes.Contains(resp, []byte("evil")) || bytes.ContainsAny(resp, "\x00\x1b") || bytes.IndexByte(resp, 0xff) >= 0 {
				t.Errorf("response echoes hostile input: %q", resp)
			}
			if l := log.String(); !strings.Contains(l, "status="+string(tt.wantStatus)) {
				t.Errorf("access log lacks status=%s: %s", tt.wantStatus, l)
			}
		})
	}
}

func TestAccessLog(t *testing.T) {
	for _, withAddr := range []bool{false, true} {
		t.Run(map[bool]string{false: "without address", true: "with address"}[withAddr], func(t *testing.T) {
			var log syncBuffer
			s := newTestServer(&log)
			s.Settings.ClientAddr = netserve.AddrNone
			if withAddr {
				s.Settings.ClientAddr = netserve.AddrFull
			}
			resp, _ := pipeRoundTrip(t, s, []byte("/posts/a.txt\r\n"))
			l := log.String()
			for _, want := range []string{"msg=request", "proto=gopher", "request=/posts/a.txt", "status=ok", "bytes=" + strconv.Itoa(len(resp)), "duration="} {
				if !strings.Contains(l, want) {
					t.Errorf("log lacks %q: %s", want, l)
				}
			}
			if got := strings.Contains(l, "client="); got != withAddr {
				t.Errorf("client logged = %v, want %v: %s", got, withAddr, l)
			}
		})
	}
}

func TestPanicIsLogged(t *testing.T) {
	var log syncBuffer
	s := newTestServer(&log)
	pipeRoundTrip(t, s, []byte("/panic\r\n"))
	if l := log.String(); !strings.Contains(l, "handler panic") || !strings.Contains(l, "boom") {
		t.Errorf("panic not logged: %s", l)
	}
}

func TestNilHandler(t *testing.T) {
	var log syncBuffer
	s := &Server{Logger: slog.New(slog.NewTextHandler(&log, nil)), ErrorHost: "err.example"}
	resp, _ := pipeRoundTrip(t, s, []byte("/\r\n"))
	if want := "3not found\t\terr.example\t1\r\n.\r\n"; string(resp) != want {
		t.Errorf("got %q, want %q", resp, want)
	}
}

func TestReadRequestLine(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    string
		wantErr error
	}{
		{"crlf", "abc\r\nrest", "abc\r\n", nil},
		{"lf", "abc\n", "abc\n", nil},
		{"max with crlf", strings.Repeat("a", 1024) + "\r\n", strings.Repeat("a", 1024) + "\r\n", nil},
		{"eof without lf", "abc", "", ErrBadRequest},
		{"nothing", "", "", errNoRequest},
		{"too long no lf", strings.Repeat("a", 5000), "", ErrRequestTooLong},
		{"limit exactly without lf", strings.Repeat("a", 1026), "", ErrRequestTooLong},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := strings.NewReader(tt.in)
			got, err := readRequestLine(r)
			if !errors.Is(err, tt.wantErr) || string(got) != tt.want {
				t.Errorf("readRequestLine(%.20q) = %q, %v; want %q, %v", tt.in, got, err, tt.want, tt.wantErr)
			}
			if consumed := len(tt.in) - r.Len(); consumed > MaxRequestLine+2 {
				t.Errorf("consumed %d bytes", consumed)
			}
		})
	}
}

func TestReadTimeoutClosesSilentConnection(t *testing.T) {
	var log syncBuffer
	s := newTestServer(&log)
	s.Settings.ReadTimeout = 20 * time.Millisecond
	client, server := net.Pipe()
	defer client.Close()
	served := make(chan struct{})
	go func() {
		defer close(served)
		s.ServeConn(context.Background(), server)
	}()
	_ = client.SetReadDeadline(time.Now().Add(testTimeout))
	resp, err := io.ReadAll(client) // send nothing, wait for the close
	if err != nil {
		t.Fatalf("connection not closed by the server: %v", err)
	}
	if len(resp) != 0 {
		t.Errorf("silent connection got %q", resp)
	}
	<-served
	if l := log.String(); !strings.Contains(l, "status=timeout") {
		t.Errorf("log lacks status=timeout: %s", l)
	}
}

func TestWriteTimeoutUnblocksServer(t *testing.T) {
	var log syncBuffer
	s := &Server{
		Settings: netserve.Settings{SendTimeout: 20 * time.Millisecond},
		Logger:   slog.New(slog.NewTextHandler(&log, nil)),
		Handler: HandlerFunc(func(w ResponseWriter, r *Request) {
			_, _ = w.Write(bytes.Repeat([]byte("x"), 1<<20))
		}),
	}
	client, server := net.Pipe()
	defer client.Close()
	served := make(chan struct{})
	go func() {
		defer close(served)
		s.ServeConn(context.Background(), server)
	}()
	if _, err := client.Write([]byte("/\r\n")); err != nil {
		t.Fatal(err)
	}
	// Never read: the server must give up on its own.
	select {
	case <-served:
	case <-time.After(testTimeout):
		t.Fatal("ServeConn still blocked on a client that never reads")
	}
	if l := log.String(); !strings.Contains(l, "error=\"response cut short") {
		t.Errorf("write failure not logged: %s", l)
	}
}

func TestContextCancelEndsRequest(t *testing.T) {
	started := make(chan struct{})
	s := &Server{
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Handler: HandlerFunc(func(w ResponseWriter, r *Request) {
			close(started)
			<-r.Context().Done()
		}),
	}
	ctx, cancel := context.WithCancel(context.Background())
	client, server := net.Pipe()
	defer client.Close()
	served := make(chan struct{})
	go func() {
		defer close(served)
		s.ServeConn(ctx, server)
	}()
	if _, err := client.Write([]byte("/\r\n")); err != nil {
		t.Fatal(err)
	}
	<-started
	cancel()
	select {
	case <-served:
	case <-time.After(testTimeout):
		t.Fatal("ServeConn did not return after its context ended")
	}
}

// startTCP serves s on 127.0.0.1:0 and returns the address and Serve's
// result channel.
func startTCP(t *testing.T, s *Server) (string, <-chan error) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() { errc <- s.Serve(context.Background(), l) }()
	return l.Addr().String(), errc
}

// fetch dials addr, sends selector and reads to EOF.
func fetch(t *testing.T, addr, selector string) []byte {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, testTimeout)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(testTimeout))
	if _, err := io.WriteString(c, selector+"\r\n"); err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(c)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestTCP(t *testing.T) {
	var log syncBuffer
	s := newTestServer(&log)
	s.Settings.ClientAddr = netserve.AddrFull
	addr, errc := startTCP(t, s)
	resp := fetch(t, addr, "/")
	if err := gophertest.LintMenu(resp); err != nil {
		t.Errorf("root menu over TCP fails lint: %v\n%q", err, resp)
	}
	if !bytes.Contains(resp, []byte("0A post\t/posts/a.txt\texample.org\t7070\r\n")) {
		t.Errorf("unexpected root menu %q", resp)
	}
	if got := fetch(t, addr, "/posts/a.txt"); string(got) != "Hello\r\n .\r\nworld\r\n" {
		t.Errorf("text over TCP = %q", got)
	}
	// The error must arrive, not be destroyed by a reset for unread data.
	if got, want := fetch(t, addr, strings.Repeat("A", 64<<10)), "3request too long\t\terror.host\t1\r\n.\r\n"; string(got) != want {
		t.Errorf("64 KB line over TCP got %q, want %q", got, want)
	}
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	if err := s.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if err := <-errc; !errors.Is(err, ErrServerClosed) {
		t.Errorf("Serve returned %v, want ErrServerClosed", err)
	}
	if !strings.Contains(log.String(), "client=127.0.0.1:") {
		t.Errorf("log lacks the remote address: %s", log.String())
	}
}

// blockingServer returns a server whose handler signals started and then
// waits for release before answering "done".
func blockingServer() (s *Server, started chan struct{}, release chan struct{}) {
	started, release = make(chan struct{}, 16), make(chan struct{})
	s = &Server{
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Handler: HandlerFunc(func(w ResponseWriter, r *Request) {
			started <- struct{}{}
			<-release
			_ = WriteText(w, []byte("done"))
		}),
	}
	return s, started, release
}

func TestShutdownWaitsForInFlight(t *testing.T) {
	s, started, release := blockingServer()
	addr, errc := startTCP(t, s)
	got := make(chan []byte, 1)
	go func() { got <- fetch(t, addr, "/slow") }()
	<-started

	shutdown := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
		defer cancel()
		shutdown <- s.Shutdown(ctx)
	}()
	if err := <-errc; !errors.Is(err, ErrServerClosed) {
		t.Fatalf("Serve returned %v, want ErrServerClosed", err)
	}
	select {
	case err := <-shutdown:
		t.Fatalf("Shutdown returned %v while a request was in flight", err)
	default:
	}
	if _, err := net.DialTimeout("tcp", addr, testTimeout); err == nil {
		t.Error("listener still accepts after Shutdown")
	}
	close(release)
	if err := <-shutdown; err != nil {
		t.Errorf("Shutdown: %v", err)
	}
	if resp := <-got; string(resp) != "done\r\n" {
		t.Errorf("in-flight request got %q, want its full answer", resp)
	}
}

func TestShutdownDeadline(t *testing.T) {
	s, started, release := blockingServer()
	defer close(release)
	addr, _ := startTCP(t, s)
	got := make(chan []byte, 1)
	go func() { got <- fetch(t, addr, "/slow") }()
	<-started
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if err := s.Shutdown(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Shutdown = %v, want context.DeadlineExceeded", err)
	}
	// The connection was closed when the deadline passed.
	if resp := <-got; len(resp) != 0 {
		t.Errorf("cut request got %q", resp)
	}
}

func TestServeConnAfterShutdown(t *testing.T) {
	s := newTestServer(io.Discard)
	if err := s.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	resp, read := pipeRoundTrip(t, s, []byte("/\r\n"))
	if len(resp) != 0 || read != 0 {
		t.Errorf("closed server answered %q after reading %d bytes", resp, read)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Serve(context.Background(), l); !errors.Is(err, ErrServerClosed) {
		t.Errorf("Serve after Shutdown = %v", err)
	}
}

func TestServeContextCancel(t *testing.T) {
	s := newTestServer(io.Discard)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- s.Serve(ctx, l) }()
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Errorf("Serve = %v, want context.Canceled", err)
	}
}

func TestMaxConns(t *testing.T) {
	s, started, release := blockingServer()
	s.Settings.Connections = 1
	addr, _ := startTCP(t, s)
	got := make(chan []byte, 1)
	go func() { got <- fetch(t, addr, "/slow") }()
	<-started
	busy := fetch(t, addr, "/other")
	if want := "3server busy, try again later\t\terror.host\t1\r\n.\r\n"; string(busy) != want {
		t.Errorf("connection over the limit got %q, want %q", busy, want)
	}
	close(release)
	if resp := <-got; string(resp) != "done\r\n" {
		t.Errorf("first request got %q", resp)
	}
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	if err := s.Shutdown(ctx); err != nil {
		t.Error(err)
	}
}

// TestRateLimitOverSockets: an address sending faster than its rate gets
// one error item saying when to retry (then, if it goes on, a bare close),
// while a second address (127.0.0.2; Linux routes 127/8 to loopback) gets
// its menu.
func TestRateLimitOverSockets(t *testing.T) {
	s := newTestServer(io.Discard)
	s.Limiter = netserve.NewLimiter(netserve.Limits{Rate: 0.1, Burst: 2, PerAddress: 16})
	addr, _ := startTCP(t, s)
	defer s.Shutdown(context.Background())
	from := func(src string) string {
		d := net.Dialer{Timeout: testTimeout, LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}}
		c, err := d.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(testTimeout))
		io.WriteString(c, "/\r\n")
		b, _ := io.ReadAll(c)
		return string(b)
	}
	root := "iWelcome\t\terror.host\t1\r\n0A post\t/posts/a.txt\texample.org\t7070\r\n.\r\n"
	slow := "3Too many requests, retry in 10 s\t\terror.host\t1\r\n.\r\n"
	want := []string{root, root, slow, slow, "", ""}
	for i, w := range want {
		if got := from("127.0.0.2"); got != w {
			t.Errorf("request %d from the flooding address: %q, want %q", i, got, w)
		}
	}
	if got := from("127.0.0.1"); got != root {
		t.Errorf("other address got %q, want the menu", got)
	}
}

// TestProxyProtocolV1: behind a load balancer sending PROXY v1, the
// handler and the access log see the client's address from the header; a
// connection from a peer that is not trusted is closed unanswered.
func TestProxyProtocolV1(t *testing.T) {
	var log syncBuffer
	remote := make(chan string, 1)
	s := &Server{
		Logger: slog.New(slog.NewTextHandler(&log, nil)),
		Handler: HandlerFunc(func(w ResponseWriter, r *Request) {
			remote <- r.RemoteAddr.String()
			io.WriteString(w, "hi\r\n")
		}),
		Settings: netserve.Settings{Proxy: true, Trusted: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")},
			ClientAddr: netserve.AddrTruncated},
	}
	addr, _ := startTCP(t, s)
	defer s.Shutdown(context.Background())
	send := func(src string) string {
		d := net.Dialer{Timeout: testTimeout, LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}}
		c, err := d.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(testTimeout))
		io.WriteString(c, "PROXY TCP6 2001:db8:7:8::1 2001:db8::70 51000 70\r\n/\r\n")
		b, _ := io.ReadAll(c)
		return string(b)
	}
	if got := send("127.0.0.1"); got != "hi\r\n" {
		t.Fatalf("through the proxy: %q", got)
	}
	if got := <-remote; got != "[2001:db8:7:8::1]:51000" {
		t.Errorf("handler saw %s, want the address from the header", got)
	}
	if got := send("127.0.0.2"); got != "" {
		t.Errorf("untrusted peer got %q, want a bare close", got)
	}
	deadline := time.Now().Add(testTimeout)
	for !strings.Contains(log.String(), "client=2001:db8:7::/48") {
		if time.Now().After(deadline) {
			t.Fatalf("access log lacks the truncated client from the header: %s", log.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// HandlerFunc adapts an ordinary function to a Handler, for tests.
type HandlerFunc func(ResponseWriter, *Request)

// ServeGopher calls f(w, r).
func (f HandlerFunc) ServeGopher(w ResponseWriter, r *Request) { f(w, r) }
