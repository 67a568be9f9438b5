package gemini

import (
	"bufio"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
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

// TestWriteTimeout checks that a client that never reads is cut off by
// WriteTimeout, and that the handler's context ends with it.
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
	s.WriteTimeout = 200 * time.Millisecond
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
	if rec := lastRecord(t, &logs); rec["error"] == nil || rec["status"] != float64(20) {
		t.Errorf("access log = %v, want status 20 with a write error", rec)
	}
}

// TestMaxConns checks that with MaxConns 1 handlers never run
// concurrently, and that queued clients are all served once the first
// finishes.
func TestMaxConns(t *testing.T) {
	certs, err := LoadCertificates(t.TempDir(), "localhost", nil)
	if err != nil {
		t.Fatal(err)
	}
	var running, most atomic.Int32
	release := make(chan struct{})
	entered := make(chan struct{}, 3)
	s := &Server{
		Hostnames: []string{"localhost"},
		TLSConfig: certs.TLSConfig(),
		MaxConns:  1,
		Handler: HandlerFunc(func(w ResponseWriter, r *Request) {
			n := running.Add(1)
			defer running.Add(-1)
			for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
			}
			entered <- struct{}{}
			<-release
			w.WriteHeader(StatusSuccess, "text/plain")
		}),
	}
	addr := startTLSServer(t, s)
	_, port, _ := net.SplitHostPort(addr)

	conns := make([]*tls.Conn, 3)
	for i := range conns {
		raw, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		c := tls.Client(raw, &tls.Config{InsecureSkipVerify: true, ServerName: "localhost"})
		c.SetDeadline(time.Now().Add(testBound))
		defer c.Close()
		conns[i] = c
	}
	// The first client is served and held in the handler; the others
	// wait in the listen backlog, their handshakes not yet answered.
	if _, err := fmt.Fprintf(conns[0], "gemini://localhost:%s/\r\n", port); err != nil {
		t.Fatal(err)
	}
	<-entered
	var wg sync.WaitGroup
	headers := make([]string, 3)
	for i, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer c.Close()
			if i > 0 {
				if _, err := fmt.Fprintf(c, "gemini://localhost:%s/\r\n", port); err != nil {
					headers[i] = err.Error()
					return
				}
			}
			all, _ := io.ReadAll(c)
			headers[i] = string(all)
		}()
	}
	// Absence cannot be awaited: this pause only gives a server without
	// the bound time to start the other two handlers while the first is
	// held. It can make the test pass wrongly, never fail wrongly.
	time.Sleep(100 * time.Millisecond)
	close(release)
	wg.Wait()
	for i, h := range headers {
		if h != "20 text/plain\r\n" {
			t.Errorf("client %d got %q", i, h)
		}
	}
	if m := most.Load(); m != 1 {
		t.Errorf("%d handlers ran at once, want at most MaxConns = 1", m)
	}
}
