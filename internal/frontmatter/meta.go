package frontmatter

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/language"

	"broadside/internal/diag"
)

// Meta is the decoded front matter. The zero value means "nothing given";
// fallbacks (title from the first heading, summary from the first
// paragraph, date from the file name) are the caller's business.
type Meta struct {
	Title   string
	Date    time.Time // date, else publishDate; zero if absent
	Updated time.Time // lastmod, else updated; zero if absent
	Draft   bool      // draft: true, or published: false (or a broken block that says so)
	Tags    []string  // tags (list or space-separated string) then taxonomies.tags; trimmed, empty and case-insensitive duplicates dropped, first spelling kept; at most MaxTags of at most MaxTagLen characters
	Summary string    // summary, else description
	Authors []string  // author then authors (each a string, a list, or a table with "name"); duplicates dropped
	Lang    string    // a valid BCP 47 tag as written, or ""
	Slug    string
	Aliases []string // a string or a list; duplicates dropped
	ID      string   // an explicit stable id for feeds
}

// decoder maps entries onto a Meta, collecting every problem.
type decoder struct {
	file   string
	loc    *time.Location
	format Format
	errs   []*Error
}

// example writes key and value in the block's syntax, for messages that
// say what to write.
func (d *decoder) example(key, val string) string {
	if d.format == TOML {
		return strings.ToLower(key) + " = " + val
	}
	return strings.ToLower(key) + ": " + val
}

// fail records an error with key at v's position: the field is lost.
func (d *decoder) fail(code, key string, v value, msg string) {
	d.errs = append(d.errs, &Error{File: d.file, Line: v.line, Col: v.col, Key: key, Code: code, Severity: diag.Error, Msg: msg})
}

// warn records a warning with key at v's position.
func (d *decoder) warn(code, key string, v value, msg string) {
	d.errs = append(d.errs, &Error{File: d.file, Line: v.line, Col: v.col, Key: key, Code: code, Severity: diag.Warning, Msg: msg})
}

// decodeMeta checks top-level entries against the schema and maps them
// onto Meta. Every field that decodes is kept; every one that does not is
// reported, and so is every key the schema does not know.
func decodeMeta(file string, format Format, entries []entry, loc *time.Location) (Meta, []*Error) {
	d := &decoder{file: file, loc: loc, format: format}
	got := map[string]any{}  // lower-cased field name -> decoded value
	seen := map[string]int{} // lower-cased key -> line of its first occurrence
	var authors []string
	for _, e := range entries {
		f, known := lookup(e.key)
		if !known {
			msg := "unknown field; ignored"
			if s := diag.Suggest(e.key, suggestions); s != "" {
				msg = "unknown field, did you mean " + s + "?"
			}
			d.warn(CodeUnknownKey, e.key, e.val, msg)
			continue
		}
		k := strings.ToLower(f.name)
		if l, dup := seen[k]; dup {
			d.fail(CodeDuplicateKey, e.key, e.val, fmt.Sprintf("repeats the key given on line %d; remove one", l))
			continue
		}
		seen[k] = e.val.line
		if e.val.kind == scalarKind && e.val.tag == nullTag {
			continue // "title:" with nothing after it: absent
		}
		var v any
		switch f.typ {
		case stringField:
			v = d.str(e.key, e.val)
		case dateField:
			v = d.date(e.key, e.val)
		case boolField:
			// An unreadable draft or published flag fails safe: better
			// an article held back than one published before its time.
			b, ok := d.bool(e.key, e.val, "; treated as a draft until fixed")
			if !ok {
				b = k == "draft"
			}
			v = b
		case tagsField:
			v = d.list(e.key, e.val, true)
		case listField:
			v = d.list(e.key, e.val, false)
		case peopleField:
			authors = append(authors, d.authors(e.key, e.val)...)
		case langField:
			v = d.lang(e.key, e.val)
		case taxonomiesField:
			v = d.taxonomyTags(e.key, e.val)
		case ignoredField:
		}
		if v != nil {
			got[k] = v
		}
	}
	str := func(k string) string { s, _ := got[k].(string); return s }
	tm := func(k string) time.Time { t, _ := got[k].(time.Time); return t }
	list := func(k string) []string { l, _ := got[k].([]string); return l }
	flag := func(k string, def bool) bool {
		if b, ok := got[k].(bool); ok {
			return b
		}
		return def
	}
	m := Meta{
		Title:   str("title"),
		Date:    firstTime(tm("date"), tm("publishdate")),
		Updated: firstTime(tm("lastmod"), tm("updated")),
		Draft:   flag("draft", false) || !flag("published", true),
		Summary: firstString(str("summary"), str("description")),
		Authors: dedupe(authors, false),
		Lang:    str("lang"),
		Slug:    str("slug"),
		Aliases: dedupe(list("aliases"), false),
		ID:      str("id"),
	}
	m.Tags = d.limitTags(entries, append(list("tags"), list("taxonomies")...))
	return m, d.errs
}

// limitTags drops empty, repeated, overlong and excess tags, warning about
// the last two at the line of the key that gave them.
func (d *decoder) limitTags(entries []entry, tags []string) []string {
	at := value{}
	for _, e := range entries {
		if k := strings.ToLower(e.key); k == "tags" || (k == "taxonomies" && at.line == 0) {
			at = e.val
		}
	}
	var kept []string
	for _, t := range tags {
		if n := utf8.RuneCountInString(strings.TrimSpace(t)); n > MaxTagLen {
			d.warn(CodeTags, "tags", at, fmt.Sprintf("tag %s is %d characters long, over the limit of %d; dropped",
				quoteShort(t), n, MaxTagLen))
			continue
		}
		kept = append(kept, t)
	}
	kept = dedupe(kept, true)
	if len(kept) > MaxTags {
		d.warn(CodeTags, "tags", at, fmt.Sprintf("%d tags, over the limit of %d; the last %d (from %s) are dropped",
			len(kept), MaxTags, len(kept)-MaxTags, quoteShort(kept[MaxTags])))
		kept = kept[:MaxTags:MaxTags]
	}
	return kept
}

// quoteShort quotes s for a message, cut to a readable length.
func quoteShort(s string) string {
	const max = 40
	if utf8.RuneCountInString(s) <= max {
		return strconv.Quote(s)
	}
	r := []rune(s)
	return strconv.Quote(string(r[:max]) + "…")
}

// str reads a scalar as trimmed text. Numbers and booleans are taken as
// written (title: 1984).
func (d *decoder) str(key string, v value) string {
	if v.kind != scalarKind {
		d.fail(CodeType, key, v, fmt.Sprintf("want a string, got %s; write %s", v.describe(), d.example(key, `"text"`)))
		return ""
	}
	return strings.TrimSpace(v.text)
}

// bool reads true or false; YAML 1.1 yes/no/on/off (Jekyll's YAML) too. It
// reports false, false when the value is neither; then suffix ends the
// message.
func (d *decoder) bool(key string, v value, suffix string) (bool, bool) {
	if v.kind == scalarKind {
		switch strings.ToLower(strings.TrimSpace(v.text)) {
		case "true", "yes", "on":
			return true, true
		case "false", "no", "off":
			return false, true
		}
	}
	if v.kind == scalarKind && v.tag == strTag {
		d.fail(CodeType, key, v, fmt.Sprintf("want true or false, got %q%s", v.text, suffix))
	} else {
		d.fail(CodeType, key, v, "want true or false, got "+v.describe()+suffix)
	}
	return false, false
}

// date reads a native timestamp or a date string (see ParseDate). Dates
// without a zone, including TOML local dates and datetimes, are in d.loc.
func (d *decoder) date(key string, v value) time.Time {
	if v.kind != scalarKind {
		d.fail(CodeType, key, v, "want a date, got "+v.describe()+"; write it as 2006-01-02 or 2006-01-02T15:04:05+01:00")
		return time.Time{}
	}
	if v.hasTm {
		loc := d.loc
		if loc == nil {
			loc = time.UTC
		}
		t := v.tm
		switch v.local {
		case localTime:
			d.fail(CodeDate, key, v, "want a date, got a time of day without a date")
			return time.Time{}
		case localDate, localDatetime:
			return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), loc)
		}
		return t
	}
	if v.tag != strTag && v.tag != timeTag {
		d.fail(CodeType, key, v, "want a date, got "+v.describe()+"; write it as 2006-01-02 or 2006-01-02T15:04:05+01:00")
		return time.Time{}
	}
	t, err := ParseDate(v.text, d.loc)
	if err != nil {
		d.errs = append(d.errs, &Error{File: d.file, Line: v.line, Col: v.col, Key: key, Code: CodeDate, Severity: diag.Error, Err: err})
	}
	return t
}

// list reads a list of scalars, or one string. With fields, a string is
// split at white space (tags: "go web"); otherwise it is one item.
func (d *decoder) list(key string, v value, fields bool) []string {
	switch v.kind {
	case scalarKind:
		if v.tag != strTag {
			// "tags: 5" and "aliases: true" are slips, not a tag or a
			// path; inside a list ("tags: [2022]") a number is a tag.
			d.fail(CodeType, key, v, fmt.Sprintf("want a list or a string, got %s; write %s",
				v.describe(), d.example(key, `["`+v.text+`"]`)))
			return nil
		}
		if fields {
			return strings.Fields(v.text)
		}
		return []string{strings.TrimSpace(v.text)}
	case listKind:
		var out []string
		for _, it := range v.items {
			if it.kind != scalarKind {
				d.fail(CodeType, key, it, "each item must be a string, got "+it.describe())
				continue
			}
			if it.tag == nullTag {
				continue
			}
			out = append(out, strings.TrimSpace(it.text))
		}
		return out
	}
	d.fail(CodeType, key, v, fmt.Sprintf("want a list or a string, got %s; write %s", v.describe(), d.example(key, `["a", "b"]`)))
	return nil
}

// taxonomyTags reads Zola's [taxonomies] tags = [...]; other taxonomies are
// ignored.
func (d *decoder) taxonomyTags(key string, v value) []string {
	if v.kind != mapKind {
		d.fail(CodeType, key, v, "want a table, got "+v.describe())
		return nil
	}
	for _, e := range v.keys {
		if strings.EqualFold(e.key, "tags") && !(e.val.kind == scalarKind && e.val.tag == nullTag) {
			return d.list(key+"."+e.key, e.val, true)
		}
	}
	return nil
}

// authors reads a string, a list of strings, or a table (or list of tables)
// with a "name" key, as some Hugo themes write it.
func (d *decoder) authors(key string, v value) []string {
	switch v.kind {
	case scalarKind:
		return []string{strings.TrimSpace(v.text)}
	case mapKind:
		return d.authorName(key, v)
	}
	var out []string
	for _, it := range v.items {
		switch {
		case it.kind == mapKind:
			out = append(out, d.authorName(key, it)...)
		case it.kind == scalarKind && it.tag != nullTag:
			out = append(out, strings.TrimSpace(it.text))
		case it.kind != scalarKind:
			d.fail(CodeType, key, it, "each author must be a string, got "+it.describe())
		}
	}
	return out
}

// authorName reads the name key of an author table.
func (d *decoder) authorName(key string, v value) []string {
	for _, e := range v.keys {
		if strings.EqualFold(e.key, "name") && e.val.kind == scalarKind {
			return []string{strings.TrimSpace(e.val.text)}
		}
	}
	d.fail(CodeValue, key, v, "an author table needs a name: write name: \"…\" in it, or give the name alone")
	return nil
}

// lang reads a BCP 47 tag, keeping the author's spelling when valid: it ends
// up in a response header, so anything else is refused.
func (d *decoder) lang(key string, v value) string {
	s := d.str(key, v)
	if s == "" {
		return ""
	}
	if _, err := language.Parse(s); err != nil || strings.ContainsAny(s, " \t;=\"") {
		d.fail(CodeValue, key, v, "not a BCP 47 language tag: "+strconv.Quote(s)+"; write e.g. en, fr or pt-BR")
		return ""
	}
	return s
}

// firstTime returns the first non-zero time.
func firstTime(ts ...time.Time) time.Time {
	for _, t := range ts {
		if !t.IsZero() {
			return t
		}
	}
	return time.Time{}
}

// firstString returns the first non-empty string.
func firstString(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// dedupe drops empty strings and duplicates (case-insensitive if fold),
// keeping the first spelling and the order.
func dedupe(in []string, fold bool) []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range in {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		k := s
		if fold {
			k = strings.ToLower(s)
		}
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, s)
	}
	return out
}
