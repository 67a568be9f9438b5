package gopher

import (
	"strings"
	"unicode/utf8"

	"broadside/internal/termwidth"
)

// wrap breaks text into lines of at most width columns by display width.
// The first line starts with first, the others with rest (a hanging indent
// or a quote marker). Lines break at spaces; a word longer than the room on
// a line is cut on rune boundaries, so CJK text without spaces wraps too.
// Runs of spaces collapse and no line has trailing spaces. text must be
// scrubbed, and width must leave room for the prefixes (the callers keep
// prefixes within half the width).
func wrap(text string, width int, first, rest string) []string {
	var (
		lines  []string
		cur    strings.Builder
		prefix = first
		avail  = width - termwidth.String(first)
		used   = 0 // columns in cur
		empty  = true
	)
	flush := func() {
		lines = append(lines, strings.TrimRight(prefix+cur.String(), " "))
		cur.Reset()
		used, empty = 0, true
		prefix, avail = rest, width-termwidth.String(rest)
	}
	for word := range strings.SplitSeq(text, " ") {
		if word == "" {
			continue
		}
		ww := termwidth.String(word)
		switch {
		case !empty && used+1+ww <= avail:
			cur.WriteByte(' ')
			used++
		case ww <= avail:
			if !empty {
				flush()
			}
		default:
			// Longer than a whole line: fill the current line, then cut.
			if !empty {
				cur.WriteByte(' ')
				used++
			}
			for word != "" {
				head := termwidth.Truncate(word, avail-used)
				if head == "" {
					if used > 0 {
						flush()
						continue
					}
					// A rune wider than the whole room: never loop forever.
					_, size := utf8.DecodeRuneInString(word)
					head = word[:size]
				}
				cur.WriteString(head)
				used += termwidth.String(head)
				empty = false
				word = word[len(head):]
				if word != "" {
					flush()
				}
			}
			continue
		}
		cur.WriteString(word)
		used += ww
		empty = false
	}
	if !empty || len(lines) == 0 {
		flush()
	}
	return lines
}

// wrapIndented wraps a text line keeping its leading indentation, with a
// hanging indent under a list marker ("* ", "- ", "3. ", "☐ "), so nested
// list items written as indented text lines stay readable.
func wrapIndented(text string, width int) []string {
	trimmed := strings.TrimLeft(text, " ")
	indent := min(len(text)-len(trimmed), width/2)
	hang := min(indent+markerWidth(trimmed), width/2)
	return wrap(trimmed, width, strings.Repeat(" ", indent), strings.Repeat(" ", hang))
}

// markerWidth returns the width of a list marker starting s, 0 if none.
func markerWidth(s string) int {
	for _, m := range []string{"* ", "- ", "+ ", "☐ ", "☑ "} {
		if strings.HasPrefix(s, m) {
			return termwidth.String(m)
		}
	}
	digits := len(s) - len(strings.TrimLeft(s, "0123456789"))
	if digits > 0 && digits < 10 {
		if rest := s[digits:]; strings.HasPrefix(rest, ". ") || strings.HasPrefix(rest, ") ") {
			return digits + 2
		}
	}
	return 0
}
