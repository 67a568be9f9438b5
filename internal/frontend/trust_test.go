package frontend

import (
	"fmt"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"broadside/internal/capsule"
	"broadside/internal/site"
	"broadside/internal/site/sitetest"
)

// versionAt is a capsule file written at minute n after the test's file
// times, so that a reload sees it changed.
func versionAt(s string, n int) *fstest.MapFile {
	return &fstest.MapFile{Data: []byte(s), ModTime: sitetest.ModTime.Add(time.Duration(n) * time.Minute)}
}

// served is what readers get from a site at each place an article shows.
type served struct {
	index, tag, feed, menu, tagMenu, article, articleHeader string
}

func serveAll(t *testing.T, s *site.Site, tag, article string) served {
	t.Helper()
	l := liveOf(s)
	var r served
	_, r.index = geminiGet(t, l, "gemini://example.org/")
	_, r.tag = geminiGet(t, l, "gemini://example.org/tags/"+tag+"/")
	_, r.feed = geminiGet(t, l, "gemini://example.org/atom.xml")
	r.menu = gopherGet(t, l, "/")
	r.tagMenu = gopherGet(t, l, "/tags/"+tag+"/")
	r.articleHeader, r.article = geminiGet(t, l, "gemini://example.org"+article)
	return r
}

// TestLastGoodVersion follows files through the states of issue 9 and
// checks what the index, a tag page, the feed, the Gopher menus and the
// article's own URL serve at each step.
func TestLastGoodVersion(t *testing.T) {
	good := "---\ntitle: Live article\ndate: 2024-06-01\ntags: [watch]\naliases: [/old/live.gmi]\nid: urn:x:live\n---\n\nThe live text.\n"
	fsys := sitetest.Capsule()
	fsys["posts/live.md"] = versionAt(good, 0)
	// One cache for every build, as the publisher keeps it: it holds the
	// last good version's text once its file is broken (bodies are read
	// from the file on request; TestLastGoodBodyNotInCache has the case
	// where the cache no longer holds it).
	opts := testOptions(fsys)
	opts.Cache = site.NewCache(site.DefaultCacheSize)
	load := func(prev *capsule.Snapshot) (*capsule.Snapshot, *site.Site) {
		snap, err := capsule.Load(fsys, capsule.Options{}, prev)
		if err != nil {
			t.Fatal(err)
		}
		return snap, site.Build(snap, opts, sitetest.Now)
	}
	snap, s := load(nil)
	r := serveAll(t, s, "watch", "/posts/live.gmi")
	if !strings.Contains(r.index, "=> /posts/live.gmi 2024-06-01 Live article") || !strings.Contains(r.article, "The live text.") {
		t.Fatalf("first version not published:\n%s\n%s", r.index, r.article)
	}

	t.Run("a broken new file is published nowhere", func(t *testing.T) {
		fsys["posts/new.md"] = versionAt("---\ntitle: \"Brand new\ndate: 2024-06-02\ntags: [watch]\n---\n\nNew text.\n", 1)
		snap, s = load(snap)
		r := serveAll(t, s, "watch", "/posts/new.gmi")
		if !strings.HasPrefix(r.articleHeader, "51") {
			t.Errorf("its URL answers %q", r.articleHeader)
		}
		for where, body := range map[string]string{"index": r.index, "tag page": r.tag, "feed": r.feed, "menu": r.menu, "tag menu": r.tagMenu} {
			if strings.Contains(body, "Brand new") || strings.Contains(body, "new.gmi") {
				t.Errorf("the %s lists it:\n%s", where, body)
			}
		}
	})

	t.Run("a broken edit keeps the last good version", func(t *testing.T) {
		fsys["posts/live.md"] = versionAt("---\ntitle: \"Live article\ndate: 2024-06-01\n---\n\nDamaged text.\n", 2)
		snap, s = load(snap)
		r := serveAll(t, s, "watch", "/posts/live.gmi")
		if !strings.HasPrefix(r.articleHeader, "20") || !strings.Contains(r.article, "# Live article\n") ||
			!strings.Contains(r.article, "The live text.") || strings.Contains(r.article, "Damaged") {
			t.Errorf("the article's URL serves:\n%s", r.article)
		}
		if !strings.Contains(r.index, "=> /posts/live.gmi 2024-06-01 Live article") {
			t.Errorf("the index lost it:\n%s", r.index)
		}
		if !strings.Contains(r.tag, "=> /posts/live.gmi 2024-06-01 Live article") {
			t.Errorf("the tag page lost it (its tags were kept):\n%s", r.tag)
		}
		if !strings.Contains(r.feed, "<id>urn:x:live</id>") || !strings.Contains(r.feed, "<title type=\"text\">Live article</title>") {
			t.Errorf("the feed lost its id or title:\n%s", r.feed)
		}
		if !strings.Contains(r.menu, "02024-06-01 Live article\t/posts/live.gmi\t") || !strings.Contains(r.tagMenu, "/posts/live.gmi") {
			t.Errorf("the Gopher menus lost it:\n%s\n%s", r.menu, r.tagMenu)
		}
		if h, _ := geminiGet(t, liveOf(s), "gemini://example.org/old/live.gmi"); h != "31 /posts/live.gmi" {
			t.Errorf("its alias answers %q", h)
		}
	})

	t.Run("a broken draft is held back", func(t *testing.T) {
		fsys["posts/live.md"] = versionAt("---\ntitle: [Live article\ndraft: true\n---\n\nRewriting.\n", 3)
		snap, s = load(snap)
		r := serveAll(t, s, "watch", "/posts/live.gmi")
		if !strings.HasPrefix(r.articleHeader, "51") {
			t.Errorf("its URL answers %q", r.articleHeader)
		}
		for where, body := range map[string]string{"index": r.index, "feed": r.feed, "menu": r.menu} {
			if strings.Contains(body, "live.gmi") {
				t.Errorf("the %s lists the draft:\n%s", where, body)
			}
		}
	})

	t.Run("the fix is published", func(t *testing.T) {
		fsys["posts/live.md"] = versionAt(strings.Replace(good, "The live text.", "The fixed text.", 1), 4)
		fsys["posts/new.md"] = versionAt("---\ntitle: Brand new\ndate: 2024-06-02\ntags: [watch]\n---\n\nNew text.\n", 4)
		snap, s = load(snap)
		r := serveAll(t, s, "watch", "/posts/live.gmi")
		if !strings.Contains(r.article, "The fixed text.") {
			t.Errorf("the article serves:\n%s", r.article)
		}
		for where, body := range map[string]string{"index": r.index, "tag page": r.tag, "feed": r.feed, "menu": r.menu} {
			if !strings.Contains(body, "Brand new") || !strings.Contains(body, "Live article") {
				t.Errorf("the %s lacks the fixed files:\n%s", where, body)
			}
		}
		if len(snap.Problems) != 0 {
			for _, p := range snap.Problems {
				if strings.HasPrefix(p.File, "posts/live") || strings.HasPrefix(p.File, "posts/new") {
					t.Errorf("problem left after the fix: %s", p)
				}
			}
		}
	})
}

// TestLastGoodBodyNotInCache breaks an article whose page the cache no
// longer holds: its last good metadata (title, date, tags, feed id) stays
// published everywhere, and its page shows the text of the file as it is
// now, which a front-matter error does not touch. An article whose page
// was cached keeps its last good text.
func TestLastGoodBodyNotInCache(t *testing.T) {
	fsys := sitetest.Capsule()
	fsys["posts/kept.md"] = versionAt("---\ntitle: Kept\ndate: 2024-06-01\ntags: [watch]\n---\n\nKept text.\n", 0)
	fsys["posts/lost.md"] = versionAt("---\ntitle: Lost\ndate: 2024-06-02\ntags: [watch]\nid: urn:x:lost\n---\n\nOld text.\n", 0)
	opts := testOptions(fsys)
	opts.Cache = site.NewCache(site.DefaultCacheSize)
	snap, err := capsule.Load(fsys, capsule.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	s := site.Build(snap, opts, sitetest.Now)
	if _, body := geminiGet(t, liveOf(s), "gemini://example.org/posts/kept.gmi"); !strings.Contains(body, "Kept text.") {
		t.Fatalf("kept.gmi serves:\n%s", body)
	}
	// Both break; only kept.gmi's page was ever built.
	fsys["posts/kept.md"] = versionAt("---\ntitle: \"Kept\ndate: 2024-06-01\n---\n\nKept, damaged.\n", 1)
	fsys["posts/lost.md"] = versionAt("---\ntitle: \"Lost\ndate: 2024-06-02\n---\n\nNew text, front matter broken.\n", 1)
	snap, err = capsule.Load(fsys, capsule.Options{}, snap)
	if err != nil {
		t.Fatal(err)
	}
	s = site.Build(snap, opts, sitetest.Now)
	kept := map[string]bool{}
	for _, si := range s.StandIns() {
		kept[si.Doc.Source] = si.Kept
	}
	if len(kept) != 2 || !kept["posts/kept.md"] || kept["posts/lost.md"] {
		t.Errorf("stand-ins %v, want kept.md kept and lost.md not", kept)
	}
	r := serveAll(t, s, "watch", "/posts/lost.gmi")
	if !strings.HasPrefix(r.articleHeader, "20") || !strings.Contains(r.article, "# Lost\n") ||
		!strings.Contains(r.article, "New text, front matter broken.") || !strings.Contains(r.article, "=> /tags/watch/") {
		t.Errorf("lost.gmi serves:\n%s", r.article)
	}
	if !strings.Contains(r.index, "2024-06-02 Lost") || !strings.Contains(r.tag, "2024-06-02 Lost") || !strings.Contains(r.feed, "<id>urn:x:lost</id>") {
		t.Errorf("the last good metadata is not served everywhere:\n%s\n%s\n%s", r.index, r.tag, r.feed)
	}
	// Pinned: a crawl that fills the cache many times over does not push
	// the kept text out.
	small := testOptions(fsys)
	small.Cache = site.NewCache(1 << 20)
	s = site.Build(snap, small, sitetest.Now)
	if _, body := geminiGet(t, liveOf(s), "gemini://example.org/posts/kept.gmi"); !strings.Contains(body, "Kept, damaged.") {
		t.Errorf("with a cache that never held it, kept.gmi serves:\n%s", body)
	}
	s = site.Build(snap, opts, sitetest.Now)
	for i := range 3000 {
		opts.Cache.View(fmt.Sprintf("filler:%d", i), &site.Page{}, func() []byte { return make([]byte, 64<<10) })
	}
	if _, body := geminiGet(t, liveOf(s), "gemini://example.org/posts/kept.gmi"); !strings.Contains(body, "Kept text.") {
		t.Errorf("after the cache filled up, kept.gmi serves:\n%s", body)
	}
}

func TestCanonicalRedirects(t *testing.T) {
	fsys := sitetest.Capsule()
	fsys["posts/2024-02-02-lang.md"] = sitetest.File("---\ntitle: Languages\ntags: [C#, C++, Small Web]\n---\n\nText.\n")
	l := liveOf(buildTest(t, fsys))
	tests := []struct{ request, header string }{
		{"gemini://example.org/index.md", "31 /"},
		{"gemini://example.org/index.gmi", "31 /"},
		{"gemini://example.org/tags/go", "31 /tags/go/"},
		{"gemini://example.org/tags/GO/", "31 /tags/go/"},
		{"gemini://example.org/tags/Go", "31 /tags/go/"},
		{"gemini://example.org/tags/GO/atom.xml", "31 /tags/go/atom.xml"},
		{"gemini://example.org/tags/Small%20Web/", "31 /tags/small-web/"},
		{"gemini://example.org/tags/C%23/", "31 /tags/c-sharp/"},
		{"gemini://example.org/tags/C++", "31 /tags/c-plus-plus/"},
		{"gemini://example.org/tags/c/", "51"}, // C# and C++ both had it: ambiguous
		{"gemini://example.org/tags/c-sharp/", "20"},
		{"gemini://example.org/tags/c-plus-plus/", "20"},
		{"gemini://example.org/tags/GO/7/", "51"},
		{"gemini://example.org/tags/nope", "51"},
		{"gemini://example.org/tags/", "20"},
	}
	for _, tt := range tests {
		t.Run(tt.request, func(t *testing.T) {
			if h, _ := geminiGet(t, l, tt.request); !strings.HasPrefix(h, tt.header) {
				t.Errorf("header %q, want %q", h, tt.header)
			}
		})
	}
	// A tag whose old slug is unambiguous is found at it too: a reader
	// subscribed to /tags/f/ before "#" was spelt out keeps the feed.
	fsys["posts/2024-02-03-fs.md"] = sitetest.File("---\ntitle: F\ntags: [F#]\n---\n\nText.\n")
	l = liveOf(buildTest(t, fsys))
	if h, _ := geminiGet(t, l, "gemini://example.org/tags/f/atom.xml"); h != "31 /tags/f-sharp/atom.xml" {
		t.Errorf("old slug: %q", h)
	}
}

func TestGemtextServedAsWritten(t *testing.T) {
	fsys := sitetest.Capsule()
	hand := "# A dated note\r\n\r\nWritten by hand, CRLF and all.   \n=> /about.gmi About\n```\n  art\n"
	fsys["log/2024-02-15-note.gmi"] = sitetest.File(hand)
	l := liveOf(buildTest(t, fsys))
	h, body := geminiGet(t, l, "gemini://example.org/log/2024-02-15-note.gmi")
	if h != "20 text/gemini; charset=utf-8; lang=en" || body != hand {
		t.Errorf("%q %q, want the file byte for byte: %q", h, body, hand)
	}
	if _, index := geminiGet(t, l, "gemini://example.org/"); !strings.Contains(index, "=> /log/2024-02-15-note.gmi 2024-02-15 A dated note\n") {
		t.Errorf("the dated .gmi is not on the index with its heading as title:\n%s", index)
	}

	// A hand-written index.gmi is the home page.
	delete(fsys, "index.md")
	home := "# My own home\n\n=> /about.gmi About\n"
	fsys["index.gmi"] = sitetest.File(home)
	l = liveOf(buildTest(t, fsys))
	if h, body := geminiGet(t, l, "gemini://example.org/"); h != "20 text/gemini; charset=utf-8; lang=en" || body != home {
		t.Errorf("home page: %q %q, want index.gmi as written", h, body)
	}
	if h, _ := geminiGet(t, l, "gemini://example.org/index.gmi"); h != "31 /" {
		t.Errorf("/index.gmi: %q", h)
	}
}

func TestPreviewVersusServe(t *testing.T) {
	fsys := sitetest.Capsule()
	fsys["posts/empty.md"] = sitetest.File("---\ntitle: Only front matter\ndate: 2024-01-15\n---\n")
	snap, err := capsule.Load(fsys, capsule.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	serveSite := site.Build(snap, testOptions(fsys), sitetest.Now)
	opts := testOptions(fsys)
	opts.Preview = true
	previewSite := site.Build(snap, opts, sitetest.Now)
	srv, pre := liveOf(serveSite), liveOf(previewSite)

	for _, p := range []string{"/posts/draft.gmi", "/posts/future.gmi", "/posts/maybe.gmi"} {
		if h, _ := geminiGet(t, srv, "gemini://example.org"+p); !strings.HasPrefix(h, "51") {
			t.Errorf("serve: %s answers %q", p, h)
		}
	}
	_, draft := geminiGet(t, pre, "gemini://example.org/posts/draft.gmi")
	if !strings.HasPrefix(draft, "# Draft\n\nDraft\nBy Site Author · 10 January 2024") {
		t.Errorf("preview: the draft is not marked under its title:\n%s", draft)
	}
	_, future := geminiGet(t, pre, "gemini://example.org/posts/future.gmi")
	if !strings.HasPrefix(future, "# Future\n\nScheduled for 1 June 2031\n") {
		t.Errorf("preview: the scheduled article is not marked:\n%s", future)
	}
	for _, p := range []string{"/", "/tags/go/", "/archive/2024/"} {
		_, sv := geminiGet(t, srv, "gemini://example.org"+p)
		_, pv := geminiGet(t, pre, "gemini://example.org"+p)
		if strings.Contains(sv, "draft.gmi") || strings.Contains(sv, "future.gmi") || strings.Contains(sv, "(Draft)") {
			t.Errorf("serve: %s shows a draft or a scheduled article:\n%s", p, sv)
		}
		if p != "/archive/2024/" && !strings.Contains(pv, "=> /posts/future.gmi 2031-06-01 Future (Scheduled for 1 June 2031)\n") {
			t.Errorf("preview: %s lacks the marked scheduled article:\n%s", p, pv)
		}
		if !strings.Contains(pv, "=> /posts/draft.gmi 2024-01-10 Draft (Draft)\n") {
			t.Errorf("preview: %s lacks the marked draft:\n%s", p, pv)
		}
	}
	_, feed := geminiGet(t, pre, "gemini://example.org/atom.xml")
	if !strings.Contains(feed, "<title type=\"text\">[Draft] Draft</title>") {
		t.Errorf("preview feed lacks the marked draft")
	}
	if _, feed := geminiGet(t, srv, "gemini://example.org/atom.xml"); strings.Contains(feed, "[Draft]") || strings.Contains(feed, "draft.gmi") {
		t.Errorf("serve feed shows a draft")
	}
	if menu := gopherGet(t, pre, "/"); !strings.Contains(menu, "02024-01-10 Draft (Draft)\t/posts/draft.gmi\t") {
		t.Errorf("preview Gopher menu lacks the draft:\n%s", menu)
	}
	// An article of front matter only: title, byline, footer, and no run
	// of blank lines where the body would be.
	_, empty := geminiGet(t, srv, "gemini://example.org/posts/empty.gmi")
	if strings.Contains(empty, "\n\n\n") || !strings.HasPrefix(empty, "# Only front matter\n\n") || !strings.HasSuffix(empty, "\n") {
		t.Errorf("front-matter-only article:\n%q", empty)
	}
}
