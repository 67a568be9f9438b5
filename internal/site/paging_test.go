package site

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"broadside/internal/capsule"
)

// pagedCapsule has n articles tagged "news", one a week from 2023-11-06,
// so they span two years.
func pagedCapsule(n int) fstest.MapFS {
	fsys := fstest.MapFS{}
	start := time.Date(2023, 11, 6, 0, 0, 0, 0, time.UTC)
	for i := range n {
		d := start.AddDate(0, 0, 7*i)
		fsys[fmt.Sprintf("posts/a%03d.md", i)] = file(fmt.Sprintf("---\ntitle: Article %d\ndate: %s\ntags: [news]\n---\n\nText %d.\n", i, d.Format("2006-01-02"), i))
	}
	return fsys
}

func buildPaged(t *testing.T, fsys fstest.MapFS, cache *Cache) *Site {
	t.Helper()
	snap, err := capsule.Load(fsys, capsule.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	opts := testOptions(fsys)
	opts.PageSize = 5
	opts.Cache = cache
	return Build(snap, opts, testNow)
}

func TestTagPages(t *testing.T) {
	s := buildPaged(t, pagedCapsule(12), nil)
	body := func(p string) string {
		r := s.Lookup(p)
		if r.Status != Found {
			t.Fatalf("%s: %v", p, r.Status)
		}
		return string(r.Page.Bytes())
	}
	first := body("/tags/news/")
	for _, want := range []string{"## 12 articles tagged \"news\" on Test Site\nPage 1 of 3\n", "=> /posts/a011.gmi 2024-01-22 Article 11\n", "=> /tags/news/2/ → Older articles · Page 2 of 3\n"} {
		if !strings.Contains(first, want) {
			t.Errorf("page 1 lacks %q:\n%s", want, first)
		}
	}
	if strings.Count(first, "=> /posts/") != 5 || strings.Contains(first, "Newer articles") {
		t.Errorf("page 1:\n%s", first)
	}
	last := body("/tags/news/3/")
	if strings.Count(last, "=> /posts/") != 2 || !strings.Contains(last, "=> /posts/a000.gmi 2023-11-06 Article 0\n") || !strings.Contains(last, "=> /tags/news/2/ ← Newer articles · Page 2 of 3\n") || strings.Contains(last, "Older articles") {
		t.Errorf("page 3:\n%s", last)
	}
	for _, p := range []string{"/tags/news/1/", "/tags/news/4/", "/tags/news/02/", "/tags/news/x/", "/tags/news/2", "/tags/nope/2/"} {
		if r := s.Lookup(p); r.Status == Found {
			t.Errorf("%s found", p)
		}
	}
	paths := s.Paths()
	for _, want := range []string{"/tags/news/", "/tags/news/2/", "/tags/news/3/", "/tags/news/atom.xml", "/archive/2023/", "/archive/2024/", "/posts/a000.gmi", "/robots.txt"} {
		if !slices.Contains(paths, want) {
			t.Errorf("Paths lacks %s", want)
		}
	}
	for _, p := range paths {
		if r := s.Lookup(p); r.Status != Found || r.Page == nil {
			t.Errorf("Paths lists %s, which is %v", p, r.Status)
		}
	}
}

func TestArchiveByYear(t *testing.T) {
	s := buildPaged(t, pagedCapsule(12), nil)
	archive := string(s.Lookup("/archive/").Page.Bytes())
	want := "=> /archive/2024/ 4 articles in 2024\n=> /archive/2023/ 8 articles in 2023\n"
	if !strings.Contains(archive, want) || strings.Contains(archive, "/posts/") {
		t.Errorf("archive:\n%s\nwant the years:\n%s", archive, want)
	}
	year := string(s.Lookup("/archive/2023/").Page.Bytes())
	for _, want := range []string{"# Articles from 2023\n## 8 articles\n", "### 2023-12\n", "### 2023-11\n=> /posts/a003.gmi 2023-11-27 Article 3\n"} {
		if !strings.Contains(year, want) {
			t.Errorf("2023 lacks %q:\n%s", want, year)
		}
	}
	if strings.Index(year, "2023-12") > strings.Index(year, "2023-11") {
		t.Errorf("months not newest first:\n%s", year)
	}
	for _, p := range []string{"/archive/1999/", "/archive/2024", "/archive/24/", "/archive/x/"} {
		if r := s.Lookup(p); r.Status == Found {
			t.Errorf("%s found", p)
		}
	}
}

// TestCacheAcrossBuilds: a site built after an edit reuses the pages the
// edit does not touch and rebuilds those it does.
func TestCacheAcrossBuilds(t *testing.T) {
	fsys := pagedCapsule(12)
	fsys["posts/other.md"] = file("---\ntitle: Other\ndate: 2022-05-01\ntags: [misc]\n---\n\nOther text.\n")
	cache := NewCache(DefaultCacheSize)
	a := buildPaged(t, fsys, cache)
	paths := []string{"/", "/tags/news/", "/tags/news/3/", "/tags/misc/", "/tags/misc/atom.xml", "/atom.xml", "/posts/a000.gmi", "/posts/a005.gmi", "/posts/a010.gmi", "/posts/a011.gmi", "/archive/2022/", "/archive/2023/", "/archive/2024/"}
	before := map[string]*Page{}
	for _, p := range paths {
		before[p] = a.Lookup(p).Page
		if again := a.Lookup(p).Page; again != before[p] {
			t.Errorf("%s built twice in one site", p)
		}
	}

	// Retitle the newest article.
	fsys["posts/a011.md"] = &fstest.MapFile{Data: []byte("---\ntitle: Article eleven\ndate: 2024-01-22\ntags: [news]\n---\n\nText 11.\n"), ModTime: modTime.Add(time.Hour)}
	snap, err := capsule.Load(fsys, capsule.Options{}, a.Snapshot())
	if err != nil {
		t.Fatal(err)
	}
	b := Build(snap, a.Options(), testNow)
	for _, p := range paths {
		changed := b.Lookup(p).Page != before[p]
		// Its own page, its neighbour's (which names it), and every list
		// it is on.
		want := slices.Contains([]string{"/", "/tags/news/", "/atom.xml", "/posts/a010.gmi", "/posts/a011.gmi", "/archive/2024/"}, p)
		if changed != want {
			t.Errorf("%s rebuilt = %v, want %v", p, changed, want)
		}
	}
	if !strings.Contains(string(b.Lookup("/").Page.Bytes()), "Article eleven") {
		t.Error("index shows the old title")
	}
}
