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
	"sync"
	"time"
)

// Defaults used when the corresponding Server field is zero.
const (
	DefaultAddr         = ":70"
	DefaultReadTimeout  = 10 * time.Second
	DefaultWriteTimeout = 30 * time.Second
	DefaultMaxConns     = 1024
	DefaultErrorHost    = "error.host"
)

// ErrServerClosed is returned by Serve and ListenAndServe after Shutdown.
var ErrServerClosed = errors.New("gopher: server closed")

// errNoRequest means the client closed the connection without sending
// anything; it gets no answer.
var errNoRequest = errors.New("gopher: connection closed before a request")

// Server serves Gopher requests. The zero value is usable: it listens on
// DefaultAddr, answers every request with a "not found" error menu, and
// logs to slog.Default. Exported fields must not change once serving
// starts; the methods are safe for concurrent use.
type Server struct {
	// Addr is the TCP address ListenAndServe binds, "host:port".
	Addr string
	// Handler answers requests; nil answers "not found".
	Handler Handler
	// ReadTimeout bounds reading the request line; zero means
	// DefaultReadTimeout, negative means no limit.
	ReadTimeout time.Duration
	// WriteTimeout bounds running the handler and writing the response,
	// counted from the end of the request line; zero means
	// DefaultWriteTimeout, negative means no limit.
	WriteTimeout time.Duration
	// MaxConns bounds the connections Serve handles at once; zero or
	// negative means DefaultMaxConns. A connection over the limit is
	// accepted, answered with a one-line "server busy" error menu and
	// closed at once, so clients see why instead of hanging in the
	// kernel's backlog. ServeConn is not counted against the limit.
	MaxConns int
	// Logger receives one access log line per request (selector, status,
	// bytes, duration, and remote when LogClientAddr is set) and handler
	// panics; nil means slog.Default.
	Logger *slog.Logger
	// LogClientAddr adds the client address to access log lines. Off by
	// default, for readers' privacy.
	LogClientAddr bool
	// ErrorHost is the host field of error menus the server writes itself;
	// "" means DefaultErrorHost.
	ErrorHost string

	mu        sync.Mutex
	listeners map[net.Listener]struct{}
	conns     map[net.Conn]struct{}
	closed    bool
	idle      chan struct{} // closed once closed is set and conns is empty
}

// ListenAndServe listens on s.Addr and serves connections until ctx ends or
// Shutdown is called; see Serve.
func (s *Server) ListenAndServe(ctx context.Context) error {
	addr := s.Addr
	if addr == "" {
		addr = DefaultAddr
	}
	var lc net.ListenConfig
	l, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("gopher: listen on %s: %w", addr, err)
	}
	return s.Serve(ctx, l)
}

// Serve accepts connections on l and serves each in its own goroutine,
// until ctx ends or Shutdown is called. It always closes l and returns a
// non-nil error: ErrServerClosed after Shutdown, ctx.Err() when ctx ends.
// Ending ctx also closes every connection accepted here: to drain
// in-flight requests, call Shutdown instead.
func (s *Server) Serve(ctx context.Context, l net.Listener) error {
	defer l.Close()
	if !s.trackListener(l) {
		return ErrServerClosed
	}
	defer s.untrackListener(l)
	stop := context.AfterFunc(ctx, func() { l.Close() })
	defer stop()

	var delay time.Duration
	for {
		c, err := l.Accept()
		if err != nil {
			switch {
			case s.isClosed():
				return ErrServerClosed
			case ctx.Err() != nil:
				return ctx.Err()
			case errors.Is(err, net.ErrClosed):
				return fmt.Errorf("gopher: accept: %w", err)
			}
			// Anything else (EMFILE, ECONNABORTED) is usually transient.
			delay = min(max(2*delay, 5*time.Millisecond), time.Second)
			s.logger().Warn("gopher: accept failed, retrying", "err", err, "delay", delay)
			select {
			case <-time.After(delay):
			case <-ctx.Done():
			}
			continue
		}
		delay = 0
		switch s.trackConn(c, true) {
		case trackClosed:
			c.Close()
		case trackBusy:
			// Not counted: it lives for lingerTimeout at most.
			go s.refuseBusy(c)
		case trackOK:
			go func() {
				defer s.untrackConn(c)
				s.serve(ctx, c)
			}()
		}
	}
}

// ServeConn serves one request on c and closes it. It is how tests drive
// the server over net.Pipe. After Shutdown it closes c without reading.
// Ending ctx closes c.
func (s *Server) ServeConn(ctx context.Context, c net.Conn) {
	if s.trackConn(c, false) != trackOK {
		c.Close()
		return
	}
	defer s.untrackConn(c)
	s.serve(ctx, c)
}

// Shutdown stops every listener, then waits for in-flight connections to
// finish. If ctx ends first, it closes the remaining connections and
// returns ctx's error. The server cannot be reused afterwards.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.closed = true
	for l := range s.listeners {
		l.Close()
	}
	if s.idle == nil {
		s.idle = make(chan struct{})
		if len(s.conns) == 0 {
			close(s.idle)
		}
	}
	idle := s.idle
	s.mu.Unlock()

	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		s.mu.Lock()
		for c := range s.conns {
			c.Close()
		}
		s.mu.Unlock()
		return fmt.Errorf("gopher: shutdown: %w", ctx.Err())
	}
}

// serve reads one request from c, runs the handler and writes the answer.
func (s *Server) serve(ctx context.Context, c net.Conn) {
	start := time.Now()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	defer c.Close()

	if d := s.readTimeout(); d > 0 {
		_ = c.SetReadDeadline(start.Add(d))
	}
	resp := newResponse(c)
	var req *Request
	line, err := readRequestLine(c)
	if err == nil {
		req, err = ParseRequest(line)
	}
	if d := s.writeTimeout(); d > 0 {
		_ = c.SetWriteDeadline(time.Now().Add(d))
	}
	switch {
	case errors.Is(err, errNoRequest):
		resp.status = StatusBadRequest
	case errors.Is(err, os.ErrDeadlineExceeded):
		resp.status = StatusTimeout
	case errors.Is(err, ErrRequestTooLong):
		resp.status = StatusBadRequest
		s.writeError(resp, "request too long")
	case errors.Is(err, ErrBadRequest):
		resp.status = StatusBadRequest
		s.writeError(resp, "bad request")
	case err != nil:
		resp.status = StatusError
	default:
		req.RemoteAddr = c.RemoteAddr()
		req.ctx = ctx
		s.handle(resp, req)
	}
	ferr := resp.buf.Flush()
	if ferr != nil && err == nil {
		err = ferr
	}
	s.logAccess(c, req, resp, err, time.Since(start))
	if ferr == nil && resp.conn.n > 0 {
		closeGracefully(c)
	}
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

// refuseBusy answers a connection over MaxConns with an error menu and
// closes it, without reading the request; the write and the drain are
// bounded by lingerTimeout.
func (s *Server) refuseBusy(c net.Conn) {
	_ = c.SetWriteDeadline(time.Now().Add(lingerTimeout))
	s.writeError(c, "server busy, try again later")
	closeGracefully(c)
	s.logger().Warn("gopher: connection limit reached", "max_conns", s.maxConns())
}

func (s *Server) logAccess(c net.Conn, req *Request, resp *response, err error, d time.Duration) {
	attrs := make([]slog.Attr, 0, 6)
	if s.LogClientAddr {
		if a := c.RemoteAddr(); a != nil {
			attrs = append(attrs, slog.String("remote", a.String()))
		}
	}
	if req != nil {
		attrs = append(attrs, slog.String("selector", req.Selector))
	}
	attrs = append(attrs,
		slog.String("status", string(resp.status)),
		slog.Int64("bytes", resp.conn.n),
		slog.Duration("duration", d))
	if err != nil {
		// Error texts name lengths and code points, never raw client bytes.
		attrs = append(attrs, slog.String("err", err.Error()))
	}
	s.logger().LogAttrs(context.Background(), slog.LevelInfo, "gopher request", attrs...)
}

type trackResult int

const (
	trackOK trackResult = iota
	trackClosed
	trackBusy
)

func (s *Server) trackConn(c net.Conn, limited bool) trackResult {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return trackClosed
	}
	if limited && len(s.conns) >= s.maxConns() {
		return trackBusy
	}
	if s.conns == nil {
		s.conns = make(map[net.Conn]struct{})
	}
	s.conns[c] = struct{}{}
	return trackOK
}

func (s *Server) untrackConn(c net.Conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.conns, c)
	if s.closed && len(s.conns) == 0 && s.idle != nil {
		select {
		case <-s.idle:
		default:
			close(s.idle)
		}
	}
}

func (s *Server) trackListener(l net.Listener) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	if s.listeners == nil {
		s.listeners = make(map[net.Listener]struct{})
	}
	s.listeners[l] = struct{}{}
	return true
}

func (s *Server) untrackListener(l net.Listener) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.listeners, l)
}

func (s *Server) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

func (s *Server) logger() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.Default()
}

func (s *Server) readTimeout() time.Duration {
	if s.ReadTimeout == 0 {
		return DefaultReadTimeout
	}
	return s.ReadTimeout
}

func (s *Server) writeTimeout() time.Duration {
	if s.WriteTimeout == 0 {
		return DefaultWriteTimeout
	}
	return s.WriteTimeout
}

func (s *Server) maxConns() int {
	if s.MaxConns <= 0 {
		return DefaultMaxConns
	}
	return s.MaxConns
}

func (s *Server) errorHost() string {
	if s.ErrorHost == "" {
		return DefaultErrorHost
	}
	return Scrub(s.ErrorHost)
}
