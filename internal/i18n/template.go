package i18n

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxTemplate is the longest message template accepted, in bytes. Chrome
// is short; the bound keeps an override from blowing up every page, or a
// Gemini META line past its 1024 bytes.
const MaxTemplate = 512

// template is a message parsed once: literal text with placeholders in
// between. Formatting walks the segments; it never parses again.
type template struct {
	segs []segment
	lits int // bytes of literal text, to size the result
}

// segment is literal text followed by a placeholder (phNone for none).
type segment struct {
	lit string
	ph  placeholder
}

// parsed is a template with what its text refers to.
type parsed struct {
	t       *template
	used    []placeholder // in order of first use, without repeats
	unknown []string      // {names} that are no placeholder at all
}

// parseTemplate reads a message template: text in which "{name}" is a
// placeholder, "{{" a literal "{" and "}}" a literal "}". A lone "}" is
// literal too; a "{" that opens no "{name}" is an error. The text must be
// valid UTF-8 on one line, without control characters, and at most
// MaxTemplate bytes.
func parseTemplate(s string) (parsed, error) {
	if len(s) > MaxTemplate {
		return parsed{}, fmt.Errorf("%d bytes, more than the %d allowed", len(s), MaxTemplate)
	}
	if !utf8.ValidString(s) {
		return parsed{}, fmt.Errorf("not valid UTF-8")
	}
	if i := strings.IndexFunc(s, isControl); i >= 0 {
		r, _ := utf8.DecodeRuneInString(s[i:])
		return parsed{}, fmt.Errorf("control character %U at byte %d: chrome stays on one line", r, i)
	}
	var p parsed
	t := &template{}
	var lit strings.Builder
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '{' && i+1 < len(s) && s[i+1] == '{':
			lit.WriteByte('{')
			i += 2
		case c == '}' && i+1 < len(s) && s[i+1] == '}':
			lit.WriteByte('}')
			i += 2
		case c == '{':
			end := strings.IndexByte(s[i+1:], '}')
			if end < 0 || !isName(s[i+1:i+1+end]) {
				return parsed{}, fmt.Errorf(`"{" at byte %d opens no {name}; write "{{" for a brace`, i)
			}
			name := s[i+1 : i+1+end]
			i += end + 2
			ph := placeholderByName(name)
			if ph == phNone {
				if !slices.Contains(p.unknown, name) {
					p.unknown = append(p.unknown, name)
				}
				continue
			}
			if !slices.Contains(p.used, ph) {
				p.used = append(p.used, ph)
			}
			t.segs = append(t.segs, segment{lit: lit.String(), ph: ph})
			t.lits += lit.Len()
			lit.Reset()
		default:
			lit.WriteByte(c)
			i++
		}
	}
	if lit.Len() > 0 || len(t.segs) == 0 {
		t.segs = append(t.segs, segment{lit: lit.String()})
		t.lits += lit.Len()
	}
	p.t = t
	return p, nil
}

// isControl reports characters that have no place in one line of chrome:
// C0 and C1 controls (TAB included: it splits Gopher menu fields) and the
// Unicode line and paragraph separators.
func isControl(r rune) bool {
	return unicode.IsControl(r) || r == '\u2028' || r == '\u2029'
}

// isName reports a placeholder name: one or more of a-z and "_".
func isName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < 'a' || c > 'z') && c != '_' {
			return false
		}
	}
	return true
}
