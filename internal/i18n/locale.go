package i18n

import (
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
)

// table is the compiled catalog of one language, shared by every Locale
// that writes in it.
type table struct {
	lang language.Tag
	msgs [numIDs]compiled
	num  numberFormat
	// Derived from msgs once, since dates and lists are on every article.
	months   [12]string
	firstDay string
	lists    [3]listPattern // ListPair, ListComma, ListEnd
	// spanishY turns "y" into "e" before an /i/ sound in lists.
	spanishY bool
}

// compiled is one message: a template per plural form (nil: use Other),
// and the language whose plural rules choose between them, which is the
// language the text is written in (English text kept in a new language
// still says "1 article").
type compiled struct {
	forms [numForms]*template
	rules language.Tag
}

// listPattern is a list template "pre{a}mid{b}post", which lets Join
// write a list of any length in one pass.
type listPattern struct{ pre, mid, post string }

// Locale writes the chrome of pages in one language. The zero value is
// not usable; get one from Catalog.For, which never returns nil. A Locale
// is immutable and safe for concurrent use.
type Locale struct {
	tag      string
	t        *table
	fallback bool // no catalog matched the language asked for
}

// Tag returns the BCP 47 tag of the language the Locale writes in, for
// xml:lang and lang= of chrome: the tag asked for when a catalog serves
// it ("fr-CA" from the French catalog), else the tag of the catalog that
// stood in (the site's default). It describes the chrome, not the
// author's text, whose language is the article's own.
func (l *Locale) Tag() string { return l.tag }

// Arg is a named argument of a message, made by N, Names, Date, Title and
// the other constructors; each fills the placeholder of its name.
type Arg struct {
	ph    placeholder
	kind  argKind
	n     int
	s     string
	t     time.Time
	names []string
}

type argKind uint8

const (
	argString argKind = iota
	argNumber         // grouped by the locale: 1,234
	argPlain          // digits only: years, days
	argTime
	argNames
)

// N is {n}, a count written with the locale's digit grouping. It also
// chooses the plural form of a message that has them.
func N(n int) Arg { return Arg{ph: phN, kind: argNumber, n: n} }

// Names is {names}: the names joined as Join does ("A, B and C").
func Names(names ...string) Arg { return Arg{ph: phNames, kind: argNames, names: names} }

// Date is {date}, written as Locale.Date writes it.
func Date(t time.Time) Arg { return Arg{ph: phDate, kind: argTime, t: t} }

// Updated is {updated}, a second date written as Locale.Date writes it.
func Updated(t time.Time) Arg { return Arg{ph: phUpdated, kind: argTime, t: t} }

// Title is {title}, an article's title.
func Title(s string) Arg { return Arg{ph: phTitle, s: s} }

// Site is {site}, the site's title.
func Site(s string) Arg { return Arg{ph: phSite, s: s} }

// TagName is {tag}, a tag as the site spells it.
func TagName(s string) Arg { return Arg{ph: phTag, s: s} }

// Path is {path}, a folder's path.
func Path(s string) Arg { return Arg{ph: phPath, s: s} }

// Query is {query}, what a reader searched for.
func Query(s string) Arg { return Arg{ph: phQuery, s: s} }

// Page is {page}, a page number.
func Page(n int) Arg { return Arg{ph: phPage, kind: argNumber, n: n} }

// Pages is {pages}, a number of pages.
func Pages(n int) Arg { return Arg{ph: phPages, kind: argNumber, n: n} }

// Year is {year}, written without grouping (2022, not 2,022).
func Year(n int) Arg { return Arg{ph: phYear, kind: argPlain, n: n} }

// T formats message id with args. A placeholder without its Arg is left
// as "{name}", so the mistake shows on the page and in golden files; an
// Arg the message does not use is ignored. For an invalid id T returns "".
func (l *Locale) T(id ID, args ...Arg) string {
	if !id.valid() {
		return ""
	}
	t := l.pick(id, args)
	if len(t.segs) == 1 && t.segs[0].ph == phNone {
		return t.segs[0].lit // no placeholders: the text as it is
	}
	var b strings.Builder
	b.Grow(t.lits + argBytes(t, args))
	l.write(&b, t, args)
	return b.String()
}

// pick chooses the template of id for the count in args, if any.
func (l *Locale) pick(id ID, args []Arg) *template {
	m := &l.t.msgs[id]
	if specs[id].count {
		for i := range args {
			if args[i].ph == phN {
				if t := m.forms[formOf(m.rules, args[i].n)]; t != nil {
					return t
				}
				break
			}
		}
	}
	return m.forms[plural.Other]
}

// argBytes estimates the bytes args add to t, so that T allocates once.
func argBytes(t *template, args []Arg) int {
	n := 0
	for _, sg := range t.segs {
		if sg.ph == phNone {
			continue
		}
		for i := range args {
			if args[i].ph != sg.ph {
				continue
			}
			switch args[i].kind {
			case argString:
				n += len(args[i].s)
			case argNames:
				for _, s := range args[i].names {
					n += len(s) + 8
				}
			default:
				n += 32
			}
			break
		}
	}
	return n
}

func (l *Locale) write(b *strings.Builder, t *template, args []Arg) {
	for _, sg := range t.segs {
		b.WriteString(sg.lit)
		if sg.ph != phNone {
			l.writeArg(b, sg.ph, args)
		}
	}
}

func (l *Locale) writeArg(b *strings.Builder, ph placeholder, args []Arg) {
	for i := range args {
		a := &args[i]
		if a.ph != ph {
			continue
		}
		switch a.kind {
		case argString:
			b.WriteString(a.s)
		case argNumber:
			l.t.num.write(b, a.n, false)
		case argPlain:
			l.t.num.write(b, a.n, true)
		case argTime:
			l.writeDate(b, a.t)
		case argNames:
			l.writeJoin(b, a.names)
		}
		return
	}
	b.WriteString("{" + ph.String() + "}")
}

// Date writes t's calendar date (in t's own location) in the locale's
// long form: "7 January 2022", "1er janvier 2022", "7. Januar 2022",
// "7 de enero de 2022", "7 января 2022". ISO dates in gemsub entries and
// feeds are protocol, not chrome: write those with time.Format.
//
// The forms come from the catalog (date.long, date.first_day and the
// month names), since x/text has no public CLDR date formatter.
func (l *Locale) Date(t time.Time) string {
	var b strings.Builder
	b.Grow(32)
	l.writeDate(&b, t)
	return b.String()
}

func (l *Locale) writeDate(b *strings.Builder, t time.Time) {
	y, m, d := t.Date()
	day := Arg{ph: phDay, kind: argPlain, n: d}
	if d == 1 {
		day = Arg{ph: phDay, s: l.t.firstDay}
	}
	args := [3]Arg{
		day,
		{ph: phMonth, s: l.t.months[m-1]},
		{ph: phYear, kind: argPlain, n: y},
	}
	l.write(b, l.t.msgs[DateLong].forms[plural.Other], args[:])
}

// Join lists items in the locale's words: "A", "A and B", "A, B and C"
// ("A, B et C", "A, B und C", "A, B y C", "A, B и C"). Its cost is linear
// in the length of the result.
func (l *Locale) Join(items []string) string {
	var b strings.Builder
	n := 0
	for _, s := range items {
		n += len(s) + 8
	}
	b.Grow(n)
	l.writeJoin(&b, items)
	return b.String()
}

// JoinMax is Join of at most limit items, the rest counted in a last
// one: "A, B and 3 more". A limit below 1 counts as 1.
func (l *Locale) JoinMax(items []string, limit int) string {
	limit = max(limit, 1)
	if len(items) <= limit {
		return l.Join(items)
	}
	short := make([]string, limit+1)
	copy(short, items[:limit])
	short[limit] = l.T(ListMore, N(len(items)-limit))
	return l.Join(short)
}

func (l *Locale) writeJoin(b *strings.Builder, items []string) {
	switch len(items) {
	case 0:
		return
	case 1:
		b.WriteString(items[0])
		return
	}
	pair, comma, end := l.t.lists[0], l.t.lists[1], l.t.lists[2]
	if len(items) == 2 {
		b.WriteString(pair.pre)
		b.WriteString(items[0])
		l.writeConjunction(b, pair.mid, items[1])
		b.WriteString(items[1])
		b.WriteString(pair.post)
		return
	}
	// end(comma(...comma(comma(i0, i1), i2)..., i[n-2]), i[n-1]), unrolled.
	last := len(items) - 1
	b.WriteString(end.pre)
	for range last - 1 {
		b.WriteString(comma.pre)
	}
	b.WriteString(items[0])
	for _, s := range items[1:last] {
		b.WriteString(comma.mid)
		b.WriteString(s)
		b.WriteString(comma.post)
	}
	l.writeConjunction(b, end.mid, items[last])
	b.WriteString(items[last])
	b.WriteString(end.post)
}

// writeConjunction writes mid, the words before the last item of a
// list. Spanish "y" becomes "e" before a word that starts with the sound
// /i/ ("Ana e Isabel", but "agua y hielo").
func (l *Locale) writeConjunction(b *strings.Builder, mid, next string) {
	if l.t.spanishY && strings.HasSuffix(mid, " y ") && startsWithI(next) {
		b.WriteString(mid[:len(mid)-2])
		b.WriteString("e ")
		return
	}
	b.WriteString(mid)
}

// startsWithI reports a Spanish word that starts with the vowel sound
// /i/: "i", "í", "hi", "hí", but not "hie", "hia" (a diphthong, /j/).
func startsWithI(s string) bool {
	r, n := utf8.DecodeRuneInString(s)
	switch r {
	case 'i', 'I', 'í', 'Í':
		return true
	case 'h', 'H':
		r2, n2 := utf8.DecodeRuneInString(s[n:])
		if r2 != 'i' && r2 != 'I' && r2 != 'í' && r2 != 'Í' {
			return false
		}
		if r2 == 'í' || r2 == 'Í' {
			return true
		}
		r3, _ := utf8.DecodeRuneInString(s[n+n2:])
		return !strings.ContainsRune("aeoáéóAEOÁÉÓ", r3)
	}
	return false
}
