package i18n

import (
	"fmt"
	"sync"
	"sync/atomic"

	"broadside/internal/diag"
	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
)

// builtins are the catalogs shipped with Broadside, English first: it is
// the fallback of every other language and of the matcher.
var builtins = []struct {
	tag language.Tag
	src map[ID]forms
}{
	{language.English, builtinEnglish},
	{language.French, builtinFrench},
	{language.German, builtinGerman},
	{language.Spanish, builtinSpanish},
	{language.Russian, builtinRussian},
	{language.Italian, builtinItalian},
	{language.Dutch, builtinDutch},
	{language.Ukrainian, builtinUkrainian},
}

// Catalog is every language the site can write its chrome in: the
// built-in ones with the operator's overrides, and languages the operator
// added. It is immutable and safe for concurrent use; build a new one when
// the configuration changes.
type Catalog struct {
	tables   []*table // in the matcher's order
	exact    map[string]*Locale
	matcher  language.Matcher
	def      *Locale // the site's language
	fallback *Locale // def, marked as standing in for another language
	// defOK reports that a catalog serves the site's language.
	defOK bool

	// cache keeps what For matched, so that a page's language is matched
	// once. Its size is bounded: languages come from front matter, but
	// nothing should grow without limit.
	cache  sync.Map // string → *Locale
	cached atomic.Int64
}

const maxCached = 1024

// maxTagLen bounds the language tags For considers, and so the memory its
// cache holds: real tags ("zh-Hant-TW", "en-US-u-ca-gregory") are far
// shorter.
const maxTagLen = 64

// Locate places a diagnostic about a key of the configuration. path is
// the key from the top of the config file: ["strings", "fr", "index",
// "recent"] for an unquoted dotted key, ["strings", "fr", "index.recent"]
// for a quoted one, as the keys appear in the overrides map, and ["lang"]
// for the default language. It returns the line and column, or zeros.
type Locate func(path []string) (line, col int)

// New builds the catalog of a site whose default language is defaultLang
// (the config's lang, "" for English), with overrides from the config's
// [strings.LANG] tables: overrides[LANG][KEY] is a string, or a table of
// plural forms {one = "...", other = "..."} (map[string]any) for a message
// that has them. Unquoted dotted keys, which TOML decodes into nested
// tables, are understood as well.
//
// Every problem is reported, with the language and message key in its
// text and no File or Line (use NewLocated to place them): an override
// with an error is ignored and the built-in text stays; a warning is
// applied. A language without a built-in catalog is allowed: it starts
// from the built-in catalog of its parent language if there is one
// ("fr-CA" from French), else from English, and a warning lists the
// messages that stay in English.
func New(defaultLang string, overrides map[string]map[string]any) (*Catalog, []diag.Diagnostic) {
	return NewLocated(defaultLang, overrides, nil)
}

// NewLocated is New with diagnostics placed by locate, which may be nil.
// The caller still sets their File.
func NewLocated(defaultLang string, overrides map[string]map[string]any, locate Locate) (*Catalog, []diag.Diagnostic) {
	b := &builder{locate: locate, byTag: map[string]*table{}}
	for _, bi := range builtins {
		b.addBuiltin(bi.tag, bi.src)
	}
	b.applyOverrides(overrides)

	c := &Catalog{tables: b.tables, exact: map[string]*Locale{}}
	tags := make([]language.Tag, len(b.tables))
	for i, t := range b.tables {
		t.finish()
		tags[i] = t.lang
		c.exact[t.lang.String()] = &Locale{tag: t.lang.String(), t: t}
	}
	c.matcher = language.NewMatcher(tags)

	c.def, c.defOK = c.exact["en"], true
	if defaultLang != "" {
		var l *Locale
		if l, c.defOK = c.match(defaultLang); c.defOK {
			c.def = l
		} else if tag, err := language.Parse(defaultLang); err != nil {
			b.report([]string{"lang"}, diag.Error, CodeBadLanguage,
				"%q is not a BCP 47 language tag; page chrome is in English", defaultLang)
		} else {
			b.report([]string{"lang"}, diag.Warning, CodeNoCatalog,
				"no page strings for %q; page chrome is in English (translate it in a [strings.%s] table)", tag, tag)
		}
	}
	c.exact[c.def.tag] = c.def
	c.fallback = &Locale{tag: c.def.tag, t: c.def.t, fallback: true}
	return c, b.diags
}

// For returns the Locale for a page in language lang (a BCP 47 tag: the
// article's lang, or "" for the site's default). A language without a
// catalog gets the best match by x/text's language matching ("fr-CA"
// gets French, "de-AT" German, "gsw" German, "be" Russian: matches CLDR
// rates high), else the site's default language. It never returns nil.
func (c *Catalog) For(lang string) *Locale {
	if lang == "" {
		return c.def
	}
	if l, ok := c.exact[lang]; ok {
		return l
	}
	if len(lang) > maxTagLen {
		return c.fallback // no language tag is this long; do not keep it
	}
	if v, ok := c.cache.Load(lang); ok {
		return v.(*Locale)
	}
	l, ok := c.match(lang)
	if !ok {
		l = c.fallback
	}
	if c.cached.Add(1) <= maxCached {
		c.cache.Store(lang, l)
	}
	return l
}

// Supports reports whether a catalog serves lang, rather than the site's
// default standing in for it; "" asks about the default language itself.
// "broadside check" can warn about an article whose lang has no catalog.
func (c *Catalog) Supports(lang string) bool {
	if lang == "" {
		return c.defOK
	}
	return !c.For(lang).fallback
}

// match finds the catalog for lang, if the matcher is confident.
func (c *Catalog) match(lang string) (*Locale, bool) {
	tag, err := language.Parse(lang)
	if err != nil || tag == language.Und {
		return nil, false
	}
	_, i, conf := c.matcher.Match(tag)
	if conf < language.High {
		return nil, false
	}
	t := c.tables[i]
	if s := tag.String(); s != t.lang.String() {
		return &Locale{tag: s, t: t}, true
	}
	return c.exact[t.lang.String()], true
}

// builder gathers the tables and diagnostics while New runs.
type builder struct {
	locate  Locate
	tables  []*table
	byTag   map[string]*table // by canonical tag
	english *table
	diags   []diag.Diagnostic
	use     map[language.Tag]formUse // memo of integerForms
}

func (b *builder) report(path []string, sev diag.Severity, code, format string, args ...any) {
	d := diag.Diagnostic{Severity: sev, Code: code, Message: keyPath(path) + ": " + fmt.Sprintf(format, args...)}
	if b.locate != nil {
		d.Line, d.Col = b.locate(path)
	}
	b.diags = append(b.diags, d)
}

// addBuiltin compiles a built-in catalog; English must come first. A
// message it lacks is taken from English (the completeness test keeps
// that from happening).
func (b *builder) addBuiltin(tag language.Tag, src map[ID]forms) {
	t := &table{lang: tag}
	for id := range ID(numIDs) {
		f, ok := src[id]
		if !ok && b.english != nil {
			t.msgs[id] = b.english.msgs[id]
			continue
		}
		t.msgs[id] = compileBuiltin(tag, id, f)
	}
	if b.english == nil {
		b.english = t
	}
	b.tables = append(b.tables, t)
	b.byTag[tag.String()] = t
}

// compileBuiltin parses a built-in message. The built-in text is part of
// the program and tested; an error in it is a bug, so it panics.
func compileBuiltin(tag language.Tag, id ID, f forms) compiled {
	c := compiled{rules: tag}
	for form := range numForms {
		s := f.get(plural.Form(form))
		if s == "" {
			continue
		}
		p, err := parseTemplate(s)
		if err != nil || len(p.unknown) > 0 {
			panic(fmt.Sprintf("i18n: built-in %s %s %s: %v %v", tag, id, formNames[form], err, p.unknown))
		}
		c.forms[form] = p.t
	}
	if c.forms[plural.Other] == nil {
		panic(fmt.Sprintf("i18n: built-in %s %s has no other form", tag, id))
	}
	return c
}

// finish derives what dates, lists and numbers need from the messages.
func (t *table) finish() {
	for i := range t.months {
		t.months[i] = literal(t.msgs[DateJanuary+ID(i)])
	}
	t.firstDay = literal(t.msgs[DateFirstDay])
	for i, id := range [...]ID{ListPair, ListComma, ListEnd} {
		t.lists[i], _ = listPatternOf(t.msgs[id].forms[plural.Other])
	}
	base, _ := t.lang.Base()
	t.spanishY = base.String() == "es"
	t.num = newNumberFormat(t.lang)
}

// literal is the text of a message without placeholders.
func literal(c compiled) string {
	t := c.forms[plural.Other]
	if len(t.segs) == 1 {
		return t.segs[0].lit
	}
	s := ""
	for _, sg := range t.segs {
		s += sg.lit
	}
	return s
}

// listPatternOf reads "pre{a}mid{b}post"; overrides of list messages are
// refused in any other shape.
func listPatternOf(t *template) (listPattern, bool) {
	s := t.segs
	if len(s) < 2 || len(s) > 3 || s[0].ph != phA || s[1].ph != phB || (len(s) == 3 && s[2].ph != phNone) {
		return listPattern{mid: ", "}, false
	}
	p := listPattern{pre: s[0].lit, mid: s[1].lit}
	if len(s) == 3 {
		p.post = s[2].lit
	}
	return p, true
}
