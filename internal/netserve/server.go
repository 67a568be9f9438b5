package netserve

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pires/go-proxyproto"
)

// ErrServerClosed is returned by Serve after Shutdown.
var ErrServerClosed = errors.New("server closed")

// Handler is a protocol on top of the connection core. Its methods run in
// the connection's own goroutine and must close the connection (c.Close,
// or closing a TLS connection over c) before returning.
type Handler interface {
	// ServeConn reads one request from c, answers it and closes c. It
	// calls c.Begin once the request is complete, c.Finish once the
	// answer is sent, and fills in the access log record (SetRequest,
	// SetStatus, SetError).
	ServeConn(c *Conn)
	// Refuse answers a client the server will not serve, as cheaply as
	// the protocol allows, and closes c. With r.Busy the server is at its
	// connection cap and no access log record is written; otherwise the
	// client is over its rate and should retry after r.Retry.
	Refuse(c *Conn, r Refusal)
}

// Refusal says why Handler.Refuse is called.
type Refusal struct {
	// Busy: the server holds Settings.Connections connections already.
	Busy bool
	// Retry: the client is over its rate; it has a token again after
	// this long (whole seconds, at least one).
	Retry time.Duration
}

// maxBusyAnswers bounds the goroutines answering connections refused for
// Busy; beyond it, such connections are closed without a word.
const maxBusyAnswers = 64

// refusalReportEvery is how often refused connections are summarised in
// the log: one warning per interval with counts, instead of one line per
// connection, which a flood would turn into a disk-filling attack.
const refusalReportEvery = 10 * time.Second

// shutdownLinger is how long Shutdown lets a connection that has sent its
// answer keep draining the client's input, so that closing it does not
// reset the answer away.
const shutdownLinger = 200 * time.Millisecond

// Server accepts connections and hands each to its Handler with the
// limits, deadlines and logging described in the package documentation.
// Set the exported fields before the first Serve or ServeConn and do not
// change them after; change Settings with Configure. Its methods are safe
// for concurrent use.
type Server struct {
	// Proto names the protocol in the access log ("gemini", "gopher").
	Proto string
	// Handler serves connections; it must not be nil.
	Handler Handler
	// Limiter applies per-address limits; nil applies none. It may be
	// shared with another Server.
	Limiter *Limiter
	// Logger receives the access log (message "request", level Info) and
	// the server's own warnings; nil logs nothing.
	Logger *slog.Logger

	settings atomic.Pointer[Settings]

	mu        sync.Mutex
	closed    bool
	listeners map[net.Listener]struct{}
	conns     map[*Conn]struct{}
	counted   int            // conns counted against Settings.Connections
	wg        sync.WaitGroup // one per tracked conn
	busy      atomic.Int32   // Busy answers in progress

	refMu      sync.Mutex
	refused    map[string]int
	lastReport time.Time
}

// Configure replaces the settings; connections accepted from now on use
// them, and the access log uses the new ClientAddr at once.
func (s *Server) Configure(st Settings) {
	st.Trusted = append([]netip.Prefix(nil), st.Trusted...)
	s.settings.Store(&st)
}

// Settings returns the settings in force.
func (s *Server) Settings() Settings {
	if st := s.settings.Load(); st != nil {
		return *st
	}
	return Settings{}
}

// Serve accepts connections on l until Shutdown or until ctx ends, and
// serves each in its own goroutine. It closes l before returning, and
// returns ErrServerClosed after Shutdown, ctx.Err() when ctx ended, or the
// listener's error. Temporary accept errors (too many open files) are
// retried with a growing delay. Ending ctx stops accepting only:
// connections keep ctx's values but not its cancellation, so that Shutdown
// can drain them.
func (s *Server) Serve(ctx context.Context, l net.Listener) error {
	if !s.trackListener(l) {
		l.Close()
		return ErrServerClosed
	}
	defer s.untrackListener(l)
	defer l.Close()
	stop := context.AfterFunc(ctx, func() { l.Close() })
	defer stop()
	// Refusals are summarised as they happen, at most every interval; this
	// reports the last of a burst that ended.
	served := make(chan struct{})
	defer close(served)
	go func() {
		t := time.NewTicker(refusalReportEvery)
		defer t.Stop()
		for {
			select {
			case <-served:
				return
			case <-t.C:
				s.reportRefusals(false)
			}
		}
	}()

	base := context.WithoutCancel(ctx)
	var delay time.Duration
	for {
		raw, err := l.Accept()
		if err != nil {
			switch {
			case s.isClosed():
				return ErrServerClosed
			case ctx.Err() != nil:
				return ctx.Err()
			case errors.Is(err, net.ErrClosed):
				return fmt.Errorf("%s: accept: %w", s.Proto, err)
			}
			// EMFILE, ENFILE, ECONNABORTED...: back off and keep serving.
			delay = min(max(2*delay, 5*time.Millisecond), time.Second)
			s.logger().Warn("accept failed, retrying", "proto", s.Proto, "error", err, "delay", delay)
			t := time.NewTimer(delay)
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
			}
			continue
		}
		delay = 0
		s.accept(base, raw)
	}
}

// accept registers a new connection, making room at the cap, and starts
// its goroutine.
func (s *Server) accept(ctx context.Context, raw net.Conn) {
	c := s.newConn(ctx, raw)
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		raw.Close()
		return
	}
	if s.counted >= c.settings.connections() && !s.evictOldestIdle(c.start) {
		s.mu.Unlock()
		s.noteRefusal("connections")
		s.refuseBusy(c)
		return
	}
	c.counted = true
	s.counted++
	s.trackLocked(c)
	s.mu.Unlock()
	go s.serve(c)
}

// evictOldestIdle closes the connection that has waited longest for its
// request, if it has waited at least EvictAge, so that a flood of silent
// connections cannot lock real readers out. Called with s.mu held.
func (s *Server) evictOldestIdle(now time.Time) bool {
	var oldest *Conn
	for c := range s.conns {
		if c.counted && c.state == stateIdle && (oldest == nil || c.start.Before(oldest.start)) {
			oldest = c
		}
	}
	if oldest == nil || now.Sub(oldest.start) < EvictAge {
		return false
	}
	oldest.state, oldest.closedBy = stateClosed, "evicted"
	oldest.counted = false
	s.counted--
	oldest.raw.Close()
	s.noteRefusalLocked("evicted")
	return true
}

// refuseBusy lets the Handler answer a connection over the cap, in a
// goroutine of its own but at most maxBusyAnswers at once.
func (s *Server) refuseBusy(c *Conn) {
	if s.busy.Add(1) > maxBusyAnswers {
		s.busy.Add(-1)
		c.raw.Close()
		return
	}
	go func() {
		defer s.busy.Add(-1)
		defer c.cancel()
		defer c.raw.Close()
		s.Handler.Refuse(c, Refusal{Busy: true})
	}()
}

// ServeConn serves one connection that was accepted elsewhere, such as
// one end of net.Pipe in tests, with the same limits and logging as Serve
// except the connection cap. It returns when the connection is done; it
// closes c. After Shutdown it closes c without serving. Ending ctx closes
// the connection.
func (s *Server) ServeConn(ctx context.Context, nc net.Conn) {
	c := s.newConn(ctx, nc)
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		nc.Close()
		c.cancel()
		return
	}
	s.trackLocked(c)
	s.mu.Unlock()
	stop := context.AfterFunc(c.ctx, func() { nc.Close() })
	defer stop()
	s.serve(c)
}

func (s *Server) newConn(ctx context.Context, raw net.Conn) *Conn {
	st := s.Settings()
	c := &Conn{srv: s, raw: raw, rd: raw, start: time.Now(), settings: st}
	c.client = addrPortOf(raw.RemoteAddr())
	c.ctx, c.cancel = context.WithCancel(ctx)
	// The whole request, PROXY header and TLS handshake included, must
	// arrive by then; handlers never extend it.
	raw.SetReadDeadline(c.start.Add(st.readTimeout()))
	return c
}

// serve runs one tracked connection to its end.
func (s *Server) serve(c *Conn) {
	defer s.done(c)
	defer func() {
		if v := recover(); v != nil {
			s.logger().Error("connection panic", "proto", s.Proto, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			c.raw.Close()
		}
	}()
	if c.settings.Proxy {
		if reason, err := c.readProxyHeader(); err != nil {
			c.quiet = true
			c.raw.Close()
			if reason != "" {
				s.noteRefusal(reason)
				s.logger().Debug("proxy protocol: connection refused", "proto", s.Proto, "peer", c.raw.RemoteAddr().String(), "error", err)
			}
			return
		}
	}
	if s.Limiter != nil && c.client.IsValid() {
		d := s.Limiter.Admit(c.client.Addr())
		switch d.Verdict {
		case Drop:
			c.quiet = true
			c.raw.Close()
			s.noteRefusal(d.Reason)
			return
		case SlowDown:
			c.admitted = true
			s.Handler.Refuse(c, Refusal{Retry: d.Retry})
			return
		}
		c.admitted = true
	}
	s.Handler.ServeConn(c)
}

// readProxyHeader reads the PROXY header and takes the client address from
// it. On failure it returns the refusal reason to count ("" for a peer that
// closed without sending anything, such as a load balancer's TCP check).
func (c *Conn) readProxyHeader() (reason string, err error) {
	peer := addrPortOf(c.raw.RemoteAddr())
	if !c.settings.trusts(peer.Addr()) {
		return "proxy_untrusted", fmt.Errorf("peer %s is not in [proxy] trusted", peer.Addr())
	}
	// 256 bytes hold any v1 header (at most 107) and a v2 one without
	// large TLVs; v2 reads past the buffer as needed.
	br := bufio.NewReaderSize(c.raw, 256)
	if _, err := br.Peek(1); err != nil {
		if errors.Is(err, io.EOF) {
			return "", err
		}
		return "proxy_header", fmt.Errorf("reading PROXY header: %w", err)
	}
	h, err := proxyproto.Read(br)
	if err != nil {
		return "proxy_header", fmt.Errorf("reading PROXY header: %w", err)
	}
	if h.Command.IsProxy() {
		if src := addrPortOf(h.SourceAddr); src.IsValid() {
			c.client = src
		}
	}
	// LOCAL (health checks) and UNKNOWN keep the peer's own address.
	c.rd = br
	return "", nil
}

// done untracks a finished connection and writes its access log record.
func (s *Server) done(c *Conn) {
	c.cancel()
	if c.admitted {
		s.Limiter.Release(c.client.Addr())
	}
	s.mu.Lock()
	closedBy := c.closedBy
	delete(s.conns, c)
	if c.counted {
		s.counted--
	}
	s.mu.Unlock()
	if !c.quiet {
		s.logAccess(c, closedBy)
	}
	s.wg.Done()
}

// Shutdown stops every Serve loop, closes idle connections at once (those
// still waiting for their request), lets requests in flight finish, and
// returns nil when none is left. If ctx ends first, it closes the
// remaining connections, ends their contexts and returns ctx.Err(). The
// server cannot serve again afterwards.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.closed = true
	for l := range s.listeners {
		l.Close()
	}
	for c := range s.conns {
		switch c.state {
		case stateIdle:
			c.state, c.closedBy = stateClosed, "shutdown"
			c.raw.Close()
		case stateClosing:
			c.raw.SetReadDeadline(time.Now().Add(shutdownLinger))
		}
	}
	s.mu.Unlock()
	s.reportRefusals(true)

	drained := make(chan struct{})
	go func() {
		s.wg.Wait()
		close(drained)
	}()
	select {
	case <-drained:
		return nil
	case <-ctx.Done():
		s.mu.Lock()
		for c := range s.conns {
			c.closedBy = "shutdown deadline"
			c.cancel()
			c.raw.Close()
		}
		s.mu.Unlock()
		return ctx.Err()
	}
}

// trackLocked registers c; s.mu must be held and s.closed false.
func (s *Server) trackLocked(c *Conn) {
	if s.conns == nil {
		s.conns = make(map[*Conn]struct{})
	}
	s.conns[c] = struct{}{}
	s.wg.Add(1)
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
	if s.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Logger
}

// noteRefusal counts a connection refused for reason and, at most once per
// refusalReportEvery, logs the counts.
func (s *Server) noteRefusal(reason string) {
	s.refMu.Lock()
	if s.refused == nil {
		s.refused = make(map[string]int)
	}
	s.refused[reason]++
	s.refMu.Unlock()
	s.reportRefusals(false)
}

// noteRefusalLocked is noteRefusal for callers holding s.mu: it counts
// only, and the next report includes it.
func (s *Server) noteRefusalLocked(reason string) {
	s.refMu.Lock()
	defer s.refMu.Unlock()
	if s.refused == nil {
		s.refused = make(map[string]int)
	}
	s.refused[reason]++
}

// reportRefusals logs and resets the refusal counts if there are any and
// the last report is old enough, or now.
func (s *Server) reportRefusals(now bool) {
	s.refMu.Lock()
	if len(s.refused) == 0 || !now && time.Since(s.lastReport) < refusalReportEvery {
		s.refMu.Unlock()
		return
	}
	counts := s.refused
	s.refused, s.lastReport = nil, time.Now()
	s.refMu.Unlock()
	attrs := []any{"proto", s.Proto}
	for _, r := range []string{"connections", "evicted", "per_address", "rate", "proxy_untrusted", "proxy_header"} {
		if n := counts[r]; n > 0 {
			attrs = append(attrs, r, n)
		}
	}
	s.logger().Warn("connections refused by limits", attrs...)
}

// logAccess writes a connection's access log record.
func (s *Server) logAccess(c *Conn, closedBy string) {
	log := s.logger()
	ctx := context.Background()
	if !log.Enabled(ctx, slog.LevelInfo) {
		return
	}
	st := s.Settings()
	end := c.end
	if end.IsZero() {
		end = time.Now()
	}
	bytes := c.bytes
	if !c.bytesSet {
		bytes = c.Written()
	}
	attrs := make([]slog.Attr, 0, 8)
	attrs = append(attrs, slog.String("proto", s.Proto))
	if a := st.ClientAddr.Format(c.client); a != "" {
		attrs = append(attrs, slog.String("client", a))
	} else if st.ClientAddr == AddrFull && c.raw.RemoteAddr() != nil {
		attrs = append(attrs, slog.String("client", c.raw.RemoteAddr().String())) // not IP: net.Pipe
	}
	attrs = append(attrs,
		slog.String("request", c.request),
		slog.String("status", c.status),
		slog.Int64("bytes", bytes),
		slog.Duration("duration", end.Sub(c.start)),
	)
	switch {
	case closedBy != "" && c.err != nil:
		attrs = append(attrs, slog.String("error", "closed by server ("+closedBy+"): "+c.err.Error()))
	case closedBy != "":
		attrs = append(attrs, slog.String("error", "closed by server ("+closedBy+")"))
	case c.err != nil:
		attrs = append(attrs, slog.String("error", c.err.Error()))
	}
	log.LogAttrs(ctx, slog.LevelInfo, "request", attrs...)
}
