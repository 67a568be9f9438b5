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
		aliases:   map[string]*capsule.Doc{},
		redirects: map[string]string{},
		gone:      map[string]bool{},
		Built:     now,
		rules:     newRules(opts.Redirects),
		cache:     opts.Cache,
		loc:       opts.Catalog.For(opts.Lang),
	}
	visible := make([]*capsule.Doc, 0, len(snap.Docs))
	for _, d := range snap.Docs {
		if s.visible(d) {
			visible = append(visible, d)
			if s.listed(d) {
				s.Articles = append(s.Articles, d)
			}
		}
		if s.scheduled(d) && (s.NextChange.IsZero() || d.Date.Before(s.NextChange)) {
			s.NextChange = d.Date
		}
	}
	slices.SortFunc(s.Articles, newestFirst)
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
		s.addDoc(d)
	}
	// The home page is "/": its index.md (the intro) or index.gmi (the
	// whole page) is never served under another name.
	s.redirects["/index.gmi"] = "/"
	s.redirects["/index.md"] = "/"
	s.redirects["/archive"] = "/archive/"
	s.redirects["/tags"] = "/tags/"
	for _, p := range s.opts.Removed {
		s.gone[p] = true
	}
	s.finish()
	return s
}

// visible reports whether the site shows d at all, listed reports whether
// it lists it (index, tags, archive, feeds), and scheduled whether it is
// to be published later, at the site's time.
func (s *Site) visible(d *capsule.Doc) bool { return d.Visible(s.Built) || s.opts.Preview }
func (s *Site) listed(d *capsule.Doc) bool {
	return d.Listed(s.Built) || (s.opts.Preview && d.Dated)
}
func (s *Site) scheduled(d *capsule.Doc) bool { return !d.Draft && d.Dated && d.Date.After(s.Built) }

// addDoc makes a visible document reachable: at its path, at its folder's
// path for a folder's index.gmi, and at its aliases. A Markdown source's
// own path ("/x.md") leads to its page too, found on request (see
// sourceRedirect) rather than stored for every file.
func (s *Site) addDoc(d *capsule.Doc) {
	if d.Path == "/index.gmi" {
		return // the home page, at "/"
	}
	s.docs[d.Path] = d
	if path.Base(d.Path) == "index.gmi" {
		s.folders[path.Dir(d.Path)+"/"] = d
	}
	for _, a := range d.Aliases {
		s.aliases[a] = d
	}
}

// removeDoc undoes addDoc.
func (s *Site) removeDoc(d *capsule.Doc) {
	if s.docs[d.Path] == d {
		delete(s.docs, d.Path)
	}
	if dir := path.Dir(d.Path) + "/"; s.folders[dir] == d {
		delete(s.folders, dir)
	}
	for _, a := range d.Aliases {
		if s.aliases[a] == d {
			delete(s.aliases, a)
		}
	}
}

// finish makes what every build makes anew: the generated robots.txt and
// favicon.txt (unless the capsule has its own), and the pins of last good
// bodies.
func (s *Site) finish() {
	s.fixed = map[string]*Page{}
	if !s.staticExists("robots.txt") {
		s.fixed["/robots.txt"] = textPage(s.robots())
	}
	if !s.staticExists("favicon.txt") {
		s.fixed["/favicon.txt"] = textPage(s.opts.Favicon + "\n")
	}
	s.pinStandIns()
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
			respell(ti, spellings[t.Slug], t.Name)
		}
	}
	tags := make([]*TagInfo, 0, len(bySlug))
	for _, t := range bySlug {
		tags = append(tags, t)
	}
	sortTags(tags)
	return tags
}

// respell counts one more use of name for tag ti, which takes the
// spelling used most, the first to reach the highest count.
func respell(ti *TagInfo, counts map[string]int, name string) {
	counts[name]++
	if counts[name] > counts[ti.Name] {
		ti.Name = name
	}
}

// sortTags orders tags by name, case aside, then by slug.
func sortTags(tags []*TagInfo) {
	slices.SortFunc(tags, func(a, b *TagInfo) int {
		return cmp.Or(strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)), strings.Compare(a.Slug, b.Slug))
	})
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
