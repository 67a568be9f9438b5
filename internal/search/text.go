package search

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"broadside/internal/gemtext"
)

// maxText bounds the plain text indexed per article (1 MiB, twenty times the
// longest article the project expects). What lies beyond is not searchable:
// one huge file must not make the index, or every snippet, expensive.
const maxText = 1 << 20

// plainText turns a gemtext body into the text that is indexed and cut into
// snippets: one line per gemtext line that has words, without line-type
// markers, link URLs or preformatting toggles and their alt text, with the
// neutraliser the converter puts before look-alike lines removed, runs of
// white space and control characters collapsed to one space, and at most
// maxText bytes (cut at a line or rune boundary).
//
// Preformatted lines are kept: in this capsule they are mostly tables
// converted from Markdown (figures, names, places a reader searches for)
// and code whose identifiers are worth finding; ASCII art yields no words
// and costs nothing. Their alignment padding is collapsed like any other
// white space.
func plainText(body []byte) string {
	var b strings.Builder
	b.Grow(min(len(body), maxText))
	src := string(body)
	pre := false
	for len(src) > 0 && b.Len() < maxText {
		var l string
		if i := strings.IndexByte(src, '\n'); i >= 0 {
			l, src = src[:i], src[i+1:]
		} else {
			l, src = src, ""
		}
		line := gemtext.ParseLine(strings.TrimSuffix(l, "\r"), &pre)
		if line.Kind == gemtext.PreToggle {
			continue
		}
		// A link's Text is its label: the URL is left out.
		writeCollapsed(&b, line.Text, b.Len() > 0, maxText)
	}
	return b.String()
}

// writeCollapsed writes s to b with invalid UTF-8 dropped, runs of white
// space, zero-width spaces (the converter's Neutraliser among them) and
// control characters written as one space, no leading or trailing space, after a newline if newline is set and
// anything is written at all, stopping before b grows beyond limit bytes.
func writeCollapsed(b *strings.Builder, s string, newline bool, limit int) {
	space, wrote := false, false
	for _, r := range s {
		if r == utf8.RuneError {
			continue
		}
		if r == '\u200b' || unicode.IsSpace(r) || unicode.IsControl(r) {
			space = wrote
			continue
		}
		sep := byte(0)
		switch {
		case !wrote && newline:
			sep = '\n'
		case space:
			sep = ' '
		}
		need := utf8.RuneLen(r)
		if sep != 0 {
			need++
		}
		if b.Len()+need > limit {
			return
		}
		if sep != 0 {
			b.WriteByte(sep)
		}
		b.WriteRune(r)
		space, wrote = false, true
	}
}
