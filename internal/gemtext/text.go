package gemtext

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/yuin/goldmark/util"
)

// Sentinels written by the inline renderer and resolved before a line is
// emitted. Normalisation removes every C0 control from the input and
// decodeText never produces one, so they cannot collide with the author's text.
const (
	softBreak = '\x01' // a soft line break: a space, or nothing between CJK characters
	moreMark  = '\x02' // the position of <!--more-->
)

// decodeText appends s to b with backslash escapes and entity and numeric
// character references resolved as CommonMark does. Control characters a
// reference might produce are dropped, except TAB; a line feed becomes a space.
func decodeText(b *strings.Builder, s []byte) {
	decode(b, s, true)
}

// decode is decodeText with backslash escapes optional: autolinks have none.
func decode(b *strings.Builder, s []byte, escapes bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			if escapes && i+1 < len(s) && util.IsPunct(s[i+1]) {
				b.Write(s[n:i])
				n = i + 1
				i++
			}
		case '&':
			r, name, end := reference(s, i)
			if end < 0 {
				continue
			}
			b.Write(s[n:i])
			if name != nil {
				b.Write(name)
			} else {
				writeSafeRune(b, r)
			}
			n = end
			i = end - 1
		}
	}
	b.Write(s[n:])
}

// reference parses an entity or numeric character reference at s[i] ('&').
// It returns the rune (numeric) or the characters (named) and the index after
// the ';', or end < 0 when there is no valid reference.
func reference(s []byte, i int) (r rune, name []byte, end int) {
	j := i + 1
	if j < len(s) && s[j] == '#' {
		j++
		base, start := 10, j
		if j < len(s) && (s[j] == 'x' || s[j] == 'X') {
			base, j = 16, j+1
			start = j
		}
		for j < len(s) && j-start < 8 && (isDigit(s[j]) || (base == 16 && util.IsHexDecimal(s[j]))) {
			j++
		}
		max := 7
		if base == 16 {
			max = 6
		}
		if j == start || j-start > max || j >= len(s) || s[j] != ';' {
			return 0, nil, -1
		}
		v, err := strconv.ParseUint(string(s[start:j]), base, 32)
		if err != nil || v == 0 || v > unicode.MaxRune || (v >= 0xd800 && v <= 0xdfff) {
			v = unicode.ReplacementChar
		}
		return rune(v), nil, j + 1
	}
	for j < len(s) && util.IsAlphaNumeric(s[j]) {
		j++
	}
	if j == i+1 || j >= len(s) || s[j] != ';' {
		return 0, nil, -1
	}
	e, ok := util.LookUpHTML5EntityByName(string(s[i+1 : j]))
	if !ok {
		return 0, nil, -1
	}
	return 0, e.Characters, j + 1
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// writeSafeRune writes r unless it is a control character; a line feed or
// carriage return becomes a space.
func writeSafeRune(b *strings.Builder, r rune) {
	switch {
	case r == '\n' || r == '\r':
		b.WriteByte(' ')
	case r == '\t':
		b.WriteByte('\t')
	case r < 0x20 || (r >= 0x7f && r < 0xa0):
	default:
		b.WriteRune(r)
	}
}

// isCJK reports whether r belongs to a script written without spaces between
// words, where a soft line break must not become a space. Hangul is not
// included: Korean separates words with spaces.
func isCJK(r rune) bool {
	switch {
	case r < 0x2e80:
		return false
	case r >= 0x3000 && r <= 0x303f, // CJK symbols and punctuation
		r >= 0xff00 && r <= 0xffef: // fullwidth forms
		return true
	}
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana)
}

// resolveBreaks replaces soft-break sentinels in s by a space, or by nothing
// when the characters on both sides are CJK.
func resolveBreaks(s string) string {
	if strings.IndexByte(s, softBreak) < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		if s[i] != softBreak {
			b.WriteByte(s[i])
			continue
		}
		prev, _ := utf8.DecodeLastRuneInString(s[:i])
		next, _ := utf8.DecodeRuneInString(s[i+1:])
		if !(isCJK(prev) && isCJK(next)) {
			b.WriteByte(' ')
		}
	}
	return b.String()
}

// collapse returns s on one line with runs of white space reduced to one
// space and no space at either end.
func collapse(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// countWords counts the words in s: runs of non-space characters holding at
// least one letter or digit, with every CJK character a word of its own.
func countWords(s string) int {
	n, in, counted := 0, false, false
	for _, r := range s {
		if r < utf8.RuneSelf {
			c := byte(r)
			switch {
			case c == ' ' || c == '\t' || c == '\n':
				in, counted = false, false
			case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9':
				if !in || !counted {
					n++
					counted = true
				}
				in = true
			default:
				in = true
			}
			continue
		}
		switch {
		case unicode.IsSpace(r):
			in, counted = false, false
		case isCJK(r) && !unicode.IsPunct(r):
			n++
			in, counted = false, false
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if !in || !counted {
				n++
				counted = true
			}
			in = true
		default:
			in = true
		}
	}
	return n
}
