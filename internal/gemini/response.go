package gemini

import (
	"bufio"
	"errors"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// MaxMetaLength is the longest META in bytes. Longer META strings are cut
// on a rune boundary.
const MaxMetaLength = 1024

// DefaultMediaType is the META of a 20 response whose handler wrote a body
// without calling WriteHeader, or called it with an empty META. Handlers
// should give the full type, with lang.
const DefaultMediaType = "text/gemini; charset=utf-8"

// ErrBodyNotAllowed is returned by ResponseWriter.Write when the response
// status is not 20: only successful responses carry a body.
var ErrBodyNotAllowed = errors.New("gemini: response status does not allow a body")

// ResponseWriter is how a Handler answers. It is not safe for concurrent
// use.
type ResponseWriter interface {
	// WriteHeader sends the response header "NN META". Only the first call
	// counts. An undefined status is sent as 40. META is stripped of
	// control characters and cut to MaxMetaLength bytes; an empty META is
	// replaced by DefaultMediaType for 20, "10" seconds for 44, and the
	// status name otherwise.
	WriteHeader(status Status, meta string)

	// Write writes body bytes, first sending "20 text/gemini;
	// charset=utf-8" if no header was written. It returns
	// ErrBodyNotAllowed after a non-20 header.
	Write(b []byte) (int, error)
}

// response is the Server's ResponseWriter: header and body go through one
// buffered writer whose error is kept and checked at flush.
type response struct {
	bw          *bufio.Writer
	logger      *slog.Logger
	status      Status
	wroteHeader bool
	bytes       int64 // body bytes accepted
	err         error // first write error
}

// errEnded is the error of a Write after the connection's response was
// flushed: a handler that kept its ResponseWriter past its return.
var errEnded = errors.New("gemini: write after the response ended")

// responseWriters holds the buffers of finished responses: one per
// request would be 4 KB of garbage each time.
var responseWriters = sync.Pool{New: func() any { return bufio.NewWriter(nil) }}

func newResponse(w io.Writer, logger *slog.Logger) *response {
	bw := responseWriters.Get().(*bufio.Writer)
	bw.Reset(w)
	return &response{bw: bw, logger: logger}
}

// release gives the buffer back once the response is flushed or
// abandoned; the response must not be written to afterwards.
func (w *response) release() {
	if w.bw == nil {
		return
	}
	w.bw.Reset(nil)
	responseWriters.Put(w.bw)
	w.bw = nil
}

func (w *response) WriteHeader(status Status, meta string) {
	if w.bw == nil {
		w.logger.Error("WriteHeader after the response ended", "status", int(status))
		return
	}
	if w.wroteHeader {
		w.logger.Warn("superfluous WriteHeader call", "status", int(status))
		return
	}
	if !status.Valid() {
		w.logger.Error("handler used an undefined status", "status", int(status))
		status, meta = StatusTemporaryFailure, ""
	}
	w.wroteHeader = true
	w.status = status
	meta = cleanMeta(meta)
	if meta == "" {
		switch status {
		case StatusSuccess:
			meta = DefaultMediaType
		case StatusSlowDown:
			meta = "10"
		default:
			meta = status.String()
		}
	}
	_, err := w.bw.WriteString(strconv.Itoa(int(status)) + " " + meta + "\r\n")
	w.setErr(err)
}

func (w *response) Write(b []byte) (int, error) {
	if !w.wroteHeader {
		w.WriteHeader(StatusSuccess, "")
	}
	if w.status != StatusSuccess {
		return 0, ErrBodyNotAllowed
	}
	if w.err != nil {
		return 0, w.err
	}
	if w.bw == nil {
		return 0, errEnded
	}
	n, err := w.bw.Write(b)
	w.bytes += int64(n)
	w.setErr(err)
	return n, err
}

func (w *response) setErr(err error) {
	if w.err == nil && err != nil {
		w.err = err
	}
}

// flush sends what is buffered and reports the first write error.
func (w *response) flush() error {
	if w.err != nil {
		return w.err
	}
	w.setErr(w.bw.Flush())
	return w.err
}

// cleanMeta drops control characters (a CR or LF would end the header
// early and let a handler inject a body), repairs invalid UTF-8 and cuts the
// result to MaxMetaLength bytes without splitting a rune.
func cleanMeta(meta string) string {
	meta = strings.ToValidUTF8(meta, "\uFFFD")
	meta = strings.Map(func(r rune) rune {
		if isControl(r) {
			return -1
		}
		return r
	}, meta)
	if len(meta) <= MaxMetaLength {
		return meta
	}
	cut := MaxMetaLength
	for cut > 0 && !utf8.RuneStart(meta[cut]) {
		cut--
	}
	return meta[:cut]
}
