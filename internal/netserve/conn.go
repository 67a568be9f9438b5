package netserve

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"sync/atomic"
	"syscall"
	"time"
)

// connState is where a connection is in its life; guarded by Server.mu.
type connState int

const (
	stateIdle    connState = iota // accepted, no complete request yet
	stateActive                   // a request is being answered
	stateClosing                  // answered; draining what the client still sends
	stateClosed                   // closed by the server (shutdown, eviction)
)

// Conn is one client connection as a Handler sees it: a net.Conn whose
// reads come after any PROXY header, whose RemoteAddr is the client's
// (from the PROXY header when there is one), and whose writes are cut into
// WriteChunk pieces, each with its own SendTimeout deadline, so a response
// lasts as long as the client keeps reading. It also carries the access
// log record the Handler fills in.
//
// A Conn is used by its Handler's goroutine only, except Close and the
// deadline methods, which are safe to call from others.
type Conn struct {
	srv      *Server
	raw      net.Conn  // the accepted connection
	rd       io.Reader // raw, or a reader holding bytes after the PROXY header
	client   netip.AddrPort
	start    time.Time
	settings Settings
	ctx      context.Context
	cancel   context.CancelFunc

	written   atomic.Int64
	hardWrite atomic.Int64 // a deadline set by SetWriteDeadline, Unix ns; 0 if none

	// Guarded by srv.mu.
	state    connState
	counted  bool   // counts against Settings.Connections
	closedBy string // why the server closed it: "shutdown", "evicted"

	// Used by the Handler's goroutine, then by the access log after it.
	request, status string
	err             error
	bytes           int64
	bytesSet        bool
	end             time.Time
	quiet           bool // no access log record (refused before the handler)
	admitted        bool // holds a Limiter slot
}

// Client returns the client's address: from the PROXY header when the
// server uses it, else the socket's peer. It is invalid for connections
// that are not IP (net.Pipe in tests).
func (c *Conn) Client() netip.AddrPort { return c.client }

// Context is ended when the server closes the connection (a forced
// shutdown, the context given to ServeConn ending) or when a write fails,
// so a handler can stop working for a client that is gone.
func (c *Conn) Context() context.Context { return c.ctx }

// Read reads from the connection, after any PROXY header.
func (c *Conn) Read(p []byte) (int, error) { return c.rd.Read(p) }

// Write writes p in pieces of at most WriteChunk bytes, each of which must
// reach the socket within SendTimeout (or before a deadline set with
// SetWriteDeadline, if earlier). A failed write ends the Context.
func (c *Conn) Write(p []byte) (int, error) {
	n := 0
	timeout := c.settings.sendTimeout()
	for len(p) > 0 {
		chunk := p[:min(len(p), WriteChunk)]
		dl := time.Now().Add(timeout)
		if h := c.hardWrite.Load(); h != 0 && h < dl.UnixNano() {
			dl = time.Unix(0, h)
		}
		if err := c.raw.SetWriteDeadline(dl); err != nil {
			c.cancel()
			return n, err
		}
		m, err := c.raw.Write(chunk)
		n += m
		c.written.Add(int64(m))
		p = p[m:]
		if err != nil {
			c.cancel()
			if errors.Is(err, os.ErrDeadlineExceeded) {
				err = fmt.Errorf("client read nothing for %v: %w", timeout, err)
			}
			return n, err
		}
	}
	return n, nil
}

// Written returns how many bytes were written to the socket so far.
func (c *Conn) Written() int64 { return c.written.Load() }

// Close closes the connection.
func (c *Conn) Close() error { return c.raw.Close() }

// CloseWrite shuts down the writing side of a TCP connection, so the
// client sees the end of the response while the server may still read.
func (c *Conn) CloseWrite() error {
	if cw, ok := c.raw.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return errors.ErrUnsupported
}

// Pending reports whether the client sent bytes the server has not read:
// closing a TCP socket with unread input makes the kernel send a reset,
// which can destroy the response the client has not read yet, so a server
// that sees Pending reads the rest before closing. It answers true when
// it cannot tell (a PROXY protocol connection, whose reader may hold
// bytes, or a system without the check).
func (c *Conn) Pending() bool {
	if c.rd != io.Reader(c.raw) {
		return true
	}
	sc, ok := c.raw.(syscall.Conn)
	if !ok {
		return true
	}
	return pendingInput(sc)
}

// LocalAddr returns the socket's local address.
func (c *Conn) LocalAddr() net.Addr { return c.raw.LocalAddr() }

// RemoteAddr returns the client's address (see Client) as a *net.TCPAddr,
// or the socket's peer address when the client is not an IP address.
func (c *Conn) RemoteAddr() net.Addr {
	if c.client.IsValid() {
		return net.TCPAddrFromAddrPort(c.client)
	}
	return c.raw.RemoteAddr()
}

// SetDeadline sets the read and write deadlines.
func (c *Conn) SetDeadline(t time.Time) error {
	return errors.Join(c.SetReadDeadline(t), c.SetWriteDeadline(t))
}

// SetReadDeadline sets the read deadline. The server sets one when it
// accepts the connection: the request must be complete by then.
func (c *Conn) SetReadDeadline(t time.Time) error { return c.raw.SetReadDeadline(t) }

// SetWriteDeadline sets a deadline that every later write must also meet,
// on top of the SendTimeout for each piece; the zero time removes it.
func (c *Conn) SetWriteDeadline(t time.Time) error {
	var ns int64
	if !t.IsZero() {
		ns = max(t.UnixNano(), 1)
	}
	c.hardWrite.Store(ns)
	return c.raw.SetWriteDeadline(t)
}

// Begin marks the request as complete: from now on the connection is
// drained at shutdown rather than closed. It returns false if the server
// has already closed the connection (shutdown or eviction): the handler
// should then stop.
func (c *Conn) Begin() bool {
	c.srv.mu.Lock()
	defer c.srv.mu.Unlock()
	if c.state != stateIdle {
		return false
	}
	c.state = stateActive
	return true
}

// Finish marks the response as sent: the access log's duration ends here,
// and what follows (a lingering close) may be cut short by shutdown.
func (c *Conn) Finish() {
	c.end = time.Now()
	c.srv.mu.Lock()
	defer c.srv.mu.Unlock()
	if c.state == stateIdle || c.state == stateActive {
		c.state = stateClosing
	}
}

// SetRequest records what was asked, for the access log: a Gemini URL, a
// Gopher selector. It must be valid text of bounded length; the log
// escapes it.
func (c *Conn) SetRequest(r string) { c.request = r }

// SetStatus records the outcome for the access log: a Gemini status code,
// a Gopher status word, or one of "timeout" (nothing complete arrived
// within ReadTimeout), "closed" (the client went away before a request)
// and "tls_error".
func (c *Conn) SetStatus(s string) { c.status = s }

// SetError records why the response is missing or was cut short.
func (c *Conn) SetError(err error) { c.err = err }

// SetBytes records the response size for the access log, when it is not
// what was written to the socket (under TLS: the plaintext).
func (c *Conn) SetBytes(n int64) { c.bytes, c.bytesSet = n, true }
