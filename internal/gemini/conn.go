package gemini

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"runtime/debug"
	"time"
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

// serveConn runs one connection: handshake, request line, validation,
// handler, flush, close_notify, access log.
func (s *Server) serveConn(ctx context.Context, c net.Conn, port int) {
	start := time.Now()
	log := s.logger()
	// A forced shutdown or the caller's ctx closes the connection, which
	// unblocks any read or write in progress.
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()

	tc, isTLS := c.(*tls.Conn)
	c.SetDeadline(start.Add(s.readTimeout()))
	if isTLS {
		if err := tc.HandshakeContext(ctx); err != nil {
			log.Debug("tls handshake failed", "error", err)
			c.Close()
			return
		}
	}

	rec := accessRecord{start: start, remote: c.RemoteAddr()}
	line, status, meta, err := readRequestLine(c)
	if err != nil {
		// Nothing usable arrived in time (or the client went away): close
		// without a response, which is all a silent client deserves.
		rec.err = err
		rec.duration = time.Since(start)
		s.finish(c, true)
		s.logAccess(log, rec)
		return
	}
	c.SetWriteDeadline(time.Now().Add(s.writeTimeout()))
	w := newResponse(c, log)
	var req *Request
	if status == 0 {
		req, status, meta = ParseRequest(line, s.Hostnames, port)
	}
	complete := true
	if req == nil {
		w.WriteHeader(status, meta)
	} else {
		rec.host, rec.path = req.Host, req.Path
		req.RemoteAddr = c.RemoteAddr()
		if isTLS {
			st := tc.ConnectionState()
			req.TLS = &st
		}
		rctx, cancel := context.WithTimeout(ctx, s.writeTimeout())
		req.ctx = rctx
		complete = s.runHandler(w, req, log)
		cancel()
	}
	if complete {
		if err := w.flush(); err != nil {
			rec.err = err
		}
	}
	rec.status, rec.bytes = w.status, w.bytes
	// The duration is the request's, not the lingering close's: a client
	// that keeps the socket open after close_notify is not slow service.
	rec.duration = time.Since(start)
	s.finish(c, complete)
	s.logAccess(log, rec)
}

// readRequestLine reads at most MaxRequestLength+2 bytes, never more, so a
// huge line is rejected without being buffered. It returns the URI without
// CRLF, or a 59 status for an over-long line or one not ending in CRLF, or
// an error when no line arrived (timeout, EOF on an empty connection).
func readRequestLine(c net.Conn) ([]byte, Status, string, error) {
	br := bufio.NewReaderSize(c, MaxRequestLength+2)
	line, err := br.ReadSlice('\n')
	switch {
	case err == nil:
		if len(line) < 2 || line[len(line)-2] != '\r' {
			return nil, StatusBadRequest, metaNoCRLF, nil
		}
		return line[:len(line)-2], 0, "", nil
	case errors.Is(err, bufio.ErrBufferFull):
		return nil, StatusBadRequest, metaTooLong, nil
	case errors.Is(err, io.EOF) && len(line) > 0:
		// The client half-closed after a line without CRLF: it can still
		// read the answer.
		return nil, StatusBadRequest, metaNoCRLF, nil
	default:
		return nil, 0, "", fmt.Errorf("read request line: %w", err)
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
