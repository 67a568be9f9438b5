package frontend

import (
	"context"
	"strings"
	"testing"

	"broadside/internal/capsule"
	"broadside/internal/gopher/gophertest"
	"broadside/internal/site"
	"broadside/internal/site/sitetest"
)

// titleSearch finds articles whose title holds the query, one per page.
type titleSearch struct{ articles []*capsule.Doc }

func (f *titleSearch) Search(_ context.Context, q string, page, perPage int) (*site.SearchResults, error) {
	var hits []site.SearchHit
	for _, d := range f.articles {
		if strings.Contains(strings.ToLower(d.Title), strings.ToLower(q)) {
			hits = append(hits, site.SearchHit{Path: d.Path, Title: d.Title, Date: d.Date, Snippet: "about " + d.Title})
		}
	}
	res := &site.SearchResults{Total: len(hits), Page: page, Pages: max(1, len(hits))}
	if page <= len(hits) {
		res.Hits = hits[page-1 : page]
	}
	return res, nil
}

func TestSearchOverProtocols(t *testing.T) {
	fsys := testCapsule()
	snap, err := capsule.Load(fsys, capsule.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	f := &titleSearch{}
	opts := testOptions(fsys)
	opts.Search, opts.SearchPerPage = f, 1
	s := site.Build(snap, opts, sitetest.Now)
	f.articles = s.Articles
	l := liveOf(s)

	if h, _ := geminiGet(t, l, "gemini://example.org/search"); h != "10 Search the archive" {
		t.Errorf("gemini /search: %q", h)
	}
	h, body := geminiGet(t, l, "gemini://example.org/search?ir")
	if !strings.HasPrefix(h, "20 ") || !strings.Contains(body, "2 results for \"ir\" · Page 1 of 2") || !strings.Contains(body, "=> /search/2?ir → Next page") {
		t.Errorf("gemini results: %q\n%s", h, body)
	}
	if _, body := geminiGet(t, l, "gemini://example.org/search/2?ir"); !strings.Contains(body, "=> /posts/2024-01-05-first.gmi 2024-01-05 First <post> & more\nabout First <post> & more\n") {
		t.Errorf("gemini page 2:\n%s", body)
	}

	// Gopher: the main menu has a type 7 item; its answers are menus
	// whose next-page item carries the query in its selector.
	root := gopherGet(t, l, "/")
	if !strings.Contains(root, "7Search the archive\t/search\texample.org\t7070\r\n") {
		t.Errorf("gopher root has no search item:\n%s", root)
	}
	if got := gopherGet(t, l, "/search"); !strings.Contains(got, "7Search the archive\t/search\t") {
		t.Errorf("gopher /search without a query:\n%s", got)
	}
	got := gopherGet(t, l, "/search\tir")
	for _, want := range []string{"i2 results for \"ir\" · Page 1 of 2\t", "02024-03-01 Third\t/posts/third.gmi\t", "1→ Next page · Page 2 of 2\t/search/2?ir\texample.org\t7070\r\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("gopher results lack %q:\n%s", want, got)
		}
	}
	if err := gophertest.LintMenu([]byte(got)); err != nil {
		t.Errorf("results menu: %v", err)
	}
	if got := gopherGet(t, l, "/search/2?ir"); !strings.Contains(got, "02024-01-05 First <post> & more\t/posts/2024-01-05-first.gmi\t") {
		t.Errorf("gopher page 2:\n%s", got)
	}
}
