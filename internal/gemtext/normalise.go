package gemtext

import (
	"fmt"
	"unicode/utf8"
)

// normalise applies rule 1 before parsing: it strips a UTF-8 byte order
// mark, turns CRLF and lone CR into LF, replaces invalid UTF-8 with U+FFFD
// and drops NUL and the C0 and C1 controls other than TAB (and DEL), so that
// no escape sequence reaches a terminal. Each line with a problem gets one
// warning. Input that needs none of this is returned as is, without a copy.
func normalise(src []byte) ([]byte, []string) {
	if len(src) >= 3 && src[0] == 0xef && src[1] == 0xbb && src[2] == 0xbf {
		src = src[3:]
	}
	if clean(src) {
		return src, nil
	}
	var warnings []string
	out := make([]byte, 0, len(src)+8)
	line, warned := 1, 0
	warn := func(format string, args ...any) {
		if warned != line {
			warned = line
			warnings = append(warnings, fmt.Sprintf("line %d: ", line)+fmt.Sprintf(format, args...))
		}
	}
	for i := 0; i < len(src); {
		c := src[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '\n':
				out = append(out, '\n')
				line++
			case c == '\r':
				out = append(out, '\n')
				line++
				if i+1 < len(src) && src[i+1] == '\n' {
					i++
				}
			case c == '\t' || (c >= 0x20 && c != 0x7f):
				out = append(out, c)
			default:
				warn("control character U+%04X dropped", c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(src[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			warn("invalid UTF-8 replaced with U+FFFD")
			out = append(out, "\uFFFD"...)
		case r < 0xa0:
			warn("control character U+%04X dropped", r)
		default:
			out = append(out, src[i:i+size]...)
		}
		i += size
	}
	return out, warnings
}

// clean reports whether src needs no normalisation.
func clean(src []byte) bool {
	for i := 0; i < len(src); {
		c := src[i]
		if c < utf8.RuneSelf {
			if (c < 0x20 && c != '\n' && c != '\t') || c == 0x7f {
				return false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(src[i:])
		if (r == utf8.RuneError && size == 1) || r < 0xa0 {
			return false
		}
		i += size
	}
	return true
}
