package feed

import (
	"net"
	"strings"
	"time"
)

// TagURI returns a tag URI (RFC 4151) "tag:HOST,YYYY-MM-DD:SPECIFIC", a good
// permanent entry or feed id: it does not change when the article's file is
// renamed (pass a stable specific, e.g. the original path or a front-matter
// id) or when the capsule later moves to another host.
//
// host is lower-cased, a trailing dot and any ":port" are removed; it should
// be a DNS name (the configured hostname). date is formatted in its own
// location, so a front-matter date parsed at midnight keeps its day.
// Characters of specific outside RFC 4151's pchar / "/" / "?" set, '%'
// included, are percent-encoded as UTF-8 bytes, so any string gives a valid
// URI and the same string always gives the same URI.
func TagURI(host string, date time.Time, specific string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	var b strings.Builder
	b.Grow(len("tag:,2006-01-02:") + len(host) + len(specific))
	b.WriteString("tag:")
	b.WriteString(host)
	b.WriteByte(',')
	b.WriteString(date.Format(time.DateOnly))
	b.WriteByte(':')
	const hex = "0123456789ABCDEF"
	for i := 0; i < len(specific); i++ {
		c := specific[i]
		if tagSafe(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// tagSafe reports whether c may appear unescaped in a tag URI's specific
// part: RFC 3986 unreserved, sub-delims, ":", "@", "/" and "?".
func tagSafe(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("-._~!$&'()*+,;=:@/?", c) >= 0
}
