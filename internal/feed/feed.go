// Package feed writes Atom 1.0 feeds (RFC 4287) for the capsule's articles.
//
// The model (Feed, Entry, Person, Link, Category) is plain data; Write
// validates it and serialises it by hand with encoding/xml tokens, so the
// output is deterministic: the same Feed always produces the same bytes,
// which lets callers render a feed once per snapshot.
//
// Text is cleaned before it is written (see Clean): characters XML 1.0
// cannot carry are dropped and invalid UTF-8 is replaced, so hostile titles,
// tags and bodies never break the document. Identifiers and URLs are not
// cleaned but validated: a bad one is an error naming the field.
//
// Dates are written in UTC as RFC 3339 date-times ("2006-01-02T15:04:05Z"),
// whole seconds, never a bare date.
package feed

import "time"

// DefaultContentType is the content type used when Entry.ContentType is
// empty. Entry bodies are gemtext, and RFC 4287 section 4.1.3.1 allows any
// text/* media type for inline text content: it is escaped text exactly like
// type="text". feedparser reports it as "text/gemini" with the raw value
// (it never base64-decodes text/* types), and readers that do not know
// text/gemini (gofeed in Amfora, Antenna's feedparser) treat it as text or
// ignore content altogether, so the label is honest and harmless. Set
// ContentType to "text" for readers that only understand the three Atom
// keywords.
const DefaultContentType = "text/gemini"

// atomNS is the Atom 1.0 XML namespace.
const atomNS = "http://www.w3.org/2005/Atom"

// Person is an Atom person construct (author). Name is required; URI must be
// an absolute IRI and Email must contain "@" when given.
type Person struct {
	Name  string
	URI   string
	Email string
}

// Link is an extra atom:link. Href is required and must be an absolute IRI
// (no xml:base is written). An empty Rel means "alternate" (RFC 4287
// 4.2.7.2). Type must look like a media type and HrefLang like a language
// tag when given.
type Link struct {
	Href     string
	Rel      string
	Type     string
	HrefLang string
	Title    string
}

// Category is an atom:category. Term is required; Scheme must be an absolute
// IRI when given; Label is optional human-readable text.
type Category struct {
	Term   string
	Label  string
	Scheme string
}

// Entry is one article in a feed.
type Entry struct {
	// ID is the entry's permanent identifier, an absolute IRI that must not
	// change when the file is renamed or the host moves (see TagURI).
	// Required and unique within the feed.
	ID string
	// Title is required (non-blank after cleaning).
	Title string
	// URL is the rel="alternate" link to the article (absolute gemini://
	// URL). Required: aggregators such as Antenna and Lagrange use only it.
	URL string
	// Published is written as atom:published when non-zero.
	Published time.Time
	// Updated is written as atom:updated; when zero, Published is used.
	// One of the two is required.
	Updated time.Time
	// Authors are required on every entry when the feed has none.
	Authors []Person
	// Summary is plain text (type="text"), omitted when empty.
	Summary string
	// Content is the full gemtext of the article body, omitted when empty.
	Content string
	// ContentType labels Content: "text", "html" or a text/* media type
	// other than XML ones. Empty means DefaultContentType.
	ContentType string
	// Categories are the article's tags.
	Categories []Category
	// Links are extra links written after the alternate link.
	Links []Link
	// Lang is the entry's xml:lang (a BCP 47 tag), omitted when empty.
	Lang string
}

// Feed is an Atom feed document.
type Feed struct {
	// ID is the feed's permanent identifier, an absolute IRI. Required.
	ID string
	// Title is required (non-blank after cleaning).
	Title string
	// Subtitle is omitted when empty.
	Subtitle string
	// Updated is written as the feed's atom:updated. When zero, the newest
	// entry's updated time is used, and a feed without entries gets the Unix
	// epoch (1970-01-01T00:00:00Z): output stays deterministic (no clock
	// read), and a later real entry always looks newer to aggregators.
	Updated time.Time
	// Authors are the default authors of every entry. When empty, every
	// entry must have its own.
	Authors []Person
	// SelfURL is the feed's own URL (rel="self"). Required.
	SelfURL string
	// AlternateURL is the page the feed mirrors (rel="alternate"), e.g. the
	// gemini index or tag page. Required.
	AlternateURL string
	// Links are extra feed-level links written after self and alternate.
	Links []Link
	// Lang is the feed's xml:lang (a BCP 47 tag), omitted when empty.
	Lang string
	// Generator names the software, e.g. "Broadside"; omitted when empty.
	Generator string
	// Entries are written in the order given.
	Entries []Entry
}

// epoch is the updated time of a feed with no Updated and no entries.
func epoch() time.Time { return time.Unix(0, 0).UTC() }

// updated returns the entry's effective updated time.
func (e *Entry) updated() time.Time {
	if e.Updated.IsZero() {
		return e.Published
	}
	return e.Updated
}

// contentType returns the entry's effective content type.
func (e *Entry) contentType() string {
	if e.ContentType == "" {
		return DefaultContentType
	}
	return e.ContentType
}

// updated returns the feed's effective updated time.
func (f *Feed) updated() time.Time {
	if !f.Updated.IsZero() {
		return f.Updated
	}
	var newest time.Time
	for i := range f.Entries {
		if u := f.Entries[i].updated(); u.After(newest) {
			newest = u
		}
	}
	if newest.IsZero() {
		return epoch()
	}
	return newest
}
