package i18n

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// numberFormat writes whole numbers the way a language does: its digits
// and its grouping separator ("1,234" in English, "1 234" in French and
// Russian, "1.234" in German).
type numberFormat struct {
	digits [10]string // "" for ASCII digits
	group  string     // separator between groups; "" for none
	size   int        // digits in the last group (3)
	size2  int        // digits in the other groups (3; 2 in India)
	// minGroup is the fewest digits before a separator: 2 in Spanish,
	// which writes "1234" but "12.345".
	minGroup int
}

// minimumGroupingDigits is CLDR's minimumGroupingDigits where it is not 1.
// x/text's number formatting ignores it, so the few languages that need
// it are listed here.
var minimumGroupingDigits = map[language.Base]int{
	language.MustParseBase("es"): 2,
	language.MustParseBase("pl"): 2,
}

// newNumberFormat learns lang's number format from x/text's CLDR data by
// formatting one sample number with a message.Printer, once, so that
// formatting on the hot path is a loop over bytes. Should the sample come
// out in a shape this does not follow, numbers are written in ASCII
// without grouping.
func newNumberFormat(lang language.Tag) numberFormat {
	const sample = 1234567890
	s := message.NewPrinter(lang).Sprintf("%d", sample)
	nf, ok := parseNumberSample(s)
	if !ok {
		return numberFormat{}
	}
	base, _ := lang.Base()
	nf.minGroup = max(1, minimumGroupingDigits[base])
	return nf
}

// parseNumberSample reads "1,234,567,890" as written in some language: the
// glyphs of 1-9 and 0 in order, and the separators between digit groups.
func parseNumberSample(s string) (numberFormat, bool) {
	var nf numberFormat
	var groups []int
	digit, run := 0, 0
	for s != "" {
		r, n := utf8.DecodeRuneInString(s)
		if unicode.IsDigit(r) {
			if digit >= 10 {
				return numberFormat{}, false
			}
			want := (digit + 1) % 10 // the sample's digits are 1..9 then 0
			if d := string(r); d != strconv.Itoa(want) {
				nf.digits[want] = d
			}
			digit++
			run++
			s = s[n:]
			continue
		}
		j := strings.IndexFunc(s, unicode.IsDigit)
		if j < 0 || run == 0 {
			return numberFormat{}, false
		}
		if nf.group != "" && nf.group != s[:j] {
			return numberFormat{}, false
		}
		nf.group = s[:j]
		groups = append(groups, run)
		run = 0
		s = s[j:]
	}
	if digit != 10 {
		return numberFormat{}, false
	}
	groups = append(groups, run)
	if len(groups) == 1 {
		return nf, true // no grouping
	}
	nf.size = groups[len(groups)-1]
	nf.size2 = nf.size
	if len(groups) > 2 {
		nf.size2 = groups[len(groups)-2]
	}
	if nf.size < 1 || nf.size2 < 1 {
		return numberFormat{}, false
	}
	return nf, true
}

// write appends n to b, grouped unless plain is set (years, days).
func (nf *numberFormat) write(b *strings.Builder, n int, plain bool) {
	var buf [24]byte
	ds := strconv.AppendInt(buf[:0], int64(n), 10)
	if ds[0] == '-' {
		b.WriteByte('-')
		ds = ds[1:]
	}
	grouped := !plain && nf.group != "" && len(ds) >= nf.size+nf.minGroup
	// Position of the first separator: the groups are counted from the
	// right, the last one size digits and the others size2.
	next := len(ds) + 1
	if grouped {
		next = (len(ds)-nf.size)%nf.size2 + 0
		if next == 0 {
			next = nf.size2
		}
	}
	for i, c := range ds {
		if grouped && i == next && i < len(ds) {
			b.WriteString(nf.group)
			if len(ds)-i > nf.size {
				next += nf.size2
			}
		}
		if d := nf.digits[c-'0']; d != "" {
			b.WriteString(d)
		} else {
			b.WriteByte(c)
		}
	}
}
