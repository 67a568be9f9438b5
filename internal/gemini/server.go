package gemini

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"
)

// Defaults for the Server's zero-valued limits.
const (
	DefaultReadTimeout  = 10 * time.Second
	DefaultWriteTimeout = 30 * time.Second
	DefaultMaxConns     = 1024
)

// ErrServerClosed is returned by Serve and ListenAndServe after Shutdown.
var ErrServerClosed = errors.New("gemini: server closed")

// Server serves Gemini requests, one per connection. Fields must be set
// before the first Serve, ListenAndServe or ServeConn call and not changed
// after; a Server must not be copied after first use. Its methods are safe
// for concurrent use.
type Server struct {
	// Addr is the TCP address ListenAndServe binds, ":1965" if empty.
	Addr string

	// Hostnames are the host names the server answers for, compared
	// case-insensitively; other hosts get 53. The first is the default
	// (its certificate is the default in Certificates). Empty accepts any
	// host, which only tests should want.
	Hostnames []string

	// Port is the public port requests must name (explicitly or by
	// leaving it out when it is 1965); other ports get 53. Zero means the
	// port Serve's listener bound, or for ServeConn the connection's local
	// TCP port, or 1965.
	Port int

	// Handler answers valid requests; nil answers every one 51.
	Handler Handler

	// TLSConfig is required by Serve and ListenAndServe, which wrap every
	// accepted connection in TLS with it; use Certificates.TLSConfig.
	TLSConfig *tls.Config

	// ReadTimeout bounds the TLS handshake and the request line together,
	// from the moment the connection is accepted; DefaultReadTimeout if
	// zero. A client that has sent no complete line by then is
	// disconnected without a response.
	ReadTimeout time.Duration

	// WriteTimeout bounds writing the whole response, from the moment the
	// request line was read; DefaultWriteTimeout if zero. It also ends the
	// request's context, so a handler can stop work for a stuck client.
	WriteTimeout time.Duration

	// MaxConns bounds the connections Serve handles at once;
	// DefaultMaxConns if zero. At the bound, Serve stops accepting until
	// one finishes: new clients wait in the kernel's listen backlog rather
	// than each costing a TLS handshake just to be told 44. ServeConn is not
	// counted.
	MaxConns int

	// Logger receives the access log, one "request" line per connection
	// after its response (keys remote, host, path, status, bytes,
	// duration), and errors such as handler panics. Nil logs nothing.
	Logger *slog.Logger

	// LogClientAddr adds the client's address (key remote) to access log
	// lines; it is left out by default for the readers' privacy.
	LogClientAddr bool

	mu        sync.Mutex
	closed    bool
	done      chan struct{} // closed by Shutdown
	listeners map[net.Listener]struct{}
	conns     map[*connEntry]struct{}
	wg        sync.WaitGroup // one per tracked connection
	sem       chan struct{}
}

// connEntry lets Shutdown force-close a connection when its deadline ends.
type connEntry struct {
	cancel context.CancelFunc
}

// ListenAndServe binds s.Addr (":1965" if empty) and calls Serve.
func (s *Server) ListenAndServe(ctx context.Context) error {
	if s.TLSConfig == nil {
		return errors.New("gemini: listen and serve: TLSConfig is nil")
	}
	addr := s.Addr
	if addr == "" {
		addr = ":1965"
	}
	var lc net.ListenConfig
	l, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("gemini: listen on %s: %w", addr, err)
	}
	return s.Serve(ctx, l)
}

// Serve accepts connections on l, wraps each in TLS with s.TLSConfig and
// serves it in its own goroutine. It closes l when it returns. It returns
// ErrServerClosed after Shutdown, and ctx.Err() when ctx ends: ending ctx
// stops accepting but, unlike Shutdown's deadline, does not cut in-flight
// requests (their contexts keep ctx's values, not its cancellation), so a
// signal can cancel ctx and Shutdown can then drain.
func (s *Server) Serve(ctx context.Context, l net.Listener) error {
	if s.TLSConfig == nil {
		l.Close()
		return errors.New("gemini: serve: TLSConfig is nil")
	}
	if !s.trackListener(l) {
		l.Close()
		return ErrServerClosed
	}
	defer s.untrackListener(l)
	defer l.Close()
	stop := context.AfterFunc(ctx, func() { l.Close() })
	defer stop()

	port := s.Port
	if a, ok := l.Addr().(*net.TCPAddr); port == 0 && ok {
		port = a.Port
	}
	sem, done := s.limits()
	base := context.WithoutCancel(ctx)
	var delay time.Duration
	for {
		select {
		case sem <- struct{}{}:
		case <-done:
			return ErrServerClosed
		case <-ctx.Done():
			return ctx.Err()
		}
		raw, err := l.Accept()
		if err != nil {
			<-sem
			if s.isClosed() {
				return ErrServerClosed
			}
			if ctx.Err() != nil {
				return ctx.Err()
			}
			var te interface{ Temporary() bool }
			if errors.As(err, &te) && te.Temporary() { // e.g. EMFILE: back off, keep serving
				delay = min(max(2*delay, 5*time.Millisecond), time.Second)
				s.logger().Warn("accept failed, retrying", "error", err, "delay", delay)
				select {
				case <-time.After(delay):
				case <-done:
				case <-ctx.Done():
				}
				continue
			}
			return fmt.Errorf("gemini: accept: %w", err)
		}
		delay = 0
		connCtx, entry, ok := s.trackConn(base)
		if !ok {
			raw.Close()
			<-sem
			return ErrServerClosed
		}
		go func() {
			defer func() { <-sem }()
			defer s.untrackConn(entry)
			s.serveConn(connCtx, tls.Server(raw, s.TLSConfig), port)
		}()
	}
}

// ServeConn serves one request on c, an already set-up connection: a
// *tls.Conn (the handshake is done here, under ReadTimeout) or a plain conn
// such as one end of net.Pipe in tests. It closes c before returning. When
// ctx ends the connection is closed at once. After Shutdown it closes c
// without serving.
func (s *Server) ServeConn(ctx context.Context, c net.Conn) {
	connCtx, entry, ok := s.trackConn(ctx)
	if !ok {
		c.Close()
		return
	}
	defer s.untrackConn(entry)
	port := s.Port
	if a, ok := c.LocalAddr().(*net.TCPAddr); port == 0 && ok {
		port = a.Port
	}
	s.serveConn(connCtx, c, port)
}

// Shutdown stops every Serve loop (their listeners are closed before it
// waits, so new connections are refused) and waits for in-flight requests.
// If ctx ends first, the remaining connections are closed, their request
// contexts cancelled, and ctx.Err() is returned.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	if !s.closed {
		s.closed = true
		if s.done == nil {
			s.done = make(chan struct{})
		}
		close(s.done)
		for l := range s.listeners {
			l.Close()
		}
	}
	s.mu.Unlock()

	idle := make(chan struct{})
	go func() {
		s.wg.Wait()
		close(idle)
	}()
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		s.mu.Lock()
		for e := range s.conns {
			e.cancel()
		}
		s.mu.Unlock()
		return ctx.Err()
	}
}

func (s *Server) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

func (s *Server) limits() (sem chan struct{}, done <-chan struct{}) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sem == nil {
		n := s.MaxConns
		if n <= 0 {
			n = DefaultMaxConns
		}
		s.sem = make(chan struct{}, n)
	}
	if s.done == nil {
		s.done = make(chan struct{})
	}
	return s.sem, s.done
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

// trackConn registers a connection before its goroutine starts, so that
// Shutdown, which sets closed under the same lock before waiting, never
// misses one it must wait for.
func (s *Server) trackConn(ctx context.Context) (context.Context, *connEntry, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, nil, false
	}
	ctx, cancel := context.WithCancel(ctx)
	e := &connEntry{cancel: cancel}
	if s.conns == nil {
		s.conns = make(map[*connEntry]struct{})
	}
	s.conns[e] = struct{}{}
	s.wg.Add(1)
	return ctx, e, true
}

func (s *Server) untrackConn(e *connEntry) {
	e.cancel()
	s.mu.Lock()
	delete(s.conns, e)
	s.mu.Unlock()
	s.wg.Done()
}

func (s *Server) logger() *slog.Logger {
	if s.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Logger
}

func (s *Server) readTimeout() time.Duration {
	if s.ReadTimeout > 0 {
		return s.ReadTimeout
	}
	return DefaultReadTimeout
}

func (s *Server) writeTimeout() time.Duration {
	if s.WriteTimeout > 0 {
		return s.WriteTimeout
	}
	return DefaultWriteTimeout
}
