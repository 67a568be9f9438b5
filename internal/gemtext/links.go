package gemtext

import (
	"path"
	"strconv"
	"strings"
)

// MarkdownLink applies rule 6: a relative reference to a Markdown file
// (foo.md, ../x.MARKDOWN, /posts/a.md) points at the .gmi URL the capsule
// serves for it, keeping any ?query and #fragment. URLs with a scheme and
// protocol-relative URLs (//host/x.md) are returned unchanged, as is
// everything that does not name a Markdown file. MarkdownLink does not
// resolve the path: keeping links inside the capsule is the caller's job.
func MarkdownLink(dest string) string {
	if hasScheme(dest) || strings.HasPrefix(dest, "//") {
		return dest
	}
	p, rest := dest, ""
	if i := strings.IndexAny(dest, "?#"); i >= 0 {
		p, rest = dest[:i], dest[i:]
	}
	for _, ext := range [...]string{".md", ".markdown"} {
		if len(p) > len(ext) && strings.EqualFold(p[len(p)-len(ext):], ext) && p[len(p)-len(ext)-1] != '/' {
			return p[:len(p)-len(ext)] + ".gmi" + rest
		}
	}
	return dest
}

// hasScheme reports whether u starts with a URI scheme ("x:", RFC 3986).
func hasScheme(u string) bool {
	for i := 0; i < len(u); i++ {
		c := u[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
		case i > 0 && (c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.'):
		case i > 0 && c == ':':
			return true
		default:
			return false
		}
	}
	return false
}

// cleanURL applies rule 5: spaces and control characters are
// percent-encoded; nothing else is touched, so host names, non-ASCII paths
// and existing escapes stay as written.
func cleanURL(u string) string {
	i := 0
	for i < len(u) && u[i] > ' ' && u[i] != 0x7f {
		i++
	}
	if i == len(u) {
		return u
	}
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(u) + 8)
	b.WriteString(u[:i])
	for ; i < len(u); i++ {
		c := u[i]
		if c <= ' ' || c == 0x7f {
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// droppedScheme reports whether a destination must never become a link
// line: inline data and script URLs.
func droppedScheme(dest string) bool {
	for _, s := range [...]string{"data:", "javascript:", "vbscript:"} {
		if len(dest) >= len(s) && strings.EqualFold(dest[:len(s)], s) {
			return true
		}
	}
	return false
}

// fileLabel returns the label for an image without alt text: the last path
// element of its URL, or the URL itself.
func fileLabel(u string) string {
	p := u
	if i := strings.IndexAny(p, "?#"); i >= 0 {
		p = p[:i]
	}
	if b := path.Base(p); b != "." && b != "/" && b != "" {
		return b
	}
	return u
}

// link is one pending link line.
type link struct {
	url   string
	label string
	n     int // marker number in LinksNumbered mode
}

// line formats l as a gemtext link line.
func (l link) line(numbered bool) string {
	var b strings.Builder
	b.WriteString("=> ")
	b.WriteString(l.url)
	if numbered && l.n > 0 {
		b.WriteString(" [")
		b.WriteString(strconv.Itoa(l.n))
		b.WriteByte(']')
	}
	if l.label != "" {
		b.WriteByte(' ')
		b.WriteString(l.label)
	}
	return b.String()
}
