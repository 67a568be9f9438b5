package gemtext

import (
	"strings"
)

// Kind is the type of a gemtext line.
type Kind int

// The gemtext line types of the Gemini specification, section 5.
const (
	Text         Kind = iota // ordinary text; may be empty
	Link                     // "=>" URL [label]
	Heading                  // "#", "##" or "###"; Level says which
	ListItem                 // "* "
	Quote                    // ">"
	PreToggle                // "```" opening or closing a preformatted block; Text holds alt text
	Preformatted             // a line inside a preformatted block, verbatim
)

// Line is one parsed gemtext line. Text is the line's content without its
// prefix and without surrounding white space (except for Preformatted lines,
// which are verbatim). For links, URL is the target and Text the label, which
// may be empty.
type Line struct {
	Kind  Kind
	Level int // 1-3 for headings
	Text  string
	URL   string
}

// Parse splits gemtext into lines. It accepts LF and CRLF line endings and
// never fails: every input is some sequence of lines. An unclosed
// preformatted block simply runs to the end.
func Parse(src string) []Line {
	var lines []Line
	pre := false
	for len(src) > 0 {
		var l string
		if i := strings.IndexByte(src, '\n'); i >= 0 {
			l, src = src[:i], src[i+1:]
		} else {
			l, src = src, ""
		}
		l = strings.TrimSuffix(l, "\r")
		lines = append(lines, ParseLine(l, &pre))
	}
	return lines
}

// ParseLine parses one line. pre tracks whether the line is inside a
// preformatted block and is updated when the line is a toggle.
func ParseLine(l string, pre *bool) Line {
	if strings.HasPrefix(l, "```") {
		*pre = !*pre
		return Line{Kind: PreToggle, Text: strings.TrimSpace(l[3:])}
	}
	if *pre {
		return Line{Kind: Preformatted, Text: l}
	}
	switch {
	case strings.HasPrefix(l, "=>"):
		rest := strings.TrimLeft(l[2:], " \t")
		url, label := rest, ""
		if i := strings.IndexAny(rest, " \t"); i >= 0 {
			url, label = rest[:i], strings.TrimSpace(rest[i:])
		}
		if url == "" {
			// "=>" with no URL is not a usable link; keep it as text.
			return Line{Kind: Text, Text: l}
		}
		return Line{Kind: Link, URL: url, Text: label}
	case strings.HasPrefix(l, "###"):
		return Line{Kind: Heading, Level: 3, Text: strings.TrimSpace(l[3:])}
	case strings.HasPrefix(l, "##"):
		return Line{Kind: Heading, Level: 2, Text: strings.TrimSpace(l[2:])}
	case strings.HasPrefix(l, "#"):
		return Line{Kind: Heading, Level: 1, Text: strings.TrimSpace(l[1:])}
	case strings.HasPrefix(l, "* "):
		return Line{Kind: ListItem, Text: strings.TrimSpace(l[2:])}
	case strings.HasPrefix(l, ">"):
		return Line{Kind: Quote, Text: strings.TrimSpace(l[1:])}
	}
	return Line{Kind: Text, Text: l}
}

// LooksLikeLineType reports whether s, emitted as a text line, would be read
// as some other line type (link, heading, list item, quote or toggle).
func LooksLikeLineType(s string) bool {
	return strings.HasPrefix(s, "=>") || strings.HasPrefix(s, "#") ||
		strings.HasPrefix(s, "* ") || strings.HasPrefix(s, ">") ||
		strings.HasPrefix(s, "```")
}

// Neutraliser is what Broadside puts in front of a text line that would
// otherwise be read as another line type: U+200B ZERO WIDTH SPACE, invisible
// in every client, so "=> x" written in a paragraph stays text.
const Neutraliser = "\u200b"

// Escape returns s made safe to emit as a text line (or, with the same rule,
// as a preformatted line that would otherwise close the block).
func Escape(s string) string {
	if LooksLikeLineType(s) {
		return Neutraliser + s
	}
	return s
}

// Unescape removes the neutraliser Escape added, for renderers (Gopher text)
// where look-alike lines carry no meaning.
func Unescape(s string) string {
	if rest, ok := strings.CutPrefix(s, Neutraliser); ok && LooksLikeLineType(rest) {
		return rest
	}
	return s
}
