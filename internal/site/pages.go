package site

import (
	"bytes"
	"fmt"
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

// docPage is a document's page: an article with its header and
// navigation, a page (undated Markdown) with its title, or a hand-written
// gemtext file exactly as written.
func (s *Site) docPage(d *capsule.Doc) *Page {
	if d.Kind == capsule.Gemtext {
		return s.cached("doc:"+d.Path, []any{d}, func() *Page {
			return &Page{Type: s.gemtextType(d.Lang), Parts: [][]byte{d.Body}, Title: d.Title, Doc: d}
		})
	}
	if _, listed := s.position[d]; listed {
		newer, older := s.neighbours(d)
		deps := s.tagNameDeps([]any{d, newer, older}, d)
		return s.cached("doc:"+d.Path, deps, func() *Page { return s.articlePage(d, newer, older) })
	}
	return s.cached("doc:"+d.Path, []any{d}, func() *Page {
		var head gemtextWriter
		head.heading(1, d.Title)
		head.blank()
		var foot gemtextWriter
		foot.WriteString("\n")
		foot.link("/", "↩ "+s.opts.Title)
		return &Page{Type: s.gemtextType(d.Lang), Parts: [][]byte{head.Bytes(), ensureNewline(d.Body), foot.Bytes()}, Title: d.Title, Doc: d}
	})
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

func ensureNewline(b []byte) []byte {
	if len(b) > 0 && b[len(b)-1] != '\n' {
		return append(b[:len(b):len(b)], '\n')
	}
	return b
}

// indexPage is the gemsub index: title, the intro from index.md, the
// newest articles, then the ways to the rest.
func (s *Site) indexPage() *Page {
	recent := s.Articles[:min(len(s.Articles), s.opts.IndexRecent)]
	intro := s.snap.Docs["/index.gmi"]
	if intro != nil && !intro.Visible(s.Built) {
		intro = nil
	}
	deps := docDeps([]any{intro, len(s.Articles), len(s.Tags)}, recent)
	return s.cached("/", deps, func() *Page {
		var w gemtextWriter
		w.heading(1, s.opts.Title)
		if intro != nil {
			w.blank()
			w.Write(stripLeadingHeading(intro.Body))
		}
		w.blank()
		if len(recent) == 0 {
			w.text("Nothing is published yet.")
		} else {
			w.heading(2, "Recent articles")
			for _, d := range recent {
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
	})
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

// archivePage lists the years with their counts, newest first: a page
// that stays short however large the archive grows.
func (s *Site) archivePage() *Page {
	deps := []any{len(s.Articles)}
	for _, y := range s.years {
		deps = append(deps, y.Year, len(y.Articles))
	}
	return s.cached("/archive/", deps, func() *Page {
		var w gemtextWriter
		w.heading(1, "Archive: "+s.opts.Title)
		w.heading(2, fmt.Sprintf("%d %s", len(s.Articles), plural(len(s.Articles), "article", "articles")))
		w.blank()
		if len(s.years) == 0 {
			w.text("Nothing is published yet.")
		}
		for _, y := range s.years {
			n := len(y.Articles)
			w.link(yearPath(y.Year), fmt.Sprintf("%d (%d %s)", y.Year, n, plural(n, "article", "articles")))
		}
		w.blank()
		w.link("/", "↩ "+s.opts.Title)
		return gemtextPage(s, "Archive", "", w.Bytes())
	})
}

// yearPage lists one year's articles, newest first, in gemsub form under
// a heading per month.
func (s *Site) yearPage(y *YearInfo) *Page {
	deps := docDeps([]any{y.Year}, y.Articles)
	return s.cached(yearPath(y.Year), deps, func() *Page {
		var w gemtextWriter
		title := fmt.Sprintf("%d: %s", y.Year, s.opts.Title)
		w.heading(1, title)
		n := len(y.Articles)
		w.heading(2, fmt.Sprintf("%d %s", n, plural(n, "article", "articles")))
		month := time.Month(0)
		for _, d := range y.Articles {
			if m := d.Date.In(s.opts.Location).Month(); m != month {
				month = m
				w.blank()
				w.heading(3, m.String())
			}
			w.entry(d)
		}
		w.blank()
		w.link("/archive/", "All years")
		w.link("/", "↩ "+s.opts.Title)
		return gemtextPage(s, title, "", w.Bytes())
	})
}

func (s *Site) tagsPage() *Page {
	deps := make([]any, 0, 2*len(s.Tags))
	for _, t := range s.Tags {
		deps = append(deps, t.Name, t.Slug, len(t.Articles))
	}
	return s.cached("/tags/", deps, func() *Page {
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
	})
}

// tagPage lists page n of one tag's articles in gemsub form, newest
// first, so a reader can subscribe to the tag alone (page 1); older
// articles follow on further pages.
func (s *Site) tagPage(t *TagInfo, n int) *Page {
	pages := s.tagPages(t)
	lo := min((n-1)*s.opts.PageSize, len(t.Articles))
	list := t.Articles[lo:min(lo+s.opts.PageSize, len(t.Articles))]
	deps := docDeps([]any{t.Name, n, pages, len(t.Articles)}, list)
	return s.cached(tagPath(t.Slug, n), deps, func() *Page {
		var w gemtextWriter
		w.heading(1, t.Name)
		count := len(t.Articles)
		sub := fmt.Sprintf("%d %s tagged %q on %s", count, plural(count, "article", "articles"), t.Name, s.opts.Title)
		if pages > 1 {
			sub += fmt.Sprintf(", page %d of %d", n, pages)
		}
		w.heading(2, sub)
		for _, d := range list {
			w.entry(d)
		}
		w.blank()
		if n < pages {
			w.link(tagPath(t.Slug, n+1), fmt.Sprintf("→ Older articles (page %d of %d)", n+1, pages))
		}
		if n > 1 {
			w.link(tagPath(t.Slug, n-1), fmt.Sprintf("← Newer articles (page %d of %d)", n-1, pages))
		}
		w.link("/tags/"+t.Slug+"/atom.xml", "Atom feed for this tag")
		w.link("/tags/", "All tags")
		w.link("/", "↩ "+s.opts.Title)
		title := t.Name
		if n > 1 {
			title += fmt.Sprintf(" (page %d)", n)
		}
		return gemtextPage(s, title, "", w.Bytes())
	})
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
