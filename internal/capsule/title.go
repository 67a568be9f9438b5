package capsule

import (
	"bytes"
	"strings"
	"unicode/utf8"
)

// quickTitle finds, without converting, the title the converter would
// find in a Markdown body: the text of its first level-1 heading, else of
// its first heading of any level, else "". It answers only what it is
// sure of, and reports false otherwise; the caller then converts the
// document.
//
// It is sure when everything before the first "# " line is paragraph
// text, blank, indented or other ATX headings, and the heading's text is
// plain (no markup, link, entity or attribute). Anything that opens a
// container or a block that can hold or hide a heading (a quote, a list,
// a fence, HTML, a footnote, a setext underline) makes it unsure, and so
// do tabs, carriage returns and control characters, which the converter
// normalises first. FuzzQuickTitle checks it against the converter.
func quickTitle(body []byte) (title string, sure bool) {
	if !cleanText(body) {
		return "", false
	}
	first := ""   // the first heading of a deeper level, if plain
	plain := true // whether that heading is plain
	for len(body) > 0 {
		var line []byte
		line, body, _ = bytes.Cut(body, []byte("\n"))
		indent := 0
		for indent < len(line) && line[indent] == ' ' {
			indent++
		}
		if indent >= 4 || indent == len(line) {
			continue // indented code or paragraph continuation; blank
		}
		t := line[indent:]
		if risky(t) {
			return "", false
		}
		level := 0
		for level < len(t) && t[level] == '#' {
			level++
		}
		if level == 0 || level > 6 || (level < len(t) && t[level] != ' ') {
			continue // paragraph text ("#tag" is text too)
		}
		text, ok := headingText(t[level:])
		switch {
		case ok && text == "":
			continue // an empty heading gives no title
		case level == 1:
			return text, ok
		case first == "" && plain:
			first, plain = text, ok
		}
	}
	return first, plain
}

// headingText returns the text of an ATX heading after its opening
// sequence, and whether it is plain enough to be the converter's.
func headingText(b []byte) (string, bool) {
	s := strings.Trim(string(b), " ")
	if s == "" {
		return "", true
	}
	if strings.ContainsAny(s, "\\`*_[]<>&!~{}|#^@$") || strings.Contains(s, "  ") ||
		strings.Contains(s, "://") || strings.Contains(strings.ToLower(s), "www.") {
		return "", false
	}
	return s, true
}

// risky reports whether a line (without its indentation) may start
// something that holds or hides a heading, or is a setext underline.
func risky(t []byte) bool {
	switch t[0] {
	case '>', '<', '|':
		return true
	case '`', '~':
		return bytes.HasPrefix(t, []byte("```")) || bytes.HasPrefix(t, []byte("~~~"))
	case '-', '+', '*', '=':
		if len(t) == 1 || t[1] == ' ' {
			return true // a list item, or an underline
		}
		if t[0] == '=' || t[0] == '-' {
			return len(bytes.Trim(t, string(t[0])+" ")) == 0 // a setext underline
		}
	case '[':
		return bytes.HasPrefix(t, []byte("[^"))
	}
	if t[0] >= '0' && t[0] <= '9' {
		i := 0
		for i < len(t) && i < 10 && t[i] >= '0' && t[i] <= '9' {
			i++
		}
		return i < len(t) && (t[i] == '.' || t[i] == ')') // an ordered list item
	}
	return false
}

// cleanText reports whether b is valid UTF-8 without the characters the
// converter's normalisation changes: a byte order mark, carriage returns,
// tabs, and C0 and C1 control characters.
func cleanText(b []byte) bool {
	for i := 0; i < len(b); {
		c := b[i]
		if c < utf8.RuneSelf {
			if (c < 0x20 && c != '\n') || c == 0x7f {
				return false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError || (r >= 0x80 && r < 0xa0) || r == 0xfeff {
			return false
		}
		i += size
	}
	return true
}
