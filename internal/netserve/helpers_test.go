package netserve

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// testBound bounds every wait so that a bug fails a test instead of
// hanging it; no test asserts how fast anything happens.
const testBound = 10 * time.Second

// lineProto is a minimal protocol for testing the core: the request is
// one line; "/big/N" answers N bytes, "/hold" waits for release, anything
// else answers "hello <line>". Refusals answer one line saying why.
type lineProto struct {
	release chan struct{} // closed to let /hold requests finish
	entered chan string   // receives each request line when it begins
}

func newLineProto() *lineProto {
	return &lineProto{release: make(chan struct{}), entered: make(chan string, 64)}
}

func (p *lineProto) ServeConn(c *Conn) {
	line, err := bufio.NewReaderSize(c, 256).ReadString('\n')
	if err != nil {
		c.SetStatus("closed")
		c.SetError(err)
		c.Close()
		return
	}
	if !c.Begin() {
		c.Close()
		return
	}
	line = strings.TrimSpace(line)
	c.SetRequest(line)
	p.entered <- line
	var body []byte
	switch {
	case line == "/hold":
		select {
		case <-p.release:
		case <-c.Context().Done():
		}
		body = []byte("released\n")
	case strings.HasPrefix(line, "/big/"):
		n, _ := strconv.Atoi(strings.TrimPrefix(line, "/big/"))
		body = bytes.Repeat([]byte("x"), n)
	default:
		body = []byte("hello " + line + "\n")
	}
	c.SetStatus("ok")
	if _, err := c.Write(body); err != nil {
		c.SetError(fmt.Errorf("cut short: %w", err))
	}
	c.Finish()
	if c.CloseWrite() == nil {
		c.SetReadDeadline(time.Now().Add(time.Second))
		io.Copy(io.Discard, c)
	}
	c.Close()
}

func (p *lineProto) Refuse(c *Conn, r Refusal) {
	if r.Busy {
		io.WriteString(c, "busy\n")
	} else {
		fmt.Fprintf(c, "slow down %d\n", int(r.Retry/time.Second))
		c.SetStatus("slow_down")
	}
	c.Finish()
	c.Close()
}

// logBuffer collects JSON log records safely.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// records returns the records whose message is msg.
func (b *logBuffer) records(t testing.TB, msg string) []map[string]any {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(b.buf.String()), "\n") {
		if line == "" {
			continue
		}
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		if rec["msg"] == msg {
			out = append(out, rec)
		}
	}
	return out
}

func (b *logBuffer) logger() *slog.Logger {
	return slog.New(slog.NewJSONHandler(b, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// startServer serves s on 127.0.0.1:0 and shuts it down at the end of the
// test.
func startServer(t *testing.T, s *Server) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() { errc <- s.Serve(context.Background(), l) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), testBound)
		defer cancel()
		s.Shutdown(ctx)
		if err := <-errc; !errors.Is(err, ErrServerClosed) {
			t.Errorf("Serve returned %v, want ErrServerClosed", err)
		}
	})
	return l.Addr().String()
}

// dialFrom connects to addr from the local address src ("127.0.0.2"), or
// from the default one when src is "". Linux routes all of 127/8 to the
// loopback interface, so 127.0.0.2 is a second client address.
func dialFrom(t testing.TB, src, addr string) net.Conn {
	t.Helper()
	d := net.Dialer{Timeout: testBound}
	if src != "" {
		d.LocalAddr = &net.TCPAddr{IP: net.ParseIP(src)}
	}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(testBound))
	return c
}

// get sends line from src and returns the whole answer.
func get(t testing.TB, src, addr, line string) string {
	t.Helper()
	c := dialFrom(t, src, addr)
	defer c.Close()
	io.WriteString(c, line+"\n")
	b, _ := io.ReadAll(c)
	return string(b)
}

// waitFor polls cond until it holds or testBound passes.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(testBound)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v", what, testBound)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// count returns the tracked connections in each state.
func (s *Server) count() (idle, active int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		switch c.state {
		case stateIdle:
			idle++
		case stateActive:
			active++
		}
	}
	return idle, active
}
