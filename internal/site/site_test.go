package site

import (
	"strings"
	"testing"
	"time"

	"broadside/internal/capsule"
)

func TestLookup(t *testing.T) {
	s := buildTest(t, testCapsule())
	tests := []struct {
		path   string
		status Status
		target string // redirect target, or a media type prefix for Found
	}{
		{"/", Found, "text/gemini; charset=utf-8; lang=en"},
		{"/posts/2024-01-05-first.gmi", Found, "text/gemini; charset=utf-8; lang=en"},
		{"/posts/second.gmi", Found, "text/gemini; charset=utf-8; lang=fr"},
		{"/posts/broken.gmi", NotFound, ""},  // a broken file never published
		{"/posts/garbled.gmi", NotFound, ""}, // is published nowhere
		{"/about.gmi", Found, "text/gemini"},
		{"/notes.gmi", Found, "text/gemini"},
		{"/archive/", Found, "text/gemini"},
		{"/tags/", Found, "text/gemini"},
		{"/tags/go/", Found, "text/gemini"},
		{"/tags/français/", Found, "text/gemini"},
		{"/atom.xml", Found, "application/atom+xml"},
		{"/tags/go/atom.xml", Found, "application/atom+xml"},
		{"/robots.txt", Found, "text/plain; charset=utf-8"},
		{"/favicon.txt", Found, "text/plain; charset=utf-8"},
		{"/images/a.png", Found, "image/png"},
		{"/docs/readme.txt", Found, "text/plain; charset=utf-8"},
		{"/docs/", Found, "text/gemini"},
		{"/docs", Redirect, "/docs/"},
		{"/images", Redirect, "/images/"},
		{"/images/", Found, "text/gemini"}, // a generated listing
		{"/posts/second.md", Redirect, "/posts/second.gmi"},
		{"/posts/2024-01-05-first.md", Redirect, "/posts/2024-01-05-first.gmi"},
		{"/old/first.gmi", Redirect, "/posts/2024-01-05-first.gmi"},
		{"/index.gmi", Redirect, "/"},
		{"/tags", Redirect, "/tags/"},
		{"/posts/retracted.gmi", Gone, ""},
		{"/posts/draft.gmi", NotFound, ""},
		{"/posts/draft.md", NotFound, ""},
		{"/posts/maybe.gmi", NotFound, ""}, // an unreadable draft flag fails safe
		{"/posts/future.gmi", NotFound, ""},
		{"/posts/future.md", NotFound, ""},
		{"/tags/nope/", NotFound, ""},
		{"/missing.gmi", NotFound, ""},
		{"/.hidden.md", NotFound, ""},
		{"/.hidden.gmi", NotFound, ""},
		{"/.git/config", NotFound, ""},
		{"/posts/.x.gmi", NotFound, ""},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			r := s.Lookup(tt.path)
			if r.Status != tt.status {
				t.Fatalf("status = %v, want %v (%+v)", r.Status, tt.status, r)
			}
			switch tt.status {
			case Redirect:
				if r.Target != tt.target {
					t.Errorf("target = %q, want %q", r.Target, tt.target)
				}
			case Found:
				if !strings.HasPrefix(r.Type, tt.target) {
					t.Errorf("type = %q, want prefix %q", r.Type, tt.target)
				}
			}
		})
	}
}

func TestDraftsAndFutureHiddenEverywhere(t *testing.T) {
	s := buildTest(t, testCapsule())
	for _, p := range []string{"/", "/archive/", "/tags/go/", "/atom.xml", "/tags/go/atom.xml"} {
		body := string(s.Lookup(p).Page.Bytes())
		for _, secret := range []string{"Draft", "draft.gmi", "Future", "future.gmi", "Secret", "Not yet"} {
			if strings.Contains(body, secret) {
				t.Errorf("%s shows %q:\n%s", p, secret, body)
			}
		}
	}
	want := time.Date(2031, 6, 1, 0, 0, 0, 0, time.UTC)
	if !s.NextChange.Equal(want) {
		t.Errorf("NextChange = %v, want %v", s.NextChange, want)
	}
	// When the time comes, the same snapshot built later shows it.
	later := Build(s.Snapshot(), s.Options(), want.Add(time.Second))
	if r := later.Lookup("/posts/future.gmi"); r.Status != Found {
		t.Errorf("future article not published at its date: %+v", r)
	}
	if !strings.Contains(string(later.Lookup("/").Page.Bytes()), "2031-06-01 Future") {
		t.Error("future article missing from the index once due")
	}
}

func TestIndexIsGemsub(t *testing.T) {
	s := buildTest(t, testCapsule())
	body := string(s.Lookup("/").Page.Bytes())
	if !strings.HasPrefix(body, "# Test Site\n") {
		t.Errorf("index does not start with the site title:\n%s", body)
	}
	if strings.Contains(body, "# Welcome") {
		t.Errorf("intro heading repeated:\n%s", body)
	}
	entries := []string{
		"=> /posts/third.gmi 2024-03-01 Third\n",
		"=> /posts/second.gmi 2024-02-01 Second\n",
		"=> /posts/2024-01-05-first.gmi 2024-01-05 First <post> & more\n",
	}
	last := -1
	for _, e := range entries {
		i := strings.Index(body, e)
		if i < 0 {
			t.Fatalf("index lacks %q:\n%s", e, body)
		}
		if i < last {
			t.Errorf("index is not newest first at %q", e)
		}
		last = i
	}
	for _, want := range []string{"An intro with a link.", "=> /about.gmi link", "=> /archive/ ", "=> /tags/ ", "=> /atom.xml "} {
		if !strings.Contains(body, want) {
			t.Errorf("index lacks %q", want)
		}
	}
}

func TestIndexRecentLimit(t *testing.T) {
	fsys := testCapsule()
	snap, _ := capsule.Load(fsys, capsule.Options{}, nil)
	opts := testOptions(fsys)
	opts.IndexRecent = 2
	s := Build(snap, opts, testNow)
	body := string(s.Lookup("/").Page.Bytes())
	if n := strings.Count(body, "=> /posts/"); n != 2 {
		t.Errorf("index lists %d articles, want 2:\n%s", n, body)
	}
	if n := strings.Count(string(s.Lookup("/archive/2024/").Page.Bytes()), "=> /posts/"); n != 3 {
		t.Errorf("the 2024 archive lists %d articles, want 3", n)
	}
}

func TestTags(t *testing.T) {
	s := buildTest(t, testCapsule())
	var got []string
	for _, tg := range s.Tags {
		got = append(got, tg.Slug+"="+tg.Name+":"+itoa(len(tg.Articles)))
	}
	want := "français=Français:1 go=go:2 news=news:2"
	// "Go" and "go" are one tag; each spelling is used once, so the
	// newest article's spelling wins.
	if strings.Join(got, " ") != want {
		t.Errorf("tags = %v, want %s", got, want)
	}
	tags := string(s.Lookup("/tags/").Page.Bytes())
	if !strings.Contains(tags, "=> /tags/fran%C3%A7ais/ Français (1 article)") {
		t.Errorf("Unicode tag not percent-encoded in its link:\n%s", tags)
	}
	page := string(s.Lookup("/tags/go/").Page.Bytes())
	if !strings.HasPrefix(page, "# go\n## 2 articles") || !strings.Contains(page, "=> /posts/second.gmi 2024-02-01 Second\n") {
		t.Errorf("tag page is not gemsub:\n%s", page)
	}
	if !strings.Contains(page, "=> /tags/go/atom.xml") {
		t.Error("tag page does not link its feed")
	}
}

func TestArticlePage(t *testing.T) {
	s := buildTest(t, testCapsule())
	body := string(s.Lookup("/posts/second.gmi").Page.Bytes())
	for _, want := range []string{
		"# Second\n\nPar Zoé · 1er février 2024 · 1 min de lecture\n",
		"=> /tags/go/ Étiquette\u00a0: go\n",
		"=> /tags/fran%C3%A7ais/ Étiquette\u00a0: Français\n",
		"Bonjour.\n",
		"=> /posts/2024-01-05-first.gmi ← Article précédent\u00a0: First <post> & more\n",
		"=> /posts/third.gmi → Article suivant\u00a0: Third\n",
		"=> / ↩ Test Site\n",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("article lacks %q:\n%s", want, body)
		}
	}
	if strings.Count(body, "# Second") != 1 {
		t.Errorf("title repeated:\n%s", body)
	}
	first := string(s.Lookup("/posts/2024-01-05-first.gmi").Page.Bytes())
	for _, want := range []string{"=> /posts/second.gmi second\n", "=> https://example.org/a%20b out\n", "By Site Author"} {
		if !strings.Contains(first, want) {
			t.Errorf("first article lacks %q:\n%s", want, first)
		}
	}
	third := string(s.Lookup("/posts/third.gmi").Page.Bytes())
	if !strings.Contains(third, "1 March 2024 (updated 5 March 2024)") {
		t.Errorf("updated date missing:\n%s", third)
	}
}

func TestBrokenArticleNotPublished(t *testing.T) {
	s := buildTest(t, testCapsule())
	// A file that fails to parse, never good before, is published
	// nowhere: not at its URL, not on the index or in the feed.
	for _, p := range []string{"/posts/broken.gmi", "/posts/garbled.gmi"} {
		if r := s.Lookup(p); r.Status != NotFound {
			t.Errorf("%s: %v, want not found", p, r.Status)
		}
	}
	for _, p := range []string{"/", "/atom.xml", "/archive/"} {
		if body := string(s.Lookup(p).Page.Bytes()); strings.Contains(body, "broken") || strings.Contains(body, "garbled") {
			t.Errorf("%s lists a broken file:\n%s", p, body)
		}
	}
	for _, f := range []string{"posts/broken.md", "posts/garbled.md", "posts/maybe.md"} {
		found := false
		for _, p := range s.Snapshot().Problems {
			if p.File == f && p.Severity == capsule.Error && p.Line > 0 {
				found = true
			}
		}
		if !found {
			t.Errorf("no error with a line for %s: %v", f, s.Snapshot().Problems)
		}
	}
}

func TestRobotsAndFavicon(t *testing.T) {
	s := buildTest(t, testCapsule())
	robots := string(s.Lookup("/robots.txt").Page.Bytes())
	for _, agent := range []string{"archiver", "indexer", "researcher", "webproxy", "*"} {
		if !strings.Contains(robots, "User-agent: "+agent+"\n") {
			t.Errorf("robots.txt lacks %s:\n%s", agent, robots)
		}
	}
	if got := string(s.Lookup("/favicon.txt").Page.Bytes()); got != "📰\n" {
		t.Errorf("favicon = %q", got)
	}
	fsys := testCapsule()
	fsys["robots.txt"] = file("User-agent: *\nDisallow: /private/\n")
	s = buildTest(t, fsys)
	if r := s.Lookup("/robots.txt"); r.Page != nil || r.File != "robots.txt" {
		t.Errorf("capsule robots.txt not served as a file: %+v", r)
	}
}

func itoa(n int) string {
	return strings.TrimSpace(strings.Repeat(" ", 0) + string(rune('0'+n)))
}

func TestFolderListing(t *testing.T) {
	fsys := testCapsule()
	fsys["images/.secret.png"] = file("x")
	fsys["images/b~"] = file("x")
	fsys["images/sub/c.png"] = file("x")
	fsys["images/draft.md"] = file("---\ndraft: true\n---\nSecret.\n")
	fsys["images/caption.md"] = file("---\ntitle: A caption\n---\nText.\n")
	s := buildTest(t, fsys)
	body := string(s.Lookup("/images/").Page.Bytes())
	want := "# Index of /images/\n\n=> /images/a.png a.png\n=> /images/caption.gmi A caption\n=> /images/sub/ sub/\n\n=> / ↩ Parent folder\n"
	if body != want {
		t.Errorf("listing:\n%s\nwant:\n%s", body, want)
	}
	if got := string(s.Lookup("/images/sub/").Page.Bytes()); !strings.Contains(got, "=> /images/sub/c.png c.png\n") || !strings.Contains(got, "=> /images/ ↩ Parent folder") {
		t.Errorf("sub-folder listing:\n%s", got)
	}
}
