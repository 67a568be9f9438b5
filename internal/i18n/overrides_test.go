package i18n

import (
	"slices"
	"strings"
	"testing"

	"broadside/internal/diag"
	"github.com/BurntSushi/toml"
)

// check is one expectation about a catalog: lang's message id, formatted
// with args, reads want.
type check struct {
	lang string
	id   ID
	args []Arg
	want string
}

func TestOverrides(t *testing.T) {
	tests := []struct {
		name      string
		def       string
		overrides map[string]map[string]any
		// diags are "severity code message-substring", in order.
		diags  []string
		checks []check
	}{
		{
			name:      "string override",
			overrides: map[string]map[string]any{"fr": {"index.recent": "Derniers articles"}},
			checks:    []check{{"fr", IndexRecent, nil, "Derniers articles"}, {"fr", IndexFeed, nil, "Flux Atom"}},
		},
		{
			name:      "dotted keys as nested tables",
			overrides: map[string]map[string]any{"fr": {"index": map[string]any{"recent": "Derniers articles"}, "date": map[string]any{"month": map[string]any{"january": "janv."}}}},
			checks:    []check{{"fr", IndexRecent, nil, "Derniers articles"}, {"fr", DateJanuary, nil, "janv."}},
		},
		{
			name:      "escaped braces",
			overrides: map[string]map[string]any{"en": {"index.recent": "{{recent}} }"}},
			checks:    []check{{"en", IndexRecent, nil, "{recent} }"}},
		},
		{
			name:      "unknown id with suggestion",
			overrides: map[string]map[string]any{"fr": {"index.recnt": "x"}},
			diags:     []string{`error strings/unknown-id strings.fr."index.recnt": unknown message id "index.recnt"; did you mean "index.recent"?`},
			checks:    []check{{"fr", IndexRecent, nil, "Articles récents"}},
		},
		{
			name:      "unknown id under a nested table",
			overrides: map[string]map[string]any{"fr": {"index": map[string]any{"recnt": "x"}}},
			diags:     []string{`error strings/unknown-id strings.fr.index.recnt: unknown message id "index.recnt"`},
		},
		{
			name:      "unknown id without suggestion",
			overrides: map[string]map[string]any{"fr": {"completely.different": "x"}},
			diags:     []string{`error strings/unknown-id strings.fr."completely.different": unknown message id "completely.different"`},
		},
		{
			name:      "unknown placeholder",
			overrides: map[string]map[string]any{"fr": {"article.older": "← {titel}"}},
			diags:     []string{`error strings/unknown-placeholder strings.fr."article.older": unknown placeholder {titel} (article.older takes {title}); the text is ignored`},
			checks:    []check{{"fr", ArticleOlder, []Arg{Title("T")}, "← Article précédent\u00a0: T"}},
		},
		{
			name:      "placeholder of another message",
			overrides: map[string]map[string]any{"en": {"index.recent": "Recent on {site}"}},
			diags:     []string{`error strings/unknown-placeholder strings.en."index.recent": unknown placeholder {site} (index.recent takes none)`},
			checks:    []check{{"en", IndexRecent, []Arg{Site("S")}, "Recent articles"}},
		},
		{
			name:      "missing placeholder is a warning, applied",
			overrides: map[string]map[string]any{"en": {"nav.home": "↩ Home"}},
			diags:     []string{`warning strings/missing-placeholder strings.en."nav.home": no {site}; the text will not show it`},
			checks:    []check{{"en", NavHome, []Arg{Site("S")}, "↩ Home"}},
		},
		{
			name:      "empty text hides, silently",
			overrides: map[string]map[string]any{"en": {"byline.reading_time": ""}},
			checks:    []check{{"en", BylineReadingTime, []Arg{N(6)}, ""}},
		},
		{
			name:      "unclosed brace",
			overrides: map[string]map[string]any{"en": {"index.recent": "Recent {n"}},
			diags:     []string{`error strings/syntax strings.en."index.recent": "{" at byte 7 opens no {name}; write "{{" for a brace; the text is ignored`},
			checks:    []check{{"en", IndexRecent, nil, "Recent articles"}},
		},
		{
			name:      "upper-case placeholder",
			overrides: map[string]map[string]any{"en": {"nav.home": "↩ {Site}"}},
			diags:     []string{`error strings/syntax`},
		},
		{
			name:      "newline",
			overrides: map[string]map[string]any{"en": {"index.recent": "Recent\n=> evil"}},
			diags:     []string{`error strings/syntax strings.en."index.recent": control character U+000A at byte 6: chrome stays on one line`},
			checks:    []check{{"en", IndexRecent, nil, "Recent articles"}},
		},
		{
			name:      "tab",
			overrides: map[string]map[string]any{"en": {"search.item": "Search\tthere"}},
			diags:     []string{`error strings/syntax`},
		},
		{
			name:      "too long",
			overrides: map[string]map[string]any{"en": {"index.recent": strings.Repeat("x", MaxTemplate+1)}},
			diags:     []string{`error strings/syntax strings.en."index.recent": 513 bytes, more than the 512 allowed`},
		},
		{
			name:      "invalid UTF-8",
			overrides: map[string]map[string]any{"en": {"index.recent": "R\xffecent"}},
			diags:     []string{`error strings/syntax strings.en."index.recent": not valid UTF-8`},
		},
		{
			name:      "number",
			overrides: map[string]map[string]any{"en": {"index.recent": int64(5), "count.articles": 3.5}},
			diags: []string{
				`error strings/type strings.en."count.articles": must be a string or a table of plural forms, not a number`,
				`error strings/type strings.en."index.recent": must be a string, not a number`,
			},
		},
		{
			name:      "array",
			overrides: map[string]map[string]any{"en": {"index.recent": []any{"a"}}},
			diags:     []string{`error strings/type strings.en."index.recent": must be a string, not an array`},
		},
		{
			name:      "plural table on a plain message",
			overrides: map[string]map[string]any{"en": {"index.recent": map[string]any{"one": "a", "other": "b"}}},
			diags:     []string{`error strings/plural-form strings.en."index.recent": index.recent has no plural forms; give it a string`},
		},
		{
			name:      "plural table",
			overrides: map[string]map[string]any{"fr": {"count.articles": map[string]any{"one": "{n} texte", "other": "{n} textes"}}},
			checks:    []check{{"fr", CountArticles, []Arg{N(0)}, "0 texte"}, {"fr", CountArticles, []Arg{N(2)}, "2 textes"}},
		},
		{
			name:      "plural table as map[string]string",
			overrides: map[string]map[string]any{"fr": {"count.articles": map[string]string{"one": "{n} texte", "other": "{n} textes"}}},
			checks:    []check{{"fr", CountArticles, []Arg{N(1)}, "1 texte"}},
		},
		{
			name:      "string for a plural message: every count",
			overrides: map[string]map[string]any{"ru": {"count.articles": "статей: {n}"}},
			checks:    []check{{"ru", CountArticles, []Arg{N(1)}, "статей: 1"}, {"ru", CountArticles, []Arg{N(3)}, "статей: 3"}},
		},
		{
			name:      "unknown form",
			overrides: map[string]map[string]any{"en": {"count.articles": map[string]any{"one": "{n} text", "several": "{n} texts", "other": "{n} texts"}}},
			diags:     []string{`error strings/plural-form strings.en."count.articles".several: "several" is not a plural form; en uses one, other`},
			checks:    []check{{"en", CountArticles, []Arg{N(2)}, "2 articles"}},
		},
		{
			name:      "form the language does not use",
			overrides: map[string]map[string]any{"fr": {"count.articles": map[string]any{"one": "{n} texte", "few": "{n} textes", "other": "{n} textes"}}},
			diags:     []string{`warning strings/plural-form strings.fr."count.articles".few: fr has no few form for counts (it uses one, other); this text is never shown`},
			checks:    []check{{"fr", CountArticles, []Arg{N(3)}, "3 textes"}},
		},
		{
			name:      "Russian without few: other stands in",
			overrides: map[string]map[string]any{"ru": {"count.articles": map[string]any{"one": "{n} заметка", "many": "{n} заметок", "other": "{n} заметки"}}},
			diags:     []string{`warning strings/plural-form strings.ru."count.articles": no few form, which ru needs; the other form stands in`},
			checks:    []check{{"ru", CountArticles, []Arg{N(3)}, "3 заметки"}, {"ru", CountArticles, []Arg{N(5)}, "5 заметок"}},
		},
		{
			name:      "Russian without few or other",
			overrides: map[string]map[string]any{"ru": {"count.articles": map[string]any{"one": "{n} заметка", "many": "{n} заметок"}}},
			diags:     []string{`error strings/plural-form strings.ru."count.articles": no few form, which ru needs, and no other form to stand in; the text is ignored`},
			checks:    []check{{"ru", CountArticles, []Arg{N(3)}, "3 статьи"}},
		},
		{
			name:      "Russian one, few, many is complete",
			overrides: map[string]map[string]any{"ru": {"count.articles": map[string]any{"one": "{n} заметка", "few": "{n} заметки", "many": "{n} заметок"}}},
			checks:    []check{{"ru", CountArticles, []Arg{N(21)}, "21 заметка"}, {"ru", CountArticles, []Arg{N(22)}, "22 заметки"}, {"ru", CountArticles, []Arg{N(11)}, "11 заметок"}},
		},
		{
			name:      "English without other",
			overrides: map[string]map[string]any{"en": {"count.articles": map[string]any{"one": "one text"}}},
			diags:     []string{`error strings/plural-form strings.en."count.articles": no other form, which en needs (it uses one, other); the text is ignored`},
		},
		{
			name:      "English one may leave out {n}",
			overrides: map[string]map[string]any{"en": {"count.articles": map[string]any{"one": "one text", "other": "{n} texts"}}},
			checks:    []check{{"en", CountArticles, []Arg{N(1)}, "one text"}},
		},
		{
			name:      "French one covers 0 and 1, so it needs {n}",
			overrides: map[string]map[string]any{"fr": {"count.articles": map[string]any{"one": "un texte", "other": "{n} textes"}}},
			diags:     []string{`warning strings/missing-placeholder strings.fr."count.articles".one: no {n}; the text will not show it`},
		},
		{
			name:      "form that is not a string",
			overrides: map[string]map[string]any{"en": {"count.articles": map[string]any{"one": true, "other": "{n}"}}},
			diags:     []string{`error strings/type strings.en."count.articles".one: the one form must be a string, not a boolean`},
		},
		{
			name:      "list pattern",
			overrides: map[string]map[string]any{"en": {"list.end": "{b} after {a}", "list.pair": "{a} & {b}"}},
			diags:     []string{`error strings/list-pattern strings.en."list.end": must hold {a} and then {b}, once each, as in "{a}, {b}"; the text is ignored`},
			checks:    []check{{"en", BylineBy, []Arg{Names("A", "B", "C")}, "By A, B and C"}, {"en", BylineBy, []Arg{Names("A", "B")}, "By A & B"}},
		},
		{
			name:      "Oxford comma",
			overrides: map[string]map[string]any{"en": {"list.end": "{a}, and {b}"}},
			checks:    []check{{"en", BylineBy, []Arg{Names("A", "B", "C")}, "By A, B, and C"}, {"en", BylineBy, []Arg{Names("A", "B")}, "By A and B"}},
		},
		{
			name:      "American dates",
			overrides: map[string]map[string]any{"en-US": {"date.long": "{month} {day}, {year}"}},
			checks:    []check{{"en-US", BylineUpdated, []Arg{Date(jan7), Updated(jan7)}, "January 7, 2022 (updated January 7, 2022)"}, {"en-GB", DateLong, []Arg{}, "{day} {month} {year}"}},
		},
		{
			name:      "bad language",
			overrides: map[string]map[string]any{"not a tag": {"index.recent": "x"}, "": {"index.recent": "y"}},
			diags: []string{
				`error strings/bad-language strings."": "" is not a BCP 47 language tag (e.g. fr, pt-BR); the table is ignored`,
				`error strings/bad-language strings."not a tag": "not a tag" is not a BCP 47 language tag`,
			},
		},
		{
			name:      "duplicate language",
			overrides: map[string]map[string]any{"fr": {"index.recent": "a"}, "FR": {"index.recent": "b"}},
			diags:     []string{`error strings/duplicate-language strings.fr: "fr" is the same language as "FR"; this table is ignored`},
			checks:    []check{{"fr", IndexRecent, nil, "b"}},
		},
		{
			name:      "new language",
			def:       "sv",
			overrides: map[string]map[string]any{"sv": {"index.recent": "Senaste artiklarna", "count.articles": map[string]any{"one": "{n} artikel", "other": "{n} artiklar"}}},
			diags:     []string{`warning strings/new-language strings.sv: no built-in catalog for "sv"; 74 of 76 messages stay in English: byline.by, byline.reading_time,`},
			checks: []check{
				{"", IndexRecent, nil, "Senaste artiklarna"},
				{"sv-FI", CountArticles, []Arg{N(1)}, "1 artikel"},
				{"sv", IndexFeed, nil, "Atom feed"},
				// English text keeps English plurals; numbers are Swedish.
				{"sv", TagsEntry, []Arg{TagName("x"), N(1)}, "x (1 article)"},
				{"sv", TagsEntry, []Arg{TagName("x"), N(1234)}, "x (1\u00a0234 articles)"},
			},
		},
		{
			name: "new language, all translated: no warning",
			overrides: map[string]map[string]any{"tlh": func() map[string]any {
				m := map[string]any{}
				for id := range ID(numIDs) {
					m[id.String()] = builtinEnglish[id].Other
				}
				return m
			}()},
		},
		{
			name: "an added language starts from this site's English",
			overrides: map[string]map[string]any{
				"ast": {"index.recent": "Artículos recientes"},
				"en":  {"index.feed": "Feed"},
			},
			diags:  []string{`warning strings/new-language strings.ast: no built-in catalog for "ast"; 75 of 76`},
			checks: []check{{"ast", IndexFeed, nil, "Feed"}, {"ast", IndexRecent, nil, "Artículos recientes"}},
		},
		{
			name:      "variant inherits the overridden parent",
			overrides: map[string]map[string]any{"fr": {"index.recent": "Derniers articles"}, "fr-CA": {"index.feed": "Fil Atom"}},
			checks: []check{
				{"fr-CA", IndexRecent, nil, "Derniers articles"},
				{"fr-CA", IndexFeed, nil, "Fil Atom"},
				{"fr", IndexFeed, nil, "Flux Atom"},
				{"fr-CA", DateLong, []Arg{}, "{day} {month} {year}"},
			},
		},
		{
			name:   "default language without catalog",
			def:    "ja",
			diags:  []string{`warning strings/no-catalog lang: no page strings for "ja"; page chrome is in English (translate it in a [strings.ja] table)`},
			checks: []check{{"", IndexRecent, nil, "Recent articles"}},
		},
		{
			name:  "bad default language",
			def:   "!!",
			diags: []string{`error strings/bad-language lang: "!!" is not a BCP 47 language tag; page chrome is in English`},
		},
		{
			name: "errors in one language leave the others alone",
			overrides: map[string]map[string]any{
				"de": {"index.recent": "Neu", "index.feed": 1},
				"es": {"index.recent": "Novedades"},
			},
			diags:  []string{`error strings/type strings.de."index.feed"`},
			checks: []check{{"de", IndexRecent, nil, "Neu"}, {"de", IndexFeed, nil, "Atom-Feed"}, {"es", IndexRecent, nil, "Novedades"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, ds := New(tt.def, tt.overrides)
			var got []string
			for _, d := range ds {
				got = append(got, d.Severity.String()+" "+d.Code+" "+d.Message)
				if d.File != "" || d.Line != 0 {
					t.Errorf("New placed %v without Locate", d)
				}
			}
			if len(got) != len(tt.diags) {
				t.Fatalf("diagnostics:\n%s\nwant %d:\n%s", strings.Join(got, "\n"), len(tt.diags), strings.Join(tt.diags, "\n"))
			}
			for i := range got {
				if !strings.HasPrefix(got[i], tt.diags[i]) {
					t.Errorf("diagnostic %d:\n%s\nwant a start of\n%s", i, got[i], tt.diags[i])
				}
			}
			for _, ck := range tt.checks {
				loc := c.For(ck.lang)
				var s string
				if ck.id >= DateJanuary || ck.id == DateLong {
					s = loc.t.msgs[ck.id].forms[0].sourceText()
				} else {
					s = loc.T(ck.id, ck.args...)
				}
				if s != ck.want {
					t.Errorf("For(%q).T(%s) = %q, want %q", ck.lang, ck.id, s, ck.want)
				}
			}
		})
	}
}

// sourceText writes a template back in template syntax.
func (t *template) sourceText() string {
	var b strings.Builder
	r := strings.NewReplacer("{", "{{", "}", "}}")
	for _, sg := range t.segs {
		b.WriteString(r.Replace(sg.lit))
		if sg.ph != phNone {
			b.WriteString("{" + sg.ph.String() + "}")
		}
	}
	return b.String()
}

// TestLocate: every diagnostic is placed through Locate with its key path.
func TestLocate(t *testing.T) {
	var asked [][]string
	locate := func(path []string) (int, int) {
		asked = append(asked, slices.Clone(path))
		return len(asked) + 10, 3
	}
	_, ds := NewLocated("ja", map[string]map[string]any{
		"fr": {"index": map[string]any{"recnt": "x"}, "count.articles": map[string]any{"few": "{n}", "other": "{n}"}},
	}, locate)
	want := [][]string{
		{"strings", "fr", "index", "recnt"},        // unknown id
		{"strings", "fr", "count.articles", "few"}, // a form French never uses
		{"strings", "fr", "count.articles"},        // hence no one form
		{"lang"},                                   // no catalog for ja
	}
	if len(asked) != len(want) || len(ds) != len(want) {
		t.Fatalf("Locate asked for %q, %d diagnostics; want %q", asked, len(ds), want)
	}
	for i := range want {
		if !slices.Equal(asked[i], want[i]) {
			t.Errorf("Locate call %d: %q, want %q", i, asked[i], want[i])
		}
		if ds[i].Line != i+11 || ds[i].Col != 3 {
			t.Errorf("diagnostic %d at %d:%d, want %d:3", i, ds[i].Line, ds[i].Col, i+11)
		}
	}
}

// TestFromTOML decodes a real [strings] section as the config will, with
// quoted keys, dotted keys, sub-tables and inline plural tables.
func TestFromTOML(t *testing.T) {
	const src = `
[strings.fr]
"index.recent" = "Derniers articles"
byline.reading_time = { one = "{n} minute de lecture", other = "{n} minutes de lecture" }
date.month.january = "janv."

[strings.fr.tags]
empty = "Pas encore d'étiquettes."

[strings.de.count.articles]
one = "{n} Beitrag"
other = "{n} Beiträge"

[strings.en]
nav.hme = "Home"
`
	var cfg struct {
		Strings map[string]map[string]any `toml:"strings"`
	}
	if _, err := toml.Decode(src, &cfg); err != nil {
		t.Fatal(err)
	}
	c, ds := New("fr", cfg.Strings)
	if len(ds) != 1 || ds[0].Code != CodeUnknownID || ds[0].Severity != diag.Error ||
		ds[0].Message != `strings.en.nav.hme: unknown message id "nav.hme"; did you mean "nav.home"?` {
		t.Errorf("diagnostics %v", ds)
	}
	fr, de := c.For("fr"), c.For("de")
	for _, tt := range []struct{ got, want string }{
		{fr.T(IndexRecent), "Derniers articles"},
		{fr.T(BylineReadingTime, N(1)), "1 minute de lecture"},
		{fr.T(BylineReadingTime, N(7)), "7 minutes de lecture"},
		{fr.Date(jan7), "7 janv. 2022"},
		{fr.T(TagsEmpty), "Pas encore d'étiquettes."},
		{de.T(CountArticles, N(1)), "1 Beitrag"},
		{de.T(CountArticles, N(2)), "2 Beiträge"},
	} {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

// TestHostileOverrides: deep tables, many languages, huge tables finish
// at once and bound what they report.
func TestHostileOverrides(t *testing.T) {
	deep := map[string]any{"x": "y"}
	for range 10_000 {
		deep = map[string]any{"index": deep}
	}
	wide := map[string]any{}
	for i := range 5000 {
		wide[strings.Repeat("k", i%100)+string(rune('a'+i%26))+strings.Repeat("z", i/100)] = "v"
	}
	langs := map[string]map[string]any{"fr": {"index": deep}, "de": wide}
	for i := range 200 {
		langs["x-l"+strings.Repeat("a", i%8)+string(rune('a'+i%26))+string(rune('a'+i/26))] = map[string]any{"index.recent": "r"}
	}
	c, ds := New("en", langs)
	if c.For("fr").T(IndexRecent) != "Articles récents" {
		t.Error("a deep table changed index.recent")
	}
	for _, d := range ds {
		if len(d.Message) > 4096 {
			t.Errorf("a %d-byte diagnostic", len(d.Message))
		}
	}
	if len(ds) > 5000+200+1 {
		t.Errorf("%d diagnostics for %d bad keys", len(ds), 5000+200+1)
	}
}
