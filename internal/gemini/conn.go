package gemini

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"broadside/internal/netserve"
)

// After the response, the server half-closes (TLS close_notify) and reads
// and discards what the client may still be sending, for at most this long
// and this much, before closing: closing a socket with unread input makes
// the kernel send a reset, which can destroy the response (a 64 KB request
// line answered 59 would otherwise often reach the client as "connection
// reset").
const (
	lingerTimeout = time.Second
	lingerBytes   = 256 << 10
)

// Access log statuses for connections that got no Gemini response; the
// others log the two-digit status sent.
const (
	logTimeout  = "timeout"   // no complete request line within ReadTimeout
	logClosed   = "closed"    // the client went away before a request line
	logTLSError = "tls_error" // the TLS handshake failed
)

// serveConn runs one connection: handshake, request line, validation,
// handler, flush, close_notify. The read deadline for the handshake and
// the request line together was set by netserve when the connection was
// accepted.
func (s *Server) serveConn(c *netserve.Conn) {
	log := s.logger()
	ctx := c.Context()
	var conn net.Conn = c
	tc, isTLS := s.wrapTLS(c)
	if isTLS {
		conn = tc
		// Not HandshakeContext: with a context that can be cancelled it
		// starts a goroutine per handshake to watch it, and netserve
		// already closes the socket when the connection's context ends
		// (shutdown), which ends the handshake as well.
		if err := tc.Handshake(); err != nil {
			c.SetStatus(noRequestStatus(err, logTLSError))
			c.SetError(fmt.Errorf("tls handshake: %w", err))
			c.Close()
			return
		}
	}
	line, rest, status, meta, err := readRequestLine(conn)
	if err != nil {
		// Nothing usable arrived in time (or the client went away): close
		// without a response, which is all a silent client deserves.
		c.SetStatus(noRequestStatus(err, logClosed))
		c.SetError(err)
		c.Finish()
		s.finish(conn, true)
		return
	}
	if !c.Begin() {
		conn.Close() // closed by shutdown while the line arrived
		return
	}
	c.SetRequest(logRequest(line))
	cw := &countWriter{w: conn}
	w := newResponse(cw, log)
	var req *Request
	if status == 0 {
		req, status, meta = parseRequest(line, s.Hostnames, s.port(c), s.Titan)
	}
	if req != nil && req.Upload != nil {
		req.Upload.Body = &uploadBody{buf: rest, conn: conn, n: req.Upload.Size, timeout: s.uploadTimeout()}
	}
	complete := true
	if req == nil {
		w.WriteHeader(status, meta)
	} else {
		req.RemoteAddr = c.RemoteAddr()
		if isTLS {
			st := tc.ConnectionState()
			req.TLS = &st
		}
		req.ctx = ctx
		complete = s.runHandler(w, req, log)
	}
	if !complete {
		c.SetError(fmt.Errorf("response cut short after %d bytes: handler panic", cw.n))
	} else if err := w.flush(); err != nil {
		c.SetError(fmt.Errorf("response cut short after %d bytes: %w", cw.n, err))
	}
	w.release()
	c.SetStatus(strconv.Itoa(int(w.status)))
	c.SetBytes(cw.n)
	// The duration is the request's, not the lingering close's: a client
	// that keeps the socket open after close_notify is not slow service.
	c.Finish()
	// A plain exchange (a whole request line, no upload) after which the
	// client sent nothing more closes at once, as a TLS server without
	// this care would; the rest linger (see finish).
	if complete && w.err == nil && req != nil && req.Upload == nil && !c.Pending() {
		conn.Close()
		return
	}
	s.finish(conn, complete && w.err == nil)
}

// refuse answers a connection the limits turned away. At the connection
// cap it closes at once, before the handshake: when the server is full, a
// TLS handshake per refusal would be the most expensive way to say no.
// Over the rate it answers 44 with the seconds to wait, after the
// handshake but without reading the request.
func (s *Server) refuse(c *netserve.Conn, r netserve.Refusal) {
	if r.Busy {
		c.Close()
		return
	}
	var conn net.Conn = c
	if tc, ok := s.wrapTLS(c); ok {
		conn = tc
		if err := tc.Handshake(); err != nil { // see serveConn
			c.SetStatus(noRequestStatus(err, logTLSError))
			c.SetError(fmt.Errorf("tls handshake: %w", err))
			c.Close()
			return
		}
	}
	secs := max(int(r.Retry/time.Second), 1)
	cw := &countWriter{w: conn}
	w := newResponse(cw, s.logger())
	w.WriteHeader(StatusSlowDown, strconv.Itoa(secs))
	if err := w.flush(); err != nil {
		c.SetError(err)
	}
	w.release()
	c.SetStatus(strconv.Itoa(int(StatusSlowDown)))
	c.SetBytes(cw.n)
	c.Finish()
	s.finish(conn, w.err == nil)
}

// uploadTimeout is how long a Titan upload may pause between pieces.
func (s *Server) uploadTimeout() time.Duration {
	if s.Settings.SendTimeout > 0 {
		return s.Settings.SendTimeout
	}
	return netserve.DefaultSendTimeout
}

// wrapTLS puts TLS over c when the server has a TLS configuration.
func (s *Server) wrapTLS(c net.Conn) (*tls.Conn, bool) {
	if s.TLSConfig == nil {
		return nil, false
	}
	return tls.Server(c, s.TLSConfig), true
}

// port is the public port requests must name.
func (s *Server) port(c net.Conn) int {
	if s.Port != 0 {
		return s.Port
	}
	if a, ok := c.LocalAddr().(*net.TCPAddr); ok {
		return a.Port
	}
	return DefaultPort
}

// noRequestStatus tells a timeout from other failures to get a request.
func noRequestStatus(err error, other string) string {
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return logTimeout
	}
	return other
}

// logRequest is the request line as the access log shows it: valid UTF-8,
// and without the query, which holds what readers type into search
// prompts and is theirs, not the log's ("?" shows there was one).
func logRequest(line []byte) string {
	s := strings.ToValidUTF8(string(line), "\uFFFD")
	if i := strings.IndexByte(s, '?'); i >= 0 {
		s = s[:i+1]
	}
	return s
}

// lineReaders holds the request-line readers of finished connections:
// one per request would be a kilobyte of garbage each time.
var lineReaders = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, MaxRequestLength+2) }}

// readRequestLine reads at most MaxRequestLength+2 bytes, never more, so a
// huge line is rejected without being buffered. It returns the URI without
// CRLF, or a 59 status for an over-long line or one not ending in CRLF, or
// an error when no line arrived (timeout, EOF on an empty connection).
func readRequestLine(c net.Conn) (line, rest []byte, st Status, meta string, err error) {
	br := lineReaders.Get().(*bufio.Reader)
	br.Reset(c)
	defer func() {
		br.Reset(nil)
		lineReaders.Put(br)
	}()
	line, err = br.ReadSlice('\n')
	switch {
	case err == nil:
		if len(line) < 2 || line[len(line)-2] != '\r' {
			return nil, nil, StatusBadRequest, metaNoCRLF, nil
		}
		// What came after the line is the start of a Titan upload's
		// body; copy it out of the reader's buffer with the line, which
		// goes back to the pool.
		rest, _ = br.Peek(br.Buffered())
		rest = append([]byte(nil), rest...)
		return bytes.Clone(line[:len(line)-2]), rest, 0, "", nil
	case errors.Is(err, bufio.ErrBufferFull):
		return nil, nil, StatusBadRequest, metaTooLong, nil
	case errors.Is(err, io.EOF) && len(line) > 0:
		// The client half-closed after a line without CRLF: it can still
		// read the answer.
		return nil, nil, StatusBadRequest, metaNoCRLF, nil
	default:
		return nil, nil, 0, "", fmt.Errorf("read request line: %w", err)
	}
}

// runHandler calls the handler, turning a panic into 40 when no header
// was sent yet. It reports whether the response is complete: after a panic
// mid-body it is not, and the connection must end without close_notify so
// the client can tell the body was cut.
func (s *Server) runHandler(w *response, r *Request, log *slog.Logger) (complete bool) {
	complete = true
	defer func() {
		if v := recover(); v != nil {
			log.Error("handler panic", "panic", v, "path", r.Path, "stack", string(debug.Stack()))
			if w.wroteHeader {
				complete = false
				return
			}
			w.WriteHeader(StatusTemporaryFailure, "")
		}
	}()
	h := s.Handler
	if h == nil {
		w.WriteHeader(StatusNotFound, "")
		return true
	}
	h.ServeGemini(w, r)
	if !w.wroteHeader {
		log.Error("handler wrote no response", "path", r.Path)
		w.WriteHeader(StatusTemporaryFailure, "")
	}
	return true
}

// finish ends the connection. A complete response ends with close_notify
// (or a TCP half-close for plain TCP), then a bounded read of whatever the
// client still sends, then Close. An incomplete one closes the socket
// under TLS without close_notify, which clients read as truncation.
func (s *Server) finish(c net.Conn, complete bool) {
	tc, isTLS := c.(*tls.Conn)
	if !complete && isTLS {
		tc.NetConn().Close()
		return
	}
	type closeWriter interface{ CloseWrite() error }
	if cw, ok := c.(closeWriter); ok && (!isTLS || tc.ConnectionState().HandshakeComplete) {
		if cw.CloseWrite() == nil {
			c.SetReadDeadline(time.Now().Add(lingerTimeout))
			io.Copy(io.Discard, io.LimitReader(c, lingerBytes))
		}
	}
	c.Close()
}

// countWriter counts the bytes that reached the writer under it.
type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
