package gemini

import (
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"net"
	"sync"

	"broadside/internal/netserve"
)

// ErrServerClosed is returned by Serve after Shutdown.
var ErrServerClosed = netserve.ErrServerClosed

// Server serves Gemini requests, one per connection, on the connection
// core of package netserve: connection caps, per-address limits, the PROXY
// protocol, progress deadlines, the access log and graceful shutdown come
// from there. Fields must be set before the first Serve or ServeConn call
// and not changed after (Configure changes the connection settings live);
// a Server must not be copied after first use. Its methods are safe for
// concurrent use.
type Server struct {
	// Hostnames are the host names the server answers for, compared
	// case-insensitively; other hosts get 53. The first is the default
	// (its certificate is the default in Certificates). Empty accepts any
	// host, which only tests should want.
	Hostnames []string

	// Port is the public port requests must name (explicitly or by
	// leaving it out when it is 1965); other ports get 53. Zero means the
	// connection's local TCP port, or 1965.
	Port int

	// Handler answers valid requests; nil answers every one 51.
	Handler Handler

	// TLSConfig is required by Serve, which wraps every accepted
	// connection in TLS with it; use Certificates.TLSConfig. ServeConn
	// without it serves plain text, which only tests should want.
	TLSConfig *tls.Config

	// Settings are the initial connection settings (caps, timeouts, PROXY
	// protocol, how client addresses are logged); see netserve.Settings.
	// The TLS handshake and the request line must arrive within
	// ReadTimeout of the accept; a client that has sent no complete line
	// by then is disconnected without a response.
	Settings netserve.Settings

	// Limiter applies per-address limits: over them a client gets 44, or
	// is closed before the TLS handshake when far over. Nil limits
	// nothing.
	Limiter *netserve.Limiter

	// Titan accepts titan:// uploads on this port: requests whose URI
	// carries ";size=N" (and mime, token) parameters, followed by N bytes,
	// which the Handler reads from Request.Upload.Body. Without it a
	// titan:// request is answered 53 like any other scheme.
	Titan bool

	// Logger receives the access log, one "request" record per
	// connection (see netserve), and errors such as handler panics. Nil
	// logs nothing.
	Logger *slog.Logger

	once sync.Once
	core netserve.Server
}

// net returns the connection core, set up from the fields on first use.
func (s *Server) net() *netserve.Server {
	s.once.Do(func() {
		s.core.Proto = "gemini"
		s.core.Handler = connHandler{s}
		s.core.Limiter = s.Limiter
		s.core.Logger = s.Logger
		s.core.Configure(s.Settings)
	})
	return &s.core
}

// Configure changes the connection settings of a running server; new
// connections use them.
func (s *Server) Configure(st netserve.Settings) { s.net().Configure(st) }

// Serve accepts connections on l, wraps each in TLS with s.TLSConfig and
// serves it in its own goroutine. It closes l when it returns. It returns
// ErrServerClosed after Shutdown, and ctx.Err() when ctx ends: ending ctx
// stops accepting but does not cut in-flight requests, so a signal can
// cancel ctx and Shutdown can then drain.
func (s *Server) Serve(ctx context.Context, l net.Listener) error {
	if s.TLSConfig == nil {
		l.Close()
		return errors.New("gemini: serve: TLSConfig is nil")
	}
	return s.net().Serve(ctx, l)
}

// ServeConn serves one request on c, a connection accepted elsewhere (one
// end of net.Pipe in tests), over TLS with TLSConfig or in plain text
// without it. It closes c before returning. When ctx ends the connection
// is closed at once. After Shutdown it closes c without serving.
func (s *Server) ServeConn(ctx context.Context, c net.Conn) {
	s.net().ServeConn(ctx, c)
}

// Shutdown stops every Serve loop (their listeners are closed before it
// waits, so new connections are refused), closes connections that have
// not sent a request yet, and waits for in-flight requests. If ctx ends
// first, the remaining connections are closed, their request contexts
// cancelled, and ctx.Err() is returned.
func (s *Server) Shutdown(ctx context.Context) error {
	return s.net().Shutdown(ctx)
}

func (s *Server) logger() *slog.Logger {
	if s.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Logger
}

// connHandler is the Gemini protocol as a netserve.Handler.
type connHandler struct{ s *Server }

func (h connHandler) ServeConn(c *netserve.Conn) { h.s.serveConn(c) }

func (h connHandler) Refuse(c *netserve.Conn, r netserve.Refusal) { h.s.refuse(c, r) }
