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
// articles dated after now are left out, and NextChange says when the
// first of those falls due.
func Build(snap *capsule.Snapshot, opts Options, now time.Time) *Site {
	opts.defaults()
	s := &Site{
		opts:      opts,
		snap:      snap,
		pages:     map[string]*Page{},
		redirects: map[string]string{},
		gone:      map[string]bool{},
		Built:     now,
		rules:     newRules(opts.Redirects),
		views:     NewCache(opts.ViewCache),
	}
	var visible []*capsule.Doc
	for _, d := range snap.Docs {
		if d.Visible(now) {
			visible = append(visible, d)
			if d.Listed(now) {
				s.Articles = append(s.Articles, d)
			}
		} else if !d.Draft && d.Dated && (s.NextChange.IsZero() || d.Date.Before(s.NextChange)) {
			s.NextChange = d.Date
		}
	}
	slices.SortFunc(s.Articles, newestFirst)
	s.Tags = collectTags(s.Articles)
	s.tagIndex = make(map[string]*TagInfo, len(s.Tags))
	for _, t := range s.Tags {
		s.tagIndex[t.Slug] = t
	}

	for i, d := range s.Articles {
		var newer, older *capsule.Doc
		if i > 0 {
			newer = s.Articles[i-1]
		}
		if i+1 < len(s.Articles) {
			older = s.Articles[i+1]
		}
		s.pages[d.Path] = s.articlePage(d, newer, older)
	}
	for _, d := range visible {
		if _, ok := s.pages[d.Path]; !ok {
			s.pages[d.Path] = s.docPage(d)
		}
	}
	// Redirects are added after every page so that no alias shadows one.
	for _, d := range visible {
		target := escapePath(d.Path)
		if path.Base(d.Path) == "index.gmi" {
			dir := path.Dir(d.Path)
			if dir == "/" {
				s.redirects["/index.gmi"] = "/"
				delete(s.pages, "/index.gmi")
				continue
			}
			s.pages[dir+"/"] = s.pages[d.Path]
		}
		for _, a := range d.Aliases {
			if _, taken := s.pages[a]; !taken {
				s.redirects[a] = target
			}
		}
		if src := "/" + d.Source; src != d.Path {
			s.redirects[src] = target
		}
	}

	s.pages["/"] = s.indexPage()
	s.pages["/archive/"] = s.archivePage()
	s.pages["/tags/"] = s.tagsPage()
	s.pages["/atom.xml"] = s.feedPage("/atom.xml", "/", s.opts.Title, s.Articles)
	for _, t := range s.Tags {
		dir := "/tags/" + t.Slug + "/"
		s.pages[dir] = s.tagPage(t)
		s.pages[dir+"atom.xml"] = s.feedPage(dir+"atom.xml", dir, s.opts.Title+": "+t.Name, t.Articles)
	}
	s.redirects["/archive"] = "/archive/"
	s.redirects["/tags"] = "/tags/"
	if !s.staticExists("robots.txt") {
		s.pages["/robots.txt"] = textPage(s.robots())
	}
	if !s.staticExists("favicon.txt") {
		s.pages["/favicon.txt"] = textPage(s.opts.Favicon + "\n")
	}
	for _, p := range s.opts.Removed {
		s.gone[p] = true
	}
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
