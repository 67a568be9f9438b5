package i18n

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"broadside/internal/diag"
	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
)

// refToken splits a template the way the documentation describes it.
var refToken = regexp.MustCompile(`\{\{|\}\}|\{[a-z_]+\}|\{|\}`)

// refRender is an independent reading of the template rules: it predicts
// whether New accepts text for search.results (placeholders {n} and
// {query}) and what T then writes. ok is false for a text New must refuse.
func refRender(text string, n, group string, query string) (out string, ok bool) {
	if len(text) > MaxTemplate || !utf8.ValidString(text) {
		return "", false
	}
	for _, r := range text {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return "", false
		}
	}
	ok = true
	out = refToken.ReplaceAllStringFunc(text, func(tok string) string {
		switch tok {
		case "{{":
			return "{"
		case "}}", "}":
			return "}"
		case "{n}":
			return refGroup(n, group)
		case "{query}":
			return query
		}
		ok = false // "{" alone, or a placeholder search.results lacks
		return ""
	})
	return out, ok
}

// refGroup groups the decimal digits of s by three.
func refGroup(s, sep string) string {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var parts []string
	for len(s) > 3 {
		parts = append([]string{s[len(s)-3:]}, parts...)
		s = s[:len(s)-3]
	}
	parts = append([]string{s}, parts...)
	out := strings.Join(parts, sep)
	if neg {
		out = "-" + out
	}
	return out
}

// FuzzOverride: for any override text, New never panics and either
// refuses the text with an error naming the message (and T keeps the
// built-in text), or accepts it, and then T writes exactly what the
// reference reading of the template rules predicts: every placeholder
// substituted, escapes undone, valid UTF-8. The same text as the Russian
// "few" form must be used for exactly the numbers CLDR calls few.
func FuzzOverride(f *testing.F) {
	f.Add("{n} results for {query}", 3, "peace")
	f.Add("{{n}} {n}}} {", 1, "x")
	f.Add("{query}{query}{n}{n}", 1234567, "{n}")
	f.Add("{title}", 0, "")
	f.Add("{n", -5, "q")
	f.Add("}{", 22, "\xff")
	f.Add("a\nb", 2, "q")
	f.Add(strings.Repeat("{n}", 200), 21, "q")
	f.Add("{N}", 5, "")
	f.Add("{}", 5, "")
	builtin := builtinCatalog(f)
	f.Fuzz(func(t *testing.T, text string, n int, query string) {
		c, ds := New("en", map[string]map[string]any{
			"en": {"search.results": text},
			"ru": {"search.results": map[string]any{"one": "{n}", "few": text, "many": "{n}"}},
		})
		errs := map[string]bool{}
		for _, d := range ds {
			if !strings.Contains(d.Message, "search.results") {
				t.Fatalf("diagnostic about something else: %v", d)
			}
			if !utf8.ValidString(d.Message) {
				t.Fatalf("diagnostic not valid UTF-8: %q", d.Message)
			}
			if d.Severity == diag.Error {
				errs[strings.SplitN(d.Message, ".", 3)[1]] = true
			}
		}
		for _, lang := range []string{"en", "ru"} {
			want, ok := refRender(text, strconv.Itoa(n), map[string]string{"en": ",", "ru": "\u00a0"}[lang], query)
			if ok == errs[lang] {
				t.Fatalf("%s: reference accepts=%v, New errors=%v on %q: %v", lang, ok, errs[lang], text, ds)
			}
			got := c.For(lang).T(SearchResults, N(n), Query(query))
			if lang == "ru" && formOf(language.Russian, n) != plural.Few {
				want = refGroup(strconv.Itoa(n), "\u00a0")
			}
			if !ok {
				want = builtin.For(lang).T(SearchResults, N(n), Query(query))
			}
			if got != want {
				t.Fatalf("%s T = %q, want %q (template %q)", lang, got, want, text)
			}
			if utf8.ValidString(query) && !utf8.ValidString(got) {
				t.Fatalf("%s T = %q is not valid UTF-8", lang, got)
			}
		}
	})
}

// FuzzFor: any language string gets a Locale that writes complete
// chrome, whose Tag is a valid BCP 47 tag, and For agrees with itself
// and with Supports.
func FuzzFor(f *testing.F) {
	for _, s := range []string{"", "fr", "fr-CA", "de-AT", "pt-BR", "x-foo", "und", "zh-Hant-TW", "en-u-ca-buddhist", "i-klingon", "--", "\xff", strings.Repeat("a-", 300)} {
		f.Add(s)
	}
	c, _ := New("de", map[string]map[string]any{"fr-CA": {"index.recent": "Récents"}})
	f.Fuzz(func(t *testing.T, lang string) {
		loc := c.For(lang)
		if loc == nil {
			t.Fatal("nil Locale")
		}
		if _, err := language.Parse(loc.Tag()); err != nil {
			t.Fatalf("For(%q).Tag() = %q: %v", lang, loc.Tag(), err)
		}
		if loc.T(IndexRecent) == "" || loc.Date(jan7) == "" {
			t.Fatalf("For(%q) writes nothing", lang)
		}
		if again := c.For(lang); again.Tag() != loc.Tag() || again.t != loc.t {
			t.Fatalf("For(%q) changed between calls", lang)
		}
		if c.Supports(lang) != (lang == "" || !loc.fallback) {
			t.Fatalf("Supports(%q) disagrees with For", lang)
		}
		if loc.fallback && loc.Tag() != "de" {
			t.Fatalf("For(%q) fell back to %q, not the default", lang, loc.Tag())
		}
	})
}
