// Package termwidth measures how many terminal columns text occupies, so that
// tables can be padded and Gopher text wrapped by what a reader sees rather
// than by bytes or runes.
//
// East Asian wide and fullwidth characters take two columns, combining marks,
// format characters and zero-width characters none, everything else one.
// The functions are pure and safe for concurrent use.
package termwidth

import (
	"unicode"

	"golang.org/x/text/width"
)

// Rune reports the number of columns r occupies.
func Rune(r rune) int {
	switch {
	case r == 0:
		return 0
	case r < 0x20 || (r >= 0x7f && r < 0xa0):
		return 0
	case r < 0x300:
		return 1
	case r == 0x200b || r == 0x200c || r == 0x200d || r == 0x2060 || r == 0xfeff:
		return 0
	case unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf):
		return 0
	case r >= 0x1160 && r <= 0x11ff: // Hangul medial vowels and final consonants combine
		return 0
	}
	switch width.LookupRune(r).Kind() {
	case width.EastAsianWide, width.EastAsianFullwidth:
		return 2
	}
	// Emoji presentation characters are drawn two columns wide by terminals
	// although Unicode classes many of them as neutral.
	if r >= 0x1f300 && r <= 0x1faff {
		return 2
	}
	return 1
}

// String reports the number of columns s occupies. Invalid UTF-8 bytes count
// as one column each, as U+FFFD would.
func String(s string) int {
	n := 0
	for _, r := range s {
		n += Rune(r)
	}
	return n
}

// Truncate returns the longest prefix of s that fits in cols columns, cut on
// a rune boundary. Zero-width runes that follow the last kept rune (combining
// marks) are kept with it.
func Truncate(s string, cols int) string {
	used := 0
	for i, r := range s {
		w := Rune(r)
		if used+w > cols {
			return s[:i]
		}
		used += w
	}
	return s
}

// Pad returns s followed by enough spaces to fill cols columns.
func Pad(s string, cols int) string {
	w := String(s)
	if w >= cols {
		return s
	}
	b := make([]byte, 0, len(s)+cols-w)
	b = append(b, s...)
	for ; w < cols; w++ {
		b = append(b, ' ')
	}
	return string(b)
}
