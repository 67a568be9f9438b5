package gopher

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"unicode/utf8"
)

// MaxRequestLine is the longest request line accepted, in bytes, not
// counting the CRLF (or bare LF) that ends it.
const MaxRequestLine = 1024

// Errors returned by ParseRequest and the server's request reader. Callers
// branch on them with errors.Is.
var (
	// ErrRequestTooLong means the request line exceeds MaxRequestLine.
	ErrRequestTooLong = errors.New("request line too long")
	// ErrBadRequest means the request line holds a NUL or control byte,
	// invalid UTF-8, too many TAB fields, or ended without a line feed.
	ErrBadRequest = errors.New("malformed request line")
)

// Request is one Gopher request: a selector, optionally followed by a TAB
// and a search string (type 7 items) and by a TAB and a Gopher+ field.
type Request struct {
	// Selector is the selector as sent: valid UTF-8 without NUL, TAB or any
	// other control character. It is not cleaned: "../" and "%2e%2e" reach
	// the handler unchanged, and routing must refuse them.
	Selector string
	// Search is the text after the first TAB (type 7 queries), "" if none.
	Search string
	// Plus is the Gopher+ field after the second TAB, "" if none.
	Plus string
	// RemoteAddr is the client's address (a *net.TCPAddr): behind a load
	// balancer with the PROXY protocol, the one its header names. Nil when
	// unknown.
	RemoteAddr net.Addr

	ctx context.Context
}

// Context returns the request's context, canceled when a write to the
// client fails (it stopped reading for longer than the send timeout, or
// went away), when a forced shutdown closes the connection, or when the
// context given to ServeConn ends. It is never nil.
func (r *Request) Context() context.Context {
	if r.ctx == nil {
		return context.Background()
	}
	return r.ctx
}

// ParseRequest parses one request line. A trailing CRLF or LF is removed
// first. The line must be at most MaxRequestLine bytes of valid UTF-8 with no
// control characters except at most two TAB separators.
func ParseRequest(line []byte) (*Request, error) {
	if l, ok := strings.CutSuffix(string(line), "\n"); ok {
		line = []byte(strings.TrimSuffix(l, "\r"))
	}
	if len(line) > MaxRequestLine {
		return nil, fmt.Errorf("gopher: %d bytes: %w", len(line), ErrRequestTooLong)
	}
	s := string(line)
	if !utf8.ValidString(s) {
		return nil, fmt.Errorf("gopher: invalid utf-8: %w", ErrBadRequest)
	}
	fields := strings.Split(s, "\t")
	if len(fields) > 3 {
		return nil, fmt.Errorf("gopher: %d tab-separated fields: %w", len(fields), ErrBadRequest)
	}
	for i, f := range fields {
		for j, r := range f {
			if isControl(r) {
				return nil, fmt.Errorf("gopher: control character U+%04X in field %d at byte %d: %w", r, i+1, j, ErrBadRequest)
			}
		}
	}
	req := &Request{Selector: fields[0]}
	if len(fields) > 1 {
		req.Search = fields[1]
	}
	if len(fields) > 2 {
		req.Plus = fields[2]
	}
	return req, nil
}

// isControl reports whether r is a C0 or C1 control character or DEL.
func isControl(r rune) bool {
	return r < 0x20 || (r >= 0x7f && r < 0xa0)
}
