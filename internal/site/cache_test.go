package site

import (
	"fmt"
	"strings"
	"testing"
)

func TestViewCacheBudget(t *testing.T) {
	c := newViewCache(1000)
	renders := 0
	render := func(n int) func() gopherViews {
		return func() gopherViews {
			renders++
			return gopherViews{text: []byte(strings.Repeat("x", n))}
		}
	}
	for i := range 20 {
		c.get(fmt.Sprint("/p", i), render(100))
	}
	n, used := c.len()
	if used > 1000 || n == 0 || n > 10 {
		t.Errorf("cache holds %d pages, %d bytes; budget 1000", n, used)
	}
	// The most recent page is still cached; the oldest is not.
	before := renders
	c.get("/p19", render(100))
	if renders != before {
		t.Error("most recent page rendered again")
	}
	c.get("/p0", render(100))
	if renders != before+1 {
		t.Error("evicted page not rendered again")
	}
	// A view larger than the whole budget is served but not kept.
	if v := c.get("/huge", render(5000)); len(v.text) != 5000 {
		t.Error("huge view not returned")
	}
	if _, used := c.len(); used > 1000 {
		t.Errorf("cache over budget after a huge view: %d", used)
	}
}

// TestGopherCacheBounded reads every page of a site over Gopher and checks
// the cache stays within its budget while serving correct views.
func TestGopherCacheBounded(t *testing.T) {
	fsys := testCapsule()
	for i := range 50 {
		fsys[fmt.Sprintf("posts/gen%d.md", i)] = file(fmt.Sprintf("---\ntitle: Gen %d\ndate: 2023-02-01\n---\n\n%s\n", i, strings.Repeat("word ", 400)))
	}
	s := buildTest(t, fsys)
	s.gopherCache = newViewCache(8 << 10)
	l := &Live{}
	l.Store(s)
	h := l.GopherHandler()
	for i := range 50 {
		got := gopherGet(t, h, fmt.Sprintf("/posts/gen%d.gmi", i))
		if !strings.HasPrefix(got, fmt.Sprintf("Gen %d\r\n", i)) {
			t.Fatalf("gen%d: wrong view:\n%.200s", i, got)
		}
	}
	if _, used := s.gopherCache.len(); used > 8<<10 {
		t.Errorf("cache grew to %d bytes over its 8 KiB budget", used)
	}
}
