package site

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"broadside/internal/capsule"
)

// fakeSearch finds published articles whose title contains the query,
// newest first; "!" queries fail like the real index can.
type fakeSearch struct{ s **Site }

func (f fakeSearch) Search(_ context.Context, q string, page, perPage int) (*SearchResults, error) {
	switch q {
	case "!bad":
		return nil, &QueryError{Problem: QueryOnlyExcluded}
	case "!wait":
		return nil, ErrSearchNotReady
	case "!fail":
		return nil, fmt.Errorf("disk on fire")
	}
	var hits []SearchHit
	for _, d := range (*f.s).Articles {
		if strings.Contains(strings.ToLower(d.Title), strings.ToLower(q)) {
			hits = append(hits, SearchHit{Path: d.Path, Title: d.Title, Date: d.Date, Snippet: "…" + d.Title + "…"})
		}
	}
	res := &SearchResults{Total: len(hits), Page: page, Pages: max(1, (len(hits)+perPage-1)/perPage)}
	lo := min((page-1)*perPage, len(hits))
	res.Hits = hits[lo:min(lo+perPage, len(hits))]
	return res, nil
}

func searchSite(t *testing.T, perPage int) *Site {
	fsys := testCapsule()
	for i := range 5 {
		fsys[fmt.Sprintf("posts/2024-04-0%d-strike-%d.md", i+1, i+1)] = file(fmt.Sprintf("---\ntitle: Strike %d\n---\n\nText.\n", i+1))
	}
	snap, err := capsule.Load(fsys, capsule.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var s *Site
	opts := testOptions(fsys)
	opts.Search = fakeSearch{&s}
	opts.SearchPerPage = perPage
	s = Build(snap, opts, testNow)
	return s
}

func TestSearch(t *testing.T) {
	s := searchSite(t, 2)
	serve := func(p, q string) Response { return s.Serve(&Request{Path: p, Query: q}) }

	if r := serve("/search", ""); r.Status != Input || r.Prompt != "Search the archive" {
		t.Errorf("/search = %+v, want the prompt", r)
	}
	if !strings.Contains(string(s.Lookup("/").Page.Bytes()), "=> /search Search the archive\n") {
		t.Error("the index does not link to the search")
	}

	r := serve("/search", "strike")
	body := string(r.Page.Bytes())
	for _, want := range []string{
		"# Search: strike\n",
		"5 results for \"strike\" · Page 1 of 3\n",
		"=> /posts/2024-04-05-strike-5.gmi 2024-04-05 Strike 5\n…Strike 5…\n",
		"=> /search/2?strike → Next page · Page 2 of 3\n",
		"=> /search Search again\n",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("page 1 lacks %q:\n%s", want, body)
		}
	}
	if strings.Contains(body, "Previous") || strings.Contains(body, "Strike 3") {
		t.Errorf("page 1 shows too much:\n%s", body)
	}
	body = string(serve("/search/3", "strike").Page.Bytes())
	if !strings.Contains(body, "=> /search/2?strike ← Previous page · Page 2 of 3\n") || strings.Contains(body, "Next") || !strings.Contains(body, "Strike 1\n") {
		t.Errorf("page 3:\n%s", body)
	}
	body = string(serve("/search", "grève générale").Page.Bytes())
	if !strings.Contains(body, "No results for \"grève générale\"") {
		t.Errorf("no results page:\n%s", body)
	}
	// One quoted phrase is shown inside the catalog's quotes only.
	body = string(serve("/search", `"grève générale"`).Page.Bytes())
	if !strings.Contains(body, "No results for \"grève générale\"\n") {
		t.Errorf("phrase query:\n%s", body)
	}
	if body := string(serve("/search", "!bad").Page.Bytes()); !strings.Contains(body, "Every word is excluded: add one to look for.") {
		t.Errorf("query error page:\n%s", body)
	}
	for q, want := range map[string]string{"!wait": "being built", "!fail": "Search failed"} {
		if r := serve("/search", q); r.Status != Unavailable || !strings.Contains(r.Message, want) {
			t.Errorf("%s = %+v", q, r)
		}
	}
	for _, p := range []string{"/search/0", "/search/02", "/search/x", "/search/2/"} {
		if r := serve(p, "strike"); r.Status != NotFound {
			t.Errorf("%s = %v, want not found", p, r.Status)
		}
	}
	if r := serve("/search/101", "strike"); r.Status != NotFound {
		t.Errorf("page 101 = %v, want not found", r.Status)
	}
}

func TestSearchOff(t *testing.T) {
	s := buildTest(t, testCapsule())
	if r := s.Serve(&Request{Path: "/search", Query: "x"}); r.Status != NotFound {
		t.Errorf("/search without a searcher = %v", r.Status)
	}
	if strings.Contains(string(s.Lookup("/").Page.Bytes()), "/search") {
		t.Error("index links to a search that does not exist")
	}
}
