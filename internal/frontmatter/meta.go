package frontmatter

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/language"
)

// Meta is the decoded front matter. The zero value means "nothing given";
// fallbacks (title from the first heading, summary from the first
// paragraph, date from the file name) are the caller's business.
type Meta struct {
	Title   string
	Date    time.Time // date, else publishDate; zero if absent
	Updated time.Time // lastmod, else updated; zero if absent
	Draft   bool      // draft: true, or published: false
	Tags    []string  // tags (list or space-separated string) then taxonomies.tags; trimmed, empty and case-insensitive duplicates dropped, first spelling kept
	Summary string    // summary, else description
	Authors []string  // author then authors (each a string, a list, or a table with "name"); duplicates dropped
	Lang    string    // a valid BCP 47 tag as written, or ""
	Slug    string
	Aliases []string // a string or a list; duplicates dropped
	ID      string   // an explicit stable id for feeds
}

// knownKey reports whether a lower-cased top-level key maps onto Meta. Keys
// match case-insensitively, as in Hugo (publishDate, publishdate).
func knownKey(k string) bool {
	switch k {
	case "title", "date", "publishdate", "lastmod", "updated", "draft", "published",
		"tags", "taxonomies", "summary", "description", "author", "authors",
		"lang", "slug", "aliases", "id":
		return true
	}
	return false
}

// decoder maps entries onto a Meta, collecting every problem.
type decoder struct {
	file string
	loc  *time.Location
	errs []error
	seen map[string]int // lower-cased key -> line of its first occurrence
}

// decodeMeta maps top-level entries onto Meta. Every field that decodes is
// kept; every one that does not is reported.
func decodeMeta(file string, entries []entry, loc *time.Location) (Meta, []error) {
	d := &decoder{file: file, loc: loc, seen: map[string]int{}}
	var m Meta
	var date, publish, lastmod, updated time.Time
	var summary, description string
	var draft, unpublished bool
	var tags, taxTags, authors []string
	for _, e := range entries {
		k := strings.ToLower(e.key)
		if l, dup := d.seen[k]; dup {
			d.fail(e.key, e.val.line, fmt.Sprintf("repeats the key given on line %d", l))
			continue
		}
		d.seen[k] = e.val.line
		if e.val.kind == scalarKind && e.val.tag == nullTag {
			continue // "title:" with nothing after it: absent
		}
		switch k {
		case "title":
			m.Title = d.str(e.key, e.val)
		case "date":
			date = d.date(e.key, e.val)
		case "publishdate":
			publish = d.date(e.key, e.val)
		case "lastmod":
			lastmod = d.date(e.key, e.val)
		case "updated":
			updated = d.date(e.key, e.val)
		case "draft":
			draft = d.bool(e.key, e.val, false)
		case "published":
			unpublished = !d.bool(e.key, e.val, true)
		case "tags":
			tags = d.list(e.key, e.val, true)
		case "taxonomies":
			taxTags = d.taxonomyTags(e.key, e.val)
		case "summary":
			summary = d.str(e.key, e.val)
		case "description":
			description = d.str(e.key, e.val)
		case "author", "authors":
			authors = append(authors, d.authors(e.key, e.val)...)
		case "lang":
			m.Lang = d.lang(e.key, e.val)
		case "slug":
			m.Slug = d.str(e.key, e.val)
		case "aliases":
			m.Aliases = dedupe(d.list(e.key, e.val, false), false)
		case "id":
			m.ID = d.str(e.key, e.val)
		}
	}
	m.Date = firstTime(date, publish)
	m.Updated = firstTime(lastmod, updated)
	m.Draft = draft || unpublished
	m.Tags = dedupe(append(tags, taxTags...), true)
	m.Summary = summary
	if m.Summary == "" {
		m.Summary = description
	}
	m.Authors = dedupe(authors, false)
	return m, d.errs
}

// fail records a problem with key at line.
func (d *decoder) fail(key string, line int, msg string) {
	d.errs = append(d.errs, &Error{File: d.file, Line: line, Key: key, Msg: msg})
}

// str reads a scalar as trimmed text. Numbers and booleans are taken as
// written (title: 1984).
func (d *decoder) str(key string, v value) string {
	if v.kind != scalarKind {
		d.fail(key, v.line, "want a string, got "+v.describe())
		return ""
	}
	return strings.TrimSpace(v.text)
}

// bool reads true or false; YAML 1.1 yes/no/on/off (Jekyll's YAML) too.
func (d *decoder) bool(key string, v value, def bool) bool {
	if v.kind == scalarKind {
		switch strings.ToLower(strings.TrimSpace(v.text)) {
		case "true", "yes", "on":
			return true
		case "false", "no", "off":
			return false
		}
	}
	if v.kind == scalarKind && v.tag == strTag {
		d.fail(key, v.line, fmt.Sprintf("want true or false, got %q", v.text))
	} else {
		d.fail(key, v.line, "want true or false, got "+v.describe())
	}
	return def
}

// date reads a native timestamp or a date string (see ParseDate). Dates
// without a zone, including TOML local dates and datetimes, are in d.loc.
func (d *decoder) date(key string, v value) time.Time {
	if v.kind != scalarKind {
		d.fail(key, v.line, "want a date, got "+v.describe())
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
			d.fail(key, v.line, "want a date, got a time of day without a date")
			return time.Time{}
		case localDate, localDatetime:
			return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), loc)
		}
		return t
	}
	if v.tag != strTag && v.tag != timeTag {
		d.fail(key, v.line, "want a date, got "+v.describe())
		return time.Time{}
	}
	t, err := ParseDate(v.text, d.loc)
	if err != nil {
		d.errs = append(d.errs, &Error{File: d.file, Line: v.line, Key: key, Err: err})
	}
	return t
}

// list reads a list of scalars, or one string. With fields, a string is
// split at white space (tags: "go web"); otherwise it is one item.
func (d *decoder) list(key string, v value, fields bool) []string {
	switch v.kind {
	case scalarKind:
		if fields && v.tag == strTag {
			return strings.Fields(v.text)
		}
		return []string{strings.TrimSpace(v.text)}
	case listKind:
		var out []string
		for _, it := range v.items {
			if it.kind != scalarKind {
				d.fail(key, it.line, "each item must be a string, got "+it.describe())
				continue
			}
			if it.tag == nullTag {
				continue
			}
			out = append(out, strings.TrimSpace(it.text))
		}
		return out
	}
	d.fail(key, v.line, "want a list or a string, got "+v.describe())
	return nil
}

// taxonomyTags reads Zola's [taxonomies] tags = [...]; other taxonomies are
// ignored.
func (d *decoder) taxonomyTags(key string, v value) []string {
	if v.kind != mapKind {
		d.fail(key, v.line, "want a table, got "+v.describe())
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
			d.fail(key, it.line, "each author must be a string, got "+it.describe())
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
	d.fail(key, v.line, "an author table needs a name")
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
		d.fail(key, v.line, "not a BCP 47 language tag: "+strconv.Quote(s))
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
