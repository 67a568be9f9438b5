package gemini

import (
	"bytes"
	"context"
	"crypto/tls"
	"net"
	"net/netip"
	"net/url"
	"path"
	"strconv"
	"strings"
	"unicode/utf8"
)

// MaxRequestLength is the longest request URI in bytes, not counting the
// terminating CRLF. A URI of exactly this length is served; one byte more
// is answered 59.
const MaxRequestLength = 1024

// DefaultPort is the Gemini port a URI without an explicit port refers to.
const DefaultPort = 1965

// Request is one validated Gemini request. Requests are made by
// ParseRequest, so every Request a Handler sees has passed PROTOCOL.md's
// checks.
type Request struct {
	// URL is the request URI as the client sent it, parsed. Its Path may be
	// empty for "gemini://host"; use Request.Path for routing.
	URL *url.URL

	// Host is the host the URI names, lower-case, without port, IPv6
	// brackets or a trailing dot.
	Host string

	// Path is the unescaped path: it starts with "/", has no "." or ".."
	// segment and no empty segment ("//" is collapsed), keeps a trailing
	// slash, and is "/" for an empty URI path. A percent-encoded slash,
	// NUL, control character or invalid UTF-8 never reaches it: such
	// requests are answered 59.
	Path string

	// RemoteAddr is the client's address (a *net.TCPAddr): behind a load
	// balancer with the PROXY protocol, the one its header names. Nil when
	// the request was made by ParseRequest alone.
	RemoteAddr net.Addr

	// TLS describes the connection's TLS state, including any client
	// certificate offered (PeerCertificates, never verified). It is nil when
	// the request came over a connection without TLS, as in tests.
	TLS *tls.ConnectionState

	// Upload is set for a titan:// request (only on a Server that accepts
	// Titan): the body the client is sending.
	Upload *Upload

	ctx context.Context
}

// Context returns the request's context. The Server cancels it when a
// write to the client fails (it stopped reading for longer than the send
// timeout, or went away), when the connection is closed by a forced
// shutdown, or when ServeConn's context ends. It is never nil.
func (r *Request) Context() context.Context {
	if r.ctx == nil {
		return context.Background()
	}
	return r.ctx
}

// WithContext returns a shallow copy of r with its context changed to ctx,
// which must not be nil.
func (r *Request) WithContext(ctx context.Context) *Request {
	r2 := *r
	r2.ctx = ctx
	return &r2
}

// The META texts of rejected requests. They are fixed strings: nothing from
// an internal error ever reaches a client.
const (
	metaTooLong     = "request too long"
	metaNoCRLF      = "request line must end with CRLF"
	metaEmpty       = "empty request"
	metaBadUTF8     = "request is not valid UTF-8"
	metaBOM         = "byte order mark not allowed"
	metaBadChar     = "invalid character in request"
	metaFragment    = "fragment not allowed"
	metaNotAbsolute = "not an absolute URI"
	metaMalformed   = "malformed URI"
	metaUserinfo    = "userinfo not allowed"
	metaBadPath     = "invalid path"
	metaOtherScheme = "scheme not served here"
	metaOtherHost   = "host not served here"
	metaOtherPort   = "port not served here"
)

const bom = "\uFEFF"

// ParseRequest validates a raw request URI, the request line without its
// CRLF, and returns the Request, or nil with the status (59 or 53) and META
// to answer. Checks run on the raw bytes before any parsing:
//
//   - more than MaxRequestLength bytes, empty, invalid UTF-8, a leading
//     U+FEFF, any control character (C0, DEL, C1, including CR, LF, TAB and
//     NUL), a space or U+FEFF anywhere, or '#' anywhere: 59;
//   - not an absolute URI with a host, or with userinfo: 59;
//   - a scheme other than gemini: 53;
//   - a host not in hostnames (case-insensitive; IPv6 literals compared as
//     addresses; any host is accepted when hostnames is empty): 53;
//   - a port other than port (DefaultPort when port <= 0; a URI without a
//     port means DefaultPort): 53;
//   - a "." or ".." path segment, raw or percent-encoded, or a segment whose
//     decoding holds a slash ("%2F"), a control character or invalid UTF-8:
//     59, whether or not it would leave the root. Such paths are never
//     redirected or cleaned into something servable.
//
// Duplicate slashes are collapsed without a redirect, and the empty path is
// served as "/". The query is left to the handler, in r.URL.RawQuery.
func ParseRequest(line []byte, hostnames []string, port int) (*Request, Status, string) {
	return parseRequest(line, hostnames, port, false)
}

// parseRequest is ParseRequest, also accepting titan:// URIs when titan
// is set: their ";mime=...;size=...;token=..." parameters become the
// Request's Upload, without its Body.
func parseRequest(line []byte, hostnames []string, port int, titan bool) (*Request, Status, string) {
	if st, meta := checkRaw(line); st != 0 {
		return nil, st, meta
	}
	u, err := url.Parse(string(line))
	if err != nil {
		return nil, StatusBadRequest, metaMalformed
	}
	if u.Scheme == "" {
		return nil, StatusBadRequest, metaNotAbsolute
	}
	isTitan := titan && u.Scheme == "titan"
	if u.Scheme != "gemini" && !isTitan { // url.Parse lower-cases the scheme
		return nil, StatusProxyRequestRefused, metaOtherScheme
	}
	if u.Opaque != "" || u.Host == "" {
		return nil, StatusBadRequest, metaNotAbsolute
	}
	if u.User != nil {
		return nil, StatusBadRequest, metaUserinfo
	}
	host := normalHost(u.Hostname())
	if host == "" {
		return nil, StatusBadRequest, metaMalformed
	}
	if !hostAllowed(host, hostnames) {
		return nil, StatusProxyRequestRefused, metaOtherHost
	}
	if port <= 0 {
		port = DefaultPort
	}
	got := DefaultPort
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil { // digits only (url.Parse checked), so out of range
			return nil, StatusProxyRequestRefused, metaOtherPort
		}
		got = n
	}
	if got != port {
		return nil, StatusProxyRequestRefused, metaOtherPort
	}
	var up *Upload
	if isTitan {
		if u.RawQuery != "" || u.ForceQuery {
			return nil, StatusBadRequest, metaMalformed
		}
		var meta string
		if up, meta = titanParams(u); up == nil {
			return nil, StatusBadRequest, meta
		}
	}
	p, ok := cleanPath(u)
	if !ok {
		return nil, StatusBadRequest, metaBadPath
	}
	return &Request{URL: u, Host: host, Path: p, Upload: up}, 0, ""
}

// checkRaw applies the checks that must see the bytes as sent, before
// url.Parse can decode or reinterpret anything.
func checkRaw(line []byte) (Status, string) {
	switch {
	case len(line) > MaxRequestLength:
		return StatusBadRequest, metaTooLong
	case len(line) == 0:
		return StatusBadRequest, metaEmpty
	case !utf8.Valid(line):
		return StatusBadRequest, metaBadUTF8
	case bytes.HasPrefix(line, []byte(bom)):
		return StatusBadRequest, metaBOM
	}
	for _, r := range string(line) {
		if r == ' ' || r == '\uFEFF' || isControl(r) {
			return StatusBadRequest, metaBadChar
		}
	}
	if bytes.IndexByte(line, '#') >= 0 {
		return StatusBadRequest, metaFragment
	}
	return 0, ""
}

// isControl reports C0 controls, DEL and C1 controls.
func isControl(r rune) bool {
	return r < 0x20 || (r >= 0x7f && r <= 0x9f)
}

// normalHost lower-cases a host and drops IPv6 brackets and one trailing
// dot, so configured names and request hosts compare equal.
func normalHost(h string) string {
	h = strings.TrimPrefix(h, "[")
	h = strings.TrimSuffix(h, "]")
	h = strings.TrimSuffix(h, ".")
	return strings.ToLower(h)
}

func hostAllowed(host string, hostnames []string) bool {
	if len(hostnames) == 0 {
		return true
	}
	addr, addrErr := netip.ParseAddr(host)
	for _, n := range hostnames {
		n = normalHost(n)
		if n == host {
			return true
		}
		if addrErr == nil {
			if a, err := netip.ParseAddr(n); err == nil && a == addr {
				return true
			}
		}
	}
	return false
}

// cleanPath checks every raw path segment and returns the unescaped path
// with duplicate slashes collapsed and any trailing slash kept.
func cleanPath(u *url.URL) (string, bool) {
	// RawPath holds the path as sent whenever it differs from the default
	// encoding of Path; EscapedPath would re-encode Path when RawPath has
	// raw non-ASCII bytes, hiding a "%2F".
	raw := u.RawPath
	if raw == "" {
		raw = u.Path
	}
	for seg := range strings.SplitSeq(raw, "/") {
		dec, err := url.PathUnescape(seg)
		if err != nil || dec == "." || dec == ".." || strings.Contains(dec, "/") {
			return "", false
		}
	}
	p := u.Path
	if !utf8.ValidString(p) {
		return "", false
	}
	for _, r := range p {
		if isControl(r) {
			return "", false
		}
	}
	if p == "" {
		return "/", true
	}
	if p[0] != '/' {
		return "", false
	}
	c := path.Clean(p)
	if strings.HasSuffix(p, "/") && c != "/" {
		c += "/"
	}
	return c, true
}
