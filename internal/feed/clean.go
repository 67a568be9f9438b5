package feed

import (
	"strings"
	"time"
	"unicode/utf8"
)

// Clean returns s as it will appear in the feed's text: every invalid UTF-8
// byte becomes U+FFFD, CR LF and lone CR become LF (XML parsers would do so
// anyway), and characters XML 1.0 cannot carry or discourages are dropped:
// C0 controls other than TAB and LF, DEL, C1 controls, U+FFFE and U+FFFF.
// Everything else, including leading and trailing white space, is kept.
// Write applies Clean to titles, subtitles, summaries, contents, names,
// category terms and labels, link titles and the generator.
func Clean(s string) string {
	if isClean(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, w := utf8.DecodeRuneInString(s[i:])
		i += w
		switch {
		case r == utf8.RuneError && w == 1:
			b.WriteRune(utf8.RuneError)
		case r == '\r':
			if i < len(s) && s[i] == '\n' {
				continue
			}
			b.WriteByte('\n')
		case allowed(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

// isClean reports whether Clean would return s unchanged.
func isClean(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if !allowed(rune(c)) {
				return false
			}
			i++
			continue
		}
		r, w := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && w == 1) || !allowed(r) {
			return false
		}
		i += w
	}
	return true
}

// allowed reports whether r is written as is: the XML 1.0 Char production
// minus CR (normalised by Clean) and the control characters.
func allowed(r rune) bool {
	switch {
	case r == '\t' || r == '\n':
		return true
	case r < 0x20 || (r >= 0x7f && r <= 0x9f):
		return false
	case r <= 0xd7ff:
		return true
	case r >= 0xe000 && r <= 0xfffd:
		return true
	default:
		return r >= 0x10000 && r <= utf8.MaxRune
	}
}

// FormatTime formats t as Write does: UTC, whole seconds, RFC 3339 with
// the "Z" zone.
func FormatTime(t time.Time) string {
	return t.UTC().Format(time.RFC3339)
}
