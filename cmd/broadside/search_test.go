package main

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"broadside/internal/capsule"
	"broadside/internal/site"
)

// TestSearchEndToEnd searches the sample capsule over both protocols on a
// real server, then follows an edit and a removal.
func TestSearchEndToEnd(t *testing.T) {
	cfg := testSite(t)
	dir := filepath.Dir(cfg)
	s := startServe(t, cfg)
	defer s.stop(t)
	host := "localhost:" + s.port()
	waitFor(t, "the search index", func() bool { return strings.Contains(s.log.String(), `msg="search index updated"`) })

	if h, _ := rawGemini(t, s.gemini, "gemini://"+host+"/search\r\n"); h != "10 Search the archive" {
		t.Errorf("/search: %q", h)
	}
	h, body := rawGemini(t, s.gemini, "gemini://"+host+"/search?"+url.PathEscape("mirrors")+"\r\n")
	if !strings.HasPrefix(h, "20 ") || !strings.Contains(body, "=> /posts/2026-11-20-bulletin-47.gmi 2026-11-20 Bulletin #47: when the mirrors go dark\n") {
		t.Errorf("search for mirrors: %q\n%s", h, body)
	}
	// French stemming and accent folding on the French article.
	if _, body := rawGemini(t, s.gemini, "gemini://"+host+"/search?"+url.PathEscape("censuré")+"\r\n"); !strings.Contains(body, "bienvenue") {
		t.Errorf("French search found nothing:\n%s", body)
	}
	if _, body := rawGemini(t, s.gemini, "gemini://"+host+"/search?"+url.PathEscape(`"draft bulletin"`)+"\r\n"); strings.Contains(body, "draft-bulletin-48") {
		t.Errorf("a draft is searchable:\n%s", body)
	}
	if got := gopherFetch(t, s.gopher, "/search\tmirrors"); !strings.Contains(got, "0Bulletin #47") && !strings.Contains(got, "\t/posts/2026-11-20-bulletin-47.gmi\t") {
		t.Errorf("gopher search:\n%s", got)
	}
	if got := gopherFetch(t, s.gopher, "/"); !strings.Contains(got, "7Search the archive\t/search\t") {
		t.Errorf("gopher main menu has no search item:\n%s", got)
	}

	// A new article is searchable within a second or so; a removed one
	// disappears.
	post := filepath.Join(dir, "capsule", "posts", "2026-11-29-zeppelin.md")
	os.WriteFile(post, []byte("---\ntitle: Zeppelins over the border\ndate: 2026-11-29\n---\n\nA zeppelin carried the bulletin.\n"), 0o644)
	start := time.Now()
	found := func() bool {
		_, body := rawGemini(t, s.gemini, "gemini://"+host+"/search?zeppelin\r\n")
		return strings.Contains(body, "Zeppelins over the border")
	}
	waitFor(t, "the new article in search", found)
	t.Logf("new article searchable after %v", time.Since(start).Round(time.Millisecond))
	os.Remove(post)
	waitFor(t, "the removed article gone from search", func() bool { return !found() })
}

// TestSearchDocsSiteLang checks that an article without a lang of its own
// is indexed in the site's language, and indexed again when it changes.
func TestSearchDocsSiteLang(t *testing.T) {
	fsys := fstest.MapFS{
		"posts/2026-01-02-greves.md": {Data: []byte("---\ntitle: Les grèves\ndate: 2026-01-02\n---\n\nLes grèves continuent.\n")},
		"posts/2026-01-03-streik.md": {Data: []byte("---\ntitle: Der Streik\ndate: 2026-01-03\nlang: de\n---\n\nDie Arbeiterinnen streiken.\n")},
	}
	snap, err := capsule.Load(fsys, capsule.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	langs := func(lang string) (map[string]string, map[string]string) {
		got, fps := make(map[string]string), make(map[string]string)
		for _, d := range searchDocs(site.Build(snap, site.Options{Lang: lang}, time.Now())) {
			got[d.Path], fps[d.Path] = d.Lang, d.Fingerprint
		}
		return got, fps
	}
	fr, frFP := langs("fr")
	if fr["/posts/2026-01-02-greves.gmi"] != "fr" || fr["/posts/2026-01-03-streik.gmi"] != "de" {
		t.Errorf("site in French: %v", fr)
	}
	_, enFP := langs("en")
	if frFP["/posts/2026-01-02-greves.gmi"] == enFP["/posts/2026-01-02-greves.gmi"] ||
		frFP["/posts/2026-01-03-streik.gmi"] != enFP["/posts/2026-01-03-streik.gmi"] {
		t.Errorf("fingerprints: %v, %v", frFP, enFP)
	}
}
