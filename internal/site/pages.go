package site

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"

	"broadside/internal/capsule"
	"broadside/internal/gemtext"
)

// wordsPerMinute is a reading speed for long-form prose.
const wordsPerMinute = 230

// gemtextWriter builds gemtext line by line, escaping text lines.
type gemtextWriter struct{ bytes.Buffer }

func (w *gemtextWriter) heading(level int, text string) {
	w.WriteString(strings.Repeat("#", level) + " " + oneLine(text) + "\n")
}

func (w *gemtextWriter) text(s string) {
	w.WriteString(gemtext.Escape(oneLine(s)) + "\n")
}

func (w *gemtextWriter) blank() {
	b := w.Bytes()
	if len(b) > 0 && !bytes.HasSuffix(b, []byte("\n\n")) {
		w.WriteByte('\n')
	}
}

func (w *gemtextWriter) link(p, label string) {
	w.WriteString("=> " + escapePath(p))
	if label = oneLine(label); label != "" {
		w.WriteString(" " + label)
	}
	w.WriteByte('\n')
}

// rawLink writes a link line to an already escaped URL.
func (w *gemtextWriter) rawLink(u, label string) {
	w.WriteString("=> " + u)
	if label = oneLine(label); label != "" {
		w.WriteString(" " + label)
	}
	w.WriteByte('\n')
}

// entry writes a gemsub entry: "=> URL YYYY-MM-DD Title".
func (w *gemtextWriter) entry(d *capsule.Doc) {
	w.link(d.Path, d.Date.Format("2006-01-02")+" "+d.Title)
}

// oneLine flattens text that must stay on one line (titles, names).
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

func gemtextPage(s *Site, title string, lang string, body []byte) *Page {
	return &Page{Type: s.gemtextType(lang), Parts: [][]byte{body}, Title: title}
}

func textPage(body string) *Page {
	return &Page{Type: "text/plain; charset=utf-8", Parts: [][]byte{[]byte(body)}}
}

// byline is "By A and B · 7 January 2022 · 6 min read", parts omitted when
// unknown.
func (s *Site) byline(d *capsule.Doc) string {
	var parts []string
	authors := d.Authors
	if len(authors) == 0 && s.opts.Author != "" {
		authors = []string{s.opts.Author}
	}
	if len(authors) > 0 {
		parts = append(parts, "By "+joinNames(authors))
	}
	if d.Dated {
		date := longDate(d.Date)
		if !d.Updated.IsZero() && longDate(d.Updated) != date {
			date += " (updated " + longDate(d.Updated) + ")"
		}
		parts = append(parts, date)
	}
	if d.Words > 0 {
		parts = append(parts, fmt.Sprintf("%d min read", max(1, (d.Words+wordsPerMinute/2)/wordsPerMinute)))
	}
	return strings.Join(parts, " · ")
}

func longDate(t time.Time) string { return t.Format("2 January 2006") }

func joinNames(names []string) string {
	switch len(names) {
	case 1:
		return names[0]
	case 2:
		return names[0] + " and " + names[1]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// articlePage is the header (title, byline, tags), the converted body
// shared with the snapshot, and the navigation.
func (s *Site) articlePage(d, newer, older *capsule.Doc) *Page {
	var head gemtextWriter
	head.heading(1, d.Title)
	head.blank()
	if b := s.byline(d); b != "" {
		head.text(b)
	}
	for _, t := range d.Tags {
		head.link("/tags/"+t.Slug+"/", "Tag: "+s.tagName(t))
	}
	head.blank()

	var foot gemtextWriter
	foot.WriteString("\n")
	foot.text("───")
	if older != nil {
		foot.link(older.Path, "← Older: "+older.Title)
	}
	if newer != nil {
		foot.link(newer.Path, "→ Newer: "+newer.Title)
	}
	foot.link("/", "↩ "+s.opts.Title)
	return &Page{Type: s.gemtextType(d.Lang), Parts: [][]byte{head.Bytes(), ensureNewline(d.Body), foot.Bytes()}, Title: d.Title, Doc: d}
}

// docPage serves a page (undated Markdown) with its title, and a
// hand-written gemtext file exactly as written.
func (s *Site) docPage(d *capsule.Doc) *Page {
	if d.Kind == capsule.Gemtext {
		return &Page{Type: s.gemtextType(d.Lang), Parts: [][]byte{d.Body}, Title: d.Title, Doc: d}
	}
	var head gemtextWriter
	head.heading(1, d.Title)
	head.blank()
	var foot gemtextWriter
	foot.WriteString("\n")
	foot.link("/", "↩ "+s.opts.Title)
	return &Page{Type: s.gemtextType(d.Lang), Parts: [][]byte{head.Bytes(), ensureNewline(d.Body), foot.Bytes()}, Title: d.Title, Doc: d}
}

func ensureNewline(b []byte) []byte {
	if len(b) > 0 && b[len(b)-1] != '\n' {
		return append(b[:len(b):len(b)], '\n')
	}
	return b
}

// indexPage is the gemsub index: title, the intro from index.md, the
// newest articles, then the ways to the rest.
func (s *Site) indexPage() *Page {
	var w gemtextWriter
	w.heading(1, s.opts.Title)
	if intro := s.snap.Docs["/index.gmi"]; intro != nil && intro.Visible(s.Built) {
		w.blank()
		w.Write(stripLeadingHeading(intro.Body))
	}
	w.blank()
	if len(s.Articles) == 0 {
		w.text("Nothing is published yet.")
	} else {
		w.heading(2, "Recent articles")
		for _, d := range s.Articles[:min(len(s.Articles), s.opts.IndexRecent)] {
			w.entry(d)
		}
	}
	w.blank()
	w.link("/archive/", fmt.Sprintf("Archive: all %d articles by year", len(s.Articles)))
	w.link("/tags/", fmt.Sprintf("Tags (%d)", len(s.Tags)))
	w.link("/atom.xml", "Atom feed")
	if s.opts.Search != nil {
		w.link(SearchPath, "Search the archive")
	}
	return gemtextPage(s, s.opts.Title, "", w.Bytes())
}

// stripLeadingHeading drops an intro's own level-1 heading: the index
// prints the site title.
func stripLeadingHeading(b []byte) []byte {
	line, rest, _ := bytes.Cut(b, []byte("\n"))
	if bytes.HasPrefix(line, []byte("# ")) {
		return bytes.TrimLeft(rest, "\n")
	}
	return b
}

// archivePage lists every article, newest first, under a heading per year.
func (s *Site) archivePage() *Page {
	var w gemtextWriter
	w.heading(1, "Archive: "+s.opts.Title)
	w.heading(2, fmt.Sprintf("%d articles", len(s.Articles)))
	year := -1
	for _, d := range s.Articles {
		if y := d.Date.Year(); y != year {
			year = y
			w.blank()
			w.heading(3, strconv.Itoa(y))
		}
		w.entry(d)
	}
	w.blank()
	w.link("/", "↩ "+s.opts.Title)
	return gemtextPage(s, "Archive", "", w.Bytes())
}

func (s *Site) tagsPage() *Page {
	var w gemtextWriter
	w.heading(1, "Tags: "+s.opts.Title)
	w.blank()
	if len(s.Tags) == 0 {
		w.text("No tags yet.")
	}
	for _, t := range s.Tags {
		n := len(t.Articles)
		w.link("/tags/"+t.Slug+"/", fmt.Sprintf("%s (%d %s)", t.Name, n, plural(n, "article", "articles")))
	}
	w.blank()
	w.link("/", "↩ "+s.opts.Title)
	return gemtextPage(s, "Tags", "", w.Bytes())
}

// tagPage lists one tag's articles in gemsub form, so a reader can
// subscribe to the tag alone.
func (s *Site) tagPage(t *TagInfo) *Page {
	var w gemtextWriter
	w.heading(1, t.Name)
	n := len(t.Articles)
	w.heading(2, fmt.Sprintf("%d %s tagged %q on %s", n, plural(n, "article", "articles"), t.Name, s.opts.Title))
	for _, d := range t.Articles {
		w.entry(d)
	}
	w.blank()
	w.link("/tags/"+t.Slug+"/atom.xml", "Atom feed for this tag")
	w.link("/tags/", "All tags")
	w.link("/", "↩ "+s.opts.Title)
	return gemtextPage(s, t.Name, "", w.Bytes())
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func (s *Site) robots() string {
	if s.opts.Robots != "" {
		return ensureNewlineString(s.opts.Robots)
	}
	// Welcome indexers and archivers, keep web proxies out (the Gemini
	// companion convention's virtual agents).
	return "User-agent: webproxy\nDisallow: /\n\nUser-agent: archiver\nUser-agent: indexer\nUser-agent: researcher\nDisallow:\n\nUser-agent: *\nDisallow:\n"
}

func ensureNewlineString(s string) string {
	if !strings.HasSuffix(s, "\n") {
		return s + "\n"
	}
	return s
}

// tagName is the site-wide spelling of a tag.
func (s *Site) tagName(t capsule.Tag) string {
	if ti, ok := s.tagIndex[t.Slug]; ok {
		return ti.Name
	}
	return t.Name
}
