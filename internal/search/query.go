package search

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits on a query, so that the most hostile one is still cheap: every
// term costs a few dictionary look-ups per language in the index.
const (
	// MaxQueryBytes is the longest query accepted, in bytes.
	MaxQueryBytes = 256
	// MaxTerms is the most terms a query may have: each word, each word
	// of a phrase and each filter counts one.
	MaxTerms = 16
)

// Errors from Parse and Index.Search that a results page shows to the
// reader (each with its own wording, chosen with errors.Is).
var (
	// ErrEmpty: the query has no words, phrases or filters.
	ErrEmpty = errors.New("empty query")
	// ErrTooLong: the query is longer than MaxQueryBytes.
	ErrTooLong = fmt.Errorf("query longer than %d bytes", MaxQueryBytes)
	// ErrTooManyTerms: the query has more than MaxTerms terms.
	ErrTooManyTerms = fmt.Errorf("query with more than %d terms", MaxTerms)
	// ErrOnlyExcluded: every term of the query is excluded ("-word"), so
	// it would list the whole archive.
	ErrOnlyExcluded = errors.New("query excludes words but asks for none")
	// ErrNoWords: the query has no filter and none of its words is worth
	// searching for: they are all too common (stop words such as "the" or
	// "le" in every language of the index) or have no letters or digits.
	ErrNoWords = errors.New("query has no words to search for")
)

// Kind is what a query term asks for.
type Kind int

// The kinds of query terms.
const (
	// TermWord: articles with the word, or another form of it (its stem),
	// case and accents folded.
	TermWord Kind = iota
	// TermPhrase: articles with these words next to each other in this order
	// (each word matched as a TermWord is).
	TermPhrase
	// TermTag: articles with the tag, by slug or by name, case and accents
	// folded. It filters without changing the ranking.
	TermTag
	// TermLang: articles in the language (a BCP 47 tag: "fr" matches "fr" and
	// "fr-CA", "fr-CA" only "fr-CA"). It filters too.
	TermLang
)

// Term is one term of a query.
type Term struct {
	Kind Kind
	// Text is the word, the phrase's words separated by single spaces, the
	// tag or the language, as the reader typed it: it never contains a
	// double quote, a control character or white space other than single
	// spaces between phrase words, and is never empty.
	Text string
	// Exclude is set for "-term": articles that match it are left out.
	Exclude bool
}

// Query is a parsed search query: its terms in the order typed, without
// repetitions. Results must match every term not excluded and no excluded
// one.
type Query struct {
	Terms []Term
}

// Parse reads a query typed by a reader. The language is small on purpose:
//
//	word          the word in any form (strike, strikes, striking)
//	"two words"   the words next to each other, in this order
//	tag:press     articles tagged press; tag:"Small Web" for names with spaces
//	lang:fr       articles in French
//	-word         leave out articles with the word; also -"a phrase",
//	              -tag:x and -lang:xx
//
// Everything else is literal: +, ^, ~, *, ?, parentheses and other field:
// prefixes are only characters of words (which the analysis mostly drops),
// never operators. Terms are separated by white space; an unclosed quote
// runs to the end of the query; a quote inside a word ends the word and
// starts a phrase. Filters with nothing after the colon are ignored.
// Invalid UTF-8 and control characters separate terms like spaces.
//
// Parse fails with ErrTooLong, ErrTooManyTerms, ErrEmpty or ErrOnlyExcluded
// (wrapped with details where there are any).
func Parse(s string) (Query, error) {
	if len(s) > MaxQueryBytes {
		return Query{}, fmt.Errorf("%w (%d bytes)", ErrTooLong, len(s))
	}
	return parse(s)
}

// parse is Parse without the length limit.
func parse(s string) (Query, error) {
	var q Query
	seen := make(map[Term]bool)
	p := parser{s: s}
	count := 0
	for {
		t, ok := p.next()
		if !ok {
			break
		}
		if seen[t] {
			continue
		}
		seen[t] = true
		count += t.cost()
		if count > MaxTerms {
			return Query{}, ErrTooManyTerms
		}
		q.Terms = append(q.Terms, t)
	}
	if len(q.Terms) == 0 {
		return Query{}, ErrEmpty
	}
	for _, t := range q.Terms {
		if !t.Exclude {
			return q, nil
		}
	}
	return Query{}, ErrOnlyExcluded
}

// cost is what t counts against MaxTerms.
func (t Term) cost() int {
	if t.Kind == TermPhrase {
		return strings.Count(t.Text, " ") + 1
	}
	return 1
}

// String returns the query in canonical form: terms separated by one
// space, phrases and tags with spaces quoted. Parse(q.String()) gives q
// back for any q that Parse returned, unless closing an unclosed quote
// made it longer than MaxQueryBytes.
func (q Query) String() string {
	var b strings.Builder
	for i, t := range q.Terms {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(t.String())
	}
	return b.String()
}

// String returns the term as it would be typed.
func (t Term) String() string {
	var s string
	switch t.Kind {
	case TermPhrase:
		s = `"` + t.Text + `"`
	case TermTag:
		s = "tag:" + t.Text
		if strings.Contains(t.Text, " ") {
			s = `tag:"` + t.Text + `"`
		}
	case TermLang:
		s = "lang:" + t.Text
	default:
		s = t.Text
	}
	if t.Exclude {
		return "-" + s
	}
	return s
}

// parser scans a query.
type parser struct {
	s string
	i int
}

// separator reports whether r separates terms.
func separator(r rune) bool {
	return r == utf8.RuneError || unicode.IsSpace(r) || unicode.IsControl(r) ||
		unicode.Is(unicode.Zs, r) || r == '\u200b' || r == '\ufeff'
}

// peek returns the rune at p.i and its size (0 at the end).
func (p *parser) peek() (rune, int) {
	if p.i >= len(p.s) {
		return 0, 0
	}
	return utf8.DecodeRuneInString(p.s[p.i:])
}

// next returns the next term, skipping anything that yields none.
func (p *parser) next() (Term, bool) {
	for {
		for {
			r, n := p.peek()
			if n == 0 || !separator(r) {
				break
			}
			p.i += n
		}
		if p.i >= len(p.s) {
			return Term{}, false
		}
		if t, ok := p.term(); ok {
			return t, true
		}
	}
}

// term reads one term at p.i, which is not a separator. It reports false
// when what it read yields no term (a lone "-", empty quotes, "tag:").
func (p *parser) term() (Term, bool) {
	var t Term
	for {
		r, n := p.peek()
		if r != '-' {
			break
		}
		t.Exclude = true
		p.i += n
	}
	if r, _ := p.peek(); r == '"' {
		t.Kind, t.Text = TermPhrase, p.quoted()
		return t, t.Text != ""
	}
	word := p.word()
	switch {
	case hasPrefixFold(word, "tag:"):
		t.Kind, t.Text = TermTag, word[len("tag:"):]
		if r, _ := p.peek(); t.Text == "" && r == '"' {
			t.Text = p.quoted()
		}
	case hasPrefixFold(word, "lang:") && langTag(word[len("lang:"):]):
		t.Kind, t.Text = TermLang, word[len("lang:"):]
	default:
		t.Kind, t.Text = TermWord, word
	}
	return t, t.Text != ""
}

// hasPrefixFold reports whether s begins with prefix, ignoring ASCII case.
func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// word reads up to the next separator or double quote.
func (p *parser) word() string {
	start := p.i
	for {
		r, n := p.peek()
		if n == 0 || r == '"' || separator(r) {
			return p.s[start:p.i]
		}
		p.i += n
	}
}

// quoted reads a double-quoted string at p.i, up to the closing quote or
// the end, and returns its words separated by single spaces.
func (p *parser) quoted() string {
	p.i++ // the opening quote
	start := p.i
	end := strings.IndexByte(p.s[start:], '"')
	if end < 0 {
		p.i = len(p.s)
		return strings.Join(strings.FieldsFunc(p.s[start:], separator), " ")
	}
	p.i = start + end + 1
	return strings.Join(strings.FieldsFunc(p.s[start:start+end], separator), " ")
}

// langTag reports whether s is empty or looks like a BCP 47 tag: ASCII
// letters and digits in hyphen-separated parts of 1 to 8. Anything else
// after "lang:" is a literal word.
func langTag(s string) bool {
	if s == "" {
		return true // an empty filter, ignored
	}
	for part := range strings.SplitSeq(s, "-") {
		if len(part) == 0 || len(part) > 8 {
			return false
		}
		for _, c := range []byte(part) {
			if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
				return false
			}
		}
	}
	return true
}
