package netserve

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestServeConnOverPipe(t *testing.T) {
	var logs logBuffer
	s := &Server{Proto: "test", Handler: newLineProto(), Logger: logs.logger()}
	cp, sp := net.Pipe()
	done := make(chan struct{})
	go func() {
		s.ServeConn(context.Background(), sp)
		close(done)
	}()
	cp.SetDeadline(time.Now().Add(testBound))
	go io.WriteString(cp, "/x\n")
	b, _ := io.ReadAll(cp)
	cp.Close()
	<-done
	if string(b) != "hello /x\n" {
		t.Errorf("answer %q", b)
	}
	recs := logs.records(t, "request")
	if len(recs) != 1 {
		t.Fatalf("%d access records, want 1", len(recs))
	}
	r := recs[0]
	if r["proto"] != "test" || r["request"] != "/x" || r["status"] != "ok" || r["bytes"] != float64(len(b)) || r["duration"] == nil {
		t.Errorf("record %v", r)
	}
	if _, ok := r["client"]; ok {
		t.Errorf("a pipe has no IP address to log in truncated mode: %v", r)
	}
}

func TestAccessLogClientModes(t *testing.T) {
	for _, tt := range []struct {
		mode AddrMode
		want string // "" for no client key
	}{
		{AddrFull, "127.0.0.2:"},
		{AddrTruncated, "127.0.0.0/24"},
		{AddrNone, ""},
	} {
		t.Run(tt.mode.String(), func(t *testing.T) {
			var logs logBuffer
			s := &Server{Proto: "test", Handler: newLineProto(), Logger: logs.logger()}
			s.Configure(Settings{ClientAddr: tt.mode})
			addr := startServer(t, s)
			if got := get(t, "127.0.0.2", addr, "/a"); got != "hello /a\n" {
				t.Fatalf("answer %q", got)
			}
			waitFor(t, "access record", func() bool { return len(logs.records(t, "request")) == 1 })
			client, ok := logs.records(t, "request")[0]["client"].(string)
			if tt.want == "" && ok || tt.want != "" && !strings.HasPrefix(client, tt.want) {
				t.Errorf("client = %q (present %v), want %q", client, ok, tt.want)
			}
		})
	}
}

// TestShutdownClosesIdleDrainsActive: connections without a request are
// closed at once, long before their read timeout, while a request in
// flight is allowed to finish.
func TestShutdownClosesIdleDrainsActive(t *testing.T) {
	p := newLineProto()
	s := &Server{Proto: "test", Handler: p}
	s.Configure(Settings{ReadTimeout: time.Hour})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go s.Serve(context.Background(), l)
	addr := l.Addr().String()
	var idle []net.Conn
	for range 20 {
		c := dialFrom(t, "", addr)
		defer c.Close()
		idle = append(idle, c)
	}
	active := dialFrom(t, "", addr)
	defer active.Close()
	io.WriteString(active, "/hold\n")
	<-p.entered
	waitFor(t, "all connections tracked", func() bool { i, a := s.count(); return i == 20 && a == 1 })

	shut := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), testBound)
		defer cancel()
		shut <- s.Shutdown(ctx)
	}()
	for i, c := range idle {
		if b, err := io.ReadAll(c); err != nil || len(b) != 0 {
			t.Errorf("idle connection %d: read %q, %v; want a prompt close", i, b, err)
		}
	}
	select {
	case err := <-shut:
		t.Fatalf("Shutdown returned %v with a request in flight", err)
	default:
	}
	close(p.release)
	if b, _ := io.ReadAll(active); string(b) != "released\n" {
		t.Errorf("request in flight got %q, want its full answer", b)
	}
	active.Close()
	if err := <-shut; err != nil {
		t.Errorf("Shutdown = %v", err)
	}
}

// TestShutdownWithOnlyIdleReturns: with only idle connections, Shutdown
// returns without waiting for their (hour-long) read timeout.
func TestShutdownWithOnlyIdleReturns(t *testing.T) {
	s := &Server{Proto: "test", Handler: newLineProto()}
	s.Configure(Settings{ReadTimeout: time.Hour})
	addr := startServer(t, s)
	for range 50 {
		c := dialFrom(t, "", addr)
		defer c.Close()
	}
	waitFor(t, "connections tracked", func() bool { i, _ := s.count(); return i == 50 })
	ctx, cancel := context.WithTimeout(context.Background(), testBound)
	defer cancel()
	if err := s.Shutdown(ctx); err != nil {
		t.Errorf("Shutdown = %v, want nil: idle connections must not be waited for", err)
	}
}

func TestShutdownDeadlineCutsActive(t *testing.T) {
	p := newLineProto()
	s := &Server{Proto: "test", Handler: p}
	addr := startServer(t, s)
	c := dialFrom(t, "", addr)
	defer c.Close()
	io.WriteString(c, "/hold\n")
	<-p.entered
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := s.Shutdown(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Shutdown = %v, want DeadlineExceeded", err)
	}
	// The handler's context ended, so /hold answered, or the socket was
	// closed first; either way the client is not left hanging.
	if _, err := io.ReadAll(c); err != nil && !errors.Is(err, syscall.ECONNRESET) {
		t.Errorf("client after the deadline: %v", err)
	}
}

// TestEvictOldestIdle: at the connection cap, a silent connection that
// has waited at least EvictAge gives its place to a new client.
func TestEvictOldestIdle(t *testing.T) {
	var logs logBuffer
	s := &Server{Proto: "test", Handler: newLineProto(), Logger: logs.logger()}
	s.Configure(Settings{Connections: 2, ReadTimeout: time.Hour})
	addr := startServer(t, s)
	silent := []net.Conn{dialFrom(t, "127.0.0.2", addr), dialFrom(t, "127.0.0.2", addr)}
	for _, c := range silent {
		defer c.Close()
	}
	waitFor(t, "silent connections tracked", func() bool { i, _ := s.count(); return i == 2 })
	time.Sleep(EvictAge + 100*time.Millisecond)
	if got := get(t, "127.0.0.1", addr, "/r"); got != "hello /r\n" {
		t.Errorf("new client at the cap got %q, want an answer", got)
	}
	closed := 0
	for _, c := range silent {
		c.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
		if _, err := c.Read(make([]byte, 1)); err == io.EOF {
			closed++
		}
	}
	if closed != 1 {
		t.Errorf("%d silent connections closed, want exactly the oldest one", closed)
	}
}

// TestBusy: at the cap with no connection old enough to evict, a new
// client is refused with the protocol's busy answer, and the refusal is
// counted in the log rather than logged one by one.
func TestBusy(t *testing.T) {
	var logs logBuffer
	p := newLineProto()
	s := &Server{Proto: "test", Handler: p, Logger: logs.logger()}
	s.Configure(Settings{Connections: 1})
	addr := startServer(t, s)
	c := dialFrom(t, "", addr)
	defer c.Close()
	io.WriteString(c, "/hold\n")
	<-p.entered
	if got := get(t, "", addr, "/x"); got != "busy\n" {
		t.Errorf("client over the cap got %q, want busy", got)
	}
	close(p.release)
	io.ReadAll(c)
	s.Shutdown(context.Background())
	recs := logs.records(t, "connections refused by limits")
	if len(recs) != 1 || recs[0]["connections"] != float64(1) {
		t.Errorf("refusal summary %v, want one with connections=1", recs)
	}
	if n := len(logs.records(t, "request")); n != 1 {
		t.Errorf("%d access records, want 1 (refusals are counted, not logged)", n)
	}
}

// flakyListener fails Accept with a temporary error a few times before
// handing out real connections.
type flakyListener struct {
	net.Listener
	fails int
}

func (l *flakyListener) Accept() (net.Conn, error) {
	if l.fails > 0 {
		l.fails--
		return nil, &net.OpError{Op: "accept", Net: "tcp", Err: syscall.EMFILE}
	}
	return l.Listener.Accept()
}

func TestAcceptErrorsRetried(t *testing.T) {
	var logs logBuffer
	s := &Server{Proto: "test", Handler: newLineProto(), Logger: logs.logger()}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() { errc <- s.Serve(context.Background(), &flakyListener{Listener: l, fails: 3}) }()
	if got := get(t, "", l.Addr().String(), "/after"); got != "hello /after\n" {
		t.Errorf("after accept errors: %q", got)
	}
	if n := len(logs.records(t, "accept failed, retrying")); n != 3 {
		t.Errorf("%d retries logged, want 3", n)
	}
	s.Shutdown(context.Background())
	if err := <-errc; !errors.Is(err, ErrServerClosed) {
		t.Errorf("Serve = %v", err)
	}
}

func TestServeAfterShutdown(t *testing.T) {
	s := &Server{Proto: "test", Handler: newLineProto()}
	s.Shutdown(context.Background())
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Serve(context.Background(), l); !errors.Is(err, ErrServerClosed) {
		t.Errorf("Serve after Shutdown = %v", err)
	}
	cp, sp := net.Pipe()
	go s.ServeConn(context.Background(), sp)
	cp.SetDeadline(time.Now().Add(testBound))
	if b, err := io.ReadAll(cp); err != nil || len(b) != 0 {
		t.Errorf("ServeConn after Shutdown: %q, %v", b, err)
	}
}

// panicProto panics in ServeConn.
type panicProto struct{ *lineProto }

func (panicProto) ServeConn(*Conn) { panic("protocol bug") }

func TestProtocolPanicRecovered(t *testing.T) {
	var logs logBuffer
	s := &Server{Proto: "test", Handler: panicProto{newLineProto()}, Logger: logs.logger()}
	addr := startServer(t, s)
	get(t, "", addr, "/")
	get(t, "", addr, "/")
	if n := len(logs.records(t, "connection panic")); n != 2 {
		t.Errorf("%d panics logged, want 2 (and the server still running)", n)
	}
}
