package site

import (
	"cmp"
	"io/fs"
	"path"
	"slices"
	"strings"
	"time"

	"broadside/internal/capsule"
)

// Build makes the site of snap as it stands at time now: drafts and
// articles dated after now are left out (shown and marked with
// Options.Preview), and NextChange says when the first of those falls due.
//
// Build only indexes: it sorts the articles and groups them by tag and
// year, at a cost that grows with the number of documents but not with
// their size. Pages are built on their first request and kept in
// Options.Cache, where the next site finds them again if nothing they show
// has changed.
func Build(snap *capsule.Snapshot, opts Options, now time.Time) *Site {
	opts.defaults()
	s := &Site{
		opts:      opts,
		snap:      snap,
		docs:      make(map[string]*capsule.Doc, len(snap.Docs)),
		folders:   map[string]*capsule.Doc{},
		redirects: map[string]string{},
		gone:      map[string]bool{},
		fixed:     map[string]*Page{},
		Built:     now,
		rules:     newRules(opts.Redirects),
		cache:     opts.Cache,
		loc:       opts.Catalog.For(opts.Lang),
	}
	visible := make([]*capsule.Doc, 0, len(snap.Docs))
	for _, d := range snap.Docs {
		if d.Visible(now) || opts.Preview {
			visible = append(visible, d)
			if d.Listed(now) || (opts.Preview && d.Dated) {
				s.Articles = append(s.Articles, d)
			}
		}
		if !d.Draft && d.Dated && d.Date.After(now) && (s.NextChange.IsZero() || d.Date.Before(s.NextChange)) {
			s.NextChange = d.Date
		}
	}
	slices.SortFunc(s.Articles, newestFirst)
	s.position = make(map[*capsule.Doc]int, len(s.Articles))
	for i, d := range s.Articles {
		s.position[d] = i
	}
	s.Tags = collectTags(s.Articles)
	s.tagIndex = make(map[string]*TagInfo, len(s.Tags))
	for _, t := range s.Tags {
		s.tagIndex[t.Slug] = t
	}
	s.legacyTags = legacyTagSlugs(s.Tags)
	s.years = collectYears(s.Articles, opts.Location)
	s.yearIndex = make(map[int]*YearInfo, len(s.years))
	for _, y := range s.years {
		s.yearIndex[y.Year] = y
	}

	for _, d := range visible {
		s.docs[d.Path] = d
	}
	// The home page is "/": its index.md (the intro) or index.gmi (the
	// whole page) is never served under another name.
	s.redirects["/index.gmi"] = "/"
	s.redirects["/index.md"] = "/"
	delete(s.docs, "/index.gmi")
	// Redirects are added after every page so that no alias shadows one.
	// A Markdown source's own path ("/x.md") leads to its page too, found
	// on request (see sourceRedirect) rather than stored for every file.
	for _, d := range visible {
		if len(d.Aliases) == 0 && path.Base(d.Path) != "index.gmi" {
			continue
		}
		if path.Base(d.Path) == "index.gmi" {
			dir := path.Dir(d.Path)
			if dir == "/" {
				continue
			}
			s.folders[dir+"/"] = d
		}
		target := escapePath(d.Path)
		for _, a := range d.Aliases {
			if _, taken := s.docs[a]; !taken {
				s.redirects[a] = target
			}
		}
	}
	s.redirects["/archive"] = "/archive/"
	s.redirects["/tags"] = "/tags/"
	if !s.staticExists("robots.txt") {
		s.fixed["/robots.txt"] = textPage(s.robots())
	}
	if !s.staticExists("favicon.txt") {
		s.fixed["/favicon.txt"] = textPage(s.opts.Favicon + "\n")
	}
	for _, p := range s.opts.Removed {
		s.gone[p] = true
	}
	s.pinStandIns()
	return s
}

func (s *Site) staticExists(name string) bool {
	if s.opts.Static == nil {
		return false
	}
	_, err := fs.Stat(s.opts.Static, name)
	return err == nil
}

// newestFirst orders articles by date, then by path for a stable order.
func newestFirst(a, b *capsule.Doc) int {
	if c := b.Date.Compare(a.Date); c != 0 {
		return c
	}
	return strings.Compare(a.Path, b.Path)
}

// collectTags groups published articles by tag slug. A tag is shown with
// the spelling most articles use (the newest article's on a tie).
func collectTags(articles []*capsule.Doc) []*TagInfo {
	bySlug := map[string]*TagInfo{}
	spellings := map[string]map[string]int{}
	for _, d := range articles {
		for _, t := range d.Tags {
			ti := bySlug[t.Slug]
			if ti == nil {
				ti = &TagInfo{Tag: t}
				bySlug[t.Slug] = ti
				spellings[t.Slug] = map[string]int{}
			}
			ti.Articles = append(ti.Articles, d)
			spellings[t.Slug][t.Name]++
			if spellings[t.Slug][t.Name] > spellings[t.Slug][ti.Name] {
				ti.Name = t.Name
			}
		}
	}
	tags := make([]*TagInfo, 0, len(bySlug))
	for _, t := range bySlug {
		tags = append(tags, t)
	}
	slices.SortFunc(tags, func(a, b *TagInfo) int {
		return cmp.Or(strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)), strings.Compare(a.Slug, b.Slug))
	})
	return tags
}

// YearInfo is one year of the archive with its articles, newest first.
type YearInfo struct {
	Year     int
	Articles []*capsule.Doc
}

// collectYears groups articles (newest first) by year in loc, newest
// year first.
func collectYears(articles []*capsule.Doc, loc *time.Location) []*YearInfo {
	var years []*YearInfo
	for _, d := range articles {
		y := d.Date.In(loc).Year()
		if len(years) == 0 || years[len(years)-1].Year != y {
			years = append(years, &YearInfo{Year: y})
		}
		last := years[len(years)-1]
		last.Articles = append(last.Articles, d)
	}
	return years
}
