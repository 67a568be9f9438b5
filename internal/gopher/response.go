package gopher

import (
	"bufio"
	"io"
)

// Status is the outcome of a request, reported by the handler for the
// access log. Gopher itself has no status codes.
type Status string

// Statuses the server and handlers report; the access log shows them as
// its status field, where Gemini shows its two-digit codes. Handlers may
// use their own lower_snake values too.
const (
	StatusOK         Status = "ok"          // answered
	StatusNotFound   Status = "not_found"   // an error item: no such selector
	StatusBadRequest Status = "bad_request" // malformed or over-long request line
	StatusError      Status = "error"       // the handler failed (a panic, a read error)
	StatusBusy       Status = "busy"        // refused: the server is at its connection cap
	StatusSlowDown   Status = "slow_down"   // refused: the client is over its request rate
	StatusTimeout    Status = "timeout"     // no complete request line within the read timeout
	StatusClosed     Status = "closed"      // the client went away before sending a request
)

// ResponseWriter is what a handler writes its answer to. Writes are
// buffered and sent when the handler returns; the server counts the bytes
// for the access log. A ResponseWriter is used by one goroutine only.
type ResponseWriter interface {
	io.Writer
	// SetStatus records the request's outcome for the access log. The
	// default is StatusOK. It sends nothing to the client: a handler that
	// fails writes an error menu (Menu.Error) or text itself.
	SetStatus(s Status)
}

// Handler answers Gopher requests.
type Handler interface {
	ServeGopher(w ResponseWriter, r *Request)
}

// response is the server's ResponseWriter: a bufio.Writer over a counter
// over the connection, so the server knows both what the handler wrote and
// whether anything already reached the client.
type response struct {
	buf    *bufio.Writer
	conn   *countWriter
	status Status
}

func newResponse(w io.Writer) *response {
	cw := &countWriter{w: w}
	return &response{buf: bufio.NewWriterSize(cw, 8<<10), conn: cw, status: StatusOK}
}

func (r *response) Write(p []byte) (int, error) { return r.buf.Write(p) }

func (r *response) SetStatus(s Status) { r.status = s }

// discard drops buffered output if none of it has reached the client yet,
// and reports whether it could.
func (r *response) discard() bool {
	if r.conn.n > 0 {
		return false
	}
	r.buf.Reset(r.conn)
	return true
}

// countWriter counts the bytes written through it.
type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
