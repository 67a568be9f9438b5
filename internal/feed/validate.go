package feed

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// ErrMissing is wrapped by a FieldError for a required field that is empty.
var ErrMissing = errors.New("missing")

// ErrInvalid is wrapped by a FieldError for a field whose value is not
// allowed.
var ErrInvalid = errors.New("invalid")

// FieldError is one problem found by Validate. Its message reads
// "feed: entries[2].authors[0].name: missing".
type FieldError struct {
	Entry int    // index in Feed.Entries, or -1 for a feed-level field
	Field string // field path inside the feed or entry, e.g. "categories[1].term"
	Err   error  // wraps ErrMissing or ErrInvalid
}

// Error implements error.
func (e *FieldError) Error() string {
	if e.Entry < 0 {
		return fmt.Sprintf("feed: %s: %v", e.Field, e.Err)
	}
	return fmt.Sprintf("feed: entries[%d].%s: %v", e.Entry, e.Field, e.Err)
}

// Unwrap returns the underlying error.
func (e *FieldError) Unwrap() error { return e.Err }

// languageTag is atomLanguageTag from the RFC 4287 schema.
var languageTag = regexp.MustCompile(`^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$`)

// problems collects FieldErrors for one feed or entry.
type problems struct {
	entry int
	errs  []error
}

func (p *problems) add(field string, err error) {
	p.errs = append(p.errs, &FieldError{Entry: p.entry, Field: field, Err: err})
}

func (p *problems) missing(field string) { p.add(field, ErrMissing) }

func (p *problems) invalid(field, format string, args ...any) {
	p.add(field, fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...)))
}

// Validate reports every problem that would make the feed invalid Atom or
// useless to aggregators, joined with errors.Join; each is a *FieldError.
// It returns nil for a valid feed. Text fields are judged after Clean.
func (f *Feed) Validate() error {
	if f == nil {
		return errors.New("feed: nil feed")
	}
	p := &problems{entry: -1}
	p.iri("id", f.ID, true)
	p.text("title", f.Title)
	p.date("updated", f.Updated)
	p.iri("self_url", f.SelfURL, true)
	p.iri("alternate_url", f.AlternateURL, true)
	p.lang("lang", f.Lang)
	p.persons("authors", f.Authors)
	p.links("links", f.Links)
	errs := p.errs

	seen := make(map[string]int, len(f.Entries))
	for i := range f.Entries {
		e := &f.Entries[i]
		p := &problems{entry: i}
		p.entry1(e)
		if len(f.Authors) == 0 && len(e.Authors) == 0 {
			p.add("authors", fmt.Errorf("%w (the feed has no authors either)", ErrMissing))
		}
		if first, dup := seen[e.ID]; dup && e.ID != "" {
			p.invalid("id", "duplicate of entries[%d].id %q", first, e.ID)
		} else {
			seen[e.ID] = i
		}
		errs = append(errs, p.errs...)
	}
	return errors.Join(errs...)
}

// entry1 checks the fields of one entry.
func (p *problems) entry1(e *Entry) {
	p.iri("id", e.ID, true)
	p.text("title", e.Title)
	p.iri("url", e.URL, true)
	p.date("published", e.Published)
	p.date("updated", e.Updated)
	if e.Updated.IsZero() && e.Published.IsZero() {
		p.add("updated", fmt.Errorf("%w (and published is zero too)", ErrMissing))
	}
	p.lang("lang", e.Lang)
	p.persons("authors", e.Authors)
	p.links("links", e.Links)
	for i, c := range e.Categories {
		field := fmt.Sprintf("categories[%d]", i)
		p.text(field+".term", c.Term)
		p.iri(field+".scheme", c.Scheme, false)
	}
	switch ct := e.ContentType; {
	case ct == "", ct == "text", ct == "html":
	case !mediaType(ct):
		p.invalid("content_type", "%q is not a media type", ct)
	case !strings.HasPrefix(strings.ToLower(ct), "text/"):
		p.invalid("content_type", "%q: only text, html and text/* types can carry escaped text", ct)
	case strings.HasSuffix(strings.ToLower(ct), "xml"):
		p.invalid("content_type", "%q: an XML type would require XML content", ct)
	}
}

// text requires a non-blank value after cleaning.
func (p *problems) text(field, s string) {
	if strings.TrimSpace(Clean(s)) == "" {
		p.missing(field)
	}
}

// date accepts the zero time (checked by the caller) or a time whose UTC
// year RFC 3339 and xsd:dateTime can both write.
func (p *problems) date(field string, t time.Time) {
	if t.IsZero() {
		return
	}
	if y := t.UTC().Year(); y < 1 || y > 9999 {
		p.invalid(field, "year %d is outside 0001-9999", y)
	}
}

// lang accepts "" or an atomLanguageTag.
func (p *problems) lang(field, s string) {
	if s != "" && !languageTag.MatchString(s) {
		p.invalid(field, "%q is not a language tag", s)
	}
}

// iri checks that s is an absolute IRI; empty is an error only if required.
func (p *problems) iri(field, s string, required bool) {
	if s == "" {
		if required {
			p.missing(field)
		}
		return
	}
	if err := checkIRI(s); err != nil {
		p.add(field, err)
	}
}

// checkIRI accepts an absolute IRI without white space, controls or the
// characters RFC 3987 excludes.
func checkIRI(s string) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("%w: %q is not valid UTF-8", ErrInvalid, s)
	}
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsControl(r) || strings.ContainsRune("<>\"{}|\\^`", r) || !allowed(r) {
			return fmt.Errorf("%w: %q contains %q", ErrInvalid, s, r)
		}
	}
	u, err := url.Parse(s)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	if u.Scheme == "" {
		return fmt.Errorf("%w: %q is not absolute (no scheme)", ErrInvalid, s)
	}
	return nil
}

// mediaType is atomMediaType: something on both sides of a slash, no space.
func mediaType(s string) bool {
	i := strings.IndexByte(s, '/')
	return i > 0 && i < len(s)-1 && !strings.ContainsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r) || !allowed(r)
	})
}

// persons checks a list of person constructs.
func (p *problems) persons(field string, ps []Person) {
	for i, pe := range ps {
		f := fmt.Sprintf("%s[%d]", field, i)
		p.text(f+".name", pe.Name)
		p.iri(f+".uri", pe.URI, false)
		if pe.Email != "" {
			at := strings.IndexByte(pe.Email, '@')
			if at <= 0 || at == len(pe.Email)-1 || pe.Email != Clean(pe.Email) ||
				strings.ContainsFunc(pe.Email, unicode.IsSpace) {
				p.invalid(f+".email", "%q is not an email address", pe.Email)
			}
		}
	}
}

// links checks a list of extra links. RFC 4287 4.1.1 allows one alternate
// link per (type, hreflang) pair, and Write always writes one with neither.
func (p *problems) links(field string, ls []Link) {
	alternates := map[[2]string]bool{{"", ""}: true}
	for i, l := range ls {
		f := fmt.Sprintf("%s[%d]", field, i)
		p.iri(f+".href", l.Href, true)
		if l.Rel == "" || l.Rel == "alternate" {
			key := [2]string{strings.ToLower(l.Type), strings.ToLower(l.HrefLang)}
			if alternates[key] {
				p.invalid(f+".rel", "second alternate link with type %q and hreflang %q", l.Type, l.HrefLang)
			}
			alternates[key] = true
		}
		if l.Rel != "" && strings.ContainsFunc(l.Rel, func(r rune) bool {
			return unicode.IsSpace(r) || unicode.IsControl(r) || !allowed(r)
		}) {
			p.invalid(f+".rel", "%q is not a relation name", l.Rel)
		}
		if l.Type != "" && !mediaType(l.Type) {
			p.invalid(f+".type", "%q is not a media type", l.Type)
		}
		p.lang(f+".hreflang", l.HrefLang)
	}
}
