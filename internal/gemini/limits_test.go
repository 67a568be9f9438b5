package gemini

import (
	"bufio"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"broadside/internal/netserve"
)

// TestLongLineNotBuffered checks that a 64 KB request line is answered
// after reading at most 1026 bytes: the server side of the pipe counts
// what was read before the first byte of the answer was written. (What the
// server reads afterwards, draining the client before closing, does not
// count.)
func TestLongLineNotBuffered(t *testing.T) {
	s := newTestServer(testHandler())
	cp, sp := net.Pipe()
	defer cp.Close()
	counted := &countingConn{Conn: sp}
	go s.ServeConn(context.Background(), counted)
	cp.SetDeadline(time.Now().Add(testBound))
	go cp.Write([]byte("gemini://localhost/" + strings.Repeat("a", 64<<10) + "\r\n"))
	header, err := bufio.NewReader(cp).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	if header != "59 request too long\r\n" {
		t.Errorf("header = %q", header)
	}
	if n := counted.readBeforeWrite.Load(); n > MaxRequestLength+2 {
		t.Errorf("the server read %d bytes before answering, want at most %d", n, MaxRequestLength+2)
	}
}

// countingConn records how many bytes were read before the first write.
type countingConn struct {
	net.Conn
	read            atomic.Int64
	wrote           atomic.Bool
	readBeforeWrite atomic.Int64
}

func (c *countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if !c.wrote.Load() {
		c.readBeforeWrite.Store(c.read.Add(int64(n)))
	}
	return n, err
}

func (c *countingConn) Write(p []byte) (int, error) {
	c.wrote.Store(true)
	return c.Conn.Write(p)
}

// TestWriteTimeout checks that a client that never reads is cut off once
// no write has made progress for SendTimeout, that the handler's context
// ends with it, and that the log says the response was cut short.
func TestWriteTimeout(t *testing.T) {
	var logs syncBuffer
	ctxEnded := make(chan struct{})
	s := newTestServer(HandlerFunc(func(w ResponseWriter, r *Request) {
		w.WriteHeader(StatusSuccess, "text/plain")
		chunk := make([]byte, 32<<10)
		for {
			if _, err := w.Write(chunk); err != nil {
				break
			}
		}
		<-r.Context().Done()
		close(ctxEnded)
	}))
	s.Settings.SendTimeout = 200 * time.Millisecond
	s.Logger = newJSONLogger(&logs)
	cp, sp := net.Pipe()
	defer cp.Close()
	done := make(chan struct{})
	go func() {
		s.ServeConn(context.Background(), sp)
		close(done)
	}()
	if _, err := cp.Write([]byte("gemini://localhost/\r\n")); err != nil {
		t.Fatal(err)
	}
	// The client never reads.
	for _, ch := range []chan struct{}{ctxEnded, done} {
		select {
		case <-ch:
		case <-time.After(testBound):
			t.Fatal("stuck writer not cut off")
		}
	}
	rec := lastRecord(t, &logs)
	if e, _ := rec["error"].(string); rec["status"] != "20" || !strings.HasPrefix(e, "response cut short") {
		t.Errorf("access log = %v, want status 20 with a cut-short error", rec)
	}
}

// TestConnectionCap checks that at Settings.Connections a new client is
// closed before any TLS handshake while the request in flight is served,
// and that a client is served again once a slot is free.
func TestConnectionCap(t *testing.T) {
	certs, err := LoadCertificates(t.TempDir(), "localhost", nil)
	if err != nil {
		t.Fatal(err)
	}
	release := make(chan struct{})
	entered := make(chan struct{}, 3)
	s := &Server{
		Hostnames: []string{"localhost"},
		TLSConfig: certs.TLSConfig(),
		Settings:  netserve.Settings{Connections: 1},
		Handler: HandlerFunc(func(w ResponseWriter, r *Request) {
			entered <- struct{}{}
			if r.Path == "/hold" {
				<-release
			}
			w.WriteHeader(StatusSuccess, "text/plain")
		}),
	}
	addr := startTLSServer(t, s)
	_, port, _ := net.SplitHostPort(addr)
	get := func(path string) (string, error) {
		c, err := tls.DialWithDialer(&net.Dialer{Timeout: testBound}, "tcp", addr, &tls.Config{InsecureSkipVerify: true, ServerName: "localhost"})
		if err != nil {
			return "", err
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(testBound))
		if _, err := fmt.Fprintf(c, "gemini://localhost:%s%s\r\n", port, path); err != nil {
			return "", err
		}
		all, err := io.ReadAll(c)
		return string(all), err
	}
	held := make(chan string, 1)
	go func() {
		h, err := get("/hold")
		if err != nil {
			h = err.Error()
		}
		held <- h
	}()
	<-entered
	if h, err := get("/"); err == nil {
		t.Errorf("second client got %q while the only slot was taken, want a refused handshake", h)
	}
	close(release)
	if h := <-held; h != "20 text/plain\r\n" {
		t.Errorf("held client got %q", h)
	}
	// The slot is free once the first connection is untracked, which
	// follows its response closely but not at once.
	deadline := time.Now().Add(testBound)
	for {
		h, err := get("/")
		if err == nil && h == "20 text/plain\r\n" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no client served after the slot was freed: %q, %v", h, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestRateLimitOverSockets: over real TLS sockets, an address sending
// faster than its rate gets 44 with the seconds to wait (then, if it goes
// on, a close before the handshake), while a second address (127.0.0.2:
// Linux routes all of 127/8 to loopback) gets 20.
func TestRateLimitOverSockets(t *testing.T) {
	s := newTLSTestServer(testHandler())
	s.Limiter = netserve.NewLimiter(netserve.Limits{Rate: 0.1, Burst: 3, PerAddress: 16})
	addr := startTLSServer(t, s)
	_, port, _ := net.SplitHostPort(addr)
	get := func(src string) string {
		d := &net.Dialer{Timeout: testBound, LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}}
		c, err := tls.DialWithDialer(d, "tcp", addr, &tls.Config{InsecureSkipVerify: true, ServerName: testHost})
		if err != nil {
			return "refused: " + err.Error()
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(testBound))
		fmt.Fprintf(c, "gemini://localhost:%s/\r\n", port)
		all, _ := io.ReadAll(c)
		h, _, _ := strings.Cut(string(all), "\r\n")
		return h
	}
	var got []string
	for range 10 {
		got = append(got, get("127.0.0.2"))
	}
	// A token every 10 s: the burst of 3 is served, three are told to
	// wait 10 s, the rest closed before the handshake.
	want := "20 20 20 44 10 44 10 44 10 refused refused refused refused"
	var short []string
	for _, g := range got {
		g, _, _ = strings.Cut(g, ":")
		g, _, _ = strings.Cut(g, " text/gemini")
		short = append(short, g)
	}
	if strings.Join(short, " ") != want {
		t.Errorf("flooding address got %q,\nwant %q", strings.Join(short, " "), want)
	}
	if h := get("127.0.0.1"); h != "20 text/gemini; charset=utf-8; lang=en" {
		t.Errorf("other address got %q, want 20", h)
	}
}
