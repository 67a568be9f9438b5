package site

import (
	"broadside/internal/i18n"
	"bytes"
	"fmt"
	"strings"
	"time"
	"unicode"

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

// entry writes a gemsub entry: "=> URL YYYY-MM-DD Title", with mark (a
// preview's "Draft") after the title if any.
func (w *gemtextWriter) entry(d *capsule.Doc, mark string) {
	label := d.Date.Format("2006-01-02") + " " + d.Title
	if mark != "" {
		label += " (" + mark + ")"
	}
	w.link(d.Path, label)
}

// mark is what a preview shows of a document that serve does not
// publish: "Draft", or "Scheduled for DATE"; "" when the site is not a
// preview or the document is published.
func (s *Site) mark(d *capsule.Doc, loc *i18n.Locale) string {
	switch {
	case !s.opts.Preview:
		return ""
	case d.Draft:
		return loc.T(i18n.PreviewDraft)
	case d.Dated && d.Date.After(s.Built):
		return loc.T(i18n.PreviewScheduled, i18n.Date(d.Date))
	}
	return ""
}

// framed joins a document page's header, body and footer, leaving out
// the blank line the footer starts with when the body is empty, so that
// an empty or front-matter-only file gives no run of blank lines.
func framed(head, body, foot []byte) [][]byte {
	if len(bytes.TrimSpace(body)) == 0 {
		return [][]byte{head, bytes.TrimPrefix(foot, []byte("\n"))}
	}
	return [][]byte{head, ensureNewline(body), foot}
}

// oneLine flattens text that must stay on one line (titles, names):
// runs of white space that breaks lines or words become one space. No-break
// spaces stay, as the catalogs use them (French "Étiquette : go").
func oneLine(s string) string {
	return strings.Join(strings.FieldsFunc(s, breakingSpace), " ")
}

func breakingSpace(r rune) bool {
	return unicode.IsSpace(r) && r != '\u00a0' && r != '\u202f' && r != '\u2007'
}

func gemtextPage(s *Site, title string, lang string, body []byte) *Page {
	return &Page{Type: s.gemtextType(lang), Parts: [][]byte{body}, Title: title, Lang: lang}
}

func textPage(body string) *Page {
	return &Page{Type: "text/plain; charset=utf-8", Parts: [][]byte{[]byte(body)}}
}

// byline is "By A and B · 7 January 2022 · 6 min read" in the
// document's language, parts omitted when unknown or hidden by the
// catalog. words is the length of the body.
func (s *Site) byline(d *capsule.Doc, words int, loc *i18n.Locale) string {
	var parts []string
	add := func(p string) {
		if strings.TrimSpace(p) != "" {
			parts = append(parts, p)
		}
	}
	authors := d.Authors
	if len(authors) == 0 && s.opts.Author != "" {
		authors = []string{s.opts.Author}
	}
	if len(authors) > 0 {
		add(loc.T(i18n.BylineBy, i18n.N(len(authors)), i18n.Names(authors...)))
	}
	if d.Dated {
		date := loc.Date(d.Date)
		if !d.Updated.IsZero() && loc.Date(d.Updated) != date {
			date = loc.T(i18n.BylineUpdated, i18n.Date(d.Date), i18n.Updated(d.Updated))
		}
		add(date)
	}
	if words > 0 {
		add(loc.T(i18n.BylineReadingTime, i18n.N(max(1, (words+wordsPerMinute/2)/wordsPerMinute))))
	}
	return strings.Join(parts, " · ")
}

// docPage is a document's page: an article with its header and
// navigation, a page (undated Markdown) with its title, or a hand-written
// gemtext file exactly as written. It fails when the body cannot be read
// (capsule.ErrChanged while a new version is being saved).
func (s *Site) docPage(d *capsule.Doc) (*Page, error) {
	if d.Kind == capsule.Gemtext {
		return s.cachedErr("doc:"+d.Path, []any{d}, func() (*Page, error) {
			b, err := s.body(d)
			if err != nil {
				return nil, err
			}
			return &Page{Type: s.gemtextType(d.Lang), Parts: [][]byte{b.Gemtext}, Title: d.Title, Doc: d, Lang: d.Lang}, nil
		})
	}
	if _, listed := s.position(d); listed {
		newer, older := s.neighbours(d)
		deps := s.tagNameDeps([]any{d, newer, older}, d)
		return s.cachedErr("doc:"+d.Path, deps, func() (*Page, error) {
			b, err := s.body(d)
			if err != nil {
				return nil, err
			}
			return s.articlePage(d, b, newer, older), nil
		})
	}
	return s.cachedErr("doc:"+d.Path, []any{d}, func() (*Page, error) {
		b, err := s.body(d)
		if err != nil {
			return nil, err
		}
		loc := s.locale(d.Lang)
		var head gemtextWriter
		head.heading(1, d.Title)
		head.blank()
		if m := s.mark(d, loc); m != "" {
			head.text(m)
			head.blank()
		}
		var foot gemtextWriter
		foot.WriteString("\n")
		s.home(&foot, loc)
		return &Page{Type: s.gemtextType(d.Lang), Parts: framed(head.Bytes(), b.Gemtext, foot.Bytes()), Title: d.Title, Doc: d, Lang: d.Lang}, nil
	})
}

// articlePage is the header (title, byline, tags), the converted body
// shared with the cache, and the navigation.
func (s *Site) articlePage(d *capsule.Doc, b *capsule.Body, newer, older *capsule.Doc) *Page {
	loc := s.locale(d.Lang)
	var head gemtextWriter
	head.heading(1, d.Title)
	head.blank()
	if m := s.mark(d, loc); m != "" {
		head.text(m)
	}
	if line := s.byline(d, b.Words, loc); line != "" {
		head.text(line)
	}
	for _, t := range d.Tags {
		head.link("/tags/"+t.Slug+"/", loc.T(i18n.ArticleTag, i18n.TagName(s.tagName(t))))
	}
	head.blank()

	var foot gemtextWriter
	foot.WriteString("\n")
	foot.text("───")
	if older != nil {
		foot.link(older.Path, loc.T(i18n.ArticleOlder, i18n.Title(older.Title)))
	}
	if newer != nil {
		foot.link(newer.Path, loc.T(i18n.ArticleNewer, i18n.Title(newer.Title)))
	}
	s.home(&foot, loc)
	return &Page{Type: s.gemtextType(d.Lang), Parts: framed(head.Bytes(), b.Gemtext, foot.Bytes()), Title: d.Title, Doc: d, Lang: d.Lang}
}

func ensureNewline(b []byte) []byte {
	if len(b) > 0 && b[len(b)-1] != '\n' {
		return append(b[:len(b):len(b)], '\n')
	}
	return b
}

// indexPage is the gemsub index: title, the intro from index.md, the
// newest articles, then the ways to the rest. An intro whose body cannot
// be read this moment is left out of a page that is then not kept.
func (s *Site) indexPage() (*Page, error) {
	recent := s.Articles[:min(len(s.Articles), s.opts.IndexRecent)]
	intro := s.snap.Docs["/index.gmi"]
	if intro != nil && !intro.Visible(s.Built) && !s.opts.Preview {
		intro = nil
	}
	if intro != nil && intro.Kind == capsule.Gemtext {
		// A hand-written index.gmi is the home page, as written.
		return s.docPage(intro)
	}
	deps := docDeps([]any{intro, len(s.Articles), len(s.Tags)}, recent)
	return s.cachedErr("/", deps, func() (*Page, error) {
		var w gemtextWriter
		var failed error
		w.heading(1, s.opts.Title)
		if intro != nil {
			if b, err := s.body(intro); err != nil {
				failed = err
			} else {
				w.blank()
				w.Write(stripLeadingHeading(b.Gemtext))
			}
		}
		w.blank()
		loc := s.loc
		if len(recent) == 0 {
			w.text(loc.T(i18n.IndexEmpty))
		} else {
			w.heading(2, loc.T(i18n.IndexRecent))
			for _, d := range recent {
				w.entry(d, s.mark(d, loc))
			}
		}
		w.blank()
		w.link("/archive/", loc.T(i18n.IndexArchive, i18n.N(len(s.Articles))))
		w.link("/tags/", loc.T(i18n.IndexTags, i18n.N(len(s.Tags))))
		w.link("/atom.xml", loc.T(i18n.IndexFeed))
		if s.opts.Search != nil {
			w.link(SearchPath, loc.T(i18n.SearchItem))
		}
		return gemtextPage(s, s.opts.Title, "", w.Bytes()), failed
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
		loc := s.loc
		var w gemtextWriter
		w.heading(1, loc.T(i18n.ArchiveHeading, i18n.Site(s.opts.Title)))
		w.heading(2, loc.T(i18n.CountArticles, i18n.N(len(s.Articles))))
		w.blank()
		if len(s.years) == 0 {
			w.text(loc.T(i18n.IndexEmpty))
		}
		for _, y := range s.years {
			w.link(yearPath(y.Year), loc.T(i18n.ArchiveYearCount, i18n.N(len(y.Articles)), i18n.Year(y.Year)))
		}
		w.blank()
		s.home(&w, loc)
		return gemtextPage(s, loc.T(i18n.ArchiveName), "", w.Bytes())
	})
}

// yearPage lists one year's articles, newest first, in gemsub form under
// a heading per month.
func (s *Site) yearPage(y *YearInfo) *Page {
	deps := docDeps([]any{y.Year}, y.Articles)
	return s.cached(yearPath(y.Year), deps, func() *Page {
		loc := s.loc
		var w gemtextWriter
		title := loc.T(i18n.ArchiveYear, i18n.Year(y.Year))
		w.heading(1, title)
		w.heading(2, loc.T(i18n.CountArticles, i18n.N(len(y.Articles))))
		month := time.Month(0)
		for _, d := range y.Articles {
			// Months as numbers: a heading needs the nominative, which
			// the catalog's date month names (genitive in Russian) are not.
			if m := d.Date.In(s.opts.Location).Month(); m != month {
				month = m
				w.blank()
				w.heading(3, fmt.Sprintf("%04d-%02d", y.Year, int(m)))
			}
			w.entry(d, s.mark(d, loc))
		}
		w.blank()
		w.link("/archive/", loc.T(i18n.ArchiveByYear))
		s.home(&w, loc)
		return gemtextPage(s, title, "", w.Bytes())
	})
}

func (s *Site) tagsPage() *Page {
	deps := make([]any, 0, 2*len(s.Tags))
	for _, t := range s.Tags {
		deps = append(deps, t.Name, t.Slug, len(t.Articles))
	}
	return s.cached("/tags/", deps, func() *Page {
		loc := s.loc
		var w gemtextWriter
		w.heading(1, loc.T(i18n.TagsHeading, i18n.Site(s.opts.Title)))
		w.blank()
		if len(s.Tags) == 0 {
			w.text(loc.T(i18n.TagsEmpty))
		}
		for _, t := range s.Tags {
			w.link("/tags/"+t.Slug+"/", loc.T(i18n.TagsEntry, i18n.TagName(t.Name), i18n.N(len(t.Articles))))
		}
		w.blank()
		s.home(&w, loc)
		return gemtextPage(s, loc.T(i18n.TagsName), "", w.Bytes())
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
		loc := s.loc
		var w gemtextWriter
		w.heading(1, t.Name)
		w.heading(2, loc.T(i18n.TagHeading, i18n.N(len(t.Articles)), i18n.TagName(t.Name), i18n.Site(s.opts.Title)))
		if pages > 1 {
			w.text(loc.T(i18n.PageOf, i18n.Page(n), i18n.Pages(pages)))
		}
		for _, d := range list {
			w.entry(d, s.mark(d, loc))
		}
		w.blank()
		if n < pages {
			w.link(tagPath(t.Slug, n+1), "→ "+loc.T(i18n.PageOlder)+" · "+loc.T(i18n.PageOf, i18n.Page(n+1), i18n.Pages(pages)))
		}
		if n > 1 {
			w.link(tagPath(t.Slug, n-1), "← "+loc.T(i18n.PageNewer)+" · "+loc.T(i18n.PageOf, i18n.Page(n-1), i18n.Pages(pages)))
		}
		w.link("/tags/"+t.Slug+"/atom.xml", loc.T(i18n.TagFeed))
		w.link("/tags/", loc.T(i18n.TagAll))
		s.home(&w, loc)
		title := t.Name
		if n > 1 {
			title += " · " + loc.T(i18n.PageNumber, i18n.Page(n))
		}
		return gemtextPage(s, title, "", w.Bytes())
	})
}

// home writes the link back to the index.
func (s *Site) home(w *gemtextWriter, loc *i18n.Locale) {
	w.link("/", loc.T(i18n.NavHome, i18n.Site(s.opts.Title)))
}

// locale is the catalog for a page in lang ("" for the site's).
func (s *Site) locale(lang string) *i18n.Locale {
	if lang == "" {
		return s.loc
	}
	return s.opts.Catalog.For(lang)
}

// Locale is the catalog of the site's language, for front-ends' own
// messages.
func (s *Site) Locale() *i18n.Locale { return s.loc }

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
