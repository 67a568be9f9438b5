package site

import (
	"fmt"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"broadside/internal/capsule"
)

// TestCacheSmallerThanCapsule serves a capsule whose articles take many
// times the cache's budget, edits some of them between crawls, and checks
// every answer against the file as it is: every article is served, with
// its current text, never a body the cache kept from before an edit.
func TestCacheSmallerThanCapsule(t *testing.T) {
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	const n = 60
	text := func(i, version int) string {
		return fmt.Sprintf("Article %d, version %d. %s\n", i, version, strings.Repeat("Filler words for the size. ", 200))
	}
	fsys := fstest.MapFS{}
	version := make([]int, n)
	write := func(i int) {
		fsys[fmt.Sprintf("posts/a%02d.md", i)] = &fstest.MapFile{
			Data:    []byte(fmt.Sprintf("---\ntitle: A%02d v%d\ndate: 2024-01-%02d\n---\n\n%s", i, version[i], i%28+1, text(i, version[i]))),
			ModTime: t0.Add(time.Duration(version[i]) * time.Minute),
		}
	}
	for i := range n {
		write(i)
	}
	cache := NewCache(64 << 10) // about ten articles of 5.5 KB, body and page
	snap, err := capsule.Load(fsys, capsule.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	s := Build(snap, Options{Cache: cache, Static: fsys}, now)
	crawl := func(round string) {
		t.Helper()
		for _, i := range []int{0, 5, 59, 5, 30, 0} {
			for j := i; j < n; j += 7 {
				p := fmt.Sprintf("/posts/a%02d.gmi", j)
				r := s.Lookup(p)
				if r.Status != Found {
					t.Fatalf("%s: %s answers %v", round, p, r.Status)
				}
				body := string(r.Page.Bytes())
				if want := fmt.Sprintf("Article %d, version %d.", j, version[j]); !strings.Contains(body, want) ||
					!strings.Contains(body, fmt.Sprintf("# A%02d v%d\n", j, version[j])) {
					t.Fatalf("%s: %s serves %.80q, want version %d", round, p, body, version[j])
				}
			}
		}
		if _, used := cache.Len(); used > cache.Budget() {
			t.Fatalf("%s: cache holds %d bytes, over its %d", round, used, cache.Budget())
		}
	}
	crawl("first crawl")
	// An article just served (page and body in the cache) is edited: the
	// next request shows the edit.
	for round := range 3 {
		i := 3 + round
		if r := s.Lookup(fmt.Sprintf("/posts/a%02d.gmi", i)); r.Status != Found {
			t.Fatalf("a%02d: %v", i, r.Status)
		}
		version[i]++
		write(i)
		next, err := capsule.Update(snap, []string{fmt.Sprintf("posts/a%02d.md", i)})
		if err != nil {
			t.Fatal(err)
		}
		snap, s = next, Update(s, next, now)
		body := string(s.Lookup(fmt.Sprintf("/posts/a%02d.gmi", i)).Page.Bytes())
		if !strings.Contains(body, fmt.Sprintf("Article %d, version %d.", i, version[i])) {
			t.Fatalf("a%02d after an edit serves %.80q", i, body)
		}
	}
	for round := range 4 {
		// Edit articles whose pages and bodies are in the cache, and
		// others that were evicted.
		var changed []string
		for _, i := range []int{0, 5, 30, 59, round * 11} {
			version[i]++
			write(i)
			changed = append(changed, fmt.Sprintf("posts/a%02d.md", i))
		}
		next, err := capsule.Update(snap, changed)
		if err != nil {
			t.Fatal(err)
		}
		snap, s = next, Update(s, next, now)
		crawl(fmt.Sprintf("after edit %d", round+1))
	}
	if entries, _ := cache.Len(); entries >= 2*n {
		t.Errorf("the cache kept %d entries for %d articles: nothing was evicted", entries, n)
	}
}
