package i18n

import (
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"broadside/internal/diag"
	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
)

// Diagnostic codes of New, for tools and tests.
const (
	CodeBadLanguage        = "strings/bad-language"        // not a BCP 47 tag (error)
	CodeDuplicateLanguage  = "strings/duplicate-language"  // two tables for one language (error)
	CodeNewLanguage        = "strings/new-language"        // a language without built-in catalog: which messages stay English (warning)
	CodeNoCatalog          = "strings/no-catalog"          // the site's lang has no catalog (warning)
	CodeUnknownID          = "strings/unknown-id"          // no such message (error)
	CodeType               = "strings/type"                // neither a string nor a table of forms (error)
	CodeSyntax             = "strings/syntax"              // a bad brace, a control character, too long (error)
	CodeUnknownPlaceholder = "strings/unknown-placeholder" // {x} the message does not have (error)
	CodeMissingPlaceholder = "strings/missing-placeholder" // the text leaves out one of its placeholders (warning)
	CodePluralForm         = "strings/plural-form"         // forms on a message without them, unknown, missing or unused forms
	CodeListPattern        = "strings/list-pattern"        // list.* not in the shape "…{a}…{b}…" (error)
)

// entry is one override: the message it replaces and its value.
type entry struct {
	path []string // from the top of the config: strings, LANG, key parts
	key  string
	id   ID
	val  any
}

// applyOverrides applies the [strings.LANG] tables in a fixed order: the
// built-in languages first, then added ones, parents before their
// children ("fr" before "fr-CA"), so that an added language starts from
// its parent (or English) as this site writes it; keys sorted within
// each.
func (b *builder) applyOverrides(overrides map[string]map[string]any) {
	type lang struct {
		key   string
		tag   language.Tag
		added bool
		depth int
	}
	var langs []lang
	seen := map[string]string{}
	for _, key := range slices.Sorted(maps.Keys(overrides)) {
		path := []string{"strings", key}
		tag, err := language.Parse(key)
		if err != nil || tag == language.Und {
			b.report(path, diag.Error, CodeBadLanguage, "%q is not a BCP 47 language tag (e.g. fr, pt-BR); the table is ignored", key)
			continue
		}
		canon := tag.String()
		if first, dup := seen[canon]; dup {
			b.report(path, diag.Error, CodeDuplicateLanguage, "%q is the same language as %q; this table is ignored", key, first)
			continue
		}
		seen[canon] = key
		_, builtin := b.byTag[canon]
		langs = append(langs, lang{key, tag, !builtin, depth(tag)})
	}
	slices.SortStableFunc(langs, func(x, y lang) int {
		if x.added != y.added {
			if x.added {
				return 1
			}
			return -1
		}
		return x.depth - y.depth
	})
	for _, l := range langs {
		b.applyLanguage(l.key, l.tag, overrides[l.key])
	}
}

// depth counts the CLDR parents of tag up to the root.
func depth(tag language.Tag) int {
	n := 0
	for ; n < 10 && tag != language.Und; n++ {
		tag = tag.Parent()
	}
	return n
}

func (b *builder) applyLanguage(key string, tag language.Tag, vals map[string]any) {
	t, ok := b.byTag[tag.String()]
	fresh := false
	if !ok {
		parent := b.english
		fresh = true
		for p := tag.Parent(); p != language.Und; p = p.Parent() {
			if pt, ok := b.byTag[p.String()]; ok {
				parent, fresh = pt, false
				break
			}
		}
		nt := *parent
		nt.lang = tag
		t = &nt
		b.tables = append(b.tables, t)
		b.byTag[tag.String()] = t
	}
	var given [numIDs]bool
	for _, e := range b.flatten([]string{"strings", key}, "", vals, nil) {
		if c, ok := b.compileOverride(tag, e); ok {
			t.msgs[e.id] = c
			given[e.id] = true
		}
	}
	if !fresh {
		return
	}
	var english []string
	for id := range ID(numIDs) {
		if !given[id] {
			english = append(english, id.String())
		}
	}
	if len(english) > 0 {
		b.report([]string{"strings", key}, diag.Warning, CodeNewLanguage,
			"no built-in catalog for %q; %d of %d messages stay in English: %s",
			tag, len(english), numIDs, strings.Join(english, ", "))
	}
}

// flatten turns a language's table into entries. Keys may be quoted
// ("index.recent" = ...) or dotted (index.recent = ..., which TOML
// decodes into a table "index" holding "recent"), or both.
func (b *builder) flatten(path []string, prefix string, vals map[string]any, out []entry) []entry {
	for _, k := range slices.Sorted(maps.Keys(vals)) {
		v := vals[k]
		key := k
		if prefix != "" {
			key = prefix + "." + k
		}
		p := append(slices.Clip(path), k)
		if id, ok := Lookup(key); ok {
			out = append(out, entry{path: p, key: key, id: id, val: v})
			continue
		}
		if sub, ok := asTable(v); ok && isKeyPrefix(key+".") {
			out = b.flatten(p, key, sub, out)
			continue
		}
		msg := "unknown message id " + strconv.Quote(key)
		if s := suggest(key); s != "" {
			msg += "; did you mean " + strconv.Quote(s) + "?"
		}
		b.report(p, diag.Error, CodeUnknownID, "%s", msg)
	}
	return out
}

// asTable accepts the map types decoders produce for a table.
func asTable(v any) (map[string]any, bool) {
	switch m := v.(type) {
	case map[string]any:
		return m, true
	case map[string]string:
		out := make(map[string]any, len(m))
		for k, s := range m {
			out[k] = s
		}
		return out, true
	}
	return nil, false
}

// isKeyPrefix reports whether some message key starts with prefix.
func isKeyPrefix(prefix string) bool {
	for id := range ID(numIDs) {
		if strings.HasPrefix(specs[id].key, prefix) {
			return true
		}
	}
	return false
}

// compileOverride checks and compiles one override. Any error refuses it
// (the previous text stays); warnings let it through.
func (b *builder) compileOverride(tag language.Tag, e entry) (compiled, bool) {
	c := compiled{rules: tag}
	if s, ok := e.val.(string); ok {
		t, ok := b.parseText(e, e.path, s, false)
		c.forms[plural.Other] = t
		return c, ok
	}
	tbl, ok := asTable(e.val)
	if !ok {
		b.report(e.path, diag.Error, CodeType, "must be a string%s, not %s", formsHint(e.id), typeName(e.val))
		return c, false
	}
	if !specs[e.id].count {
		b.report(e.path, diag.Error, CodePluralForm, "%s has no plural forms; give it a string", e.key)
		return c, false
	}
	use := b.forms(tag)
	good := true
	for _, name := range slices.Sorted(maps.Keys(tbl)) {
		p := append(slices.Clip(e.path), name)
		form, known := formByName(name)
		if !known {
			b.report(p, diag.Error, CodePluralForm, "%q is not a plural form; %s uses %s", name, tag, usedForms(use))
			good = false
			continue
		}
		s, ok := tbl[name].(string)
		if !ok {
			b.report(p, diag.Error, CodeType, "the %s form must be a string, not %s", name, typeName(tbl[name]))
			good = false
			continue
		}
		t, ok := b.parseText(e, p, s, use[form] == 1)
		if !ok {
			good = false
			continue
		}
		if use[form] == 0 && form != plural.Other {
			b.report(p, diag.Warning, CodePluralForm, "%s has no %s form for counts (it uses %s); this text is never shown", tag, name, usedForms(use))
			continue
		}
		c.forms[form] = t
	}
	if !good {
		return c, false
	}
	var missing []string
	for f, n := range use {
		if n > 0 && c.forms[f] == nil && plural.Form(f) != plural.Other {
			missing = append(missing, formNames[f])
		}
	}
	switch {
	case use[plural.Other] > 0 && c.forms[plural.Other] == nil:
		b.report(e.path, diag.Error, CodePluralForm, "no other form, which %s needs (it uses %s); the text is ignored", tag, usedForms(use))
		return c, false
	case len(missing) > 0 && c.forms[plural.Other] == nil:
		b.report(e.path, diag.Error, CodePluralForm, "no %s form, which %s needs, and no other form to stand in; the text is ignored", strings.Join(missing, " or "), tag)
		return c, false
	case len(missing) > 0:
		b.report(e.path, diag.Warning, CodePluralForm, "no %s form, which %s needs; the other form stands in", strings.Join(missing, " or "), tag)
	}
	if c.forms[plural.Other] == nil {
		// Every form counts use was given (Russian one, few, many):
		// "other" is only for fractions, which chrome never shows.
		for _, t := range c.forms {
			if t != nil {
				c.forms[plural.Other] = t
				break
			}
		}
	}
	return c, c.forms[plural.Other] != nil
}

// forms returns integerForms(tag), computed once per language.
func (b *builder) forms(tag language.Tag) formUse {
	if b.use == nil {
		b.use = map[language.Tag]formUse{}
	}
	use, ok := b.use[tag]
	if !ok {
		use = integerForms(tag)
		b.use[tag] = use
	}
	return use
}

// parseText parses one text of message e at path. single reports a plural
// form that stands for one number only ("one" in English), whose text may
// leave out {n}.
func (b *builder) parseText(e entry, path []string, s string, single bool) (*template, bool) {
	p, err := parseTemplate(s)
	if err != nil {
		b.report(path, diag.Error, CodeSyntax, "%v; the text is ignored", err)
		return nil, false
	}
	sp := specs[e.id]
	allowed := func(ph placeholder) bool { return e.id.allows(ph) || (sp.count && ph == phN) }
	bad := slices.Clone(p.unknown)
	for _, ph := range p.used {
		if !allowed(ph) {
			bad = append(bad, ph.String())
		}
	}
	if len(bad) > 0 {
		b.report(path, diag.Error, CodeUnknownPlaceholder, "unknown placeholder %s (%s); the text is ignored", braces(bad), takes(e.id))
		return nil, false
	}
	if e.id == ListPair || e.id == ListComma || e.id == ListEnd {
		if _, ok := listPatternOf(p.t); !ok {
			b.report(path, diag.Error, CodeListPattern, "must hold {a} and then {b}, once each, as in %q; the text is ignored", "{a}, {b}")
			return nil, false
		}
	}
	if s == "" {
		return p.t, true // an empty text hides that piece of chrome
	}
	var missing []string
	for _, ph := range sp.ph {
		if !slices.Contains(p.used, ph) && !(ph == phN && single) {
			missing = append(missing, ph.String())
		}
	}
	if len(missing) > 0 {
		b.report(path, diag.Warning, CodeMissingPlaceholder, "no %s; the text will not show %s", braces(missing), pronoun(len(missing)))
	}
	return p.t, true
}

func braces(names []string) string {
	var b strings.Builder
	for i, n := range names {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("{" + n + "}")
	}
	return b.String()
}

func pronoun(n int) string {
	if n == 1 {
		return "it"
	}
	return "them"
}

// takes says which placeholders message id has.
func takes(id ID) string {
	var names []string
	for _, ph := range specs[id].ph {
		names = append(names, ph.String())
	}
	if specs[id].count && !id.allows(phN) {
		names = append(names, phN.String())
	}
	if len(names) == 0 {
		return id.String() + " takes none"
	}
	return id.String() + " takes " + braces(names)
}

func formsHint(id ID) string {
	if specs[id].count {
		return " or a table of plural forms"
	}
	return ""
}

// usedForms names the forms a language uses for counts.
func usedForms(use formUse) string {
	var names []string
	for _, f := range []plural.Form{plural.Zero, plural.One, plural.Two, plural.Few, plural.Many, plural.Other} {
		if use[f] > 0 {
			names = append(names, formNames[f])
		}
	}
	return strings.Join(names, ", ")
}

func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "nothing"
	case bool:
		return "a boolean"
	case int, int64, float64:
		return "a number"
	case []any:
		return "an array"
	}
	if _, ok := asTable(v); ok {
		return "a table"
	}
	return "a value of another kind"
}

// bareKey is a TOML key that needs no quotes.
var bareKey = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// keyPath writes a key path as TOML does: strings.fr."index.recent".
func keyPath(path []string) string {
	var b strings.Builder
	for i, k := range path {
		if i > 0 {
			b.WriteByte('.')
		}
		if bareKey.MatchString(k) {
			b.WriteString(k)
		} else {
			b.WriteString(strconv.Quote(k))
		}
	}
	return b.String()
}

// suggest returns the message key nearest to key, if one is near enough
// to be a typo.
func suggest(key string) string {
	best, bestD := "", max(2, len(key)/4)+1
	for id := range ID(numIDs) {
		if d := distance(key, specs[id].key); d < bestD {
			best, bestD = specs[id].key, d
		}
	}
	return best
}

// distance is the Levenshtein distance between a and b in bytes, capped
// for long input: a key longer than any message key is no typo of one.
func distance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 1 << 30
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
