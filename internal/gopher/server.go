package gopher

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"runtime/debug"
	"strconv"
	"sync"
	"time"

	"broadside/internal/netserve"
)

// DefaultErrorHost is the host field of the error menus the server writes
// itself when Server.ErrorHost is empty.
const DefaultErrorHost = "error.host"

// ErrServerClosed is returned by Serve after Shutdown.
var ErrServerClosed = netserve.ErrServerClosed

// errNoRequest means the client closed the connection without sending
// anything; it gets no answer.
var errNoRequest = errors.New("gopher: connection closed before a request")

// Server serves Gopher requests on the connection core of package
// netserve: connection caps, per-address limits, the PROXY protocol,
// progress deadlines, the access log and graceful shutdown come from
// there. The zero value is usable: it answers every request with a "not
// found" error menu and logs to slog.Default. Exported fields must not
// change once serving starts (Configure changes the connection settings
// live); the methods are safe for concurrent use.
type Server struct {
	// Handler answers requests; nil answers "not found".
	Handler Handler
	// Settings are the initial connection settings: caps, the read
	// timeout for the request line, the send timeout, the PROXY protocol
	// and how client addresses are logged; see netserve.Settings.
	Settings netserve.Settings
	// Limiter applies per-address limits: over them a client gets a
	// "Too many requests" error item, or is closed at once when far over.
	// Nil limits nothing.
	Limiter *netserve.Limiter
	// Logger receives one access log record per connection (see
	// netserve) and handler panics; nil means slog.Default.
	Logger *slog.Logger
	// ErrorHost is the host field of error menus the server writes itself;
	// "" means DefaultErrorHost.
	ErrorHost string

	once sync.Once
	core netserve.Server
}

// net returns the connection core, set up from the fields on first use.
func (s *Server) net() *netserve.Server {
	s.once.Do(func() {
		s.core.Proto = "gopher"
		s.core.Handler = connHandler{s}
		s.core.Limiter = s.Limiter
		s.core.Logger = s.logger()
		s.core.Configure(s.Settings)
	})
	return &s.core
}

// Configure changes the connection settings of a running server; new
// connections use them.
func (s *Server) Configure(st netserve.Settings) { s.net().Configure(st) }

// Serve accepts connections on l and serves each in its own goroutine,
// until ctx ends or Shutdown is called. It always closes l and returns a
// non-nil error: ErrServerClosed after Shutdown, ctx.Err() when ctx ends.
// Ending ctx stops accepting only; call Shutdown to drain.
func (s *Server) Serve(ctx context.Context, l net.Listener) error {
	return s.net().Serve(ctx, l)
}

// ServeConn serves one request on c and closes it. It is how tests drive
// the server over net.Pipe. After Shutdown it closes c without reading.
// Ending ctx closes c.
func (s *Server) ServeConn(ctx context.Context, c net.Conn) {
	s.net().ServeConn(ctx, c)
}

// Shutdown stops every listener, closes connections that have not sent a
// request yet, then waits for in-flight requests to finish. If ctx ends
// first, it closes the remaining connections and returns ctx's error. The
// server cannot be reused afterwards.
func (s *Server) Shutdown(ctx context.Context) error {
	if err := s.net().Shutdown(ctx); err != nil {
		return fmt.Errorf("gopher: shutdown: %w", err)
	}
	return nil
}

// connHandler is the Gopher protocol as a netserve.Handler.
type connHandler struct{ s *Server }

func (h connHandler) ServeConn(c *netserve.Conn) { h.s.serve(c) }

func (h connHandler) Refuse(c *netserve.Conn, r netserve.Refusal) { h.s.refuse(c, r) }

// serve reads one request from c, runs the handler and writes the answer.
// The read deadline for the request line was set by netserve.
func (s *Server) serve(c *netserve.Conn) {
	line, err := readRequestLine(c)
	switch {
	case errors.Is(err, errNoRequest):
		c.SetStatus(string(StatusClosed))
		c.Close()
		return
	case errors.Is(err, os.ErrDeadlineExceeded):
		c.SetStatus(string(StatusTimeout))
		c.SetError(err)
		c.Close()
		return
	case err != nil && !errors.Is(err, ErrRequestTooLong) && !errors.Is(err, ErrBadRequest):
		c.SetStatus(string(StatusClosed)) // reset, or another read failure
		c.SetError(err)
		c.Close()
		return
	}
	if !c.Begin() {
		c.Close() // closed by shutdown while the line arrived
		return
	}
	var req *Request
	if err == nil {
		req, err = ParseRequest(line)
	}
	resp := newResponse(c)
	switch {
	case errors.Is(err, ErrRequestTooLong):
		resp.status = StatusBadRequest
		s.writeError(resp, "request too long")
	case err != nil:
		resp.status = StatusBadRequest
		s.writeError(resp, "bad request")
	default:
		c.SetRequest(req.Selector)
		req.RemoteAddr = c.RemoteAddr()
		req.ctx = c.Context()
		s.handle(resp, req)
	}
	ferr := resp.buf.Flush()
	if ferr != nil {
		c.SetError(fmt.Errorf("response cut short after %d bytes: %w", resp.conn.n, ferr))
	} else if err != nil {
		// Error texts name lengths and code points, never raw client bytes.
		c.SetError(err)
	}
	c.SetStatus(string(resp.status))
	c.Finish()
	if ferr == nil && resp.conn.n > 0 {
		closeGracefully(c)
		return
	}
	c.Close()
}

// refuse answers a connection the limits turned away with a one-line
// error menu, without reading its request: "server busy" at the
// connection cap, "Too many requests, retry in N s" over the rate. Both
// are cheap on plain TCP, and tell a reader why instead of hanging.
func (s *Server) refuse(c *netserve.Conn, r netserve.Refusal) {
	msg := "server busy, try again later"
	status := StatusBusy
	if !r.Busy {
		msg = "Too many requests, retry in " + strconv.Itoa(max(int(r.Retry/time.Second), 1)) + " s"
		status = StatusSlowDown
	}
	c.SetWriteDeadline(time.Now().Add(lingerTimeout))
	s.writeError(c, msg)
	c.SetStatus(string(status))
	c.Finish()
	closeGracefully(c)
}

// Bounds on closeGracefully's draining.
const (
	lingerTimeout = 200 * time.Millisecond
	lingerBytes   = 64 << 10
)

// closeGracefully half-closes a TCP connection and drains, for a moment,
// what the client still sends (the rest of an over-long line, a second
// line), then closes it. Closing a socket with unread data makes the
// kernel send a reset, which can destroy the answer still in flight, such
// as the "request too long" error menu.
func closeGracefully(c net.Conn) {
	defer c.Close()
	cw, ok := c.(interface{ CloseWrite() error })
	if !ok || cw.CloseWrite() != nil {
		return
	}
	_ = c.SetReadDeadline(time.Now().Add(lingerTimeout))
	_, _ = io.CopyN(io.Discard, c, lingerBytes)
}

// readRequestLine reads one LF-terminated line from r without ever holding
// more than MaxRequestLine+2 bytes: a longer line is refused unread.
func readRequestLine(r io.Reader) ([]byte, error) {
	const limit = MaxRequestLine + 2 // CRLF
	br := bufio.NewReaderSize(io.LimitReader(r, limit), limit)
	line, err := br.ReadSlice('\n')
	switch {
	case err == nil:
		return line, nil
	case errors.Is(err, bufio.ErrBufferFull), errors.Is(err, io.EOF) && len(line) >= limit:
		return nil, fmt.Errorf("gopher: no line feed in %d bytes: %w", limit, ErrRequestTooLong)
	case errors.Is(err, io.EOF) && len(line) == 0:
		return nil, errNoRequest
	case errors.Is(err, io.EOF):
		return nil, fmt.Errorf("gopher: request line without line feed: %w", ErrBadRequest)
	}
	return nil, fmt.Errorf("gopher: read request: %w", err)
}

// handle runs the handler, turning a panic into an error menu when nothing
// has reached the client yet.
func (s *Server) handle(resp *response, req *Request) {
	defer func() {
		if v := recover(); v != nil {
			s.logger().Error("gopher: handler panic", "selector", req.Selector, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			resp.status = StatusError
			if resp.discard() {
				s.writeError(resp, "internal error")
			}
		}
	}()
	if s.Handler == nil {
		resp.status = StatusNotFound
		s.writeError(resp, "not found")
		return
	}
	s.Handler.ServeGopher(resp, req)
}

// writeError writes a one-line error menu. msg is a fixed server string,
// never client input.
func (s *Server) writeError(w io.Writer, msg string) {
	m := Menu{ErrorHost: s.errorHost()}
	m.Error(msg)
	_, _ = m.WriteTo(w)
}

func (s *Server) logger() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.Default()
}

func (s *Server) errorHost() string {
	if s.ErrorHost == "" {
		return DefaultErrorHost
	}
	return Scrub(s.ErrorHost)
}
