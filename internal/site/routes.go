package site

import (
	"slices"
	"strconv"
	"strings"

	"broadside/internal/capsule"
)

// DefaultPageSize is the default number of articles on one page of a tag.
const DefaultPageSize = 50

// page returns the page at p, building it (or taking it from the cache)
// on request, or nil if p names no document or generated page. It fails
// when a document's body cannot be read this moment.
func (s *Site) page(p string) (*Page, error) {
	if pg, ok := s.fixed[p]; ok {
		return pg, nil
	}
	if d, ok := s.docs[p]; ok {
		return s.docPage(d)
	}
	if d, ok := s.folders[p]; ok {
		return s.docPage(d)
	}
	switch p {
	case "/":
		return s.indexPage()
	case "/archive/":
		return s.archivePage(), nil
	case "/tags/":
		return s.tagsPage(), nil
	case "/atom.xml":
		return s.siteFeed(), nil
	}
	if rest, ok := strings.CutPrefix(p, "/archive/"); ok {
		if y, ok := s.yearIndex[yearOf(rest)]; ok {
			return s.yearPage(y), nil
		}
		return nil, nil
	}
	if rest, ok := strings.CutPrefix(p, "/tags/"); ok {
		return s.tagRoute(rest), nil
	}
	return nil, nil
}

// yearOf reads "2024/" as 2024, anything else as -1.
func yearOf(rest string) int {
	y, ok := strings.CutSuffix(rest, "/")
	n, err := strconv.Atoi(y)
	if !ok || err != nil || len(y) != 4 || n < 0 {
		return -1
	}
	return n
}

// tagRoute serves "SLUG/", "SLUG/N/" and "SLUG/atom.xml" under /tags/.
func (s *Site) tagRoute(rest string) *Page {
	slug, sub, ok := strings.Cut(rest, "/")
	if !ok {
		return nil
	}
	t, ok := s.tagIndex[slug]
	if !ok {
		return nil
	}
	switch {
	case sub == "":
		return s.tagPage(t, 1)
	case sub == "atom.xml":
		return s.tagFeed(t)
	}
	n, err := strconv.Atoi(strings.TrimSuffix(sub, "/"))
	if err != nil || !strings.HasSuffix(sub, "/") || strconv.Itoa(n) != sub[:len(sub)-1] || n < 2 || n > s.tagPages(t) {
		return nil
	}
	return s.tagPage(t, n)
}

// tagRedirect finds the canonical path of a tag path written another way:
// without its final slash ("/tags/x"), in another case or spelling
// ("/tags/X/", "/tags/C#/"), or with the slug the tag had before "#" and
// "+" were spelt out. The rest of the path (a page number, atom.xml) is
// kept.
func (s *Site) tagRedirect(p string) (string, bool) {
	rest, ok := strings.CutPrefix(p, "/tags/")
	if !ok || rest == "" {
		return "", false
	}
	slug, sub, _ := strings.Cut(rest, "/")
	canonical := capsule.TagSlug(slug)
	if _, ok := s.tagIndex[canonical]; !ok {
		if canonical, ok = s.legacyTags[slug]; !ok {
			return "", false
		}
	}
	target := tagPath(canonical, 1) + sub
	if target == p {
		return "", false
	}
	if pg, err := s.page(target); sub != "" && pg == nil && err == nil {
		return "", false // "/tags/X/nope": nothing there either
	}
	return escapePath(target), true
}

// legacyTagSlugs maps each tag's old slug (Slugify of its name, which
// dropped "#" and "+") to its slug, for the tags whose slug changed and
// whose old slug no other tag has or had.
func legacyTagSlugs(tags []*TagInfo) map[string]string {
	out := map[string]string{}
	taken := map[string]bool{}
	for _, t := range tags {
		taken[t.Slug] = true
	}
	clash := map[string]bool{}
	for _, t := range tags {
		old := capsule.Slugify(t.Name)
		if old == "" || old == t.Slug || taken[old] {
			continue
		}
		if _, dup := out[old]; dup {
			clash[old] = true
		}
		out[old] = t.Slug
	}
	for old := range clash {
		delete(out, old)
	}
	return out
}

// tagPages is how many pages tag t's list takes.
func (s *Site) tagPages(t *TagInfo) int {
	return max(1, (len(t.Articles)+s.opts.PageSize-1)/s.opts.PageSize)
}

// tagPath is the path of page n of a tag.
func tagPath(slug string, n int) string {
	if n <= 1 {
		return "/tags/" + slug + "/"
	}
	return "/tags/" + slug + "/" + strconv.Itoa(n) + "/"
}

func yearPath(y int) string { return "/archive/" + strconv.Itoa(y) + "/" }

// cached returns the page under key built from deps, building it with
// build when the cache has none from equal deps.
func (s *Site) cached(key string, deps []any, build func() *Page) *Page {
	if s.opts.Preview {
		// A preview's marks change with the time ("Scheduled" until it
		// is due): its pages last one build.
		deps = append(deps, s.Built)
	}
	return s.cache.get(key, deps, func() (any, int) {
		pg := build()
		return pg, pg.Len() + 64*len(pg.Parts)
	}).(*Page)
}

// cachedErr is cached for a build that may fail. A build that returns a
// page and an error (a page that could be made without a part that failed)
// has its page served, but not kept.
func (s *Site) cachedErr(key string, deps []any, build func() (*Page, error)) (*Page, error) {
	if s.opts.Preview {
		deps = append(deps, s.Built)
	}
	v, err := s.cache.getErr(key, deps, func() (any, int, error) {
		pg, err := build()
		if pg == nil {
			return nil, 0, err
		}
		return pg, pg.Len() + 64*len(pg.Parts), err
	})
	pg, _ := v.(*Page)
	if pg != nil {
		return pg, nil
	}
	return nil, err
}

// docDeps lists documents as cache deps.
func docDeps(deps []any, docs []*capsule.Doc) []any {
	for _, d := range docs {
		deps = append(deps, d)
	}
	return deps
}

// tagNameDeps lists the site-wide spellings of a document's tags, which
// its page shows.
func (s *Site) tagNameDeps(deps []any, d *capsule.Doc) []any {
	for _, t := range d.Tags {
		deps = append(deps, s.tagName(t))
	}
	return deps
}

// neighbours returns the articles next to d, newer and older, if it is
// listed.
func (s *Site) neighbours(d *capsule.Doc) (newer, older *capsule.Doc) {
	i, ok := s.position(d)
	if !ok {
		return nil, nil
	}
	if i > 0 {
		newer = s.Articles[i-1]
	}
	if i+1 < len(s.Articles) {
		older = s.Articles[i+1]
	}
	return newer, older
}

// position finds a listed article in Articles, which is sorted.
func (s *Site) position(d *capsule.Doc) (int, bool) {
	i, found := slices.BinarySearchFunc(s.Articles, d, newestFirst)
	return i, found && s.Articles[i] == d
}
