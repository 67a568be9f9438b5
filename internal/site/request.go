package site

import (
	"broadside/internal/i18n"
	"context"
	"io"
	"net/netip"
	"time"
)

// Proto names the protocol a request came in by. The site answers every
// protocol alike; the front-ends need it only for logs and for protocol
// conventions such as Gopher's lack of redirects.
type Proto string

// Protocols the front-ends speak.
const (
	Gemini Proto = "gemini"
	Gopher Proto = "gopher"
	Titan  Proto = "titan"
)

// Client is who asks, as far as the connection tells.
type Client struct {
	// Addr is the client's address (from the PROXY header behind a load
	// balancer); the zero Addr when unknown.
	Addr netip.Addr
	// CertSHA256 is the lower-case hex SHA-256 of the client certificate
	// the reader's Gemini client presented, "" if none.
	CertSHA256 string
}

// Request is one protocol-neutral request.
type Request struct {
	// Path is the clean, unescaped absolute path: it starts with "/", has
	// no dot segments, and keeps a trailing slash.
	Path string
	// Query is the unescaped query (Gemini's "?..." part, Gopher's search
	// field), "" if none.
	Query  string
	Proto  Proto
	Client Client
	// Context ends when the client goes away or the server shuts down;
	// nil means context.Background.
	Context context.Context
	// Upload is set when the client sends a file to Path (Titan).
	Upload *Upload
}

// Upload is a file a client sends to be published at a path.
type Upload struct {
	Mime  string // media type the client gave
	Size  int64
	Token string
	Body  io.Reader // at most Size bytes
}

// Status says what a Response is. The front-ends map it to their own
// status lines and item types.
type Status int

const (
	// NotFound: nothing is published at the path (Gemini 51).
	NotFound Status = iota
	// Found: Page (generated or document page in memory) or File (a
	// static file of the capsule) with its media Type (Gemini 20).
	Found
	// Redirect: Target is an absolute path of this site or an absolute
	// URL (Gemini 31, or 30 when Temporary).
	Redirect
	// Gone: removed for good (Gemini 52).
	Gone
	// Input: ask the reader for a query, with Prompt (Gemini 10, or 11
	// when Sensitive; Gopher shows a type 7 item).
	Input
	// RateLimited: come back after RetryAfter (Gemini 44).
	RateLimited
	// Unavailable: a temporary failure, Message says why (Gemini 40).
	Unavailable
	// BadRequest: the request cannot be answered as sent, Message says
	// why (Gemini 59).
	BadRequest
	// CertificateRequired: the request needs a client certificate
	// (Gemini 60).
	CertificateRequired
	// NotAuthorised: the certificate given may not do this (Gemini 61).
	NotAuthorised
)

var statusNames = [...]string{"not found", "found", "redirect", "gone", "input", "rate limited",
	"unavailable", "bad request", "certificate required", "not authorised"}

func (s Status) String() string {
	if int(s) < len(statusNames) {
		return statusNames[s]
	}
	return "unknown"
}

// Response is the site's answer to a Request.
type Response struct {
	Status Status
	// Page is set for Found pages held in memory; nil for a static File.
	Page *Page
	// File is the path of a Found static file in Options.Static.
	File string
	// Type is the media type of a Found page or file.
	Type string
	// Target is where a Redirect leads: an escaped absolute path of this
	// site, or an absolute URL.
	Target string
	// Temporary marks a Redirect that is not permanent.
	Temporary bool
	// Prompt is what an Input response asks.
	Prompt string
	// Sensitive marks an Input whose answer should not be echoed.
	Sensitive bool
	// Message explains an error status to the reader, in the site's
	// language; "" lets the front-end say the status' name.
	Message string
	// RetryAfter is how long a RateLimited client should wait.
	RetryAfter time.Duration
}

// Serve answers a request from the site: the protocol-neutral entry point
// of every front-end.
func (s *Site) Serve(r *Request) Response {
	if r.Upload != nil {
		if s.opts.Uploads == nil {
			return Response{Status: NotFound, Message: s.loc.T(i18n.ErrorNotFound)}
		}
		return s.opts.Uploads(r)
	}
	if s.opts.Search != nil {
		if page, ok := searchPage(r.Path); ok {
			if _, res, redirected := s.rules.match(r.Path); redirected {
				return res
			}
			return s.search(r, page)
		}
	}
	return s.Lookup(r.Path)
}

// Serve answers a request from the current site, or Unavailable before
// the first site is stored.
func (l *Live) Serve(r *Request) Response {
	s := l.Load()
	if s == nil {
		return Response{Status: Unavailable, Message: "The server is starting up; try again."}
	}
	return s.Serve(r)
}
