package netserve

import (
	"context"
	"errors"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"
)

// smallBufListener shrinks the send buffer of accepted connections, so
// that a response cannot hide in the kernel and writes really wait for
// the client. (Not below the loopback MSS of 64 KB: with a window smaller
// than a segment, TCP's silly-window avoidance stalls the sender on its
// persist timer, which is not what these tests are about.)
type smallBufListener struct{ net.Listener }

func (l smallBufListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetWriteBuffer(128 << 10)
	}
	return c, err
}

func startSmallBufServer(t *testing.T, s *Server) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go s.Serve(context.Background(), smallBufListener{l})
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), testBound)
		defer cancel()
		s.Shutdown(ctx)
	})
	return l.Addr().String()
}

// dialSmall connects with a small receive buffer.
func dialSmall(t *testing.T, addr string) *net.TCPConn {
	t.Helper()
	d := net.Dialer{Timeout: testBound, Control: nil}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	tc := c.(*net.TCPConn)
	tc.SetReadBuffer(128 << 10)
	tc.SetDeadline(time.Now().Add(4 * testBound))
	return tc
}

// TestSlowReaderGetsEverything: a client that reads steadily but slowly
// receives the whole response although the transfer takes several times
// SendTimeout: the deadline measures progress, not the response's age.
func TestSlowReaderGetsEverything(t *testing.T) {
	const (
		size    = 4 << 20
		step    = 64 << 10
		pause   = 10 * time.Millisecond // 64 steps: at least 640 ms in all
		timeout = 200 * time.Millisecond
	)
	var logs logBuffer
	s := &Server{Proto: "test", Handler: newLineProto(), Logger: logs.logger()}
	s.Configure(Settings{SendTimeout: timeout})
	addr := startSmallBufServer(t, s)
	c := dialSmall(t, addr)
	defer c.Close()
	io.WriteString(c, "/big/"+strconv.Itoa(size)+"\n")
	start := time.Now()
	var got int
	buf := make([]byte, step)
	for {
		n, err := io.ReadFull(c, buf)
		got += n
		if err != nil {
			break
		}
		time.Sleep(pause)
	}
	if got != size {
		t.Fatalf("slow reader got %d of %d bytes", got, size)
	}
	if took := time.Since(start); took < 3*timeout {
		t.Fatalf("transfer took %v, not several send timeouts: the test proves nothing", took)
	}
	waitFor(t, "access record", func() bool { return len(logs.records(t, "request")) == 1 })
	r := logs.records(t, "request")[0]
	if r["bytes"] != float64(size) || r["error"] != nil {
		t.Errorf("record %v, want %d bytes and no error", r, size)
	}
}

// TestStalledReaderCutShort: a client that stops reading is cut off after
// SendTimeout without progress, and the log says the response was cut
// short and how much was sent.
func TestStalledReaderCutShort(t *testing.T) {
	const size = 8 << 20
	var logs logBuffer
	s := &Server{Proto: "test", Handler: newLineProto(), Logger: logs.logger()}
	s.Configure(Settings{SendTimeout: 200 * time.Millisecond})
	addr := startSmallBufServer(t, s)
	c := dialSmall(t, addr)
	defer c.Close()
	io.WriteString(c, "/big/"+strconv.Itoa(size)+"\n")
	// Never read.
	waitFor(t, "access record", func() bool { return len(logs.records(t, "request")) == 1 })
	r := logs.records(t, "request")[0]
	e, _ := r["error"].(string)
	sent, _ := r["bytes"].(float64)
	if !strings.HasPrefix(e, "cut short: client read nothing for 200ms") || sent <= 0 || sent >= size {
		t.Errorf("record %v, want a cut-short error and the bytes sent", r)
	}
	// What the client can still read is what the log says was sent (the
	// kernel buffers hold it), never more.
	c.CloseWrite()
	n, err := io.Copy(io.Discard, c)
	if err != nil && !errors.Is(err, net.ErrClosed) && !strings.Contains(err.Error(), "reset") {
		t.Logf("reading the rest: %v", err)
	}
	if n > int64(sent) {
		t.Errorf("client read %d bytes, the log says %v were sent", n, sent)
	}
}
