package capsule

import (
	"fmt"
	"slices"
	"unicode/utf8"

	"broadside/internal/frontmatter"
)

// checkEncoding reports a file that is not UTF-8 once, saying what it
// looks like and how to convert it, in place of a warning for every line
// with a bad byte.
func checkEncoding(d *Doc, src []byte) {
	if utf8.Valid(src) {
		return
	}
	d.Problems = slices.DeleteFunc(d.Problems, func(p Problem) bool {
		return p.Code == CodeConvertUTF8 || p.Code == frontmatter.CodeEncoding
	})
	first, lines := 0, 0
	c1 := false // bytes 0x80-0x9F: C1 controls in Latin-1, printable in Windows-1252
	lineNo, lastBad := 1, 0
	for i := 0; i < len(src); {
		r, size := utf8.DecodeRune(src[i:])
		switch {
		case src[i] == '\n':
			lineNo++
		case r == utf8.RuneError && size == 1:
			if lastBad != lineNo {
				lines++
				lastBad = lineNo
			}
			if first == 0 {
				first = lineNo
			}
			c1 = c1 || src[i] < 0xa0
		}
		i += size
	}
	guess := "Latin-1 (ISO 8859-1)"
	cmd := "iconv -f latin1 -t utf-8"
	if c1 {
		guess, cmd = "Windows-1252", "iconv -f cp1252 -t utf-8"
	}
	plural := "s"
	if lines == 1 {
		plural = ""
	}
	d.report(CodeEncoding, first, 0, Warning, fmt.Sprintf(
		"not UTF-8, it looks like %s: invalid bytes on %d line%s are shown as U+FFFD; convert the file, e.g. %s",
		guess, lines, plural, cmd))
}
