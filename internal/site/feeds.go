package site

import (
	"broadside/internal/i18n"
	"bytes"
	"strings"
	"time"

	"broadside/internal/capsule"
	"broadside/internal/feed"
	"broadside/internal/gemtext"
)

// siteFeed is the feed of the whole site.
func (s *Site) siteFeed() *Page {
	return s.feedPage("/atom.xml", "/", s.opts.Title, s.Articles)
}

// tagFeed is the feed of one tag.
func (s *Site) tagFeed(t *TagInfo) *Page {
	dir := "/tags/" + t.Slug + "/"
	return s.feedPage(dir+"atom.xml", dir, s.loc.T(i18n.TagFeedTitle, i18n.Site(s.opts.Title), i18n.TagName(t.Name)), t.Articles)
}

// feedPage renders the Atom feed of articles (newest first) at self, whose
// human-readable page is alternate. It is built again only when one of its
// entries changes.
func (s *Site) feedPage(self, alternate, title string, articles []*capsule.Doc) *Page {
	entries := articles[:min(len(articles), s.opts.FeedEntries)]
	deps := []any{title}
	for _, d := range entries {
		deps = s.tagNameDeps(append(deps, d), d)
	}
	pg, err := s.cachedErr(self, deps, func() (*Page, error) { return s.buildFeed(self, alternate, title, entries) })
	if err != nil {
		return textPage("feed error: " + err.Error() + "\n") // a bug: buildFeed always makes a page
	}
	return pg
}

// buildFeed renders a feed. An entry whose body cannot be read this
// moment goes without its content, and the feed is then not kept.
func (s *Site) buildFeed(self, alternate, title string, entries []*capsule.Doc) (*Page, error) {
	f := &feed.Feed{
		ID:           s.URL(self),
		Title:        title,
		SelfURL:      s.URL(self),
		AlternateURL: s.URL(alternate),
		Lang:         s.opts.Lang,
		Generator:    "Broadside",
	}
	if s.opts.Author != "" {
		f.Authors = []feed.Person{{Name: s.opts.Author}}
	}
	var failed error
	for _, d := range entries {
		b, err := s.body(d)
		if err != nil {
			failed = err
		}
		f.Entries = append(f.Entries, s.feedEntry(d, b))
	}
	if len(f.Entries) > 0 {
		f.Updated = f.Entries[0].Updated
		for _, e := range f.Entries {
			if e.Updated.After(f.Updated) {
				f.Updated = e.Updated
			}
		}
	} else {
		// An empty feed still needs a valid, stable updated time.
		f.Updated = time.Unix(0, 0).UTC()
	}
	var b bytes.Buffer
	if err := feed.Write(&b, f); err != nil {
		// Every field comes from validated documents; an error here is a
		// bug, and serving it as text beats serving a broken feed.
		return textPage("feed error: " + err.Error() + "\n"), failed
	}
	return &Page{Type: "application/atom+xml", Parts: [][]byte{b.Bytes()}, Title: title}, failed
}

// feedEntry is the entry of d, with b (nil if unreadable) as its content.
func (s *Site) feedEntry(d *capsule.Doc, b *capsule.Body) feed.Entry {
	title := d.Title
	if m := s.mark(d, s.locale(d.Lang)); m != "" {
		title = "[" + m + "] " + title
	}
	e := feed.Entry{
		ID:        s.EntryID(d),
		Title:     title,
		URL:       s.URL(d.Path),
		Published: d.Date,
		Updated:   d.Updated,
		Summary:   d.SummaryWith(b),
		Lang:      d.Lang,
	}
	if b != nil {
		e.Content = s.absoluteLinks(b.Gemtext)
	}
	authors := d.Authors
	if len(authors) == 0 && s.opts.Author != "" {
		authors = []string{s.opts.Author}
	}
	for _, a := range authors {
		e.Authors = append(e.Authors, feed.Person{Name: a})
	}
	if len(e.Authors) == 0 {
		e.Authors = []feed.Person{{Name: s.opts.Title}}
	}
	for _, t := range d.Tags {
		e.Categories = append(e.Categories, feed.Category{Term: t.Slug, Label: s.tagName(t)})
	}
	return e
}

// EntryID is an article's permanent feed id: its front-matter id, or a tag:
// URI from the id authority, the publication date and the article's
// original path (capsule.Doc.Origin), so that neither a rename nor a move
// to another host changes it.
func (s *Site) EntryID(d *capsule.Doc) string {
	if d.ID != "" {
		return d.ID
	}
	origin := d.Origin
	if origin == "" {
		origin = d.Path
	}
	return feed.TagURI(s.opts.IDAuthority, d.Date, origin)
}

// absoluteLinks makes the capsule's own links in gemtext absolute: a feed
// entry is read far from the page it came from.
func (s *Site) absoluteLinks(body []byte) string {
	if !bytes.Contains(body, []byte("=> /")) {
		return string(body)
	}
	var b strings.Builder
	pre := false
	for line := range strings.Lines(string(body)) {
		l := gemtext.ParseLine(strings.TrimSuffix(line, "\n"), &pre)
		if l.Kind == gemtext.Link && strings.HasPrefix(l.URL, "/") && !strings.HasPrefix(l.URL, "//") {
			b.WriteString("=> " + s.URL("") + l.URL)
			if l.Text != "" {
				b.WriteString(" " + l.Text)
			}
			b.WriteString("\n")
			continue
		}
		b.WriteString(line)
	}
	return b.String()
}
