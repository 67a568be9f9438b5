package config

import (
	"fmt"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/language"
)

// Defaults for every key; see Example.
const (
	defaultTitle        = "Broadside"
	defaultHostname     = "localhost"
	defaultCapsule      = "capsule"
	defaultLang         = "en"
	defaultGeminiListen = ":1965"
	defaultCerts        = "certs"
	defaultGopherListen = ":7070"
	defaultLevel        = "info"
	defaultLinks        = "block"
	defaultDeepHeadings = "h3"
	defaultEmphasis     = "strip"
	defaultEntries      = 20
	defaultRecent       = 30
	defaultPageSize     = 50
	defaultFavicon      = "📰"
)

// validator turns decoded values into a Config, applying defaults and
// collecting every problem.
type validator struct {
	file string
	raw  *values
	base string // folder that relative paths resolve against
	errs []error
}

// failAt records a problem with key at line.
func (v *validator) failAt(key string, line int, format string, args ...any) {
	v.errs = append(v.errs, &Error{File: v.file, Line: line, Key: key, Code: CodeValue, Msg: fmt.Sprintf(format, args...)})
}

// or returns the value if set, else def.
func or[T any](o opt[T], def T) T {
	if o.set {
		return o.v
	}
	return def
}

func (v *validator) config() *Config {
	r := v.raw
	c := &Config{
		Title:    v.oneLine("title", r.title, defaultTitle, false),
		Hostname: v.hostname(r.hostname),
		Capsule:  v.path("capsule", r.capsule, defaultCapsule),
		Lang:     v.lang(r.lang),
		Author:   v.oneLine("author", r.author, "", true),
		Timezone: v.timezone(r.timezone),
		Removed:  v.removed(r.removed),
		Robots:   or(r.robots, ""),
		Favicon:  v.favicon(r.favicon),
	}
	c.Gemini.Listen, c.Gemini.Port = v.listen("gemini", r.geminiListen, r.geminiPort, defaultGeminiListen, false)
	c.Gemini.Certs = v.path("gemini.certs", r.geminiCerts, defaultCerts)
	c.Gopher.Listen, c.Gopher.Port = v.listen("gopher", r.gopherListen, r.gopherPort, defaultGopherListen, true)
	if c.Gopher.Enabled() && sameAddr(c.Gemini.Listen, c.Gopher.Listen) {
		v.failAt("gopher.listen", r.gopherListen.line, "%q is also gemini.listen", c.Gopher.Listen)
	}
	c.Log.Level = v.oneOf("log.level", r.logLevel, defaultLevel, "debug", "info", "warn", "error")
	c.Render.Links = v.oneOf("render.links", r.links, defaultLinks, "block", "end", "numbered", "off")
	c.Render.DeepHeadings = v.oneOf("render.deep_headings", r.deepHeadings, defaultDeepHeadings, "h3", "text")
	c.Render.Emphasis = v.oneOf("render.emphasis", r.emphasis, defaultEmphasis, "strip", "keep")
	c.Feed.Entries = v.intRange("feed.entries", r.feedEntries, defaultEntries, 1, 1000)
	c.Feed.IDAuthority = c.Hostname
	if r.idAuthority.set {
		if err := checkHost(r.idAuthority.v); err != nil {
			v.failAt("feed.id_authority", r.idAuthority.line, "%v", err)
		} else {
			c.Feed.IDAuthority = strings.ToLower(r.idAuthority.v)
		}
	}
	c.Index.Recent = v.intRange("index.recent", r.indexRecent, defaultRecent, 1, 10000)
	c.Index.PageSize = v.intRange("index.page_size", r.pageSize, defaultPageSize, 1, 10000)
	c.Redirects = v.redirects(r.redirects)
	c.Cache.Size = v.cacheSize(r.cacheSize)
	c.Strings = r.strings
	c.State = v.path("state", r.state, defaultState)
	c.Titan = v.titan(r)
	v.net(c)
	return c
}

// oneLine validates a one-line string; surrounding space is trimmed.
func (v *validator) oneLine(key string, o opt[string], def string, emptyOK bool) string {
	if !o.set {
		return def
	}
	s := strings.TrimSpace(o.v)
	switch {
	case s == "" && !emptyOK:
		v.failAt(key, o.line, "must not be empty")
	case strings.ContainsFunc(s, unicode.IsControl):
		v.failAt(key, o.line, "must be one line without control characters")
	}
	return s
}

// hostname validates the public host name: a DNS name or an IP literal,
// nothing else. It is returned in lower case.
func (v *validator) hostname(o opt[string]) string {
	if !o.set {
		return defaultHostname
	}
	h := o.v
	if err := checkHost(h); err != nil {
		v.failAt("hostname", o.line, "%v", err)
		return ""
	}
	return strings.ToLower(h)
}

// checkHost says why h is not a bare DNS name or IP literal.
func checkHost(h string) error {
	switch {
	case h == "":
		return fmt.Errorf("must not be empty")
	case strings.Contains(h, "://"):
		return fmt.Errorf("%q: give the host name only, without a scheme", h)
	case strings.HasPrefix(h, "["):
		return fmt.Errorf("%q: write an IPv6 address without brackets", h)
	}
	if net.ParseIP(h) != nil {
		return nil
	}
	if strings.ContainsAny(h, "/?#") {
		return fmt.Errorf("%q: give the host name only, without a path", h)
	}
	if strings.Contains(h, ":") {
		return fmt.Errorf("%q: give the host name only, without a port (set gemini.port)", h)
	}
	if len(h) > 253 {
		return fmt.Errorf("%q: longer than 253 characters", h)
	}
	for _, label := range strings.Split(h, ".") {
		if err := checkLabel(label); err != nil {
			return fmt.Errorf("%q: %w", h, err)
		}
	}
	return nil
}

// checkLabel validates one DNS label (letters, digits, inner hyphens).
func checkLabel(l string) error {
	if l == "" {
		return fmt.Errorf("empty label (leading, trailing or double dot)")
	}
	if len(l) > 63 {
		return fmt.Errorf("label %q longer than 63 characters", l)
	}
	if l[0] == '-' || l[len(l)-1] == '-' {
		return fmt.Errorf("label %q starts or ends with a hyphen", l)
	}
	for _, r := range l {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-':
		case r >= utf8.RuneSelf:
			return fmt.Errorf("non-ASCII %q: use the xn-- (punycode) form", r)
		default:
			return fmt.Errorf("character %q not allowed in a host name", r)
		}
	}
	return nil
}

// path resolves a folder against the config file's folder.
func (v *validator) path(key string, o opt[string], def string) string {
	p := or(o, def)
	if strings.TrimSpace(p) == "" {
		v.failAt(key, o.line, "must not be empty")
		return ""
	}
	if !filepath.IsAbs(p) {
		p = filepath.Join(v.base, p)
	}
	return filepath.Clean(p)
}

// lang validates a BCP 47 tag and returns its canonical form.
func (v *validator) lang(o opt[string]) string {
	if !o.set {
		return defaultLang
	}
	t, err := language.Parse(o.v)
	if err != nil || strings.TrimSpace(o.v) != o.v || o.v == "" {
		v.failAt("lang", o.line, "%q is not a BCP 47 language tag (e.g. en, fr-CA)", o.v)
		return ""
	}
	return t.String()
}

// timezone loads an IANA zone; "" or absent is UTC.
func (v *validator) timezone(o opt[string]) *time.Location {
	if !o.set || o.v == "" {
		return time.UTC
	}
	loc, err := time.LoadLocation(o.v)
	if err != nil {
		v.failAt("timezone", o.line, "%q is not an IANA time zone (e.g. Europe/Paris, UTC)", o.v)
		return time.UTC
	}
	return loc
}

// removed validates the list of gone paths.
func (v *validator) removed(o opt[[]string]) []string {
	var out []string
	for _, p := range o.v {
		switch {
		case !strings.HasPrefix(p, "/"):
			v.failAt("removed", o.line, "%q must start with /", p)
		case strings.ContainsFunc(p, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }):
			v.failAt("removed", o.line, "%q contains white space or control characters", p)
		default:
			out = append(out, p)
		}
	}
	return out
}

// favicon validates one emoji-like short string: no white space or control
// characters, at most 8 code points (ZWJ sequences and flags are several).
func (v *validator) favicon(o opt[string]) string {
	if !o.set {
		return defaultFavicon
	}
	s := o.v
	switch {
	case s == "":
		v.failAt("favicon", o.line, "must not be empty")
	case utf8.RuneCountInString(s) > 8:
		v.failAt("favicon", o.line, "%q: want one emoji", s)
	case strings.ContainsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }):
		v.failAt("favicon", o.line, "%q: want one emoji, without white space", s)
	}
	return s
}

// listen validates section.listen and section.port; port defaults to the
// listen port. With allowEmpty, listen "" disables the server.
func (v *validator) listen(section string, lo opt[string], po opt[int], def string, allowEmpty bool) (string, int) {
	addr := or(lo, def)
	port := 0
	ok := true
	if addr == "" && allowEmpty {
		ok = false
	} else if p, err := checkListen(addr); err != nil {
		v.failAt(section+".listen", lo.line, "%v", err)
		ok = false
	} else {
		port = p
	}
	if po.set {
		if po.v < 0 || po.v > 65535 {
			v.failAt(section+".port", po.line, "%d out of range 0..65535", po.v)
		}
		return addr, po.v
	}
	if !ok {
		return addr, 0
	}
	return addr, port
}

// checkListen validates a host:port to bind and returns the port.
func checkListen(addr string) (int, error) {
	host, ps, err := net.SplitHostPort(addr)
	if err != nil {
		return 0, fmt.Errorf("%q: want host:port, such as :1965 or 127.0.0.1:1965", addr)
	}
	p, err := strconv.Atoi(ps)
	if err != nil || p < 0 || p > 65535 || ps == "" || ps[0] == '+' {
		return 0, fmt.Errorf("%q: port must be a number 0..65535", addr)
	}
	if host != "" {
		if err := checkHost(host); err != nil {
			return 0, fmt.Errorf("%q: bad host: %w", addr, err)
		}
	}
	return p, nil
}

// sameAddr reports whether two listen addresses would collide: same port
// (not 0) and the same host, or either on all interfaces.
func sameAddr(a, b string) bool {
	ha, pa, err1 := net.SplitHostPort(a)
	hb, pb, err2 := net.SplitHostPort(b)
	if err1 != nil || err2 != nil || pa != pb || pa == "0" {
		return false
	}
	return ha == hb || ha == "" || hb == ""
}

// oneOf validates an enumerated string.
func (v *validator) oneOf(key string, o opt[string], def string, allowed ...string) string {
	if !o.set {
		return def
	}
	for _, a := range allowed {
		if o.v == a {
			return a
		}
	}
	v.failAt(key, o.line, "%q: want one of %s", o.v, strings.Join(allowed, ", "))
	return def
}

// intRange validates an integer in [lo, hi].
func (v *validator) intRange(key string, o opt[int], def, lo, hi int) int {
	if !o.set {
		return def
	}
	if o.v < lo || o.v > hi {
		v.failAt(key, o.line, "%d out of range %d..%d", o.v, lo, hi)
	}
	return o.v
}
