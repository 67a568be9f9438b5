package feed

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"io"
	"time"
)

// MediaType is the media type to serve feeds with.
const MediaType = "application/atom+xml"

// Write validates f and, if it is valid, writes it to w as an Atom 1.0
// document: XML declaration, UTF-8, two-space indentation, entries in the
// order given, one final newline. A validation error is returned before
// anything is written (see Validate); a write error is wrapped.
func Write(w io.Writer, f *Feed) error {
	if err := f.Validate(); err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	// The declaration is written by hand: the encoder puts no line break
	// after a processing instruction. bufio errors are sticky and surface
	// at Flush.
	bw.WriteString(xml.Header)
	x := &writer{enc: xml.NewEncoder(bw)}
	x.enc.Indent("", "  ")
	x.feed(f)
	if x.err == nil {
		x.err = x.enc.Close()
	}
	if x.err == nil {
		_, x.err = bw.WriteString("\n")
	}
	if x.err == nil {
		x.err = bw.Flush()
	}
	if x.err != nil {
		return fmt.Errorf("feed: write: %w", x.err)
	}
	return nil
}

// writer emits tokens and keeps the first error, so the element code below
// reads as the document it produces.
type writer struct {
	enc *xml.Encoder
	err error
}

func (x *writer) token(t xml.Token) {
	if x.err == nil {
		x.err = x.enc.EncodeToken(t)
	}
}

// start opens element name with the attributes given as name, value pairs;
// pairs with an empty value are left out.
func (x *writer) start(name string, attrs ...string) xml.StartElement {
	s := xml.StartElement{Name: xml.Name{Local: name}}
	for i := 0; i+1 < len(attrs); i += 2 {
		if attrs[i+1] != "" {
			s.Attr = append(s.Attr, xml.Attr{Name: xml.Name{Local: attrs[i]}, Value: attrs[i+1]})
		}
	}
	x.token(s)
	return s
}

func (x *writer) end(s xml.StartElement) { x.token(s.End()) }

// elem writes <name attrs...>text</name>.
func (x *writer) elem(name, text string, attrs ...string) {
	s := x.start(name, attrs...)
	if text != "" {
		x.token(xml.CharData(text))
	}
	x.end(s)
}

// empty writes an element with attributes only.
func (x *writer) empty(name string, attrs ...string) { x.end(x.start(name, attrs...)) }

func (x *writer) feed(f *Feed) {
	root := xml.StartElement{Name: xml.Name{Space: atomNS, Local: "feed"}}
	if f.Lang != "" {
		root.Attr = append(root.Attr, xml.Attr{Name: xml.Name{Local: "xml:lang"}, Value: f.Lang})
	}
	x.token(root)
	x.elem("id", f.ID)
	x.elem("title", Clean(f.Title), "type", "text")
	if s := Clean(f.Subtitle); s != "" {
		x.elem("subtitle", s, "type", "text")
	}
	x.date("updated", f.updated())
	x.persons(f.Authors)
	x.empty("link", "rel", "self", "type", MediaType, "href", f.SelfURL)
	x.empty("link", "rel", "alternate", "href", f.AlternateURL)
	x.links(f.Links)
	if g := Clean(f.Generator); g != "" {
		x.elem("generator", g)
	}
	for i := range f.Entries {
		x.entry(&f.Entries[i])
	}
	x.end(root)
}

func (x *writer) entry(e *Entry) {
	s := x.start("entry", "xml:lang", e.Lang)
	x.elem("id", e.ID)
	x.elem("title", Clean(e.Title), "type", "text")
	x.date("updated", e.updated())
	if !e.Published.IsZero() {
		x.date("published", e.Published)
	}
	x.persons(e.Authors)
	x.empty("link", "rel", "alternate", "href", e.URL)
	x.links(e.Links)
	for _, c := range e.Categories {
		x.empty("category", "term", Clean(c.Term), "scheme", c.Scheme, "label", Clean(c.Label))
	}
	if sum := Clean(e.Summary); sum != "" {
		x.elem("summary", sum, "type", "text")
	}
	if c := Clean(e.Content); c != "" {
		x.elem("content", c, "type", e.contentType())
	}
	x.end(s)
}

func (x *writer) date(name string, t time.Time) { x.elem(name, FormatTime(t)) }

func (x *writer) persons(ps []Person) {
	for _, p := range ps {
		s := x.start("author")
		x.elem("name", Clean(p.Name))
		if p.URI != "" {
			x.elem("uri", p.URI)
		}
		if p.Email != "" {
			x.elem("email", p.Email)
		}
		x.end(s)
	}
}

func (x *writer) links(ls []Link) {
	for _, l := range ls {
		x.empty("link", "rel", l.Rel, "type", l.Type, "hreflang", l.HrefLang,
			"title", Clean(l.Title), "href", l.Href)
	}
}
