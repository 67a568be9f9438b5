package search

import (
	"bytes"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/lang/ar"
	"github.com/blevesearch/bleve/v2/analysis/lang/bg"
	"github.com/blevesearch/bleve/v2/analysis/lang/ca"
	"github.com/blevesearch/bleve/v2/analysis/lang/cjk"
	"github.com/blevesearch/bleve/v2/analysis/lang/ckb"
	"github.com/blevesearch/bleve/v2/analysis/lang/cs"
	"github.com/blevesearch/bleve/v2/analysis/lang/da"
	"github.com/blevesearch/bleve/v2/analysis/lang/de"
	"github.com/blevesearch/bleve/v2/analysis/lang/el"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/lang/es"
	"github.com/blevesearch/bleve/v2/analysis/lang/eu"
	"github.com/blevesearch/bleve/v2/analysis/lang/fa"
	"github.com/blevesearch/bleve/v2/analysis/lang/fi"
	"github.com/blevesearch/bleve/v2/analysis/lang/fr"
	"github.com/blevesearch/bleve/v2/analysis/lang/ga"
	"github.com/blevesearch/bleve/v2/analysis/lang/gl"
	"github.com/blevesearch/bleve/v2/analysis/lang/hi"
	"github.com/blevesearch/bleve/v2/analysis/lang/hr"
	"github.com/blevesearch/bleve/v2/analysis/lang/hu"
	"github.com/blevesearch/bleve/v2/analysis/lang/hy"
	"github.com/blevesearch/bleve/v2/analysis/lang/id"
	indic "github.com/blevesearch/bleve/v2/analysis/lang/in"
	"github.com/blevesearch/bleve/v2/analysis/lang/it"
	"github.com/blevesearch/bleve/v2/analysis/lang/nl"
	"github.com/blevesearch/bleve/v2/analysis/lang/no"
	"github.com/blevesearch/bleve/v2/analysis/lang/pt"
	"github.com/blevesearch/bleve/v2/analysis/lang/ro"
	"github.com/blevesearch/bleve/v2/analysis/lang/ru"
	"github.com/blevesearch/bleve/v2/analysis/lang/sv"
	"github.com/blevesearch/bleve/v2/analysis/lang/tr"
	"github.com/blevesearch/bleve/v2/analysis/token/apostrophe"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/token/porter"
	"github.com/blevesearch/bleve/v2/analysis/token/stop"
	"github.com/blevesearch/bleve/v2/analysis/token/unicodenorm"
	wordtok "github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/registry"
	bcp47 "golang.org/x/text/language"
	"golang.org/x/text/unicode/norm"
)

// A language is one analysis of text: the token filters that follow the
// Unicode word tokenizer. Filter names are bleve's, except those of this
// package: foldName (case and accent folding), innenName (German feminine
// plurals) and nfkcName; bleve's stop filters ("stop_xx") are replaced by
// stopFilter over the same lists.
type language struct {
	key     string   // analyzer and field suffix: "fr", "cjk", "xx"
	filters []string // in order
	zwnj    bool     // treat zero-width non-joiners as spaces (Persian)
}

const (
	foldName  = "fold"
	innenName = "innen"
	nfkcName  = "nfkc"
	// otherKey is the analysis of text in a language without its own:
	// folding only, no stop words, no stemming.
	otherKey = "xx"
)

// languages lists every analysis, by key. Stemmers and stop words are the
// ones bleve's own analyzer for the language uses; stop-word-only languages
// have no stemmer in bleve v2.6.3 (Polish's needs a module the project
// does not carry). Stop lists are matched in their folded form as well
// (see stopFilter).
//
// Where folding goes was measured on pairs such as grève/greve/grèves:
// folding before stemming makes an accented word and the same word typed
// without its accents one term whatever the stemmer does, so it comes
// first where the stemmer copes (Russian's Snowball stemmer does not even
// know "ё"). Portuguese's light stemmer only recognises plurals in "-ões"
// with the accent, and the Snowball stemmers of the Nordic languages,
// Hungarian, Romanian and Turkish tell vowels apart by their marks, so
// those fold last.
var languages = []language{
	{key: "en", filters: []string{en.PossessiveName, lowercase.Name, foldName, en.StopName, porter.Name}},
	{key: "fr", filters: []string{lowercase.Name, fr.ElisionName, foldName, fr.StopName, fr.LightStemmerName}},
	// German: "-innen" becomes "-in" before stemming, so that Arbeiterinnen
	// finds Arbeiterin (the light stemmer leaves "arbeiterinn").
	{key: "de", filters: []string{lowercase.Name, foldName, de.StopName, innenName, de.NormalizeName, de.LightStemmerName}},
	{key: "es", filters: []string{lowercase.Name, foldName, es.StopName, es.NormalizeName, es.LightStemmerName}},
	{key: "it", filters: []string{lowercase.Name, it.ElisionName, foldName, it.StopName, it.LightStemmerName}},
	{key: "nl", filters: []string{lowercase.Name, foldName, nl.StopName, nl.SnowballStemmerName}},
	{key: "ru", filters: []string{lowercase.Name, foldName, ru.StopName, ru.SnowballStemmerName}},
	{key: "pt", filters: []string{lowercase.Name, pt.StopName, pt.LightStemmerName, foldName}},
	{key: "sv", filters: []string{lowercase.Name, sv.StopName, sv.SnowballStemmerName, foldName}},
	{key: "no", filters: []string{lowercase.Name, no.StopName, no.SnowballStemmerName, foldName}},
	{key: "da", filters: []string{lowercase.Name, da.StopName, da.SnowballStemmerName, foldName}},
	{key: "fi", filters: []string{lowercase.Name, fi.StopName, fi.SnowballStemmerName, foldName}},
	{key: "hu", filters: []string{lowercase.Name, hu.StopName, hu.SnowballStemmerName, foldName}},
	{key: "ro", filters: []string{lowercase.Name, ro.StopName, ro.SnowballStemmerName, foldName}},
	{key: "tr", filters: []string{apostrophe.Name, lowercase.Name, tr.StopName, tr.SnowballStemmerName, foldName}},
	{key: "hr", filters: []string{lowercase.Name, hr.StopName, hr.SuffixTransformationFilterName, hr.StemmerName, foldName}},
	// Scripts whose marks carry meaning keep them: no foldName.
	{key: "ar", filters: []string{lowercase.Name, nfkcName, ar.StopName, ar.NormalizeName, ar.StemmerName}},
	{key: "fa", zwnj: true, filters: []string{lowercase.Name, ar.NormalizeName, fa.NormalizeName, fa.StopName}},
	{key: "hi", filters: []string{lowercase.Name, indic.NormalizeName, hi.NormalizeName, hi.StopName, hi.StemmerName}},
	{key: "ckb", filters: []string{ckb.NormalizeName, lowercase.Name, ckb.StopName, ckb.StemmerName}},
	{key: "cjk", filters: []string{cjk.WidthName, lowercase.Name, cjk.BigramName, foldName}},
	{key: "bg", filters: []string{lowercase.Name, bg.StopName, foldName}},
	{key: "ca", filters: []string{lowercase.Name, ca.ElisionName, ca.StopName, foldName}},
	{key: "cs", filters: []string{lowercase.Name, cs.StopName, foldName}},
	{key: "el", filters: []string{lowercase.Name, el.StopName, foldName}},
	{key: "eu", filters: []string{lowercase.Name, eu.StopName, foldName}},
	{key: "ga", filters: []string{lowercase.Name, ga.ElisionName, ga.StopName, foldName}},
	{key: "gl", filters: []string{lowercase.Name, gl.StopName, foldName}},
	{key: "hy", filters: []string{lowercase.Name, hy.StopName, foldName}},
	{key: "id", filters: []string{lowercase.Name, id.StopName, foldName}},
	// Anything else: CJK bigrams too, since text without a language tag
	// may well be Chinese or Japanese.
	{key: otherKey, filters: []string{cjk.WidthName, lowercase.Name, cjk.BigramName, foldName}},
}

// languageByKey indexes languages; it never changes after init.
var languageByKey = func() map[string]*language {
	m := make(map[string]*language, len(languages))
	for i := range languages {
		m[languages[i].key] = &languages[i]
	}
	return m
}()

// baseAliases maps ISO 639 codes that share an analysis to its key.
var baseAliases = map[string]string{
	"nb": "no", "nn": "no", "ja": "cjk", "zh": "cjk", "ko": "cjk",
}

// langKey returns the key of the analysis for a BCP 47 tag: its language
// subtag when the package has an analysis for it ("pt-BR" is "pt"), else
// otherKey.
func langKey(tag string) string {
	tag = strings.TrimSpace(tag)
	if tag == "" {
		return otherKey
	}
	t, err := bcp47.Parse(tag)
	if err != nil {
		return otherKey
	}
	base, _ := t.Base()
	k := base.String()
	if a, ok := baseAliases[k]; ok {
		k = a
	}
	if _, ok := languageByKey[k]; !ok || k == otherKey {
		return otherKey
	}
	return k
}

// analyzerName is the name under which the analysis for key is registered
// with bleve (and recorded in a persisted index's mapping).
func analyzerName(key string) string { return "broadside_" + key }

// pairAnalyzerName is the name of the analysis for key that turns words
// into their pairs (see pairFilter), which phrase queries use.
func pairAnalyzerName(key string) string { return "broadside_" + key + "_pairs" }

// indexAnalyzerName is the name of the analysis for key that indexes text:
// words and their pairs.
func indexAnalyzerName(key string) string { return "broadside_" + key + "_index" }

// An output is what an analysis yields.
type output int

const (
	words output = iota // analysed words
	pairs               // pairs of neighbouring words only
	both                // words and pairs, as indexed
)

// init registers every analysis with bleve's registry: a persisted index
// names its analyzers, and bleve looks them up by name when it opens one.
// Registration is bleve's mechanism and happens once per process; the
// analyzers hold no state.
func init() {
	for i := range languages {
		l := &languages[i]
		for _, r := range []struct {
			name string
			out  output
		}{{analyzerName(l.key), words}, {pairAnalyzerName(l.key), pairs}, {indexAnalyzerName(l.key), both}} {
			err := registry.RegisterAnalyzer(r.name, func(map[string]any, *registry.Cache) (analysis.Analyzer, error) {
				return l.analyzer(r.out)
			})
			if err != nil {
				panic(err) // a name taken twice: a programming error
			}
		}
	}
}

// analyzer builds l's analyzer for the output out.
func (l *language) analyzer(out output) (analysis.Analyzer, error) {
	cache := registry.NewCache()
	a := &analysis.DefaultAnalyzer{Tokenizer: wordtok.NewUnicodeTokenizer()}
	if l.zwnj {
		a.CharFilters = []analysis.CharFilter{zwnjFilter{}}
	}
	for _, name := range l.filters {
		var f analysis.TokenFilter
		switch name {
		case foldName:
			f = foldFilter{}
		case innenName:
			f = innenFilter{}
		case nfkcName:
			f = unicodenorm.MustNewUnicodeNormalizeFilter(unicodenorm.NFKC)
		default:
			if strings.HasPrefix(name, "stop_") {
				words, err := cache.TokenMapNamed(name)
				if err != nil {
					return nil, fmt.Errorf("analysis %s: %w", l.key, err)
				}
				f = stopFilter(words)
				break
			}
			var err error
			if f, err = cache.TokenFilterNamed(name); err != nil {
				return nil, fmt.Errorf("analysis %s: %w", l.key, err)
			}
		}
		a.TokenFilters = append(a.TokenFilters, f)
	}
	if out != words {
		a.TokenFilters = append(a.TokenFilters, pairFilter{keepWords: out == both})
	}
	return a, nil
}

// stopFilter returns a filter that drops the words of a stop list, as
// written and folded: "für" and "fur" both, so that a stop word typed
// without its accents is still one (under the rule that every query word
// must match, a stop word searched for would find nothing).
func stopFilter(words analysis.TokenMap) analysis.TokenFilter {
	all := make(analysis.TokenMap, 2*len(words))
	for w := range words {
		all[w] = true
		all[fold(w)] = true
	}
	return stop.NewStopTokensFilter(all)
}

// maxPairGap is the largest distance between the words of a pair: up to
// two stop words may stand between them ("freedom of the press").
const maxPairGap = 3

// pairFilter adds to a stream of analysed words (or replaces it by) the
// pairs of neighbours, "freedom press" for "freedom press", with one space
// per position between them ("freedom   press" for "freedom of the
// press", where the stop words left a gap). Indexed with the words (a
// pair has a space, a word never does), pairs make a phrase query a
// conjunction of term look-ups: much cheaper than checking the positions
// of every occurrence of common words, and without the term vectors that
// would need.
type pairFilter struct {
	keepWords bool
}

// Filter returns the pairs of in, after its words if keepWords is set.
func (f pairFilter) Filter(in analysis.TokenStream) analysis.TokenStream {
	out := make(analysis.TokenStream, 0, 2*len(in))
	if f.keepWords {
		out = append(out, in...)
	}
	for i := 1; i < len(in); i++ {
		a, b := in[i-1], in[i]
		gap := b.Position - a.Position
		if gap < 1 || gap > maxPairGap {
			continue
		}
		term := make([]byte, 0, len(a.Term)+gap+len(b.Term))
		term = append(term, a.Term...)
		for range gap {
			term = append(term, ' ')
		}
		term = append(term, b.Term...)
		out = append(out, &analysis.Token{Term: term, Position: a.Position, Start: a.Start, End: b.End, Type: analysis.Shingle})
	}
	return out
}

// foldFilter folds case further than lower-casing does (ß is ss, final
// sigma is sigma) and removes accents: "GRÈVE", "grève" and "greve" are one
// word. Marks are removed from Latin and Greek letters only (and the
// diaeresis of Cyrillic ё, which Russian readers often leave out); the
// marks of other scripts are parts of their letters (й is not и, and
// Devanagari vowel signs are marks).
type foldFilter struct{}

// Filter folds each token's term in place.
func (foldFilter) Filter(in analysis.TokenStream) analysis.TokenStream {
	for _, t := range in {
		t.Term = foldTerm(t.Term)
	}
	return in
}

// foldTerm returns the folded form of a lower-case term, reusing term when
// nothing changes (all ASCII, the common case).
func foldTerm(term []byte) []byte {
	ascii := true
	for _, c := range term {
		if c >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return term
	}
	return []byte(fold(string(term)))
}

// fold is foldFilter's rule on a string; it also lower-cases, so that it
// can fold tag names and query filters, which bypass the analyzers, and
// the lines that snippets probe.
func fold(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return strings.ToLower(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	var base rune // the last letter written, which marks attach to
	for _, r := range norm.NFD.String(s) {
		if r < utf8.RuneSelf {
			if 'A' <= r && r <= 'Z' {
				r += 'a' - 'A'
			}
			base = r
			b.WriteByte(byte(r))
			continue
		}
		if unicode.Is(unicode.Mn, r) {
			switch {
			case unicode.Is(unicode.Latin, base) || unicode.Is(unicode.Greek, base):
				continue
			case base == 'е' && r == '\u0308': // ё
				continue
			}
			b.WriteRune(r)
			continue
		}
		r = unicode.ToLower(r)
		base = r
		switch r {
		case 'ß', 'ẞ':
			b.WriteString("ss")
		case 'æ':
			b.WriteString("ae")
		case 'œ':
			b.WriteString("oe")
		case 'þ':
			b.WriteString("th")
		case 'ø':
			b.WriteByte('o')
		case 'đ', 'ð':
			b.WriteByte('d')
		case 'ł':
			b.WriteByte('l')
		case 'ħ':
			b.WriteByte('h')
		case 'ŧ':
			b.WriteByte('t')
		case 'ı':
			b.WriteByte('i')
		case 'ς':
			b.WriteRune('σ')
		default:
			b.WriteRune(r)
		}
	}
	return norm.NFC.String(b.String())
}

// zwnjFilter turns zero-width non-joiners, which Persian writes inside
// words, into word breaks. Unlike bleve's own filter it keeps every byte
// offset (one three-byte character becomes three spaces), so that token
// offsets point into the text that was analysed.
type zwnjFilter struct{}

// Filter replaces U+200C with three spaces.
func (zwnjFilter) Filter(in []byte) []byte {
	return bytes.ReplaceAll(in, []byte("\u200c"), []byte("   "))
}

// innenFilter rewrites German feminine plurals in "-innen" to the singular
// "-in" ("arbeiterinnen" to "arbeiterin"), which the light stemmer leaves
// alone. Short words ("innen", "binnen", "linnen") are kept.
type innenFilter struct{}

// Filter rewrites each token's term in place.
func (innenFilter) Filter(in analysis.TokenStream) analysis.TokenStream {
	for _, t := range in {
		if n := len(t.Term); n >= 9 && string(t.Term[n-5:]) == "innen" {
			t.Term = t.Term[:n-3]
		}
	}
	return in
}
